"""Counting side-to-side cycles: a signal that swings past +high and past -high (either order) and back to the
middle."""
from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Cycle:
    start: float
    end: float
    peak_plus: float  # largest value reached (>= 0)
    peak_minus: float  # smallest value reached (<= 0)
    side_peaks: dict  # side -> largest |value| of that side's own share of the signal
    complete: bool  # False for a swing to one side only that never went to the other


@dataclass
class CycleCounter:
    """Feed (t, value, per-side values); returns a `Cycle` when one ends.

    A cycle starts when the value leaves the middle band, must pass `high_plus` and `-high_minus` (in either order,
    coming back through the middle between them is fine) and ends back in the middle. A swing to one side that is
    not followed by the other within `pause` seconds is reported as incomplete. A value that crosses from one side
    of the middle to the other between two frames passed through it: on a stream that passes frames over, a value
    resting just off the middle between cycles can cross it with no frame inside.
    """

    high_plus: float
    high_minus: float
    middle: float
    pause: float = 2.0
    min_seconds: float = 0.4
    _start: float | None = None
    _visited: set = field(default_factory=set)
    _peaks: list = field(default_factory=lambda: [0.0, 0.0])
    _side_peaks: dict = field(default_factory=dict)
    _middle_since: float | None = None
    _last: tuple[float, float] | None = None  # (t, value) of the latest frame with a value

    def reset(self) -> None:
        self._start = None
        self._visited = set()
        self._peaks = [0.0, 0.0]
        self._side_peaks = {}
        self._middle_since = None

    @property
    def active(self) -> bool:
        return self._start is not None

    def flush(self, t: float) -> list[Cycle]:
        """The signal is gone for now: a cycle under way is dropped."""
        self.reset()
        self._last = None
        return []

    def update(self, t: float, value: float, sides: dict) -> Cycle | None:
        if math.isnan(value):
            return None
        last, self._last = self._last, (t, value)
        if last is not None and len(self._visited) == 2 and self._crossed(last[1], value):
            # Both sides reached, and back through the middle between the frames: the cycle ended there, and this
            # frame begins the next one.
            t0, v0 = last
            crossing = t0 + (t - t0) * abs(v0) / (abs(v0) + abs(value))
            done = self._close(crossing, complete=True)
            self._start = crossing
            self._step(t, value, sides)
            return done
        return self._step(t, value, sides)

    def _crossed(self, before: float, now: float) -> bool:
        return before * now < 0 and min(abs(before), abs(now)) >= self.middle

    def _step(self, t: float, value: float, sides: dict) -> Cycle | None:
        in_middle = abs(value) < self.middle
        if self._start is None:
            if in_middle:
                return None
            self._start = t
        if value >= self.high_plus:
            self._visited.add("+")
        if value <= -self.high_minus:
            self._visited.add("-")
        self._peaks = [max(self._peaks[0], value), min(self._peaks[1], value)]
        for side, v in sides.items():
            self._side_peaks[side] = max(self._side_peaks.get(side, 0.0), abs(v))
        if not in_middle:
            self._middle_since = None
            return None
        if self._middle_since is None:
            self._middle_since = t
        if len(self._visited) == 2:
            return self._close(t, complete=True)
        if not self._visited:
            self.reset()  # a wobble that never reached either side
            return None
        if t - self._middle_since >= self.pause:
            return self._close(self._middle_since, complete=False)
        return None

    def _close(self, end: float, complete: bool) -> Cycle | None:
        cycle = Cycle(self._start, end, self._peaks[0], self._peaks[1], dict(self._side_peaks), complete)
        self.reset()
        if end - cycle.start < self.min_seconds:
            return None
        return cycle


@dataclass
class RollCounter:
    """Feed (t, value, per-side values); returns a `Cycle` for each side-to-side roll.

    A swing is the value leaving the middle band, passing `high` one way, and coming back. Seen from the front a roll
    swings both ways, one swing straight after the other; seen at 45 degrees one way is foreshortened to almost
    nothing. So a swing starts a roll, and the next swing joins that roll when it goes the other way and begins
    within `pair_gap` seconds of the first one's end; a swing the same way, or a later one, starts the next roll.
    A roll is reported once it cannot be joined any more.
    """

    high: float
    middle: float
    pair_gap: float = 0.5
    min_seconds: float = 0.4
    _swing: Cycle | None = None  # the swing under way
    _roll: Cycle | None = None  # the roll its swings belong to, not yet reported
    _roll_swings: int = 0

    @property
    def active(self) -> bool:
        return self._swing is not None or self._roll is not None

    def flush(self, t: float) -> list[Cycle]:
        """The signal is gone for now (the heel came down): the roll is over, with a swing under way that went far."""
        swing, self._swing = self._swing, None
        done = []
        if swing is not None and max(swing.peak_plus, -swing.peak_minus) >= self.high:
            swing.end = t
            done.append(self._join(swing))
        done.append(self._close())
        return [roll for roll in done if roll is not None]

    def update(self, t: float, value: float, sides: dict) -> Cycle | None:
        if math.isnan(value):
            return None
        done = None
        if self._roll is not None and self._swing is None and t - self._roll.end > self.pair_gap:
            done = self._close()
        if abs(value) >= self.middle:
            swing = self._swing or Cycle(t, t, 0.0, 0.0, {}, False)
            swing.peak_plus, swing.peak_minus = max(swing.peak_plus, value), min(swing.peak_minus, value)
            for side, v in sides.items():
                swing.side_peaks[side] = max(swing.side_peaks.get(side, 0.0), abs(v))
            self._swing = swing
            return done
        swing, self._swing = self._swing, None
        if swing is None or max(swing.peak_plus, -swing.peak_minus) < self.high:
            return done  # a wobble that never went far
        swing.end = t
        return self._join(swing) or done

    def _join(self, swing: Cycle) -> Cycle | None:
        """Add a finished swing: to the roll it completes, or as the start of a new one (closing the last)."""
        roll = self._roll
        joins = (roll is not None and self._roll_swings == 1 and swing.start - roll.end <= self.pair_gap
                 and (swing.peak_plus >= self.high) != (roll.peak_plus >= self.high))
        if joins:
            roll.end = swing.end
            roll.peak_plus = max(roll.peak_plus, swing.peak_plus)
            roll.peak_minus = min(roll.peak_minus, swing.peak_minus)
            for side, v in swing.side_peaks.items():
                roll.side_peaks[side] = max(roll.side_peaks.get(side, 0.0), v)
            self._roll_swings = 2
            return self._close()
        closed = self._close() if roll is not None else None
        self._roll, self._roll_swings = swing, 1
        return closed

    def _close(self) -> Cycle | None:
        roll, self._roll, self._roll_swings = self._roll, None, 0
        if roll is None or roll.end - roll.start < self.min_seconds:
            return None
        roll.complete = True  # one way may be hidden by the view: a swing out and back is a roll
        return roll
