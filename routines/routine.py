"""The daily routine: its steps and prescribed reps, read from a JSON file a user can edit."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from routines.exercises import CLOSEUP_EXERCISES, EXERCISES

DEFAULT_ROUTINE = Path(__file__).with_name("routine.json")


class RoutineError(ValueError):
    """A routine file that cannot be used; the message says what is wrong."""


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    exercise: str | None  # the camera detector for this step, or None for a guided (not camera-checked) step
    side: str  # "left", "right" or "both"
    reps: int
    beat_seconds: float  # pace of the guided beat, seconds per rep
    instructions: str
    # The close-up detector that counts this step when the camera is close to the feet (the toe steps), else None.
    closeup: str | None = None

    @property
    def camera_checked(self) -> bool:
        """Counted by the camera at full-body framing."""
        return self.exercise is not None

    def checked_by(self, closeup_view: bool) -> str | None:
        """The detector that counts this step: its close-up one when the camera is close to the feet and it has one,
        else its full-body one; None for a step the person confirms (guided)."""
        if closeup_view and self.closeup is not None:
            return self.closeup
        return self.exercise


@dataclass(frozen=True)
class Routine:
    name: str
    steps: tuple[Step, ...]


def load_routine(path: str | os.PathLike | None = None) -> Routine:
    path = Path(path or DEFAULT_ROUTINE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        steps = tuple(_step(item) for item in data["steps"])
        name = str(data.get("name", "Routine"))
    except OSError as error:
        raise RoutineError(f"{path}: {error.strerror or error}") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise RoutineError(f"{path}: not a valid routine file ({error})") from None
    if not steps:
        raise RoutineError(f"{path}: the routine has no steps")
    return Routine(name, steps)


def _step(item: dict) -> Step:
    exercise = item.get("exercise")
    if exercise is not None and exercise not in EXERCISES:
        raise ValueError(f"step {item.get('id')!r}: unknown exercise {exercise!r}")
    closeup = item.get("closeup")
    if closeup is not None and closeup not in CLOSEUP_EXERCISES:
        raise ValueError(f"step {item.get('id')!r}: unknown close-up exercise {closeup!r}")
    side = item.get("side", "both")
    if side not in ("left", "right", "both"):
        raise ValueError(f"step {item.get('id')!r}: side must be left, right or both")
    reps = int(item["reps"])
    if reps < 1:
        raise ValueError(f"step {item['id']!r}: reps must be at least 1")
    return Step(
        id=str(item["id"]),
        title=str(item["title"]),
        exercise=exercise,
        side=side,
        reps=reps,
        beat_seconds=float(item.get("beat_seconds", 3.0)),
        instructions=str(item["instructions"]),
        closeup=closeup,
    )
