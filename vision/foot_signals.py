"""Per-frame foot signals for each side, in units of the body's own scale.

The body scale is the torso length (mid-shoulder to mid-hip) in pixels, so that the signals do not depend on the
distance to the camera or on the person's size. Leaning forward (a squat, a lunge, a bow) shortens the torso in the
picture while the body keeps its size, so the scale is the longest torso seen lately, not the current one. A side's
signals are gated on the model's visibility of its foot landmarks and on those landmarks being inside the frame.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from vision.pose import ANKLE, HEEL, HIP, KNEE, SHOULDER, SIDES, TOE, Pose

# Below this visibility the model is guessing where a point is.
MIN_VISIBILITY = 0.5
# The torso length is smoothed over about this long against landmark jitter...
SCALE_TIME_CONSTANT = 0.3
# ...and the body scale is the longest smoothed torso of this many latest seconds.
SCALE_WINDOW_SECONDS = 3.0
# After this long without a person, the next person starts a fresh scale.
SCALE_RESET_GAP = 1.0


def follow(value, target, dt: float, time_constant: float):
    """`value` moved toward `target` over `dt` seconds by a first-order lag of `time_constant` seconds: how every
    slowly following level (the body's scale, the flat stance, a planted toe, a swing's middle) keeps up. Numbers or
    NumPy arrays."""
    return value + (1.0 - math.exp(-max(dt, 0.0) / time_constant)) * (target - value)


@dataclass(frozen=True)
class SideSignals:
    """One foot in one frame; lengths in body scales, positions in image axes (x right, y down)."""

    visible: bool  # heel, ankle and toe seen by the model and inside the frame
    in_frame: bool  # heel, ankle and toe inside the frame, however well seen
    rise: float  # mean height of heel, ankle, knee and hip above the toe: grows as the heel lifts
    height: float  # mean height of heel, ankle, knee and hip in the image (up is positive): grows as the body rises
    heel_height: float  # heel above the toe
    leg: float  # the hip's height above the ankle: shrinks as the knee bends (a squat, a lunge, a foot held up)
    toe: tuple[float, float]  # toe (tip of the foot) position
    heel: tuple[float, float]
    ankle: tuple[float, float]


@dataclass(frozen=True)
class FootSignals:
    """Both feet in one frame. `person` is False when no one was found; the sides are then not visible."""

    t: float
    person: bool
    scale_px: float  # pixels per body scale
    hip: tuple[float, float]  # mid-hip position
    left: SideSignals
    right: SideSignals
    lean: float = math.nan  # the torso's angle from upright in the picture, degrees
    torso_m: float = math.nan  # the torso's length in metres, from the model's world landmarks

    def side(self, name: str) -> SideSignals:
        return self.left if name == "left" else self.right

    @property
    def feet_in_frame(self) -> bool:
        return self.left.in_frame and self.right.in_frame


NOT_SEEN = SideSignals(
    False, False, math.nan, math.nan, math.nan, math.nan, (math.nan, math.nan), (math.nan, math.nan),
    (math.nan, math.nan),
)


class FootSignalExtractor:
    """Turns poses of one stream into foot signals; keeps the body scale of that stream.

    >>> extractor = FootSignalExtractor()
    >>> signals = extractor.update(pose, t)   # pose may be None
    """

    def __init__(self) -> None:
        self._torso: float | None = None
        self._recent: deque[tuple[float, float]] = deque()  # (t, smoothed torso length)
        self._last_seen = -math.inf

    def update(self, pose: Pose | None, t: float) -> FootSignals:
        if pose is None:
            return FootSignals(t, False, math.nan, (math.nan, math.nan), NOT_SEEN, NOT_SEEN)
        pts = pose.points
        shoulders = (pts[SHOULDER["left"]] + pts[SHOULDER["right"]]) / 2
        hips = (pts[HIP["left"]] + pts[HIP["right"]]) / 2
        torso = float(np.hypot(*(shoulders - hips)))
        if self._torso is None or t - self._last_seen > SCALE_RESET_GAP or t < self._last_seen:
            self._torso = torso
            self._recent.clear()
        else:
            self._torso = follow(self._torso, torso, t - self._last_seen, SCALE_TIME_CONSTANT)
        self._last_seen = t
        self._recent.append((t, self._torso))
        while t - self._recent[0][0] > SCALE_WINDOW_SECONDS:
            self._recent.popleft()
        scale = max(max(length for _, length in self._recent), 1.0)
        sides = {name: _side(pose, name, scale) for name in SIDES}
        up = shoulders - hips
        lean = math.degrees(math.atan2(abs(up[0]), -up[1]))
        world = pose.world
        torso_m = float(np.linalg.norm((world[SHOULDER["left"]] + world[SHOULDER["right"]]) / 2
                                       - (world[HIP["left"]] + world[HIP["right"]]) / 2))
        return FootSignals(t, True, scale, (hips[0] / scale, hips[1] / scale), sides["left"], sides["right"],
                           lean, torso_m)


def _side(pose: Pose, name: str, scale: float) -> SideSignals:
    pts, vis = pose.points, pose.visibility
    heel, ankle, toe, knee, hip = (pts[i[name]] for i in (HEEL, ANKLE, TOE, KNEE, HIP))
    feet = (HEEL[name], ANKLE[name], TOE[name])
    in_frame = all(pose.in_frame(i) for i in feet)
    visible = in_frame and all(vis[i] >= MIN_VISIBILITY for i in feet)
    toe_y = toe[1]
    heel_height = (toe_y - heel[1]) / scale
    mean_y = (heel[1] + ankle[1] + knee[1] + hip[1]) / 4
    rise = (toe_y - mean_y) / scale
    return SideSignals(
        visible,
        in_frame,
        float(rise),
        float(-mean_y / scale),
        float(heel_height),
        float((ankle[1] - hip[1]) / scale),
        (float(toe[0] / scale), float(toe_y / scale)),
        (float(heel[0] / scale), float(heel[1] / scale)),
        (float(ankle[0] / scale), float(ankle[1] / scale)),
    )
