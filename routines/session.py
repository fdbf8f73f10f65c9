"""Following the routine step by step.

`RoutineSession` knows the steps of the routine and what has been done: it takes the detector's rep events for
camera-checked steps (counting only reps on the step's side, and saying so), confirmations for guided steps, and
pause, skip and stop. It knows nothing of Streamlit; `appviews.live_practice` feeds it from a camera stream.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from routines.detectors.events import RepEvent
from routines.history import HistoryStore
from routines.routine import Routine, Step

# Step states as stored in the history.
PENDING, ACTIVE, DONE, SKIPPED, STOPPED = "pending", "active", "done", "skipped", "stopped"


def wrong_side_cue(got: str, want: str) -> str:
    if want == "both":
        return "use both feet together for this set"
    if got == "both":
        return f"that was both feet; this set is for the {want} foot only"
    return f"that was the {got} foot; this set is for the {want}"


class RepOutcome(NamedTuple):
    """What became of a rep in the routine."""

    counted: bool  # toward the step's prescribed reps
    cue: str  # to give the person ("" for none): a form note, or the wrong foot


@dataclass
class StepProgress:
    step: Step
    exercise: str | None = None  # the detector that counts the step in this session's view, None for a guided step
    done: int = 0
    status: str = PENDING
    wrong_side: int = 0
    partial: int = 0
    notes: Counter = field(default_factory=Counter)  # form note -> how often it came up
    row_id: int | None = None  # the step's row in the history

    @property
    def counted_by_camera(self) -> bool:
        return self.exercise is not None

    def note_texts(self) -> list[str]:
        return [f"{note} ({n}x)" if n > 1 else note for note, n in self.notes.items()]


class RoutineSession:
    """One run through the routine. Thread-safe: a stream's worker adds reps while the page confirms or skips.

    >>> session = RoutineSession(load_routine(), store, closeup_view=True)  # the camera counts the toe steps too
    >>> session.start()
    >>> session.confirm()               # a guided step: the person taps "done"
    >>> session.add_event(rep_event)    # a camera step: RepOutcome(counted, cue)
    >>> session.summary()
    """

    def __init__(self, routine: Routine, store: HistoryStore | None = None, closeup_view: bool = False):
        self.routine = routine
        # The camera is close to the feet for the toe steps: their close-up detectors count them.
        self.closeup_view = closeup_view
        self.steps = [StepProgress(step, step.checked_by(closeup_view)) for step in routine.steps]
        self.index = 0
        self.paused = False
        self.started = False
        self.finished = False
        self.session_id: int | None = None
        self._store = store
        self._lock = threading.RLock()

    @property
    def current(self) -> StepProgress | None:
        with self._lock:
            return None if self.finished or not self.started else self.steps[self.index]

    @property
    def camera_exercise(self) -> str | None:
        """The detector the stream should run now, or None when no camera-counted step is under way."""
        with self._lock:
            current = self.current
            return current.exercise if current is not None else None

    def start(self) -> None:
        with self._lock:
            if self.started:
                return
            if self._store is not None:
                self.session_id = self._store.start_session("routine", self.routine.name)
                for position, progress in enumerate(self.steps):
                    step = progress.step
                    progress.row_id = self._store.add_step(
                        self.session_id, position=position, step_key=step.id, title=step.title,
                        exercise=progress.exercise, side=step.side, prescribed=step.reps,
                        camera_checked=progress.counted_by_camera,
                    )
            self.started = True
            self._activate(0)

    def add_event(self, event: RepEvent) -> RepOutcome:
        """A rep from the detector: whether it counted toward the step, and the cue to give the person."""
        with self._lock:
            current = self.current
            if (current is None or self.paused or not current.counted_by_camera
                    or event.exercise != current.exercise):
                return RepOutcome(False, "")
            counts = event.complete and event.side == current.step.side
            current.notes.update(event.cues)
            cue = event.cues[0] if event.cues else ""
            if counts:
                current.done += 1
            elif event.complete:
                current.wrong_side += 1
                cue = wrong_side_cue(event.side, current.step.side)
                current.notes[cue] += 1
            else:
                current.partial += 1
            if self._store is not None:
                self._store.add_rep(self.session_id, event, current.row_id, counted=counts)
            if current.done >= current.step.reps:
                self._finish_step(DONE)
            else:
                self._save(current)
            return RepOutcome(counts, cue)

    def confirm(self, done: int | None = None) -> None:
        """The person confirms a step the camera does not count (by default: all its prescribed reps)."""
        with self._lock:
            current = self.current
            if current is None or current.counted_by_camera:
                return
            current.done = current.step.reps if done is None else max(0, min(int(done), current.step.reps))
            self._finish_step(DONE)

    def skip(self) -> None:
        with self._lock:
            if self.current is not None:
                self._finish_step(SKIPPED)

    def pause(self) -> None:
        with self._lock:
            self.paused = True

    def resume(self) -> None:
        with self._lock:
            self.paused = False

    def stop(self) -> None:
        """End the routine here; what was done so far is kept."""
        with self._lock:
            current = self.current
            if current is not None:
                current.status = STOPPED
                self._save(current)
            self._end()

    def summary(self) -> list[dict]:
        """Done vs prescribed per step, with the form notes."""
        with self._lock:
            return [
                {
                    "step": p.step.title,
                    "checked by": "camera" if p.counted_by_camera else "you (guided)",
                    "prescribed": p.step.reps,
                    "done": p.done,
                    "status": "not reached" if p.status == PENDING else p.status,
                    "form notes": "; ".join(p.note_texts()),
                }
                for p in self.steps
            ]

    def _activate(self, index: int) -> None:
        self.index = index
        self.paused = False
        progress = self.steps[index]
        progress.status = ACTIVE
        self._save(progress)

    def _finish_step(self, status: str) -> None:
        current = self.steps[self.index]
        current.status = status
        self._save(current)
        if self.index + 1 < len(self.steps):
            self._activate(self.index + 1)
        else:
            self._end()

    def _end(self) -> None:
        self.finished = True
        if self._store is not None and self.session_id is not None:
            self._store.end_session(self.session_id)

    def _save(self, progress: StepProgress) -> None:
        if self._store is not None and progress.row_id is not None:
            self._store.update_step(progress.row_id, progress.done, progress.status, progress.note_texts())


# Live streams
