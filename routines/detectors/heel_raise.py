"""Heel raises: double-leg, single-leg (the other foot held off the floor), and one heel raised while both feet stand
(the routine's Heel Raise), counted with hysteresis.

Two trackers watch each frame. The body tracker follows the lift of the standing feet (the heel, ankle, knee and hip
against the toe, and in the picture): a double-leg or single-leg raise lifts the whole body. The heel tracker follows
each heel against its own toe while both feet stand: lifting one heel bends that knee and leaves the hips where they
are, so only that heel shows it.
"""
from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

from routines.detectors.events import DetectorStatus, RepEvent, no_reps, side_of
from routines.detectors.rep_measures import NOT_MEASURED_ONE_HEEL, heel_lift_cm, phases
from routines.detectors.stance import (FLICKER_SECONDS, HEEL_ALONE_UP, HEEL_OTHER_SHARE, Lasting, StanceFrame,
                                      StanceTracker)
from vision.foot_signals import FootSignals
from vision.pose import SIDES

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
# A rep of the body that read high for no longer than this (a frame or two), and rises again before the feet have
# settled, was the start of one raise that read in pieces: on a coded live picture of a quick single-leg raise
# mid-turn, its lift read high for a frame, back at flat for a few, then high for the rest of the raise.
HIGH_MOMENT_SECONDS = 0.1
# A rep of the body must read high on this many frames or more. One frame that reads high, with the frames around it
# low, is the pose model's misreading: on a busy live page (a frame every 0.06-0.2 s) a coded picture at the end of a
# fast camera move read a standing person's lift as 0.08 for one frame, and the gaps around it made it last long
# enough to count. A real raise reads above RISE_HIGH for a third of a second and more (the quickest, in the real
# single-leg clip: 0.33 s from its first frame above to its last), so at 12 frames/s, even with a fifth of a second
# passed over, two frames or more read it high.
HIGH_FRAMES = 2
# After the heel comes down, the feet must stay on the floor this long for the rep to count: a heel that rises and
# falls as the foot leaves the floor (a knee lift, a step) is not a raise.
SETTLE_SECONDS = 0.25
# A rep whose heels came down with the toes this close to where they stood when it began came down where it rose,
# though the feet read as moved off the stance: a stance taken before a turn, whose toes the turn left just inside
# its limit, reads a toe that shifts a little as the heels land as a step.
TOES_STAYED = 0.12
FEET_CHANGED_SECONDS = 0.05  # ...and a foot that left the floor is seen off it this long (two frames or more)
# How high a lift looks depends on the view (a side view shows about twice what a front view shows), so a rise
# is judged short against the person's own recent full raises: under this share of their typical peak.
PARTIAL_SHARE = 0.55
TYPICAL_OF_LAST = 5  # the typical peak is the median of this many latest counted reps
# A raised heel that swings in and out by this much each way (body scales) while it is up was a ball-of-foot roll,
# not a raise: a stricter bar than routines.detectors.swings counts rolls at (its ROLL_SWING). Only a swing both ways
# counts: in a side view the heel also moves sideways as it lifts (measured: raises swing up to 0.04 both ways,
# rolls 0.067 and more).
RAISE_ROLLED_SWING = 0.055
# ...each way held this long: a roll is slow (measured on rendered rolls: 0.25 s and more past it each way), while the
# heel point of a quick raise in a side view jumps past it and back within 0.07 s on a live stream.
ROLL_HELD_SECONDS = 0.15
# One heel raised with both feet down: a swing this far either way is a roll (raises 0.031 at most, rolls 0.057 and
# more: seen at 45 degrees a roll shows mostly one way).
ONE_HEEL_ROLLED_SWING = 0.045
TOP_SHARE = 0.8  # the top of a rep is where its lift is above this share of the way from where it began to its peak
FLAT_SHARE = 0.2  # ...and it is still flat under this share
# Lowering from the top to flat faster than this gets the cue "lower slowly": the routine asks for a slow drop, and a
# lowering under half a second is a drop (measured on rendered reps: drops of 0.25 s read 0.22-0.26 s, slow
# lowerings of 1.6 s read 0.66 s and more).
LOWER_SLOWLY_SECONDS = 0.5
LEAD_SECONDS = 1.5  # a rise is measured from at most this long before the rep began (it has left flat by then)

# One heel raised while both feet stand (HEEL_ALONE_UP in routines.detectors.stance) must stay up this long: a flicker
# of the heel point as the weight moves is not a lift.
HEEL_HELD_SECONDS = 0.2
# The other foot stays where it stood (its heel and ankle against its planted toe): rolling onto the edges of both
# feet (an ankle rock) moves it, and so does a step.
OTHER_FOOT_STILL = 0.03
# The hips' sideways range from HIP_BEFORE_SECONDS before the rep to its end stays under this: a weight shift,
# which carries them 0.2 and more each way, is not a heel raise.
HIP_SWAY = 0.1
HIP_BEFORE_SECONDS = 1.0
# Both feet rolled the same way (outward, or inward) by this much: an ankle rock, whose outer roll also shows the
# heel point rising. One heel raised leaves the other foot where it stood.
ROCK_BOTH = 0.03


def _sample(frame: StanceFrame, signal: float, lift: float) -> "_Sample":
    s = frame.signals
    toes = [s.side(side).toe[1] for side in frame.lift]
    over_toes = statistics.fmean(toes) - s.hip[1] if toes else math.nan
    return _Sample(frame.t, signal, lift, dict(frame.heel_lift), s.hip[1], over_toes, s.lean, s.torso_m)


class _Sample(NamedTuple):
    t: float
    signal: float  # what the tracker follows: the body's lift, or the raised heel's
    lift: float  # the body's lift (mean over the standing feet)
    heel_lift: dict  # side -> heel against its toe, over flat
    hip_y: float  # the hips' height in the picture (body scales, image axes: down is positive)
    hip_over_toes: float  # the hips' height above the standing toes (body scales)
    lean: float  # the torso's angle from upright, degrees
    torso_m: float  # the torso's length in metres


@dataclass
class _Rep:
    start: float
    base: float  # the signal the rep rose from
    standing: tuple[str, ...]  # the feet on the floor when the rep began
    side: str = ""  # the raised heel, for a rep of one heel with both feet down ("" for the body tracker)
    base_parts: dict = field(default_factory=dict)  # side -> (rise lift, height lift) the body rep rose from
    samples: list[_Sample] = field(default_factory=list)
    reached_high: bool = False
    landed: bool = False  # the heels came down with the feet it stood on all on the floor
    stance_changed: bool = False  # the feet on the floor changed once while it rose (a single-leg raise begins)
    toes: dict = field(default_factory=dict)  # side -> (x, y): the standing feet's toes when the rep began
    # While settling: when the signal came back to within RISE_START of where the rep rose from. A quick raise whose
    # top reads high for a frame is judged down early, part way down: its length runs to here.
    flat_at: float | None = None
    # While settling: other feet than `standing` on the floor (a step), seen for FEET_CHANGED_SECONDS: a toe point
    # that jumps in one frame and is back in the next, within FLICKER_SECONDS, is not a step.
    feet_changed: Lasting = field(default_factory=lambda: Lasting(FEET_CHANGED_SECONDS, FLICKER_SECONDS))
    _swing_at_top: dict | None = None
    _swung: tuple[float, float] = (0.0, 0.0)  # the heel's furthest sideways swings each way since the top
    _swing_out: Lasting = field(default_factory=lambda: Lasting(ROLL_HELD_SECONDS, FLICKER_SECONDS))
    _swing_in: Lasting = field(default_factory=lambda: Lasting(ROLL_HELD_SECONDS, FLICKER_SECONDS))
    _held_out: bool = False  # the heel stayed swung out past RAISE_ROLLED_SWING for ROLL_HELD_SECONDS
    _held_in: bool = False  # ...and in

    def add(self, frame: StanceFrame, signal: float, lift: float) -> None:
        self.samples.append(_sample(frame, signal, lift))
        swing = {side: v for side, v in frame.heel_swing.items() if not self.side or side == self.side}
        if not self.reached_high or not swing:
            return
        if self._swing_at_top is None:
            self._swing_at_top = swing
        shifts = [v - self._swing_at_top[side] for side, v in swing.items() if side in self._swing_at_top]
        if shifts:
            shift = sum(shifts) / len(shifts)
            self._swung = (max(self._swung[0], shift), min(self._swung[1], shift))
            self._held_out |= self._swing_out.update(frame.t, shift >= RAISE_ROLLED_SWING)
            self._held_in |= self._swing_in.update(frame.t, shift <= -RAISE_ROLLED_SWING)

    @property
    def high_frames(self) -> int:
        """How many of its samples read above RISE_HIGH."""
        return sum(sample.signal > RISE_HIGH for sample in self.samples)

    @property
    def high_seconds(self) -> float:
        """From the first to the last of its samples above RISE_HIGH."""
        high = [sample.t for sample in self.samples if sample.signal > RISE_HIGH]
        return high[-1] - high[0] if high else 0.0

    def come_down(self, frame: StanceFrame) -> None:
        """The heel came down: on the feet the rep stood on, or on other feet (the settling then has begun)."""
        feet = frame.signals.side
        seen = [side for side in self.toes if feet(side).visible]
        stayed = bool(seen) and all(math.dist(feet(side).toe, self.toes[side]) <= TOES_STAYED for side in seen)
        self.landed = frame.feet_down == self.standing or not frame.feet_down and stayed
        self.feet_changed.since = None if self.landed else frame.t

    @property
    def rolled(self) -> bool:
        """The heel swung in and out while up: a ball-of-foot roll, not a raise. A heel raised with both feet down
        stays in line; seen at 45 degrees, a roll shows mostly one way."""
        if self.side and max(self._swung[0], -self._swung[1]) >= ONE_HEEL_ROLLED_SWING:
            return True
        return self._held_out and self._held_in

    @property
    def rose_after(self) -> float:
        """The time of the last frame before the rep began: on a stream that passes frames over, the heel may have
        left the floor any time since."""
        before = [sample.t for sample in self.samples if sample.t < self.start]
        return before[-1] if before else self.start

    def length(self, end: float) -> float:
        """From the last frame before it began to where it came down (`end`), or later, back near where it rose from."""
        return max(end, self.flat_at or end) - self.rose_after

    @property
    def peak(self) -> float:
        return max(s.signal for s in self.samples)


@dataclass
class _HeelRep(_Rep):
    """A rep of one heel: also what must stay put while it is up."""

    hips: tuple[float, float] = (math.inf, -math.inf)  # the hips' sideways range, from just before the rep
    rocked: float = 0.0  # the furthest both feet rolled the same way (onto their outer or inner edges)
    held: float = 0.0  # seconds above HEEL_ALONE_UP
    spoiled: bool = False  # the other heel rose too, the other foot moved, or the hips swayed


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
        self.per_side = no_reps()
        self.partial = 0
        self._rep: _Rep | None = None  # the body tracker's rep under way
        self._heel_rep: _HeelRep | None = None  # the heel tracker's
        self._ending: list[tuple[_Rep, float]] = []  # reps whose heels came down at that time, the feet settling
        self._reported: deque[tuple[float, float]] = deque(maxlen=4)  # (start, end) of the latest reps reported
        self._frame: StanceFrame | None = None
        self._cue = ""
        self._lift = math.nan
        self._peaks: dict[str, list[float]] = {}  # tracker -> peaks of its latest counted reps
        self._valley = math.inf  # the lowest lift since the latest rep ended: the next one rises from there
        self._valley_parts: dict = {}  # side -> (rise lift, height lift): each part's lowest since that moment
        self._heel_valley = {side: math.inf for side in SIDES}  # the same for each heel against its toe
        self._since_valley: list[_Sample] = []  # the body's samples from its lowest moment on
        self._heel_since_valley: dict[str, list[_Sample]] = {side: [] for side in SIDES}
        self._measured: dict[str, float] = {}  # the latest frame's lift of each foot it was taken over
        self._hips: deque[tuple[float, float]] = deque()  # (t, hip x) of the latest HIP_BEFORE_SECONDS
        self._epoch = 0  # the stance the latest frame was measured against

    @property
    def count(self) -> int:
        return sum(self.per_side.values())

    def update(self, signals: FootSignals) -> list[RepEvent]:
        frame = self.stance.update(signals, hold=self._rep is not None or self._heel_rep is not None)
        self._frame = frame
        if frame.epoch != self._epoch:
            # A new stance (the person moved, turned, or the camera did): their raises may look different now.
            self._epoch = frame.epoch
            self._peaks = {}
        events = []
        for past in frame.backlog:
            events += self._step(past)
        return events + self._step(frame)

    def _step(self, frame: StanceFrame) -> list[RepEvent]:
        measured = frame.ready and bool(frame.lift)
        lift = sum(frame.lift.values()) / len(frame.lift) if measured else math.nan
        if measured:
            # Before the frame may settle a rep: on a stream that passes frames over, the first frame back near flat
            # can be the one that settles it, and the rep lasted until then.
            self._mark_flat(frame, lift)
        events = self._settle(frame)
        if not frame.ready:
            self._rep = self._heel_rep = None  # a rep interrupted by moving or by losing the feet does not count
            self._lift = math.nan
            self._valley = math.inf
            self._heel_valley = {side: math.inf for side in SIDES}
            return events
        if tuple(frame.lift) != tuple(self._measured):
            # The lift is now taken over other feet (one stepped off the floor, the far foot hid behind the near one
            # or came out again): where a rep rises from is carried over to the new feet.
            self._valley = _carried(self._valley, self._measured, frame.lift)
            self._heel_valley = {side: math.inf for side in SIDES}
        self._measured = dict(frame.lift)
        self._lift = lift
        self._hips.append((frame.t, frame.signals.hip[0]))
        while frame.t - self._hips[0][0] > HIP_BEFORE_SECONDS:
            self._hips.popleft()
        self._follow_body(frame, lift)
        self._follow_heel(frame, lift)
        return events

    def _mark_flat(self, frame: StanceFrame, lift: float) -> None:
        """Mark when each rep that came down is back near where it rose from."""
        for rep, _ in self._ending:
            signal = frame.heel_lift.get(rep.side, math.inf) if rep.side else lift
            if rep.flat_at is None and signal < rep.base + RISE_START:
                rep.flat_at = frame.t

    def _settle(self, frame: StanceFrame) -> list[RepEvent]:
        """A rep that came down counts once the feet have stayed on the floor for SETTLE_SECONDS."""
        events = []
        for rep, end in list(self._ending):
            if frame.view_moved or frame.toes_moved:
                # The camera moved, or the feet turned or shuffled on the floor, after the heels came down on the feet
                # the rep stood on: the rep was done before it (a foot leaving the floor or a squat is another
                # matter, below; so are heels that came down on other feet, as when running in place).
                self._ending.remove((rep, end))
                if rep.landed:
                    events += self._finish(rep, end)
            elif not frame.ready or rep.feet_changed.update(frame.t, frame.feet_down != rep.standing):
                self._ending.remove((rep, end))  # a foot is leaving the floor: the heel rose for a step or a knee lift
            elif frame.t - end >= SETTLE_SECONDS and rep.feet_changed.since is None:
                if self._rising_again(frame) and _resumable(rep, end):
                    continue  # the frame that would settle it rises again: it is resumed (_resumed) instead
                self._ending.remove((rep, end))
                events += self._finish(rep, end)
        return events

    def _rising_again(self, frame: StanceFrame) -> bool:
        return self._rep is None and bool(frame.lift) and statistics.fmean(frame.lift.values()) > (
            self._valley + RISE_START)

    def _follow_body(self, frame: StanceFrame, lift: float) -> None:
        rep = self._rep
        if rep is None:
            parts = _parts(frame)
            # Each part from its own lowest since the latest rep ended: the lift is the smaller part, and the other
            # one may sink lower at another moment (a picture that drifts, a noisy frame). A toe point dragged up
            # for a moment brings the lift to a new lowest as the body is already rising: the body's height is
            # still judged from where it stood before.
            self._valley_parts = parts if self._valley == math.inf else _lowest(parts, self._valley_parts)
            if lift <= self._valley:
                self._valley = lift
                self._since_valley = []
            self._since_valley.append(_sample(frame, lift, lift))
            if lift <= self._valley + RISE_START:
                return
            rep = self._resumed(frame)
            if rep is None:
                # The samples from the lowest moment on are kept with the rep: its rise is measured from there. On a
                # stream that passes frames over, its first frame may be the top already.
                rep = _Rep(start=frame.t, base=self._valley, base_parts=self._valley_parts, standing=frame.standing,
                           toes=_toes(frame), samples=_lead(self._since_valley[:-1], frame.t))
            self._rep = rep
        if frame.standing != rep.standing:
            if rep.reached_high or rep.stance_changed:
                # A foot left or joined the floor with the heel up, or feet came and went while it rose: steps or
                # knee lifts, not a heel raise.
                self._rep = None
                self._valley = math.inf
                return
            # Still rising while the other foot leaves the floor: a single-leg raise getting under way.
            rep.standing, rep.stance_changed = frame.standing, True
        if lift > RISE_HIGH and _gain(frame, rep.base_parts) > RISE_GAIN:
            rep.reached_high = True
        rep.add(frame, lift, lift)
        if rep.reached_high:
            down = lift < RISE_LOW or lift < rep.base + END_SHARE * (rep.peak - rep.base)
        else:
            down = lift < rep.base + RISE_START
        if down:
            self._rep = None
            rep.come_down(frame)
            self._valley = lift
            self._valley_parts = _parts(frame)
            self._ending.append((rep, frame.t))

    def _resumed(self, frame: StanceFrame) -> "_Rep | None":
        """A rep of the body whose heels rose high but came down too soon to count, or read high for a moment only,
        and rise again before the feet have settled: the same rep, its lift dipping for a moment (the pose model
        unsure of a foot mid-turn, a noisy picture), not a new one. The dip's samples join it."""
        for rep, end in self._ending:
            if _resumable(rep, end):
                self._ending.remove((rep, end))
                rep.samples += [s for s in self._since_valley if s.t > rep.samples[-1].t]
                rep.landed, rep.flat_at = False, None
                rep.feet_changed = Lasting(FEET_CHANGED_SECONDS, FLICKER_SECONDS)
                return rep
        return None

    def _follow_heel(self, frame: StanceFrame, lift: float) -> None:
        """One heel raised while both feet stand and the rest stays put."""
        heels = frame.heel_lift
        if len(frame.standing) < 2 or len(heels) < 2 or frame.settling:
            # One heel raised shows only against its toe, and in the pose model's first second a still heel swings
            # against its toe by as much (routines.detectors.stance.MODEL_SETTLE_SECONDS).
            self._heel_rep = None
            self._heel_valley = {side: math.inf for side in SIDES}
            return
        rep = self._heel_rep
        if rep is None:
            for side in SIDES:
                if heels[side] <= self._heel_valley[side]:
                    self._heel_valley[side] = heels[side]
                    self._heel_since_valley[side] = []
                self._heel_since_valley[side].append(_sample(frame, heels[side], lift))
            rising = [side for side in SIDES if heels[side] > self._heel_valley[side] + RISE_START]
            if rising:
                side = max(rising, key=lambda s: heels[s] - self._heel_valley[s])
                hips = [x for _, x in self._hips]
                self._heel_rep = _HeelRep(start=frame.t, base=self._heel_valley[side], standing=frame.standing,
                                          toes=_toes(frame), side=side, hips=(min(hips), max(hips)),
                                          samples=_lead(self._heel_since_valley[side][:-1], frame.t))
                self._heel_rep.add(frame, heels[side], lift)
            return
        heel, other = heels[rep.side], heels[_other(rep.side)]
        dt = frame.t - rep.samples[-1].t
        if heel > HEEL_ALONE_UP:
            rep.reached_high = True
            rep.held += dt
        rep.add(frame, heel, lift)
        shares = _rock_shares(frame)
        if shares:
            rep.rocked = max(rep.rocked, min(shares), -max(shares))
        rep.hips = (min(rep.hips[0], frame.signals.hip[0]), max(rep.hips[1], frame.signals.hip[0]))
        if rep.reached_high and (other > HEEL_OTHER_SHARE * rep.peak
                                 or rep.hips[1] - rep.hips[0] > HIP_SWAY or rep.rocked > ROCK_BOTH):
            rep.spoiled = True
        if rep.reached_high:
            down = heel < RISE_LOW or heel < rep.base + END_SHARE * (rep.peak - rep.base)
        else:
            down = heel < rep.base + RISE_START
        if not down:
            return
        self._heel_rep = None
        rep.come_down(frame)
        self._heel_valley = {side: heels[side] for side in SIDES}
        self._heel_since_valley = {side: [_sample(frame, heels[side], lift)] for side in SIDES}
        body_rep = self._rep is not None and self._rep.reached_high or any(r.reached_high and not r.side
                                                                          for r, _ in self._ending)
        if rep.reached_high and rep.held >= HEEL_HELD_SECONDS and not rep.spoiled and not body_rep:
            self._ending.append((rep, frame.t))

    def _finish(self, rep: _Rep, end: float) -> list[RepEvent]:
        if rep.length(end) < MIN_REP_SECONDS or rep.rolled:
            return []
        if not rep.side and rep.reached_high and rep.high_frames < HIGH_FRAMES:
            return []  # one frame read high: a misreading, not a raise
        if any(start < end and rep.start < stop for start, stop in self._reported):
            return []  # the other tracker saw this movement (one heel lifting also lifts the body a little)
        peak = rep.peak
        if not rep.reached_high and (peak < PARTIAL_MIN or self._heel_rising()):
            return []
        peaks = self._peaks.setdefault("heel" if rep.side else "body", [])
        typical = sorted(peaks)[len(peaks) // 2] if peaks else 0.0
        complete = rep.reached_high and peak >= PARTIAL_SHARE * typical
        event = _event(self.exercise, rep, end, complete)
        self._reported.append((rep.start, end))
        if event.complete:
            self.per_side[event.side] += 1
            peaks[:] = (peaks + [peak])[-TYPICAL_OF_LAST:]
        else:
            self.partial += 1
        self._cue = event.cues[0] if event.cues else ""
        return [event]

    def _heel_rising(self) -> bool:
        """The heel tracker has a rep of one heel up, or just down: a short rise of the body is part of it."""
        heel_reps = [self._heel_rep] + [rep for rep, _ in self._ending if rep.side]
        return any(rep is not None and rep.reached_high for rep in heel_reps)

    @property
    def status(self) -> DetectorStatus:
        frame = self._frame
        phase = "no person" if frame is None else frame.phase
        if phase == "ready" and any(rep is not None and rep.reached_high for rep in (self._rep, self._heel_rep)):
            phase = "up"
        message = "" if frame is None else frame.message
        return DetectorStatus(self.count, dict(self.per_side), phase, message, self._cue, self._lift)


def _lead(samples: list[_Sample], t: float) -> list[_Sample]:
    """The samples before a rep that belong to its rise: from its lowest moment, at most LEAD_SECONDS back."""
    return [s for s in samples if t - s.t <= LEAD_SECONDS]


def _resumable(rep: _Rep, end: float) -> bool:
    """A rep of the body that, rising again before its feet have settled, is resumed (HeelRaiseDetector._resumed)."""
    return not rep.side and rep.reached_high and (rep.length(end) < MIN_REP_SECONDS
                                                  or rep.high_seconds <= HIGH_MOMENT_SECONDS)


def _toes(frame: StanceFrame) -> dict:
    return {side: frame.signals.side(side).toe for side in frame.standing if frame.signals.side(side).visible}


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def _rock_shares(frame):
    ref, s = frame.reference, frame.signals
    out = []
    for side in SIDES:
        foot = s.side(side)
        if side not in ref.ankle_offset or not foot.visible:
            return []
        toe_x = ref.toe[side][0]
        ankle = foot.ankle[0] - (toe_x + ref.ankle_offset[side])
        heel = foot.heel[0] - (toe_x + ref.heel_offset[side])
        out.append(ref.outward(side) * (ankle + heel) / 2)
    return out


def _foot_moved(frame: StanceFrame, side: str) -> bool:
    """The foot's heel or ankle moved sideways against where its toe was planted, off where they stood."""
    ref, foot = frame.reference, frame.signals.side(side)
    if side not in ref.heel_offset or not foot.visible:
        return False
    toe_x = ref.toe[side][0]
    return max(abs(foot.ankle[0] - toe_x - ref.ankle_offset[side]),
               abs(foot.heel[0] - toe_x - ref.heel_offset[side])) > OTHER_FOOT_STILL


def _carried(valley: float, before: dict[str, float], now: dict[str, float]) -> float:
    """The lowest lift taken over the feet of `before`, as a lift over the feet of `now`: shifted by how the two
    averages differ where the feet can be read (in this frame, or in the last one for a foot that just hid). A foot
    that comes out again mid-rise, after frames a busy stream passed over, leaves the valley where it was."""
    if math.isinf(valley) or not before:
        return math.inf
    read = {**before, **now}
    return valley + sum(now.values()) / len(now) - sum(read[side] for side in before) / len(before)


def _parts(frame: StanceFrame) -> dict:
    """Side -> (rise lift, height lift) of each foot the lift is taken over."""
    return {side: (frame.rise_lift[side], frame.height_lift[side]) for side in frame.lift}


def _lowest(parts: dict, before: dict) -> dict:
    """Each foot's parts at their lowest of `parts` and `before` (a foot not in `before` as in `parts`)."""
    return {side: (min(part[0], before[side][0]), min(part[1], before[side][1])) if side in before else part
            for side, part in parts.items()}


def _gain(frame: StanceFrame, base: dict) -> float:
    """How far the feet rose since the rep began, by the signal that rose least: a heel raise lifts the heel
    against the toe and the body in the picture together. A toe point that jumps, or a camera that drifts, moves
    only one of them."""
    gains = [min(frame.rise_lift[side] - base[side][0], frame.height_lift[side] - base[side][1])
             for side in frame.lift if side in base]
    return sum(gains) / len(gains) if gains else -math.inf


def _side(rep: _Rep) -> str:
    """The foot that did the rep: the raised heel, the one standing, or of two standing feet the ones whose heels
    rose against their own toes (a foot held off the floor rises with the body, its heel and toe together)."""
    if rep.side:
        return rep.side
    if len(rep.standing) == 1:
        return rep.standing[0]
    side_peak = {}
    for s in rep.samples:
        for side, value in s.heel_lift.items():
            side_peak[side] = max(side_peak.get(side, -math.inf), value)
    if len(side_peak) < 2:
        return "both"  # the other foot was hidden (a side view): it stood, and is taken to have risen too
    return side_of(side_peak)


def _event(exercise: str, rep: _Rep, end: float, complete: bool) -> RepEvent:
    samples = rep.samples
    times = [s.t for s in samples]
    timing = phases(times, [s.signal for s in samples], rep.base)
    if rep.side:
        rise_cm, not_measured = None, NOT_MEASURED_ONE_HEEL
    else:
        # The hips flat: the samples before the top still low in the rise; at the top: those near the peak.
        share = [(s.signal - rep.base) / max(rep.peak - rep.base, 1e-9) for s in samples]
        first_top = share.index(max(share))
        flat = [s for s, v in zip(samples[:first_top], share) if v < FLAT_SHARE] or samples[:1]
        top = [s for s, v in zip(samples, share) if v >= TOP_SHARE]

        def rise(height) -> float:
            return statistics.fmean(map(height, top)) - statistics.fmean(map(height, flat))

        # In the picture, and above the toes: a camera that moves shifts only the first, the model dragging its toe
        # point up with the heel only the second; their mean halves either error.
        hip_rise = (rise(lambda s: -s.hip_y) + rise(lambda s: s.hip_over_toes)) / 2
        rise_cm, not_measured = heel_lift_cm(hip_rise,
                                             statistics.median(s.torso_m for s in samples),
                                             statistics.median(s.lean for s in samples))
    measures = {
        "rise": round(max(s.lift for s in samples), 4),
        "heel_rise": round(max((max(s.heel_lift.values()) for s in samples if s.heel_lift), default=math.nan), 4),
        "rise_cm": rise_cm,
        "rise_s": timing.rise_s,
        "hold_s": timing.hold_s,
        "lower_s": timing.lower_s,
    }
    if not_measured:
        measures["rise_cm_note"] = not_measured
    cues = []
    if not complete:
        cues.append("rise higher onto the balls of your feet")
    elif timing.lower_s is not None and timing.lower_s < LOWER_SLOWLY_SECONDS:
        cues.append("lower slowly")
    return RepEvent(exercise, _side(rep), rep.start, end, complete, measures, tuple(cues))
