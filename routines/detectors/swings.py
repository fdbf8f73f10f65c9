"""Ankle rocks and ball-of-foot rolls: side-to-side movements of the feet, counted as cycles.

Ankle rock: rolling onto the outer edges of the feet moves each ankle and heel away from the other foot;
rolling onto the inner edges moves them towards it. Seen from the front, the sum of both feet's outward shifts
(the change in the gap between the ankles) swings positive then negative. A weight shift, or a camera that pans,
moves both feet the same way, which cancels.

Ball-of-foot roll: with a heel held up, the heel swings in and out around the ball of the foot, so the heel
moves sideways against the toe.
"""
from __future__ import annotations

import math

from routines.detectors.cycles import Cycle, CycleCounter, RollCounter
from routines.detectors.events import DetectorStatus, RepEvent, no_reps, side_of
from routines.detectors.stance import StanceFrame, StanceTracker
from vision.foot_signals import FootSignals, follow

# Shifts in body scales (torso lengths). Rolling 20-25 degrees onto the outer edges widens the gap between the
# ankles by about 0.1-0.16 torso seen from the front; 12-15 degrees onto the inner edges narrows it by about
# 0.07-0.1. Seen at 45 degrees both read smaller, and in a letterboxed 45-degree picture the inner roll shows
# as little as 0.02.
ROCK_OUT = 0.06  # both feet's outward shifts added up
ROCK_IN = 0.015
ROCK_MIDDLE = 0.01
ROLL_SWING = 0.033  # heel sideways against the toe: a roll swings at least this far (0.04-0.11 seen)
ROLL_MIDDLE = 0.018
HEEL_DOWN = 0.015  # a heel held up for rolling is down again once its lift is back under this
MIDDLE_TIME_CONSTANT = 0.5  # how quickly the resting place of a raised heel is followed between rolls
# Both feet roll together in an ankle rock (measured: each foot 0.8-1.0 of the other's shift, in every view); one
# foot swinging while the other moves only a little (under this share) is a ball-of-foot roll or a weight shift.
BOTH_FEET_SHARE = 0.6
# Toes closer than this in the picture: the camera sees the person from the side, where sideways movement of the
# feet is foreshortened to nothing (front views show 0.65-1.1, 45-degree views about 0.5, side views under 0.25).
FEET_APART_MIN = 0.3


class _SwingDetector:
    """Shared by the two swing detectors: stance gating, a cycle counter, per-side counts and status."""

    exercise = ""
    view_message = "Turn to face the camera: side-to-side movement is not visible from this angle"
    still_message = "Stand still with both feet flat for a moment"
    needs_still_stance = False
    both_feet = False  # a cycle of one foot alone counts only with its heel down

    def __init__(self, counter: CycleCounter) -> None:
        self.stance = StanceTracker()
        self.per_side = no_reps()
        self.partial = 0
        self._cycles = counter
        self._frame: StanceFrame | None = None
        self._cue = ""
        self._value = math.nan
        self._message = ""
        self._heel_was_up = False  # a heel was held up during the cycle under way

    @property
    def count(self) -> int:
        return sum(self.per_side.values())

    def update(self, signals: FootSignals) -> list[RepEvent]:
        frame = self.stance.update(signals, hold=self._holding())
        self._frame = frame
        self._message = frame.message
        if not frame.ready:
            return self._pause()
        if self.needs_still_stance and not frame.reference.settled:
            # Where the heels and ankles rest sideways is only known once the person has stood still.
            return self._pause(self.still_message)
        if frame.reference.feet_apart < FEET_APART_MIN:
            return self._pause(self.view_message)
        shares = self._shares(frame)
        if shares is None:
            return self._pause(self._message)
        self._value = sum(shares.values())
        if not self._cycles.active:
            self._heel_was_up = False
        self._heel_was_up = self._heel_was_up or bool(frame.heels_up())
        cycle = self._cycles.update(frame.t, self._value, shares)
        return [] if cycle is None else self._event(cycle)

    def _pause(self, message: str = "") -> list[RepEvent]:
        """Nothing to measure in this frame: a cycle already swung out and back still counts, the rest is dropped."""
        self._message = message or self._message
        self._value = math.nan
        return [event for cycle in self._cycles.flush(self._frame.t) for event in self._event(cycle)]

    def _holding(self) -> bool:
        return self._cycles.active

    def _shares(self, frame: StanceFrame) -> dict | None:
        raise NotImplementedError

    def _measures(self, cycle: Cycle) -> dict:
        raise NotImplementedError

    def _event(self, cycle: Cycle) -> list[RepEvent]:
        peaks = cycle.side_peaks
        best = max(peaks.values(), default=0.0)
        side = side_of(peaks)
        if self.both_feet and self._heel_was_up and (len(peaks) < 2 or min(peaks.values()) < BOTH_FEET_SHARE * best):
            return []  # one foot swinging on its own with its heel up is a ball-of-foot roll, not a rock
        cues = () if cycle.complete else (self.half_cue,)
        event = RepEvent(self.exercise, side, cycle.start, cycle.end, cycle.complete, self._measures(cycle), cues)
        if event.complete:
            self.per_side[side] += 1
        else:
            self.partial += 1
        self._cue = cues[0] if cues else ""
        return [event]

    @property
    def status(self) -> DetectorStatus:
        frame = self._frame
        phase = "no person" if frame is None else frame.phase
        return DetectorStatus(self.count, dict(self.per_side), phase, self._message, self._cue, self._value)


class AnkleRockDetector(_SwingDetector):
    """Counts rocks onto the outer and then the inner edges of the feet (either order) and back to flat."""

    exercise = "ankle-rock"
    needs_still_stance = True
    both_feet = True
    half_cue = "roll both ways: onto the outer edges, then the inner edges"

    def __init__(self) -> None:
        super().__init__(CycleCounter(ROCK_OUT, ROCK_IN, ROCK_MIDDLE))

    def _shares(self, frame: StanceFrame) -> dict | None:
        if len(frame.lift) != 2:
            return None  # a rock is done standing on both feet, and both must be seen
        ref, s = frame.reference, frame.signals
        shares = {}
        for side in ("left", "right"):
            foot = s.side(side)
            toe_x = ref.toe[side][0]
            ankle = foot.ankle[0] - (toe_x + ref.ankle_offset[side])
            heel = foot.heel[0] - (toe_x + ref.heel_offset[side])
            shares[side] = ref.outward(side) * (ankle + heel) / 2
        return shares

    def _measures(self, cycle: Cycle) -> dict:
        return {"outer": round(cycle.peak_plus, 4), "inner": round(-cycle.peak_minus, 4),
                "duration_s": round(cycle.end - cycle.start, 3)}


class BallRollDetector(_SwingDetector):
    """Counts side-to-side rolls of the ball of the foot while a heel is held up: in, out and back to the middle.

    The middle is where the raised heel rests before it rolls (it sits a little differently from the flat stance),
    so it is followed while no roll is under way.
    """

    exercise = "ball-roll"
    half_cue = "swing the heel both ways: in, then out"

    def __init__(self) -> None:
        super().__init__(RollCounter(ROLL_SWING, ROLL_MIDDLE))
        self._raised: list[str] = []  # the heels held up
        self._middle: dict = {}
        self._last_t = math.nan

    def _holding(self) -> bool:
        return bool(self._raised) or super()._holding()

    def _shares(self, frame: StanceFrame) -> dict | None:
        dt = frame.t - self._last_t if self._raised else 0.0
        self._last_t = frame.t
        # A heel stays up until it is right down: swinging the heel out dips its lift for a moment.
        up = frame.heels_up()
        kept = [side for side in self._raised if side in frame.heel_lift and side not in up
                and max(frame.heel_lift[side], frame.lift.get(side, 0.0)) > HEEL_DOWN]
        raised = self._raised = [side for side in frame.lift if side in up or side in kept]
        if len(raised) != 1:  # the roll is done on one raised heel: both heels up is a heel raise
            raised = []
            self._middle = {}
            self._message = self._message or "Lift your heel and hold it up, then roll side to side"
            return None
        if not self._cycles.active:
            for side in raised:
                swing = frame.heel_swing[side]
                middle = self._middle.get(side)
                self._middle[side] = swing if middle is None else follow(middle, swing, dt, MIDDLE_TIME_CONSTANT)
        return {side: frame.heel_swing[side] - self._middle.get(side, frame.heel_swing[side]) for side in raised}

    def _measures(self, cycle: Cycle) -> dict:
        return {"swing_out": round(cycle.peak_plus, 4), "swing_in": round(-cycle.peak_minus, 4),
                "duration_s": round(cycle.end - cycle.start, 3)}
