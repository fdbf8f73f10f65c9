"""The live state shared between a camera stream and the page.

`LivePractice` is fed one camera frame at a time by the stream's worker thread and hands counts, cues and sounds to
the page, which only reads it; in routine mode it hands each rep to a `RoutineSession`. It knows nothing of Streamlit.
"""
from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable

import numpy as np

from routines.detectors.events import DetectorStatus
from routines.exercises import EXERCISES, exercise_title
from routines.history import HistoryStore
from routines.pipeline import FrameResult, Pipeline, annotate, make_pipeline
from routines.session import ACTIVE, DONE, RoutineSession

LOG = logging.getLogger(__name__)

# A gap between two frames' timestamps outside (0, this) is a clock jump (a new connection, an RTP timestamp
# wrapping round), not elapsed time: the wall clock stands in for that one step.
MAX_FRAME_GAP_SECONDS = 2.0
# The browser's video encoder starts every connection at its lowest bitrate, so the first picture of a stream is
# coarse (27-32 dB PSNR against 36-47 dB for every picture after it, measured in the browser tests), and MediaPipe's
# landmark smoothing keeps a still person's landmarks near their first reading for a second or two: long enough to
# skew the flat stance the detector takes at the start (an ankle-rock clip counted 1 of 4 live, 4 of 4 with that one
# picture left out). The frames of a stream's first moments are shown but not counted; the pose models load meanwhile.
STREAM_SETTLE_SECONDS = 0.5
# The same spoken cue or guidance is not repeated within this time, so the voice does not nag.
SPEAK_COOLDOWN_SECONDS = 8.0
# Guidance (step back, stand still...) is spoken only once it has held this long, not on every flicker.
GUIDANCE_HOLD_SECONDS = 1.5


class StreamClock:
    """Stream time in seconds from the first frame, from the frames' own timestamps, never going back."""

    def __init__(self, wall: Callable[[], float] = time.monotonic):
        self._wall = wall
        self._t = 0.0
        self._last_frame: float | None = None
        self._last_wall: float | None = None

    def __call__(self, frame_time: float | None) -> float:
        now = self._wall()
        if self._last_wall is not None:
            dt = None
            if frame_time is not None and self._last_frame is not None:
                dt = frame_time - self._last_frame
            if dt is None or not 0.0 < dt < MAX_FRAME_GAP_SECONDS:
                dt = max(now - self._last_wall, 1e-3)
            self._t += dt
        self._last_frame, self._last_wall = frame_time, now
        return self._t


@dataclass(frozen=True)
class LiveSnapshot:
    """What the page shows while a stream runs; copied out under the lock."""

    streaming: bool
    count: int  # complete reps of the set so far (free practice), over all its streams
    per_side: dict
    phase: str
    message: str
    cue: str
    frames: int  # frames of the stream under way (0 between streams)
    last_frame_age: float  # seconds since the last frame arrived (inf before the first)
    ticks: int  # counted reps so far, for the page's tick sound
    speech: tuple[int, str]  # (serial, text): the latest thing to say
    session_id: int | None  # the history session of the set (free practice)
    error: str
    sets: tuple[int, ...]  # reps of the sets already ended in this browser session (free practice)
    set_open: bool = False  # a set is under way: the next stream carries on counting in it
    streams: int = 0  # streams (camera connections) the set has had so far


class LivePractice:
    """The live state of one browser session: its camera stream's pipeline, counts, cues and history writes.

    The stream's worker thread calls `process` for each frame; the page calls `snapshot`, `arm`, `end_stream` and
    `end_set`. A stream starts at the first frame after `arm()` and ends with `end_stream()`. A set runs across
    one stream or several: a stream that ends, because STOP was pressed or because the connection dropped, leaves
    its set open with its reps, and the next stream carries on counting in it; `end_set()` ends it. In free
    practice each set is one history session, closed whenever no stream runs and taken up again when the next
    stream opens, and every rep is written the moment it is counted. Each stream gets a fresh pipeline (a new
    connection's first pictures are coarse, and the person may have moved meanwhile); the set's clock runs on in
    wall-clock time across the gap. Frames of a stream's first `settle_seconds` are passed through uncounted (see
    STREAM_SETTLE_SECONDS); frames read from a file have no such start and are counted from the first with
    `settle_seconds=0`.
    """

    def __init__(self, store: HistoryStore | None, exercise: str | None = None,
                 routine: RoutineSession | None = None, pipeline_factory: Callable[[str], Pipeline] = make_pipeline,
                 wall: Callable[[], float] = time.monotonic, settle_seconds: float = STREAM_SETTLE_SECONDS):
        if (exercise is None) == (routine is None):
            raise ValueError("give either an exercise (free practice) or a routine session")
        self.exercise = exercise
        self.routine = routine
        self._store = store
        self._make_pipeline = pipeline_factory
        self._wall = wall
        self._settle = settle_seconds
        self._work = threading.Lock()  # held while a frame is processed and while a stream opens or closes
        self._state = threading.Lock()  # guards the fields the page reads
        self._armed = False
        self._opened = 0  # streams opened so far
        self._pipeline: Pipeline | None = None
        self._stream_began: float | None = None  # the set's time at the stream's first frame
        self._status: DetectorStatus | None = None
        self._frames = 0
        self._last_frame_wall = -math.inf
        self._ticks = 0
        self._speech = (0, "")
        self._spoken: dict[str, float] = {}
        self._guidance_since: tuple[str, float] | None = None
        self._cue = ""
        self._error = ""
        self._sets: list[int] = []
        self._new_set()

    def _new_set(self) -> None:
        self._set_open = False
        self._set_streams = 0
        self._clock: StreamClock | None = None
        self._session_id: int | None = None
        self._step_row: int | None = None
        self._carried = Counter()  # reps per side counted by the set's earlier streams
        self._carried_count = 0

    # Called by the page

    def arm(self) -> None:
        """The page saw the camera start: the next frame opens a stream."""
        with self._state:
            self._armed = True

    @property
    def stream_number(self) -> int:
        """The number of the stream under way, or of the next one when none is open."""
        with self._state:
            return self._opened + (self._pipeline is None)

    def end_stream(self, number: int | None = None) -> None:
        """The camera stopped (STOP, a dropped connection, the page left): close the stream, keep the set open.

        With `number`, only that stream is closed: a worker that ends late must not close its successor."""
        with self._work:
            with self._state:
                if number is not None and number != self._opened:
                    return
                self._armed = False
                if self._pipeline is None:
                    return
                status = self._status
                if status is not None:
                    self._carried_count += status.count
                    self._carried.update(status.per_side)
                self._status = None
                self._frames = 0
                count = self._carried_count
            pipeline, self._pipeline = self._pipeline, None
            pipeline.close()
            if self._store is not None and self._session_id is not None:
                self._store.update_step(self._step_row, count, DONE)
                self._store.end_session(self._session_id)

    def end_set(self) -> None:
        """End the set (a new set, another exercise, the page left): the next stream starts a new one from 0."""
        self.end_stream()
        with self._work, self._state:
            if self._set_open and self.exercise is not None:
                self._sets.append(self._carried_count)
            self._new_set()
            self._cue = ""
            self._error = ""

    @property
    def streaming(self) -> bool:
        with self._state:
            return self._pipeline is not None

    def snapshot(self) -> LiveSnapshot:
        with self._state:
            status = self._status
            per_side = Counter(self._carried)
            if status is not None:
                per_side.update(status.per_side)
            return LiveSnapshot(
                streaming=self._pipeline is not None,
                count=self._carried_count + (status.count if status else 0),
                per_side=dict(per_side),
                phase=status.phase if status else "no person",
                message=status.message if status else "",
                cue=self._cue,
                frames=self._frames,
                last_frame_age=self._wall() - self._last_frame_wall,
                ticks=self._ticks,
                speech=self._speech,
                session_id=self._session_id,
                error=self._error,
                sets=tuple(self._sets),
                set_open=self._set_open,
                streams=self._set_streams,
            )

    # Called by the stream's worker thread

    def process(self, image: np.ndarray, frame_time: float | None) -> np.ndarray:
        """Count on one RGB frame and return it annotated (drawn in place)."""
        with self._work:
            with self._state:
                self._last_frame_wall = self._wall()
                if self._pipeline is None and not self._armed:
                    return image  # a late frame of a stream already ended
            try:
                if self._pipeline is None:
                    self._open(image)
                return self._step(image, frame_time)
            except Exception as error:
                # Raising here would end streamlit-webrtc's worker thread and freeze the video with no word on the
                # page: log the bug once, show it on the page, and pass the frame through.
                with self._state:
                    first = not self._error
                    self._error = f"{type(error).__name__}: {error}"
                if first:
                    LOG.exception("live frame processing failed")
                return image

    def _open(self, image: np.ndarray) -> None:
        exercise = self.exercise or self.routine.camera_exercise or next(iter(EXERCISES))
        pipeline = self._make_pipeline(exercise)
        # Loading the models takes 0.3-2 s; on the first frame it falls within the settling time, not after it.
        pipeline.warm_up(*image.shape[:2])
        session_id, step_row = self._session_id, self._step_row
        if self._store is not None and self.exercise is not None:
            if session_id is None:
                title = exercise_title(self.exercise).capitalize()
                session_id = self._store.start_session("free", title)
                step_row = self._store.add_step(session_id, position=0, step_key=self.exercise, title=title,
                                                exercise=self.exercise, side="both", prescribed=None,
                                                camera_checked=True, status=ACTIVE)
            else:  # the set carries on after a stream that ended
                self._store.reopen_session(session_id)
                self._store.update_step(step_row, self._carried_count, ACTIVE)
        with self._state:
            self._opened += 1
            self._pipeline = pipeline
            if self._clock is None:
                self._clock = StreamClock(self._wall)
            self._stream_began = None
            self._set_open = True
            self._set_streams += 1
            self._session_id = session_id
            self._step_row = step_row
            self._status = None
            self._frames = 0
            self._cue = ""
            self._error = ""
            self._guidance_since = None

    def _step(self, image: np.ndarray, frame_time: float | None) -> np.ndarray:
        pipeline = self._pipeline
        if self.routine is not None:
            wanted = self.routine.camera_exercise
            if wanted is not None and wanted != pipeline.exercise:
                if pipeline.handles(wanted):
                    pipeline.set_exercise(wanted)
                else:
                    # The routine moved between a toe step seen close up and a full-body step: another kind of
                    # pipeline counts it.
                    pipeline = self._switch_pipeline(wanted, image)
        t = self._clock(frame_time)
        if self._stream_began is None:
            self._stream_began = t
        if t - self._stream_began < self._settle:
            with self._state:
                self._frames += 1
            return image
        result = pipeline.process(image, t)
        cues = []
        counted = 0
        for event in result.events:
            if self.routine is not None:
                outcome = self.routine.add_event(event)
                cues.append(outcome.cue)
                counted += outcome.counted
            else:
                if self._store is not None:
                    self._store.add_rep(self._session_id, event, self._step_row)
                    if event.complete:
                        self._store.update_step(self._step_row, self._carried_count + pipeline.detector.count,
                                                ACTIVE)
                counted += event.complete
                cues.append(event.cues[0] if event.cues else "")
        cue = next((c for c in reversed(cues) if c), "")
        with self._state:
            self._status = result.status
            self._frames += 1
            self._ticks += counted
            if cue:
                self._cue = cue
                self._say(cue, t)
            elif counted:
                self._cue = ""  # a clean rep clears the last form cue from the screen
            self._guidance(result.status.message, t)
        return self._draw(image, result)

    def _switch_pipeline(self, exercise: str, image: np.ndarray) -> Pipeline:
        fresh = self._make_pipeline(exercise)
        fresh.warm_up(*image.shape[:2])
        with self._state:
            old, self._pipeline = self._pipeline, fresh
            self._status = None
        old.close()
        return fresh

    def _draw(self, image: np.ndarray, result: FrameResult) -> np.ndarray:
        status = dataclasses.replace(result.status, cue=self._cue)
        if self.routine is None:
            if self._carried_count:  # the set's reps from its earlier streams, as the page counts them
                per_side = Counter(self._carried)
                per_side.update(status.per_side)
                status = dataclasses.replace(status, count=self._carried_count + status.count, per_side=dict(per_side))
            return annotate(image, dataclasses.replace(result, status=status))
        current = self.routine.current
        if current is None or not current.counted_by_camera:
            return annotate(image, dataclasses.replace(result, status=dataclasses.replace(status, message="")))
        # The counter shows the step's own count: reps on the wrong foot do not count toward it.
        step = current.step
        per_side = dict(status.per_side, **{step.side: current.done})
        status = dataclasses.replace(status, count=current.done, per_side=per_side)
        side = step.side if step.side in ("left", "right") else None
        return annotate(image, dataclasses.replace(result, status=status), target=step.reps, side=side)

    def _guidance(self, message: str, t: float) -> None:
        if not message:
            self._guidance_since = None
            return
        if self._guidance_since is None or self._guidance_since[0] != message:
            self._guidance_since = (message, t)
        elif t - self._guidance_since[1] >= GUIDANCE_HOLD_SECONDS:
            self._say(message, t)

    def _say(self, text: str, t: float) -> None:
        last = self._spoken.get(text)
        if last is not None and t - last < SPEAK_COOLDOWN_SECONDS and t >= last:
            return
        self._spoken[text] = t
        self._speech = (self._speech[0] + 1, text)
