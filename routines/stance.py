"""Where the feet stand: calibration on a still, flat stance, and the gates that stop counting while the person moves.

A `StanceTracker` is fed one frame's foot signals at a time. It calibrates on the first still moment (both feet
seen, flat and not moving), and again whenever the person has moved, walked off or hidden their feet. While
calibrated it reports, for each foot, how far its heel has risen above the calibrated flat stance, and which feet
stand on the floor: both (a double-leg stance) or one (the other foot held up, a single-leg stance).
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from vision.foot_signals import FootSignals
from vision.pose import SIDES

# Lengths are in body scales (torso lengths), times in seconds.
STILL_SECONDS = 0.6  # how long the person must hold still to calibrate
STILL_RISE_RANGE = 0.035  # largest change of a foot's rise signal within a still moment
STILL_POINT_RANGE = 0.06  # largest movement of a toe or of the hips within a still moment
TOE_PLANTED = 0.3  # a toe further than this from its calibrated place has moved (step, lunge, lifted foot)
TOE_LIFTED = 0.12  # a foot whose toe is this much above its calibrated place is held off the floor
HIP_SIDEWAYS = 0.45  # hips further sideways than this: walking or a weight shift, not a heel raise
HIP_DROP = 0.25  # hips lower than this: a squat or lunge
STANCE_SETTLE_SECONDS = 0.2  # a change of which feet stand must last this long: the lifted foot's point flickers
LOST_SECONDS = 1.0  # without the person or their feet for this long, calibrate again when they are back
BELOW_FLAT = 0.03  # standing still this far below the calibrated stance: it was not flat (heels were up), calibrate again
BASELINE_TIME_CONSTANT = 4.0  # the flat-stance baseline follows slow drift while the heels are down


@dataclass(frozen=True)
class StanceFrame:
    """The stance in one frame.

    `standing` are the feet on the floor: both, or one when the other is held up. `lift` and the other per-side
    measures are given for the standing feet the camera sees now; in a side view the far foot is often hidden and
    is taken to stand where it was.
    """

    t: float
    phase: str  # "no person", "feet not visible", "not calibrated", "moving", "ready"
    message: str
    standing: tuple[str, ...]  # while "ready": ("left", "right"), ("left",) or ("right",)
    lift: dict  # side -> rise over the flat stance (body scales)
    heel_lift: dict  # side -> heel height over the flat stance (body scales)
    heel_lift_m: dict  # side -> heel height over the flat stance (metres, from world landmarks; may be nan)
    heel_swing: dict  # side -> heel's sideways shift against the toe, away from the other foot (body scales)
    signals: FootSignals
    reference: "StanceReference | None"  # the calibrated flat stance, while "ready"

    @property
    def ready(self) -> bool:
        return self.phase == "ready"


MESSAGES = {
    "no person": "No one in view: step into the picture, whole body visible",
    "feet not visible": "Step back: your feet are out of view",
    "feet hidden": "Turn about 45 degrees so the camera sees your heels and toes",
    "not calibrated": "Stand still with both feet flat to calibrate",
    "moving": "Stand still with both feet flat to calibrate",
    "ready": "",
}


@dataclass
class StanceReference:
    """The calibrated flat stance: per-side means over the still moment (body scales), for the feet seen then."""

    rise: dict
    height: dict
    heel: dict
    heel_m: dict
    toe: dict  # side -> (x, y)
    heel_offset: dict  # side -> heel x minus toe x
    ankle_offset: dict  # side -> ankle x minus toe x
    hip: tuple[float, float]

    @property
    def sides(self) -> tuple[str, ...]:
        return tuple(side for side in SIDES if side in self.toe)

    def outward(self, side: str) -> float:
        """+1 or -1: the image x direction that points away from the other foot (0 when unknown or overlapping)."""
        other = "right" if side == "left" else "left"
        if other not in self.toe:
            return 0.0
        return float(np.sign(self.toe[side][0] - self.toe[other][0]))

    @property
    def feet_apart(self) -> float:
        """Horizontal distance between the toes in the picture: small when the camera sees the person side-on."""
        if len(self.sides) < 2:
            return 0.0
        return abs(self.toe["left"][0] - self.toe["right"][0])


class StanceTracker:
    """Calibrates on a still flat stance and reports heel lift per foot, gated on the feet staying put."""

    def __init__(self) -> None:
        self._window: deque[FootSignals] = deque()
        self._calibration: StanceReference | None = None
        self._last_good = -math.inf
        self._last_t = -math.inf
        self._standing: tuple[str, ...] = SIDES
        self._new_standing: tuple[tuple[str, ...], float] | None = None  # a change not yet settled, since when

    def update(self, s: FootSignals, hold: bool = False) -> StanceFrame:
        """One frame. A counter passes `hold=True` while a rep is under way, so the baseline does not follow the heel."""
        if s.t < self._last_t:  # a new stream: time went back
            self.__init__()
        self._last_t = s.t
        seen = [side for side in SIDES if s.side(side).visible]
        if not s.person or not s.feet_in_frame or not seen:
            self._window.clear()
            if s.t - self._last_good > LOST_SECONDS:
                self._calibration = None
            if not s.person:
                return self._frame(s, "no person")
            # In the picture but not seen well: the feet hide each other or are in shadow, so a turn helps.
            return self._frame(s, "feet not visible", "feet not visible" if not s.feet_in_frame else "feet hidden")
        self._window.append(s)
        while self._window and s.t - self._window[0].t > STILL_SECONDS:
            self._window.popleft()
        still = self._still()
        cal = self._calibration
        if cal is None:
            self._last_good = s.t
            if still:
                self._calibrate()
                self._standing, self._new_standing = SIDES, None
                return self._ready(s, hold=True, standing=SIDES)
            return self._frame(s, "not calibrated")
        standing = self._settled(s.t, self._feet_down(s, cal))
        hip_dx = abs(s.hip[0] - cal.hip[0])
        hip_drop = s.hip[1] - cal.hip[1]
        if not standing or hip_dx > HIP_SIDEWAYS or hip_drop > HIP_DROP:
            # Stepping, walking, squatting, lunging or shifting: forget the stance and wait for stillness.
            self._calibration = None
            self._standing, self._new_standing = SIDES, None
            return self._frame(s, "moving")
        frame = self._ready(s, hold=hold, standing=standing)
        if not frame.lift:
            # Only a foot that was hidden at calibration is seen now: nothing to measure against.
            return self._frame(s, "feet not visible", "feet hidden")
        self._last_good = s.t
        if still and not hold and len(frame.lift) == 2 and min(frame.lift.values()) < -BELOW_FLAT:
            self._calibrate()
            frame = self._ready(s, hold=True, standing=standing)
        return frame

    def _steady_sides(self) -> list[str]:
        """The feet seen in every frame of the window."""
        return [side for side in SIDES if all(f.side(side).visible for f in self._window)]

    def _still(self) -> bool:
        w = self._window
        if len(w) < 3 or w[-1].t - w[0].t < STILL_SECONDS * 0.9:
            return False
        sides = self._steady_sides()
        if not sides:
            return False
        for side in sides:
            rises = [f.side(side).rise for f in w]
            if max(rises) - min(rises) > STILL_RISE_RANGE:
                return False
            toes = np.array([f.side(side).toe for f in w])
            if np.ptp(toes, axis=0).max() > STILL_POINT_RANGE:
                return False
        hips = np.array([f.hip for f in w])
        return bool(np.ptp(hips, axis=0).max() <= STILL_POINT_RANGE)

    def _calibrate(self) -> None:
        """Take the flat stance from the still window; a foot not seen throughout keeps its earlier reference."""
        w = self._window
        sides = self._steady_sides()
        old = self._calibration

        def per_side(get, earlier):
            values = dict(earlier) if old is not None else {}
            values.update({side: get(side) for side in sides})
            return values

        def mean(get):
            return lambda side: float(np.mean([get(f.side(side)) for f in w]))

        self._calibration = StanceReference(
            rise=per_side(mean(lambda x: x.rise), old and old.rise),
            height=per_side(mean(lambda x: x.height), old and old.height),
            heel=per_side(mean(lambda x: x.heel_height), old and old.heel),
            heel_m=per_side(mean(lambda x: x.heel_height_m), old and old.heel_m),
            toe=per_side(lambda side: tuple(np.mean([f.side(side).toe for f in w], axis=0)), old and old.toe),
            heel_offset=per_side(mean(lambda x: x.heel[0] - x.toe[0]), old and old.heel_offset),
            ankle_offset=per_side(mean(lambda x: x.ankle[0] - x.toe[0]), old and old.ankle_offset),
            hip=tuple(np.mean([f.hip for f in w], axis=0)),
        )

    def _settled(self, t: float, standing: tuple[str, ...]) -> tuple[str, ...]:
        """The feet standing, changed only once a new reading has held for STANCE_SETTLE_SECONDS."""
        if standing == self._standing:
            self._new_standing = None
        elif self._new_standing is None or self._new_standing[0] != standing:
            self._new_standing = (standing, t)
        elif t - self._new_standing[1] >= STANCE_SETTLE_SECONDS:
            self._standing, self._new_standing = standing, None
        return self._standing

    @staticmethod
    def _feet_down(s: FootSignals, cal: StanceReference) -> tuple[str, ...]:
        """The feet on the floor, or () when the feet have moved (a step, a jump, a walk)."""
        lifted = []
        for side in cal.sides:
            foot = s.side(side)
            if not foot.visible:
                continue  # hidden now: taken to stand where it was
            tx, ty = foot.toe
            rx, ry = cal.toe[side]
            if math.hypot(tx - rx, ty - ry) <= TOE_PLANTED:
                continue
            if ry - ty < TOE_LIFTED:
                return ()  # moved along the floor
            lifted.append(side)
        if len(lifted) == 2:
            return ()
        return tuple(side for side in SIDES if side not in lifted)

    def _ready(self, s: FootSignals, hold: bool, standing: tuple[str, ...]) -> StanceFrame:
        cal = self._calibration
        measured = [side for side in standing if side in cal.rise and s.side(side).visible]
        lift = {side: _lift(s.side(side).rise - cal.rise[side], s.side(side).height - cal.height[side]) for side in measured}
        if not hold and len(standing) == 2:
            # Follow slow drift of the flat stance (the body settling, the camera creeping) while the heels are down.
            dt = s.t - self._window[-2].t if len(self._window) > 1 else 0.0
            alpha = 1.0 - math.exp(-max(dt, 0.0) / BASELINE_TIME_CONSTANT)
            for side in measured:
                cal.rise[side] += alpha * (s.side(side).rise - cal.rise[side])
                cal.height[side] += alpha * (s.side(side).height - cal.height[side])
        return StanceFrame(
            s.t,
            "ready",
            "",
            standing,
            lift,
            {side: s.side(side).heel_height - cal.heel[side] for side in measured},
            {side: s.side(side).heel_height_m - cal.heel_m[side] for side in measured},
            {
                side: cal.outward(side) * (s.side(side).heel[0] - s.side(side).toe[0] - cal.heel_offset[side])
                for side in measured
            },
            s,
            cal,
        )

    def _frame(self, s: FootSignals, phase: str, message: str | None = None) -> StanceFrame:
        return StanceFrame(s.t, phase, MESSAGES[message or phase], (), {}, {}, {}, {}, s, None)



def _lift(rise: float, height: float) -> float:
    """A foot's lift from two views of it: against its own toe, and in the picture.

    The heel must rise against the toe and the body must rise in the picture: a toe point that slides (the model's
    least steady landmark) moves only the first, a moving or zooming camera only the second; the smaller one
    bounds the lift.
    """
    return min(rise, height)
