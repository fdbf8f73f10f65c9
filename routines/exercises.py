"""The exercises the camera counts: `EXERCISES` from the pose model at full-body framing, `CLOSEUP_EXERCISES` (the
toes) from a camera close to the feet. Everything that lists them (the command line's choices, the routine file's
check, titles, set-up advice, the tests) reads this registry: a new exercise is its detector in `routines/detectors/`
and one entry here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from routines.detectors.events import Detector
from routines.detectors.heel_raise import HeelRaiseDetector
from routines.detectors.swings import AnkleRockDetector, BallRollDetector
from routines.detectors.toes import GreatToeDownDetector, ToeGripDetector, ToeLiftDetector, ToeSpreadDetector


@dataclass(frozen=True)
class Exercise:
    name: str  # as on the command line and in routine.json
    title: str  # in a sentence: "3 heel raises"
    make_detector: Callable[[], Detector]
    setup: str  # how to stand to the camera: the view the detector reads best
    counts_when: str  # when a rep counts, as the detector counts it
    closeup: bool = False  # read from a camera close to the feet (`vision.closeup`), not from the pose model


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


CLOSEUP_SETUP = ("Put the laptop (or its camera) on the floor, tilted down at your feet, about half a metre in front "
                 "of your toes: both bare feet in view, toes towards the camera, nothing else moving in the picture.")

# The toe exercises: seen with a camera close to the feet, where the toes are tens of pixels across.
CLOSEUP_EXERCISES: dict[str, Exercise] = {e.name: e for e in (
    Exercise("toe-fan-lift", "toe lifts", ToeLiftDetector, CLOSEUP_SETUP,
             "Each rep counts when the toes are back on the floor.", closeup=True),
    Exercise("toe-fan-spread", "toe spreads", ToeSpreadDetector, CLOSEUP_SETUP,
             "Each rep counts when the toes are relaxed again.", closeup=True),
    Exercise("great-toe-down-big", "big-toe presses", lambda: GreatToeDownDetector("big"), CLOSEUP_SETUP,
             "With all toes up, each rep counts when the big toes are up again.", closeup=True),
    Exercise("great-toe-down-little", "little-toe presses", lambda: GreatToeDownDetector("little"), CLOSEUP_SETUP,
             "With all toes up, each rep counts when the little toes are up again.", closeup=True),
    Exercise("great-toe-down-alternate", "alternating toe presses", lambda: GreatToeDownDetector("alternate"),
             CLOSEUP_SETUP, "Each switch between big toes down and little toes down is a rep.", closeup=True),
    Exercise("toe-grip", "toe grips", ToeGripDetector, CLOSEUP_SETUP,
             "Each rep counts when the toes are released.", closeup=True),
)}

# Every exercise footform counts, full-body and close-up: what the command line and the routine file accept.
ALL_EXERCISES: dict[str, Exercise] = {**EXERCISES, **CLOSEUP_EXERCISES}


def exercise(name: str) -> Exercise:
    try:
        return ALL_EXERCISES[name]
    except KeyError:
        raise ValueError(f"unknown exercise {name!r}; choose from {', '.join(ALL_EXERCISES)}") from None


def make_detector(name: str) -> Detector:
    return exercise(name).make_detector()


def exercise_title(name: str) -> str:
    """ "heel raises" for "heel-raise"; a name not in the registry (from an old history row) reads as its words."""
    return ALL_EXERCISES[name].title if name in ALL_EXERCISES else name.replace("-", " ")
