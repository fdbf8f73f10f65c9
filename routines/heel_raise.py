"""Heel raises, double-leg or single-leg, counted with hysteresis on the heel's lift above the flat stance."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from routines.cycles import CycleCounter
from routines.events import DetectorStatus, RepEvent
from routines.stance import StanceFrame, StanceTracker
from vision.foot_signals import FootSignals

# Lift thresholds in body scales (torso lengths). A full raise lifts the body by 5-8 cm, about 0.1-0.2 torso, but
# the model drags its toe point up with the heel, so the lift it shows is often half that: 0.05-0.1.
RISE_HIGH = 0.045  # above this (over flat, and over where the rep began) the heel is up: the rep counts once it is down
# ...and both the heel against the toe and the body in the picture rose at least this much since the rep began.
RISE_GAIN = 0.025
RISE_START = 0.015  # a rep starts when the lift rises this much above the lowest it has been since the last rep
# The heel is down again once the lift is back under this share of the way from where the rep began to its peak.
# People doing reps one after another often do not settle fully flat between them, and a hand-held camera drifts,
# so the end is judged against the rep's own rise rather than against the flat stance alone.
END_SHARE = 0.4
RISE_LOW = 0.02  # ...or under this lift over the flat stance
PARTIAL_MIN = 0.028  # a rise that peaks between this and RISE_HIGH is a partial rep
MIN_REP_SECONDS = 0.35  # quicker up-and-down flickers are noise, not reps
# After the heel comes down, the feet must stay on the floor this long for the rep to count: a heel that rises and
# falls as the foot leaves the floor (a knee lift, a step) is not a raise.
SETTLE_SECONDS = 0.25
# How high a lift looks depends on the view (a side view shows about twice what a front view shows), so a rise
# is judged short against the person's own recent full raises: under this share of their typical peak.
PARTIAL_SHARE = 0.55
TYPICAL_OF_LAST = 5  # the typical peak is the median of this many latest counted reps
# A raised heel that swings in and out by this much each way (body scales) while it is up was a ball-of-foot roll,
# not a raise. Only a swing both ways counts: in a side view the heel also moves sideways as it lifts.
ROLL_SWING = 0.04
SIDE_SHARE = 0.3  # a foot whose lift stays under this share of the other's did not take part in the rep
TOP_SHARE = 0.8  # the top of a rep is where the lift stays above this share of its peak
# Lowering from the top to flat faster than this gets the cue "lower slowly". The time is measured between the
# top (80% of the peak) and flat (RISE_LOW), the middle of the descent: 0.3 s there is a drop of about 0.6 s.
LOWER_SLOWLY_SECONDS = 0.3


@dataclass
class _Rep:
    start: float
    base: float  # the lift the rep rose from
    base_parts: dict  # side -> (rise lift, height lift) the rep rose from
    standing: tuple[str, ...]  # the feet on the floor when the rep began
    samples: list = field(default_factory=list)  # (t, lift, {side: lift}, {side: heel lift}, {side: heel lift m})
    reached_high: bool = False
    rolled: bool = False  # the heel swung in and out while up
    _swing_at_top: dict | None = None
    _swings: CycleCounter = field(default_factory=lambda: CycleCounter(ROLL_SWING, ROLL_SWING, ROLL_SWING / 2))

    def add(self, frame: StanceFrame, lift: float) -> None:
        self.samples.append((frame.t, lift, dict(frame.lift), dict(frame.heel_lift), dict(frame.heel_lift_m)))
        if not self.reached_high or not frame.heel_swing:
            return
        if self._swing_at_top is None:
            self._swing_at_top = dict(frame.heel_swing)
        shifts = [v - self._swing_at_top[side] for side, v in frame.heel_swing.items() if side in self._swing_at_top]
        if shifts:
            cycle = self._swings.update(frame.t, sum(shifts) / len(shifts), {})
            self.rolled = self.rolled or (cycle is not None and cycle.complete)

    @property
    def peak(self) -> float:
        return max(s[1] for s in self.samples)


class HeelRaiseDetector:
    """Counts heel raises from one stream of foot signals.

    >>> detector = HeelRaiseDetector()
    >>> for signals in stream:
    ...     for event in detector.update(signals):
    ...         print(event.side, event.measures["rise_s"])
    """

    exercise = "heel-raise"

    def __init__(self) -> None:
        self.stance = StanceTracker()
        self.per_side = {"left": 0, "right": 0, "both": 0}
        self.partial = 0
        self._rep: _Rep | None = None
        self._ending: list[tuple[_Rep, float]] = []  # reps whose heels came down at that time, the feet settling
        self._frame: StanceFrame | None = None
        self._cue = ""
        self._lift = math.nan
        self._peaks: list[float] = []  # peaks of the latest counted reps
        self._valley = math.inf  # the lowest lift since the latest rep ended: the next one rises from there
        self._valley_parts: dict = {}  # side -> (rise lift, height lift) at that lowest moment
        self._measured: tuple[str, ...] = ()  # the feet the latest lift was taken over
        self._epoch = 0  # the stance the latest frame was measured against

    @property
    def count(self) -> int:
        return sum(self.per_side.values())

    def update(self, signals: FootSignals) -> list[RepEvent]:
        frame = self.stance.update(signals, hold=self._rep is not None)
        self._frame = frame
        if frame.epoch != self._epoch:
            # A new stance (the person moved, turned, or the camera did): their raises may look different now.
            self._epoch = frame.epoch
            self._peaks = []
        events = []
        for past in frame.backlog:
            events += self._step(past)
        return events + self._step(frame)

    def _step(self, frame: StanceFrame) -> list[RepEvent]:
        events = self._settle(frame)
        if not frame.ready:
            self._rep = None  # a rep interrupted by moving or by losing the feet does not count
            self._lift = math.nan
            self._valley = math.inf
            return events
        return events + self._follow(frame)

    def _settle(self, frame: StanceFrame) -> list[RepEvent]:
        """A rep that came down counts once the feet have stayed on the floor for SETTLE_SECONDS."""
        events = []
        for rep, end in list(self._ending):
            if not frame.ready or frame.feet_down != rep.standing:
                self._ending.remove((rep, end))  # a foot is leaving the floor: the heel rose for a step or a knee lift
            elif frame.t - end >= SETTLE_SECONDS:
                self._ending.remove((rep, end))
                events += self._finish(rep, end)
        return events

    def _follow(self, frame: StanceFrame) -> list[RepEvent]:
        lift = sum(frame.lift.values()) / len(frame.lift)
        self._lift = lift
        rep = self._rep
        if tuple(frame.lift) != self._measured:
            # The lift is now taken over other feet (one stepped off the floor, or the far foot hid behind the
            # near one): where a rep rises from is measured afresh.
            self._measured = tuple(frame.lift)
            self._valley = math.inf
        if rep is None:
            if lift <= self._valley:
                self._valley = lift
                self._valley_parts = {side: (frame.rise_lift[side], frame.height_lift[side]) for side in frame.lift}
            if lift > self._valley + RISE_START:
                self._rep = _Rep(start=frame.t, base=self._valley, base_parts=self._valley_parts, standing=frame.standing)
                self._rep.add(frame, lift)
            return []
        if frame.standing != rep.standing:
            if rep.reached_high:
                # A foot left or joined the floor with the heel up: a step or a knee lift, not a heel raise.
                self._rep = None
                self._valley = math.inf
                return []
            # Still rising while the other foot leaves the floor: a single-leg raise getting under way.
            rep.standing = frame.standing
        if lift > RISE_HIGH and _gain(frame, rep.base_parts) > RISE_GAIN:
            rep.reached_high = True
        rep.add(frame, lift)
        if rep.reached_high:
            down = lift < RISE_LOW or lift < rep.base + END_SHARE * (rep.peak - rep.base)
        else:
            down = lift < rep.base + RISE_START
        if not down:
            return []
        self._rep = None
        self._valley = lift
        self._valley_parts = {side: (frame.rise_lift[side], frame.height_lift[side]) for side in frame.lift}
        self._ending.append((rep, frame.t))
        return self._settle(frame)

    def _finish(self, rep: _Rep, end: float) -> list[RepEvent]:
        if end - rep.start < MIN_REP_SECONDS or rep.rolled:
            return []
        peak = rep.peak
        if not rep.reached_high and peak < PARTIAL_MIN:
            return []
        typical = sorted(self._peaks)[len(self._peaks) // 2] if self._peaks else 0.0
        complete = rep.reached_high and peak >= PARTIAL_SHARE * typical
        event = _event(self.exercise, rep, end, complete)
        if event.complete:
            self.per_side[event.side] += 1
            self._peaks = (self._peaks + [peak])[-TYPICAL_OF_LAST:]
        else:
            self.partial += 1
        self._cue = event.cues[0] if event.cues else ""
        return [event]

    @property
    def status(self) -> DetectorStatus:
        frame = self._frame
        phase = "no person" if frame is None else frame.phase
        if phase == "ready" and self._rep is not None and self._rep.reached_high:
            phase = "up"
        message = "" if frame is None else frame.message
        return DetectorStatus(self.count, dict(self.per_side), phase, message, self._cue, self._lift)


def _gain(frame: StanceFrame, base: dict) -> float:
    """How far the feet rose since the rep began, by the signal that rose least: a heel raise lifts the heel
    against the toe and the body in the picture together. A toe point that jumps, or a camera that drifts, moves
    only one of them."""
    gains = [min(frame.rise_lift[side] - base[side][0], frame.height_lift[side] - base[side][1])
             for side in frame.lift if side in base]
    return sum(gains) / len(gains) if gains else -math.inf


def _side(rep: _Rep) -> str:
    """The foot that did the rep: the one standing, or of two standing feet the ones whose heels rose against their
    own toes (a foot held off the floor rises with the body, its heel and toe together)."""
    if len(rep.standing) == 1:
        return rep.standing[0]
    side_peak = {}
    for s in rep.samples:
        for side, value in s[3].items():
            side_peak[side] = max(side_peak.get(side, -math.inf), value)
    if len(side_peak) < 2:
        return "both"  # the other foot was hidden (a side view): it stood, and is taken to have risen too
    best = max(side_peak.values())
    sides = [side for side, value in side_peak.items() if value >= SIDE_SHARE * best]
    return sides[0] if len(sides) == 1 else "both"


def _event(exercise: str, rep: _Rep, end: float, complete: bool) -> RepEvent:
    samples = rep.samples
    peak = rep.peak
    top = [s[0] for s in samples if s[1] >= TOP_SHARE * peak]
    top_start, top_end = top[0], top[-1]
    side = _side(rep)
    heel = max((max(s[3].values()) for s in samples if s[3]), default=math.nan)
    heel_m = [v for s in samples for v in s[4].values() if not math.isnan(v)]
    measures = {
        "rise": round(peak, 4),
        "heel_rise": round(heel, 4),
        "rise_cm": round(100 * max(heel_m), 1) if heel_m else None,
        "rise_s": round(top_start - rep.start, 3),
        "hold_s": round(top_end - top_start, 3),
        "lower_s": round(end - top_end, 3),
    }
    cues = []
    if not complete:
        cues.append("rise higher onto the balls of your feet")
    elif measures["lower_s"] < LOWER_SLOWLY_SECONDS:
        cues.append("lower slowly")
    return RepEvent(exercise, side, rep.start, end, complete, measures, tuple(cues))
