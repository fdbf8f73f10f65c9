"""The exercises the camera counts. Everything that lists them (the command line's choices, the routine file's
check, titles, set-up advice, the tests) reads this registry: a new exercise is its detector in `routines/detectors/`
and one entry here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from routines.detectors.events import Detector
from routines.detectors.heel_raise import HeelRaiseDetector
from routines.detectors.swings import AnkleRockDetector, BallRollDetector


@dataclass(frozen=True)
class Exercise:
    name: str  # as on the command line and in routine.json
    title: str  # in a sentence: "3 heel raises"
    make_detector: Callable[[], Detector]
    setup: str  # how to stand to the camera: the view the detector reads best
    counts_when: str  # when a rep counts, as the detector counts it


EXERCISES: dict[str, Exercise] = {e.name: e for e in (
    Exercise("heel-raise", "heel raises", HeelRaiseDetector,
             "Turn about 45 degrees to the camera, whole body in view, feet included: a single heel lifted with both "
             "feet down is seen best that way.",
             "Each rep counts when the heel is back down."),
    Exercise("ankle-rock", "ankle rocks", AnkleRockDetector,
             "Face the camera, whole body in view with both feet flat and shoulder-width apart.",
             "Each rep counts when both feet are flat again."),
    Exercise("ball-roll", "ball-of-foot rolls", BallRollDetector,
             "Face the camera or turn about 45 degrees, whole body in view; lift the heel and roll on the ball of the "
             "foot.",
             "Each rep counts when the heel is back in the middle."),
)}


def exercise(name: str) -> Exercise:
    try:
        return EXERCISES[name]
    except KeyError:
        raise ValueError(f"unknown exercise {name!r}; choose from {', '.join(EXERCISES)}") from None


def make_detector(name: str) -> Detector:
    return exercise(name).make_detector()


def exercise_title(name: str) -> str:
    """ "heel raises" for "heel-raise"; a name not in the registry (from an old history row) reads as its words."""
    return EXERCISES[name].title if name in EXERCISES else name.replace("-", " ")
