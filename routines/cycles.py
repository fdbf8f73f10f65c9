"""Counting side-to-side cycles: a signal that swings past +high and past -high (either order) and back to the middle."""
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
    not followed by the other within `pause` seconds is reported as incomplete.
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

    def reset(self) -> None:
        self._start = None
        self._visited = set()
        self._peaks = [0.0, 0.0]
        self._side_peaks = {}
        self._middle_since = None

    @property
    def active(self) -> bool:
        return self._start is not None

    def update(self, t: float, value: float, sides: dict) -> Cycle | None:
        if math.isnan(value):
            return None
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
