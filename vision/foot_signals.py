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
# After this long without a person, the next person starts a fresh scale (and the model's own names for the feet).
SCALE_RESET_GAP = 1.0
# Now and then the pose model swaps the names of the legs from one frame to the next (seen from the side, mostly):
# each foot's points land where the other foot's stood a frame before, as a swap. Between frames this close (a
# stream that passes frames over leaves gaps of up to a fifth of a second)...
LABEL_SWAP_SECONDS = 0.2
# ...feet whose points moved more than this (the mean over toe, heel and ankle, in body scales)...
LABEL_JUMP = 0.2
# ...and landed within this share of that distance, and within SWAP_MATCH, of where the other foot stood, were
# swapped: their names go back. Swaps seen on real clips land 0.06-0.11 from the other foot's place one or two frames
# later (a share of 0.16-0.34); feet that really trade places, running in place seen from the side, land 0.18 and
# more from it at 30 frames/s.
SWAP_SHARE = 0.35
SWAP_MATCH = 0.12
# The model names the legs back within about a tenth of a second; a swap is undone up to this long after it.
REVERT_SECONDS = 0.5


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
    # The model's two legs part way through being named back (see `FootLabels`): neither foot's points are
    # where that foot stands, so this frame says nothing about the feet.
    legs_blended: bool = False

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
        self._labels = FootLabels()

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
            self._labels = FootLabels()
        else:
            self._torso = follow(self._torso, torso, t - self._last_seen, SCALE_TIME_CONSTANT)
        self._last_seen = t
        self._recent.append((t, self._torso))
        while t - self._recent[0][0] > SCALE_WINDOW_SECONDS:
            self._recent.popleft()
        scale = max(max(length for _, length in self._recent), 1.0)
        sides = self._labels.update(t, {name: _side(pose, name, scale) for name in SIDES})
        up = shoulders - hips
        lean = math.degrees(math.atan2(abs(up[0]), -up[1]))
        world = pose.world
        torso_m = float(np.linalg.norm((world[SHOULDER["left"]] + world[SHOULDER["right"]]) / 2
                                       - (world[HIP["left"]] + world[HIP["right"]]) / 2))
        return FootSignals(t, True, scale, (hips[0] / scale, hips[1] / scale), sides["left"], sides["right"],
                           lean, torso_m, self._labels.blended)


class FootLabels:
    """Keeps each foot's name with the foot when the pose model swaps its legs' names between two frames.

    A swap is seen as each foot's points landing, a frame later, where the other foot's stood. The model names the
    legs back after a few frames, often over two of them: within REVERT_SECONDS of a swap, its own names are followed
    again as soon as they fit the frame before the swap better than the swapped names do. A frame they fit only a
    little better is part way back: its legs are `blended` (each foot between the two places, both legs read bent).

    >>> labels = FootLabels()
    >>> sides = labels.update(t, {"left": left_signals, "right": right_signals})
    """

    def __init__(self) -> None:
        self.swapped = False  # the model's names are the other way round from the feet's
        self._last: tuple[float, dict] | None = None
        self._swap: tuple[float, dict] | None = None  # the latest swap: when, and the feet the frame before
        self.blended = False  # the latest frame's legs were part way through being named back

    def update(self, t: float, sides: dict) -> dict:
        self.blended = False
        if self._swap is not None:
            when, before = self._swap
            back = _moved_feet(_named(sides, not self.swapped), before)
            kept = _moved_feet(_named(sides, self.swapped), before)
            if t - when > REVERT_SECONDS:
                self._swap = None
            elif back < kept:
                self.swapped, self._swap = not self.swapped, None
                self.blended = back > SWAP_SHARE * kept
        sides = _named(sides, self.swapped)
        last = self._last
        if last is not None and 0 < t - last[0] <= LABEL_SWAP_SECONDS:
            straight = _moved_feet(sides, last[1])
            crossed = _moved_feet(_named(sides, True), last[1])
            if straight > LABEL_JUMP and crossed < min(SWAP_SHARE * straight, SWAP_MATCH):
                self.swapped, self._swap = not self.swapped, (t, last[1])
                sides = _named(sides, True)
        self._last = (t, sides)
        return sides


def _named(sides: dict, swapped: bool) -> dict:
    return {"left": sides["right"], "right": sides["left"]} if swapped else sides


def _moved_feet(sides: dict, before: dict) -> float:
    """How far both feet moved from `before` on average (NaN when a foot is not seen in either)."""
    if not all(foot.visible for foot in (*sides.values(), *before.values())):
        return math.nan
    return (_moved(sides["left"], before["left"]) + _moved(sides["right"], before["right"])) / 2


def _moved(foot: SideSignals, before: SideSignals) -> float:
    """How far a foot's toe, heel and ankle moved on average (body scales)."""
    return float(np.mean([math.dist(a, b) for a, b in ((foot.toe, before.toe), (foot.heel, before.heel),
                                                        (foot.ankle, before.ankle))]))


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
