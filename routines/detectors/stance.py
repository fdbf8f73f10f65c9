"""Where the feet stand: the flat stance found from the feet themselves, and the gates that stop counting while the
person moves.

A `StanceTracker` is fed one frame's foot signals at a time. The stance is taken as soon as the toes have stood still
for a moment (ANCHOR_SECONDS): the person need not stand still or flat, since a heel raise keeps the toes where they
are. The flat level of each foot is the lowest level it has held since then, so a stance first taken with the heels
up settles on flat the moment they come down, and it follows slow drift while the heels are down. The stance is
dropped when the toes move (a step, a turn, a camera that is bumped), when the knees bend (a squat or lunge), when
the hips swing sideways, or when the person or their feet are gone for a while; it is taken again within a moment
of the feet being planted again, and goes back over the second or so before that it would have held, so a raise
begun as the feet were planted is seen from its start. Each new stance starts a new `epoch`, so what a detector
learnt about the person's reps in one view is not used in the next.

While the stance is held it reports, for each foot, how far its heel has risen above the flat level, and which
feet stand on the floor: both (a double-leg stance) or one (the other foot held up, a single-leg stance).
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from vision.foot_signals import FootSignals, SideSignals, follow
from vision.pose import SIDES

# Lengths are in body scales (torso lengths), times in seconds.
ANCHOR_SECONDS = 0.4  # the toes of the feet seen must stay put this long for the stance to be taken
# Once taken, the stance also goes back over the frames before that moment, up to this long, that it would have held:
# the knees bend a little as the heels rise, so a raise begun the moment the feet were planted (straight after a
# turn) keeps the legs from reading steady until its top, and from its top alone the raise is not seen.
STOOD_BEFORE_SECONDS = 1.5
# ...with the legs this near their length then: as the heels rise the legs read up to 0.06 shorter, while standing up
# from a squat, whose frames must not set the flat level, they read 0.1 shorter and more until its last tenth of a
# second.
LEG_STOOD = 0.1
STILL_SECONDS = 0.6  # the sideways reference of the feet is taken from a moment this long with the feet still
STILL_RISE_RANGE = 0.035  # largest change of a foot's rise signal within a still moment
STILL_POINT_RANGE = 0.06  # largest movement of a toe (or of the hips, for a still moment) within the window
TOE_PLANTED = 0.3  # a toe further than this from where it stood has moved (step, lunge, turn)...
TOE_LIFTED = 0.12  # ...unless it went up by this much or more (a lifted foot, or a toe point dragged up)
TOE_FOLLOW_SECONDS = 2.0  # a planted toe's place follows slow drift (a hand-held camera) over about this long
# A leg whose hip stands lower over its ankle than this share of the other leg's has its knee bent well up: that
# foot is held off the floor (a single-leg stance, a knee lift), even when it never stood down while the camera
# watched. A heel raised with both feet down bends that knee less (0.85 and more).
HELD_UP_LEG_SHARE = 0.78
# ...of the other leg's longest in the latest LEG_RECENT_SECONDS: while the standing heel is up, that leg reads shorter
# (in a side view on a live stream, 1.40 down to 1.24), which brought a held-up leg's share to 0.79-0.96.
LEG_RECENT_SECONDS = 1.0
# A toe TOE_HELD_UP or more above where it stood, on a leg shorter than this share of the other: a foot lifted off
# the floor. On a straight leg it is the model dragging the toe point up with the heel (the far foot seen from
# behind rises 0.3 that way, its leg at 0.91-0.96 of the other).
TOE_HELD_UP = 0.2
BENT_LEG_SHARE = 0.88
# Both legs shorter than the straight leg by this much: the knees are bent (a squat, a lunge), not a heel raise,
# which keeps the legs straight. Squats shorten them by 0.46-0.83; heel raises by up to 0.16 in recorded clips and
# 0.24 in a side view on a live stream.
LEG_BENT = 0.3
# The longer leg this much longer than when the stance was taken: it was taken in a squat or lunge.
LEG_STRAIGHTENED = 0.3
STRAIGHT_LEG_FORGET = 0.02  # per second: the remembered straight-leg length sinks this fast if never reached again
LEG_STEADY = 0.06  # the longer leg's length may change this much while the stance is taken (not rising from a squat)
HIP_SIDEWAYS = 0.45  # hips further sideways than this: walking or a weight shift, not a heel raise
# ...than where they stand between reps, followed over about this long: each raise leans the body a little, and seen
# at an angle the hips stand back a little off where they stood (0.2-0.3 in a turning clip), so against the
# place where the stance was taken a raise after a turn read as a walk.
HIP_FOLLOW_SECONDS = 2.0
HIP_DROP = 0.25  # hips lower than this: a squat or lunge
STANCE_SETTLE_SECONDS = 0.2  # a change of which feet stand must last this long: the lifted foot's point flickers
# Feet and hips that moved by shifts this close (a share of the shift) moved together: the view moved.
SAME_SHIFT = 0.35
# One frame's reading that is back in the next frame within this long was a flicker of the model's points (one
# frame at 10 frames/s, the slowest a busy live page runs).
FLICKER_SECONDS = 0.12
# Feet that moved along the floor must be seen so this long (two frames or more) to drop the stance.
MOVED_SECONDS = 0.05
# Knees bent or hips moved must last this long to drop the stance: where the legs cross in a side view, a leg can read
# short for a frame or two (a squat, a lunge or a shift lasts). Back within BODY_FLICKER_SECONDS it was a flicker.
BODY_MOVED_SECONDS = 0.15
BODY_FLICKER_SECONDS = 0.2
LOST_SECONDS = 1.0  # without the person or their feet for this long, take the stance again when they are back
# The pose model smooths its points over time from the first frame it finds a person in: for about a second after,
# a still person's points still swing and creep toward where they belong (on a live stream's first second, a still
# heel read against its toe went 0.035 down and 0.045 up, as much as one heel's raise).
MODEL_SETTLE_SECONDS = 1.0
# A foot's level must stay below its flat level this long to lower it: a dip of one or two noisy frames does not.
FLAT_DIP_SECONDS = 0.15
BASELINE_TIME_CONSTANT = 4.0  # the flat level follows slow drift while the heels are down

HEEL_UP = 0.04  # a standing foot's lift over flat above this: its heel is held up
# One heel raised while both feet stand. The pose model sees a heel that points at the camera poorly: a 9 cm lift
# shows as 0.04-0.08 of the heel against its toe seen from the front, 0.08-0.12 at 45 degrees.
HEEL_ALONE_UP = 0.035  # the heel against its toe, over flat: above this the heel is up...
HEEL_OTHER_SHARE = 0.5  # ...while the other heel stays under this share of it (else both rose: a body raise)

# The per-foot levels a `FlatLevel` follows, in this order.
LEVELS = ("rise", "height", "heel_height")


@dataclass
class Lasting:
    """A reading that counts only once it has lasted: `update(t, on)` is True once it has been on for `seconds`, or
    when it is off again after a gap between frames longer than `flicker` (on a stream that passes frames over, it
    was on all that while). On in one frame and off in the next, sooner than that, was a flicker of the model's
    points."""

    seconds: float
    flicker: float
    since: float | None = None  # since when it has been on

    def update(self, t: float, on: bool) -> bool:
        if not on:
            since, self.since = self.since, None
            return since is not None and t - since > self.flicker
        if self.since is None:
            self.since = t
        return t - self.since >= self.seconds


@dataclass(frozen=True)
class StanceFrame:
    """The stance in one frame.

    `standing` are the feet on the floor: both, or one when the other is held up. `lift` and the other per-side
    measures are given for the standing feet the camera sees now; in a side view the far foot is often hidden and
    is taken to stand where it was. `backlog` holds, on the frame that takes a new stance, the frames of the moment
    it was taken from (oldest first), measured against it: a rep already under way then is not lost.
    """

    t: float
    phase: str  # "no person", "feet not visible", "not calibrated", "moving", "ready"
    message: str
    standing: tuple[str, ...]  # while "ready": ("left", "right"), ("left",) or ("right",)
    lift: dict  # side -> rise over the flat stance (body scales): the smaller of the two below, never negative
    rise_lift: dict  # side -> the foot's rise signal over flat: the heel, ankle, knee and hip against the toe
    height_lift: dict  # side -> the foot's height signal over flat: the same points in the picture
    heel_lift: dict  # side -> heel height over the flat stance (body scales)
    heel_swing: dict  # side -> heel's sideways shift against the toe, away from the other foot (body scales)
    signals: FootSignals
    reference: "StanceReference | None"  # the stance, while "ready"
    epoch: int = 0  # counts the stances taken in this stream: a new one after every move
    # On the frame that drops the stance: the feet and the hips all moved the same way in the picture, as when the
    # camera moves (a bump, a hand-held pan) rather than a foot stepping.
    view_moved: bool = False
    # On the frame that drops the stance: only a toe that moved along the floor dropped it (a turn, a shuffle, the
    # view changing), with no foot held up and no squat, lunge or shift of the hips.
    toes_moved: bool = False
    feet_down: tuple[str, ...] = ()  # the feet on the floor in this very frame (`standing` waits for it to settle)
    settling: bool = False  # the pose model found the person under MODEL_SETTLE_SECONDS ago: its points still move
    backlog: tuple["StanceFrame", ...] = ()

    @property
    def ready(self) -> bool:
        return self.phase == "ready"

    def heels_up(self) -> list[str]:
        """The feet whose heels are held up now: lifting the body, or one heel alone with both feet down (which
        leaves the hips where they are, so only that heel against its toe shows it)."""
        up = [side for side, lift in self.lift.items() if lift > HEEL_UP]
        if len(self.standing) == 2 and len(self.heel_lift) == 2:
            for side, heel in self.heel_lift.items():
                other = self.heel_lift["right" if side == "left" else "left"]
                if heel > HEEL_ALONE_UP and other < HEEL_OTHER_SHARE * heel and side not in up:
                    up.append(side)
        return up


MESSAGES = {
    "no person": "No one in view: step into the picture, whole body visible",
    "feet not visible": "Step back: your feet are out of view",
    "feet hidden": "Turn about 45 degrees so the camera sees your heels and toes",
    "not calibrated": "Stand with both feet flat on the floor",
    "moving": "Stand with both feet flat on the floor",
    "ready": "",
}


class FlatLevel:
    """One foot's flat level of each of LEVELS: the lowest it has held since the stance was taken.

    >>> flat = FlatLevel(first_values)
    >>> flat.update(t, values, follow_seconds=dt)   # dt > 0 only while the heel is down
    """

    def __init__(self, values: np.ndarray) -> None:
        self.level = np.array(values, dtype=float)
        self._recent: deque[tuple[float, np.ndarray]] = deque()

    def update(self, t: float, values: np.ndarray, follow_seconds: float = 0.0) -> None:
        self._recent.append((t, values))
        while t - self._recent[0][0] > FLAT_DIP_SECONDS:
            self._recent.popleft()
        held = np.max([v for _, v in self._recent], axis=0)  # the level every recent frame reached
        self.level = np.minimum(self.level, held)
        if follow_seconds > 0:
            self.level = follow(self.level, values, follow_seconds, BASELINE_TIME_CONSTANT)


def _levels(foot: SideSignals) -> np.ndarray:
    return np.array([getattr(foot, name) for name in LEVELS], dtype=float)


@dataclass
class StanceReference:
    """The stance: where each toe stands, each foot's flat level, and the feet's sideways reference."""

    flat: dict  # side -> FlatLevel
    toe: dict  # side -> (x, y)
    heel_offset: dict  # side -> heel x minus toe x, standing still
    ankle_offset: dict  # side -> ankle x minus toe x, standing still
    hip: tuple[float, float]
    leg: float  # the longer leg's hip height over its ankle when the stance was taken
    settled: bool = False  # the sideways reference was taken from a still moment

    @property
    def sides(self) -> tuple[str, ...]:
        return tuple(side for side in SIDES if side in self.toe)

    def level(self, side: str, name: str) -> float:
        return float(self.flat[side].level[LEVELS.index(name)])

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
    """Finds the flat stance from planted feet and reports heel lift per foot, gated on the feet staying put."""

    def __init__(self) -> None:
        self._window: deque[FootSignals] = deque()
        self._before: deque[FootSignals] = deque()  # the frames of the latest STOOD_BEFORE_SECONDS, feet seen
        self._reference: StanceReference | None = None
        self._epoch = 0
        self._last_good = -math.inf
        self._last_t = -math.inf
        self._person_since = math.inf  # since when the pose model has followed the person without a break
        self._straight_leg = -math.inf
        self._standing: tuple[str, ...] = SIDES
        self._held_up: set[str] = set()  # the feet last seen held off the floor
        self._legs: dict[str, deque] = {side: deque() for side in SIDES}  # side -> (t, leg) of the latest readings
        self._body_moved = Lasting(BODY_MOVED_SECONDS, BODY_FLICKER_SECONDS)  # while the stance holds
        self._slid = False  # the latest frame's feet moved along the floor, none of them held up before
        self._new_standing: tuple[tuple[str, ...], float] | None = None  # a change not yet settled, since when

    def update(self, s: FootSignals, hold: bool = False) -> StanceFrame:
        """One frame. A counter passes `hold=True` while a rep is under way, so the flat level does not follow it."""
        if s.t < self._last_t:  # a new stream: time went back
            self.__init__()
        dt = s.t - self._last_t
        self._last_t = s.t
        seen = [side for side in SIDES if s.side(side).visible]
        self._person_since = min(self._person_since, s.t) if s.person else math.inf
        if not s.person or not s.feet_in_frame or not seen:
            self._window.clear()
            self._before.clear()
            if s.t - self._last_good > LOST_SECONDS:
                self._reference = None
            if not s.person:
                return self._frame(s, "no person")
            # In the picture but not seen well: the feet hide each other or are in shadow, so a turn helps.
            return self._frame(s, "feet not visible", "feet not visible" if not s.feet_in_frame else "feet hidden")
        self._window.append(s)
        # Keep the newest frame at or before STILL_SECONDS ago too, so the window spans the whole time at any rate.
        while len(self._window) > 1 and s.t - self._window[1].t >= STILL_SECONDS:
            self._window.popleft()
        self._before.append(s)
        while s.t - self._before[0].t > STOOD_BEFORE_SECONDS:
            self._before.popleft()
        for side in seen:
            legs = self._legs[side]
            legs.append((s.t, s.side(side).leg))
            while s.t - legs[0][0] > LEG_RECENT_SECONDS:
                legs.popleft()
        leg = self._longer_leg(s)
        if not math.isnan(leg):
            self._straight_leg = max(leg, self._straight_leg - STRAIGHT_LEG_FORGET * max(dt, 0.0))
        bent = leg < self._straight_leg - LEG_BENT
        ref = self._reference
        if ref is None:
            self._last_good = s.t
            if not bent and self._planted():
                return self._take_stance(s)
            return self._frame(s, "not calibrated")
        feet_down = self._feet_down(s, ref)
        standing = self._settled(s.t, feet_down)
        hip_dx = abs(s.hip[0] - ref.hip[0])
        hip_drop = s.hip[1] - ref.hip[1]
        # Knees bent, or hips shifted or dropped, for BODY_MOVED_SECONDS.
        body_moved = self._body_moved.update(s.t, bent or leg > ref.leg + LEG_STRAIGHTENED or hip_dx > HIP_SIDEWAYS
                                             or hip_drop > HIP_DROP)
        if not standing or body_moved:
            # Stepping, walking, squatting, lunging, shifting, or the stance was taken with the knees bent:
            # drop it and take it again once the feet are planted.
            self._reference = None
            self._standing, self._new_standing = SIDES, None
            return replace(self._frame(s, "moving"), view_moved=_moved_together(s, ref),
                           toes_moved=self._slid and not body_moved)
        self._follow(s, standing, dt, hold)
        frame = replace(self._ready(s, standing), feet_down=feet_down)
        if not frame.lift:
            # Only a foot that was hidden when the stance was taken is seen now: nothing to measure against.
            return self._frame(s, "feet not visible", "feet hidden")
        self._last_good = s.t
        if not ref.settled and not hold and self._still():
            ref.heel_offset, ref.ankle_offset = self._offsets()
            ref.settled = True
        return frame

    # Taking the stance

    def _steady_sides(self, frames) -> list[str]:
        """The feet seen in every one of `frames`."""
        return [side for side in SIDES if all(f.side(side).visible for f in frames)]

    def _recent(self, seconds: float) -> list[FootSignals]:
        """The frames of the latest `seconds`, from the newest one at or before that long ago."""
        t = self._window[-1].t
        first = max((i for i, f in enumerate(self._window) if t - f.t >= seconds), default=0)
        return list(self._window)[first:]

    def _planted(self) -> bool:
        """The toes of the feet seen have stayed put for ANCHOR_SECONDS."""
        frames = self._recent(ANCHOR_SECONDS)
        if len(frames) < 3 or frames[-1].t - frames[0].t < ANCHOR_SECONDS:
            return False
        sides = self._steady_sides(frames)
        if not sides:
            return False
        if np.ptp([self._longer_leg(f) for f in frames]) > LEG_STEADY:
            return False  # the knees are bending or straightening
        return all(np.ptp([f.side(side).toe for f in frames], axis=0).max() <= STILL_POINT_RANGE for side in sides)

    def _still(self) -> bool:
        """The whole stance has been still (toes, hips, and each foot's rise) for STILL_SECONDS."""
        w = self._window
        if len(w) < 3 or w[-1].t - w[0].t < STILL_SECONDS:
            return False
        sides = self._steady_sides(w)
        if not sides:
            return False
        for side in sides:
            rises = [f.side(side).rise for f in w]
            if max(rises) - min(rises) > STILL_RISE_RANGE:
                return False
            if np.ptp([f.side(side).toe for f in w], axis=0).max() > STILL_POINT_RANGE:
                return False
        return bool(np.ptp([f.hip for f in w], axis=0).max() <= STILL_POINT_RANGE)

    def _offsets(self) -> tuple[dict, dict]:
        """Each steady foot's heel and ankle x against its toe, averaged over the window; others keep theirs."""
        ref = self._reference
        heel, ankle = dict(ref.heel_offset), dict(ref.ankle_offset)
        for side in self._steady_sides(self._window):
            feet = [f.side(side) for f in self._window]
            heel[side] = float(np.mean([f.heel[0] - f.toe[0] for f in feet]))
            ankle[side] = float(np.mean([f.ankle[0] - f.toe[0] for f in feet]))
        return heel, ankle

    def _take_stance(self, s: FootSignals) -> StanceFrame:
        """Take the stance from the planted moment, for the feet seen throughout it, and go back over the frames
        before it that the stance would have held."""
        anchor = self._recent(ANCHOR_SECONDS)
        sides = self._steady_sides(anchor)
        self._reference = StanceReference(
            flat={},
            toe={side: tuple(np.mean([f.side(side).toe for f in anchor], axis=0)) for side in sides},
            heel_offset={}, ankle_offset={},
            hip=tuple(np.mean([f.hip for f in anchor], axis=0)),
            leg=float(np.nanmax([self._longer_leg(f) for f in anchor])),
        )
        self._reference.heel_offset, self._reference.ankle_offset = self._offsets()
        frames = self._stood_before(anchor[0].t, sides) + anchor
        flat = self._reference.flat
        flat.update({side: FlatLevel(_levels(frames[0].side(side))) for side in sides})
        self._epoch += 1
        self._held_up, self._body_moved.since = set(), None
        feet_down = self._feet_down(s, self._reference)
        self._standing = feet_down or SIDES
        self._new_standing = None
        for f in frames:
            for side in sides:
                flat[side].update(f.t, _levels(f.side(side)))
        backlog = tuple(replace(self._ready(f, self._standing), feet_down=self._standing) for f in frames[:-1])
        return replace(self._ready(s, self._standing), backlog=backlog, feet_down=feet_down)

    def _stood_before(self, since: float, sides: list[str]) -> list[FootSignals]:
        """The frames just before `since` that the stance now taken would have held: the feet seen where they
        stand now, the legs straight and the hips in place; none from the pose model's first second, whose points
        still move (MODEL_SETTLE_SECONDS)."""
        ref = self._reference
        held = []
        for f in reversed([f for f in self._before if self._person_since + MODEL_SETTLE_SECONDS <= f.t < since]):
            leg = self._longer_leg(f)
            if not all(f.side(side).visible and math.dist(f.side(side).toe, ref.toe[side]) <= TOE_PLANTED
                       for side in sides) or not leg >= ref.leg - LEG_STOOD:
                break
            if abs(f.hip[0] - ref.hip[0]) > HIP_SIDEWAYS or f.hip[1] - ref.hip[1] > HIP_DROP:
                break
            held.append(f)
        return held[::-1]

    # While the stance is held

    def _recent_leg(self, side: str, now: float) -> float:
        """The leg's longest reading in the latest LEG_RECENT_SECONDS (`now` while it was not seen)."""
        return max([leg for _, leg in self._legs[side]] + [now])

    @staticmethod
    def _longer_leg(s: FootSignals) -> float:
        legs = [s.side(side).leg for side in SIDES if s.side(side).visible]
        return max(legs) if legs else math.nan

    def _settled(self, t: float, standing: tuple[str, ...]) -> tuple[str, ...]:
        """The feet standing, changed only once a new reading has held for STANCE_SETTLE_SECONDS (MOVED_SECONDS for
        feet that moved: a turn or a moved camera can bring them back near where they stood in the picture)."""
        if standing == self._standing:
            self._new_standing = None
        elif self._new_standing is None or self._new_standing[0] != standing:
            self._new_standing = (standing, t)
        elif t - self._new_standing[1] >= (STANCE_SETTLE_SECONDS if standing else MOVED_SECONDS):
            self._standing, self._new_standing = standing, None
        return self._standing

    def _feet_down(self, s: FootSignals, ref: StanceReference) -> tuple[str, ...]:
        """The feet on the floor, or () when the feet have moved (a step, a jump, a walk).

        A foot is held up when its knee is bent well up (its leg much shorter than the other), or when its toe
        rose from where it stood on a bent leg; a toe that moved away along the floor is a step. A toe point that
        rose while its leg stayed straight is the model dragging it up with the heel of a raise (the far foot,
        seen from behind): that foot still stands.
        """
        lifted = []
        for side in ref.sides:
            foot = s.side(side)
            if not foot.visible:
                if side in self._held_up:
                    lifted.append(side)
                continue  # hidden now: taken to be where it was, on the floor or held up
            other_side = "right" if side == "left" else "left"
            other = s.side(other_side)
            share = foot.leg / other.leg if other.visible else 1.0
            bent_up = foot.leg / self._recent_leg(other_side, other.leg) if other.visible else 1.0
            tx, ty = foot.toe
            rx, ry = ref.toe[side]
            if bent_up < HELD_UP_LEG_SHARE or ry - ty >= TOE_HELD_UP and share < BENT_LEG_SHARE:
                lifted.append(side)
            elif math.hypot(tx - rx, ty - ry) > TOE_PLANTED and ry - ty < TOE_LIFTED:
                self._slid = not self._held_up
                return ()  # moved along the floor
        self._held_up = set(lifted)
        self._slid = False
        if len(lifted) == 2:
            return ()
        return tuple(side for side in SIDES if side not in lifted)

    def _follow(self, s: FootSignals, standing: tuple[str, ...], dt: float, hold: bool) -> None:
        """Lower each standing foot's flat level to what it holds, follow slow drift while the heels are down, and
        let the planted toes and the hips' sideways place follow a slowly drifting picture."""
        ref = self._reference
        flat_seconds = max(dt, 0.0) if not hold and len(standing) == 2 else 0.0
        for side in standing:
            foot = s.side(side)
            if side not in ref.flat or not foot.visible:
                continue
            ref.flat[side].update(s.t, _levels(foot), flat_seconds)
            if not hold:
                rx, ry = ref.toe[side]
                ref.toe[side] = (follow(rx, foot.toe[0], dt, TOE_FOLLOW_SECONDS),
                                 follow(ry, foot.toe[1], dt, TOE_FOLLOW_SECONDS))
        if flat_seconds > 0:
            ref.hip = (follow(ref.hip[0], s.hip[0], flat_seconds, HIP_FOLLOW_SECONDS), ref.hip[1])

    def _ready(self, s: FootSignals, standing: tuple[str, ...]) -> StanceFrame:
        ref = self._reference
        measured = [side for side in standing if side in ref.flat and s.side(side).visible]
        feet = {side: s.side(side) for side in measured}
        rise = {side: f.rise - ref.level(side, "rise") for side, f in feet.items()}
        height = {side: f.height - ref.level(side, "height") for side, f in feet.items()}
        return StanceFrame(
            s.t,
            "ready",
            "",
            standing,
            {side: _lift(rise[side], height[side]) for side in feet},
            rise,
            height,
            {side: f.heel_height - ref.level(side, "heel_height") for side, f in feet.items()},
            {
                side: ref.outward(side) * (f.heel[0] - f.toe[0] - ref.heel_offset[side])
                for side, f in feet.items() if side in ref.heel_offset
            },
            s,
            ref,
            self._epoch,
            settling=s.t - self._person_since < MODEL_SETTLE_SECONDS,
        )

    def _frame(self, s: FootSignals, phase: str, message: str | None = None) -> StanceFrame:
        return StanceFrame(s.t, phase, MESSAGES[message or phase], (), {}, {}, {}, {}, {}, s, None, self._epoch)


def _moved_together(s: FootSignals, ref: StanceReference) -> bool:
    """Both toes and the hips moved from where they stood by about the same shift in the picture."""
    shifts = [np.subtract(s.side(side).toe, ref.toe[side]) for side in ref.sides if s.side(side).visible]
    if len(shifts) < 2:
        return False
    shifts.append(np.subtract(s.hip, ref.hip))
    mean = np.mean(shifts, axis=0)
    return float(np.linalg.norm(mean)) > TOE_PLANTED and all(
        np.linalg.norm(shift - mean) < SAME_SHIFT * np.linalg.norm(mean) for shift in shifts)


def _lift(rise: float, height: float) -> float:
    """A foot's lift from two views of it: against its own toe, and in the picture.

    The heel must rise against the toe and the body must rise in the picture: a toe point that slides (the model's
    least steady landmark) moves only the first, a moving or zooming camera only the second; the smaller one
    bounds the lift.
    """
    # Below flat is not a lift: it only shows for the moment the flat level takes to follow heels coming down.
    return max(min(rise, height), 0.0)
