"""Pose estimation with MediaPipe's BlazePose full model, which ships inside the mediapipe 0.10.21 wheel."""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import numpy as np

# BlazePose landmark indices used by footform.
NOSE = 0
SHOULDER = {"left": 11, "right": 12}
HIP = {"left": 23, "right": 24}
KNEE = {"left": 25, "right": 26}
ANKLE = {"left": 27, "right": 28}
HEEL = {"left": 29, "right": 30}
TOE = {"left": 31, "right": 32}  # "foot_index": the tip of the foot, the only toe point the model has
SIDES = ("left", "right")

# What MediaPipe's legacy API adds to its frame stamp on every call (microseconds): 1/30 s.
SIMULATED_STEP_US = 33333
WARM_UP_US = -1_000_000  # the stamp of `PoseEstimator.warm_up`'s picture: before any frame's own time

SKELETON = (
    (11, 12), (11, 23), (12, 24), (23, 24), (11, 13), (13, 15), (12, 14), (14, 16),
    (23, 25), (25, 27), (24, 26), (26, 28),
)
FOOT_EDGES = ((27, 29), (29, 31), (31, 27), (28, 30), (30, 32), (32, 28))


@dataclass(frozen=True)
class Pose:
    """One person's landmarks in one frame.

    `points` are pixels (x right, y down) in a `width` x `height` frame; `visibility` is the model's 0..1 score;
    `world` are metres with the origin between the hips (y down), when the model gives them.
    """

    t: float
    points: np.ndarray  # (33, 2)
    visibility: np.ndarray  # (33,)
    world: np.ndarray  # (33, 3)
    width: int
    height: int

    def in_frame(self, index: int, margin: float = 0.0) -> bool:
        x, y = self.points[index]
        return -margin <= x <= self.width + margin and -margin <= y <= self.height + margin


class PoseEstimator:
    """One MediaPipe pose tracker for one stream of frames, fed in time order.

    >>> with PoseEstimator() as estimator:
    ...     pose = estimator.estimate(rgb_image, t=0.0)
    """

    def __init__(self) -> None:
        self._pose = None  # MediaPipe's graph, started by the first frame (or `warm_up`)
        self._started = False  # both of the graph's models have run (each prints its start-up notices then)
        self._last_us = -1
        self._offset_us = 0  # added to every frame's own time, so that the graph's stamps always increase

    def _start(self) -> None:
        """Start MediaPipe's graph. Called with stderr silenced, in the same call that then runs the graph on a
        picture: the graph loads its models on threads of its own and prints their notices whenever they are ready,
        so a graph started earlier would print them over whatever comes next."""
        if self._pose is not None:
            return
        # Imported here so that code which only reads stored landmarks does not pay for loading MediaPipe.
        import mediapipe as mp

        # model_complexity=1 is the full model bundled in the wheel; 0 and 2 would try to download theirs.
        self._pose = mp.solutions.pose.Pose(
            static_image_mode=False,
            model_complexity=1,
            smooth_landmarks=True,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )

    def estimate(self, image: np.ndarray, t: float) -> Pose | None:
        """Landmarks of the person in an RGB image, or None when nobody is found; `t` is the frame's own time."""
        height, width = image.shape[:2]
        if self._started:
            self._stamp(t)
            result = self._pose.process(image)
        else:
            # The landmark model starts on the first frame with a person in it, and prints its notices then.
            with _native_stderr_silenced():
                self._start()
                self._stamp(t)
                result = self._pose.process(image)
            self._started = result.pose_landmarks is not None
        if result.pose_landmarks is None:
            return None
        marks = np.array([(p.x, p.y, p.visibility) for p in result.pose_landmarks.landmark], dtype=np.float64)
        points = marks[:, :2] * (width, height)
        if result.pose_world_landmarks is not None:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark], dtype=np.float64)
        else:
            world = np.full((33, 3), np.nan)
        return Pose(t, points, marks[:, 2], world, width, height)

    def warm_up(self, image: np.ndarray) -> None:
        """Start the graph on `image` (a blank picture) stamped before any frame's own time, so the frames that follow
        get the very stamps, and landmarks, they would have had without it."""
        self._last_us = WARM_UP_US
        with _native_stderr_silenced():
            self._start()
            if hasattr(self._pose, "_simulated_timestamp"):
                self._pose._simulated_timestamp = WARM_UP_US - SIMULATED_STEP_US
            self._pose.process(image)

    def _stamp(self, t: float) -> None:
        """Give the graph the frame's own time. MediaPipe's legacy API stamps every frame 1/30 s after the last, so
        its landmark smoothing would run at one pace for a 60 frames/s file and another for a live camera that
        delivers 20; with the real times it smooths over the same real time on both."""
        if not hasattr(self._pose, "_simulated_timestamp"):
            return
        us = int(round(t * 1e6)) + self._offset_us
        if us <= self._last_us:
            # A clock that went back (a new stream, or after `Pipeline.warm_up`'s blank): carry on one frame later,
            # keeping the real gaps between the frames that follow.
            self._offset_us += self._last_us + SIMULATED_STEP_US - us
            us = self._last_us + SIMULATED_STEP_US
        self._pose._simulated_timestamp = us - SIMULATED_STEP_US  # process() adds its step before stamping
        self._last_us = us

    def close(self) -> None:
        if self._pose is not None:
            self._pose.close()
            self._pose = None

    def __enter__(self) -> "PoseEstimator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# True lets MediaPipe's native log lines through to stderr (`footform --verbose`); set before any estimator starts.
SHOW_NATIVE_LOGS = False


@contextlib.contextmanager
def _native_stderr_silenced():
    """Silence MediaPipe's C++ start-up chatter, which writes straight to file descriptor 2 and ignores Python."""
    if SHOW_NATIVE_LOGS:
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
