"""The toe exercises, counted from a camera close to the feet (`vision.closeup.ToeFrame`).

A toe movement is a stretch of frames in which some foot's toe band has changed from its resting picture (by
MOVED_CHANGE or more) until every foot is back at rest. What the toes did is judged per foot from the band's whole
change and from its big-toe and little-toe halves:

- Toe Fan lift and spread, Toe Grip: each movement that returns to rest is a rep, of the feet that took part.
- Great Toe Down: from all toes up, a rep is one half of the band dropping back towards rest (those toes pressed
  down) while the other half stays up: the big-toe half for `big`, the little-toe half for `little`, and each
  switch between them for `alternate`. A press of the wrong toes is cued, not counted.

A movement in which the ankle above the toes changed as well (a heel raise, an ankle rock, a step) is not a toe
movement: it is cued, not counted. A frame where the feet are not found, or the camera moved, ends any movement
under way without a rep.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from routines.detectors.events import DetectorStatus, RepEvent, Side, no_reps, side_of
from vision.closeup import MOVED_CHANGE, FootMotion, ToeFrame

REST_CHANGE = 0.1  # every foot's change below this for REST_FRAMES frames: the toes are back at rest
REST_FRAMES = 3
MIN_SECONDS = 0.4  # a movement shorter than this is a twitch, not a rep
ANKLE_SHARE = 0.3  # the ankle changed by more than this share of the toes' change ...
ANKLE_MOVED = 0.12  # ... and by more than this: the foot moved, not the toes
HALF_DOWN = 0.7  # Great Toe Down: a half below this share of its level with all toes up has pressed down ...
HALF_UP = 0.85  # ... and is up again above this share
OTHER_DOWN = 0.5  # ... and the other half below this share has gone down too (the press ends: all toes down)
HOLD_SECONDS = 0.25  # a press held at least this long counts

CURL_DARKENING = 0.1  # Toe Grip: the toe band darker by this share of its change at the peak: toes curled under

LITTLE_TOE_SHARE = 0.9  # Toe Fan lift: the little toe's share below this part of the set's best: it stayed low

NOT_FOUND = "Feet not found: put both bare feet in view, toes towards the camera, about half a metre away."
CAMERA_MOVED = "The camera moved: hold still a moment while footform finds your feet again."
CURL_CUE = "grip the floor with the toes flat: do not curl them under"
LITTLE_TOE_CUE = "lift the little toe as high as the big toe"
ANKLE_CUE = "keep your heels and ankles still: only the toes move"


@dataclass
class _Movement:
    start: float
    peak: dict[str, float] = field(default_factory=dict)  # foot -> largest toe band change
    ankle: dict[str, float] = field(default_factory=dict)  # foot -> largest ankle change
    at_peak: dict[str, FootMotion] = field(default_factory=dict)  # foot -> its motion at its largest change
    rest_frames: int = 0

    def add(self, frame: ToeFrame) -> None:
        for side, motion in frame.feet.items():
            if motion.change > self.peak.get(side, 0.0):
                self.peak[side] = motion.change
                self.at_peak[side] = motion
            self.ankle[side] = max(self.ankle.get(side, 0.0), motion.ankle_change)

    def side(self) -> Side:
        return side_of({s: self.peak[s] for s in self.moved()})

    def moved(self) -> list[str]:
        """The feet whose toes moved."""
        return [s for s, v in self.peak.items() if v >= MOVED_CHANGE]

    def ankle_moved(self) -> bool:
        # Every foot whose toes moved: a foot outlined a little off takes in part of its toes above its toe band, while
        # a heel raise or an ankle rock moves the ankle of each foot doing it.
        moved = self.moved()
        return bool(moved) and all(self.ankle[s] > max(ANKLE_MOVED, ANKLE_SHARE * self.peak[s]) for s in moved)


class ToeDetector:
    """Counts one toe exercise: each toe movement that ends back at rest is a rep (see the module's notes)."""

    exercise = "toe-fan-lift"

    def __init__(self):
        self.per_side = no_reps()
        self.partial = 0
        self._movement: _Movement | None = None
        self._phase = "not calibrated"
        self._message = NOT_FOUND
        self._cue = ""
        self._signal = float("nan")

    @property
    def count(self) -> int:
        return sum(self.per_side.values())

    @property
    def status(self) -> DetectorStatus:
        return DetectorStatus(self.count, dict(self.per_side), self._phase, self._message, self._cue, self._signal)

    def update(self, frame: ToeFrame) -> list[RepEvent]:
        if not frame.found:
            self._movement = None
            self._phase = "feet not visible"
            self._message = CAMERA_MOVED if frame.camera_moved else NOT_FOUND
            self._signal = float("nan")
            return []
        self._message = ""
        changes = [motion.change for motion in frame.feet.values()]
        self._signal = max(changes)
        movement = self._movement
        if movement is None:
            self._phase = "ready"
            if self._signal < MOVED_CHANGE:
                return []
            movement = self._movement = _Movement(frame.t)
            self._begin(frame)
        self._phase = "up"
        movement.add(frame)
        events = self._during(frame, movement)
        movement.rest_frames = movement.rest_frames + 1 if self._signal < REST_CHANGE else 0
        if movement.rest_frames >= REST_FRAMES:
            self._movement = None
            self._phase = "ready"
            events += self._ended(frame, movement)
        return events

    def _begin(self, frame: ToeFrame) -> None:
        """A movement starts (for detectors that follow its course)."""

    def _during(self, frame: ToeFrame, movement: _Movement) -> list[RepEvent]:
        """Reps that end within a movement (Great Toe Down's presses); none for the others."""
        return []

    def _ended(self, frame: ToeFrame, movement: _Movement) -> list[RepEvent]:
        if frame.t - movement.start < MIN_SECONDS:
            return []
        fault = ANKLE_CUE if movement.ankle_moved() else self._fault(movement)
        return [self._rep(movement.side(), movement.start, frame.t, not fault, fault or self._note(movement),
                          change=round(max(movement.peak.values()), 3))]

    def _note(self, movement: _Movement) -> str:
        """A form cue for a rep that counts, or ""."""
        return ""

    def _fault(self, movement: _Movement) -> str:
        """The cue for a movement that is not a rep of this exercise, or "" for a rep."""
        return ""

    def _rep(self, side: Side, start: float, end: float, complete: bool, cue: str, **measures) -> RepEvent:
        if complete:
            self.per_side[side] += 1
        else:
            self.partial += 1
        self._cue = cue
        return RepEvent(self.exercise, side, start, end, complete,
                        {"seconds": round(end - start, 3), **measures}, (cue,) if cue else ())


class ToeLiftDetector(ToeDetector):
    """Toe Fan lift. The little-toe half's change over the big-toe half's, at the top of the lift, is compared with
    the best so far in the set, per foot: well below it, the little toe stayed lower than it can go. (A set's first
    lift is the first yardstick, so it is never cued; the share differs between feet and views, so it is not judged
    against a fixed number.)"""

    exercise = "toe-fan-lift"

    def __init__(self):
        super().__init__()
        self._best_share: dict[str, float] = {}

    def _note(self, movement: _Movement) -> str:
        low = False
        for side in movement.moved():
            motion = movement.at_peak[side]
            share = motion.lateral_change / max(motion.medial_change, 1e-6)
            best = self._best_share.get(side, 0.0)
            low |= share < LITTLE_TOE_SHARE * best
            self._best_share[side] = max(best, share)
        return LITTLE_TOE_CUE if low else ""


class ToeSpreadDetector(ToeDetector):
    exercise = "toe-fan-spread"


class ToeGripDetector(ToeDetector):
    """A grip presses the toes into the floor where they lie; toes curled under lift their knuckles and show the
    shadow beneath them, darkening the toe band: that is cued, not counted."""

    exercise = "toe-grip"

    def _fault(self, movement: _Movement) -> str:
        curled = any(movement.at_peak[s].darkening > CURL_DARKENING * movement.peak[s] for s in movement.moved())
        return CURL_CUE if curled else ""


HALVES = {"big": "medial_change", "little": "lateral_change"}
OTHER = {"big": "little", "little": "big"}


class GreatToeDownDetector(ToeDetector):
    """Great Toe Down: `toes` is "big", "little" or "alternate" (see the module's notes)."""

    def __init__(self, toes: str):
        super().__init__()
        if toes not in ("big", "little", "alternate"):
            raise ValueError(f"toes must be big, little or alternate, not {toes!r}")
        self.toes = toes
        self.exercise = f"great-toe-down-{toes}"
        self._level: dict[tuple[str, str], float] = {}  # (foot, half) -> its level with all toes up
        self._down: dict[str, tuple[str, float]] = {}  # foot -> (half pressed down, since)
        self._pressed: list[tuple[str, str, float, float]] = []  # (foot, half, start, end) presses not yet counted
        self._last_half = ""

    def _begin(self, frame: ToeFrame) -> None:
        self._level.clear()
        self._down.clear()
        self._pressed.clear()
        self._last_half = ""

    def _during(self, frame: ToeFrame, movement: _Movement) -> list[RepEvent]:
        if movement.ankle_moved():  # not a press of the toes: the movement's end cues it
            self._down.clear()
            return []
        for side, motion in frame.feet.items():
            for half, name in HALVES.items():
                key = (side, half)
                self._level[key] = max(self._level.get(key, 0.0), getattr(motion, name))
            down = self._down.get(side)
            share = {half: getattr(motion, name) / max(self._level[(side, half)], 1e-6)
                     for half, name in HALVES.items()}
            if down is None:
                for half in HALVES:
                    if (share[half] < HALF_DOWN and share[OTHER[half]] >= HALF_DOWN
                            and self._level[(side, half)] >= MOVED_CHANGE):
                        self._down[side] = (half, frame.t)
            elif share[down[0]] >= HALF_UP or share[OTHER[down[0]]] < OTHER_DOWN:
                del self._down[side]
                if frame.t - down[1] >= HOLD_SECONDS:
                    self._pressed.append((side, down[0], down[1], frame.t))
        return self._count_presses(frame.t)

    def _count_presses(self, now: float) -> list[RepEvent]:
        """Presses of both feet within a moment of each other are one rep of both feet."""
        events = []
        while self._pressed and (now - self._pressed[0][3] > 0.3 or len(self._pressed) > 1):
            side, half, start, end = self._pressed.pop(0)
            sides = {side}
            for other in list(self._pressed):
                if other[1] == half and abs(other[3] - end) < 0.5 and other[0] != side:
                    self._pressed.remove(other)
                    sides.add(other[0])
                    start, end = min(start, other[2]), max(end, other[3])
            events.append(self._press(side if len(sides) == 1 else "both", half, start, end))
        return events

    def _press(self, side: Side, half: str, start: float, end: float) -> RepEvent:
        toes_down = f"{half} toes"
        if self.toes == "alternate":
            if half == self._last_half:
                return self._rep(side, start, end, False, "Alternate: big toes down, then little toes down",
                                 toes_down=toes_down)
            self._last_half = half
            return self._rep(side, start, end, True, "", toes_down=toes_down)
        if half != self.toes:
            return self._rep(side, start, end, False, f"that was the {half} toes: press only the {self.toes} toes down",
                             toes_down=toes_down)
        return self._rep(side, start, end, True, "", toes_down=toes_down)

    def _ended(self, frame: ToeFrame, movement: _Movement) -> list[RepEvent]:
        for side, (half, since) in self._down.items():  # toes still pressed as all toes went down
            if frame.t - since >= HOLD_SECONDS:
                self._pressed.append((side, half, since, frame.t))
        self._down.clear()
        events = self._count_presses(float("inf"))
        if movement.ankle_moved() and not events:
            return [self._rep(movement.side(), movement.start, frame.t, False, ANKLE_CUE)]
        return events
