"""What detectors hand to sessions, the CLI and the app, and what every detector offers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from vision.foot_signals import FootSignals

# The foot a rep was done with ("both" for both together), and what a detector reads in the latest frame.
Side = Literal["left", "right", "both"]
Phase = Literal["no person", "feet not visible", "not calibrated", "moving", "ready", "up"]

# A foot whose movement (heel rise, sideways swing) stayed under this share of the other's did not take part in the rep.
SIDE_SHARE = 0.3


def no_reps() -> dict[Side, int]:
    """A detector's count per side before its first rep."""
    return {"left": 0, "right": 0, "both": 0}


def side_of(peaks: dict[str, float]) -> Side:
    """The foot that did a rep, from how far each foot moved: the one alone past SIDE_SHARE of the furthest, else
    both."""
    best = max(peaks.values(), default=0.0)
    sides = [side for side, value in peaks.items() if value >= SIDE_SHARE * best]
    return sides[0] if len(sides) == 1 else "both"


@dataclass(frozen=True)
class RepEvent:
    """One repetition, complete or partial. Times are the frames' own timestamps in seconds.

    `measures` holds numbers named for what they are (e.g. ``rise`` in body scales, ``rise_cm``,
    ``rise_s``, ``hold_s``, ``lower_s``); a measure the view could not support is None, and ``<name>_note`` says
    why. `cues` holds short form notes such as "lower slowly".
    """

    exercise: str
    side: Side
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
    per_side: dict[Side, int]
    phase: Phase
    message: str  # set-up guidance, or "" when all is well
    cue: str  # the latest form cue, or ""
    signal: float  # the detector's main signal (for charts), nan when unknown


class Detector(Protocol):
    """What every detector offers: fed one frame's foot signals at a time (in time order), it returns the reps that
    ended with that frame and keeps its totals. `routines.exercises` makes one per stream."""

    exercise: str  # the exercise's name, as in `routines.exercises.EXERCISES`
    per_side: dict[Side, int]  # complete reps so far
    partial: int  # reps that did not go far enough, so far

    @property
    def count(self) -> int: ...

    @property
    def status(self) -> DetectorStatus: ...

    def update(self, signals: FootSignals) -> list[RepEvent]: ...  # the toe detectors read a `vision.closeup.ToeFrame`
