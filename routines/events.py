"""Value types that detectors hand to sessions, the CLI and the app."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RepEvent:
    """One repetition, complete or partial. Times are the frames' own timestamps in seconds.

    `measures` holds numbers named for what they are (e.g. ``rise`` in body scales, ``rise_cm``,
    ``rise_s``, ``hold_s``, ``lower_s``); `cues` holds short form notes such as "lower slowly".
    """

    exercise: str
    side: str  # "left", "right" or "both"
    start: float
    end: float
    complete: bool = True
    measures: dict = field(default_factory=dict)
    cues: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "exercise": self.exercise,
            "side": self.side,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "complete": self.complete,
            **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.measures.items()},
            "cues": list(self.cues),
        }


@dataclass(frozen=True)
class DetectorStatus:
    """What a detector tells the person right now, after the latest frame."""

    count: int  # complete reps so far
    per_side: dict  # {"left": n, "right": n, "both": n}
    phase: str  # "not calibrated", "ready", "up", "moving", "no person", "feet not visible"
    message: str  # set-up guidance, or "" when all is well
    cue: str  # the latest form cue, or ""
    signal: float  # the detector's main signal (for charts), nan when unknown
