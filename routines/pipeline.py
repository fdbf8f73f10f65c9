"""One stream of frames through pose estimation, foot signals and one exercise's detector, and a frame drawn with
its result (`annotate`).

The same `Pipeline` serves a recorded file and a live camera: it is fed one frame (with its own timestamp) at a
time and keeps all its state, so each stream gets its own.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from routines.detectors.events import DetectorStatus, RepEvent
from routines.exercises import exercise as exercise_entry
from routines.exercises import make_detector
from vision.closeup import ToeFrame, ToeTracker
from vision.foot_signals import FootSignalExtractor, FootSignals
from vision.overlay import draw_panel, draw_pose, draw_toe_bands
from vision.people import OtherPersonCheck
from vision.pose import Pose, PoseEstimator


@dataclass(frozen=True)
class FrameResult:
    t: float
    pose: Pose | None
    signals: FootSignals | ToeFrame  # what the detector read: the pose's foot signals, or the close-up toes
    events: list[RepEvent]
    status: DetectorStatus
    several_people: bool  # someone besides the tracked person has been seen in this stream

    @property
    def found(self) -> bool:
        """Whatever the detector reads was found in this frame: a person, or the feet close up."""
        return self.signals.found if isinstance(self.signals, ToeFrame) else self.pose is not None


class Pipeline:
    """Pose, foot signals and detector for one stream.

    >>> pipeline = Pipeline("heel-raise")
    >>> result = pipeline.process(rgb_image, t)
    >>> result.status.count
    """

    def __init__(self, exercise: str, estimator: PoseEstimator | None = None):
        self.detector = make_detector(exercise)
        self.exercise = exercise
        self._estimator = estimator
        self._signals = FootSignalExtractor()
        self._others = OtherPersonCheck()

    def set_exercise(self, exercise: str) -> None:
        """Start counting another exercise on the same stream (the pose tracker carries on)."""
        self.detector = make_detector(exercise)
        self.exercise = exercise

    def warm_up(self, height: int, width: int) -> None:
        """Load the pose models now, on a blank picture of the stream's size.

        Loading takes from a few tenths of a second to 2 s on a busy machine, and on a live stream every frame that
        arrives meanwhile is dropped. A blank picture leaves no tracking state behind: the landmarks of the frames
        that follow are the same to the pixel as without it.
        """
        blank = np.zeros((height, width, 3), np.uint8)
        self._pose_estimator().warm_up(blank)
        self._others.warm_up(blank)

    def process(self, image: np.ndarray, t: float) -> FrameResult:
        pose = self._pose_estimator().estimate(image, t)
        self._others.update(image, pose, t)
        return self.feed(pose, t)

    def feed(self, pose: Pose | None, t: float) -> FrameResult:
        """Advance with a pose already estimated (or read from a stored trace)."""
        signals = self._signals.update(pose, t)
        # A frame whose legs the pose model blended says nothing about the feet: the detector passes it over, as a
        # frame the stream dropped.
        events = [] if signals.legs_blended else self.detector.update(signals)
        return FrameResult(t, pose, signals, events, self.detector.status, self._others.seen)

    def handles(self, exercise: str) -> bool:
        """This pipeline can count `exercise` (a full-body one) after `set_exercise`."""
        return not exercise_entry(exercise).closeup

    def _pose_estimator(self) -> PoseEstimator:
        if self._estimator is None:
            self._estimator = PoseEstimator()
        return self._estimator

    def close(self) -> None:
        if self._estimator is not None:
            self._estimator.close()
            self._estimator = None
        self._others.close()


class CloseupPipeline:
    """The feet seen close up (`vision.closeup`) and one toe exercise's detector, for one stream: the same use as
    `Pipeline`, without the pose model."""

    def __init__(self, exercise: str):
        self.detector = make_detector(exercise)
        self.exercise = exercise
        self._tracker = ToeTracker()

    def set_exercise(self, exercise: str) -> None:
        """Count another toe exercise; the feet stay found."""
        self.detector = make_detector(exercise)
        self.exercise = exercise

    def handles(self, exercise: str) -> bool:
        return exercise_entry(exercise).closeup

    def warm_up(self, height: int, width: int) -> None:
        """Nothing to load."""

    def process(self, image: np.ndarray, t: float) -> FrameResult:
        return self.feed(self._tracker.update(image, t), t)

    def feed(self, toes: ToeFrame, t: float) -> FrameResult:
        """Advance with the feet already followed (by another close-up pipeline on the same stream)."""
        return FrameResult(t, None, toes, self.detector.update(toes), self.detector.status, False)

    def close(self) -> None:
        """Nothing to release."""


def make_pipeline(exercise: str) -> Pipeline | CloseupPipeline:
    """The pipeline that counts `exercise`: close-up for the toe exercises, the pose model for the others."""
    return CloseupPipeline(exercise) if exercise_entry(exercise).closeup else Pipeline(exercise)


def count_text(status: DetectorStatus, target: int | None = None, side: str | None = None) -> str:
    """The counter as shown on screen, e.g. "5 / 8 right foot" or "3 reps"."""
    if side in ("left", "right"):
        done = status.per_side.get(side, 0)
        return f"{done} / {target} {side} foot" if target else f"{done} {side} foot"
    if target:
        return f"{status.count} / {target}"
    return f"{status.count} rep" if status.count == 1 else f"{status.count} reps"


def annotate(image: np.ndarray, result: FrameResult, target: int | None = None, side: str | None = None) -> np.ndarray:
    """Draw the skeleton (close up: the toe bands watched), the counter, the latest cue and any set-up guidance on the
    frame (in place)."""
    if isinstance(result.signals, ToeFrame):
        draw_toe_bands(image, result.signals.bands)
    draw_pose(image, result.pose)
    status = result.status
    return draw_panel(image, count_text(status, target, side), status.cue, status.message)
