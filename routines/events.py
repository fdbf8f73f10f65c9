"""Value types that detectors hand to sessions, the CLI and the app."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RepEvent:
    """One repetition, complete or partial. Times are the frames' own timestamps in seconds.

    `measures` holds numbers named for what they are (e.g. ``rise`` in body scales, ``rise_cm``,
    ``rise_s``, ``hold_s``, ``lower_s``); a measure the view could not support is None, and ``<name>_note`` says
    why. `cues` holds short form notes such as "lower slowly".
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


NOT_MEASURED = "not measured"


def readable_measures(measures: dict) -> dict:
    """The measures as a table shows them: one the view could not support reads "not measured"."""
    return {name: NOT_MEASURED if value is None else value for name, value in measures.items()
            if not name.endswith("_note")}


def not_measured_reasons(measures: dict) -> list[str]:
    """Why measures were not taken, e.g. "rise_cm: leaning on a support moves the hips as well as the heels"."""
    return [f"{name.removesuffix('_note')}: {why}" for name, why in measures.items() if name.endswith("_note")]


@dataclass(frozen=True)
class DetectorStatus:
    """What a detector tells the person right now, after the latest frame."""

    count: int  # complete reps so far
    per_side: dict  # {"left": n, "right": n, "both": n}
    phase: str  # "not calibrated", "ready", "up", "moving", "no person", "feet not visible"
    message: str  # set-up guidance, or "" when all is well
    cue: str  # the latest form cue, or ""
    signal: float  # the detector's main signal (for charts), nan when unknown
