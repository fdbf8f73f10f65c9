"""Analysing a recorded video: the live pipeline run over a file, one frame at a time."""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Callable, Sequence

from routines.detectors.events import RepEvent
from routines.exercises import exercise as exercise_entry
from routines.pipeline import FrameResult, Pipeline, annotate, make_pipeline
from vision.traces import load_trace
from vision.video import VideoFile, read_ahead
from vision.writer import VideoWriter

# Feet out of view for longer than this gets a warning of its own.
FEET_HIDDEN_WARNING_SECONDS = 1.0
NO_PERSON_WARNING_SHARE = 0.2  # warn when no person was found in more than this share of the frames


@dataclass
class Analysis:
    path: str
    exercise: str
    fps: float
    duration: float
    frames: int = 0
    frames_with_pose: int = 0  # frames where the person (or, close up, the feet) was found
    events: list[RepEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    signal: list[tuple[float, float]] = field(default_factory=list)  # (t, detector signal) for charts

    @property
    def reps(self) -> list[RepEvent]:
        return [e for e in self.events if e.complete]

    @property
    def partial_reps(self) -> list[RepEvent]:
        return [e for e in self.events if not e.complete]

    @property
    def per_side(self) -> dict:
        counts = {"left": 0, "right": 0, "both": 0}
        for event in self.reps:
            counts[event.side] += 1
        return counts

    def to_dict(self) -> dict:
        return {
            "file": self.path,
            "exercise": self.exercise,
            "reps": len(self.reps),
            "per_side": self.per_side,
            "partial_reps": len(self.partial_reps),
            "events": [e.to_dict() for e in self.events],
            "frames": self.frames,
            "frames_with_pose": self.frames_with_pose,
            "fps": round(self.fps, 3),
            "duration": round(self.duration, 3),
            "warnings": list(self.warnings),
        }


def analyze_video(
    path: str | os.PathLike,
    exercise: str,
    annotate_path: str | os.PathLike | None = None,
    progress: Callable[[float], None] | None = None,
) -> Analysis:
    """Count one exercise in a video file. Raises `VideoError` for a file that cannot be read.

    `progress` is called with the share of the clip done (0..1) as frames are read.
    """
    return analyze_clip(path, (exercise,), annotate_path, progress)[exercise]


def analyze_clip(
    path: str | os.PathLike,
    exercises: Sequence[str],
    annotate_path: str | os.PathLike | None = None,
    progress: Callable[[float], None] | None = None,
) -> dict[str, Analysis]:
    """Count several exercises in one video file, by exercise name: the clip is decoded and its poses estimated (or,
    close up, its feet followed) once, and every exercise's detector is fed the same. The annotated copy shows the
    first exercise.

    Toe exercises are read from a close-up of the feet, the others from the whole body: one clip is one view, so
    they cannot be mixed (ValueError)."""
    views = {exercise_entry(e).closeup for e in exercises}
    if len(views) > 1:
        raise ValueError("the toe exercises need a close-up of the feet and the others the whole body: "
                         "count them from separate clips")
    closeup = views == {True}
    pipelines = [make_pipeline(exercise) for exercise in exercises]
    lead = pipelines[0]  # estimates the poses (or follows the feet) and looks for other people; the others are fed it
    with VideoFile(path) as video:
        info = video.info
        tallies = [_Tally(Analysis(video.path, e, info.fps, info.duration)) for e in exercises]
        writer = VideoWriter(annotate_path, info.fps) if annotate_path else None
        frames = read_ahead(iter(video))
        try:
            for frame in frames:
                step = lead.process(frame.image, frame.t)
                tallies[0].add(step)
                seen = step.signals if closeup else step.pose  # the feet followed close up, or the pose
                for pipeline, tally in zip(pipelines[1:], tallies[1:]):
                    tally.add(pipeline.feed(seen, frame.t), step.several_people)
                if writer is not None:
                    writer.write(annotate(frame.image, step), frame.t)
                if progress is not None and info.duration > 0:
                    progress(min(1.0, frame.t / info.duration))
        finally:
            frames.close()  # stops the decoding thread before the file closes
            for pipeline in pipelines:
                pipeline.close()
            if writer is not None:
                writer.close()
    return {tally.result.exercise: tally.finish() for tally in tallies}


def analyze_trace(
    trace_path: str | os.PathLike,
    exercises: Sequence[str],
    clip_path: str | os.PathLike | None = None,
) -> dict[str, Analysis]:
    """`analyze_clip` over the poses stored by `footform trace`, without decoding or MediaPipe. A trace does not
    keep the pictures, so another person in view goes unnoticed. The results name `clip_path` when given."""
    samples = list(load_trace(trace_path))
    times = [t for t, _ in samples]
    fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0
    duration = times[-1] + 1 / fps if fps else 0.0
    name = os.fspath(clip_path if clip_path is not None else trace_path)
    pipelines = [Pipeline(exercise) for exercise in exercises]
    tallies = [_Tally(Analysis(name, e, fps, duration)) for e in exercises]
    for t, pose in samples:
        for pipeline, tally in zip(pipelines, tallies):
            tally.add(pipeline.feed(pose, t))
    return {tally.result.exercise: tally.finish() for tally in tallies}


class _Tally:
    """One exercise's results built up frame by frame."""

    def __init__(self, result: Analysis):
        self.result = result
        self._several_people = False
        self._hidden_seconds = 0.0
        self._last_t: float | None = None

    def add(self, step: FrameResult, several_people: bool | None = None) -> None:
        result = self.result
        result.frames += 1
        result.frames_with_pose += step.found
        result.events.extend(step.events)
        self._several_people = step.several_people if several_people is None else several_people
        result.signal.append((step.t, step.status.signal))
        if step.status.phase == "feet not visible" and self._last_t is not None:
            self._hidden_seconds += step.t - self._last_t
        self._last_t = step.t

    def finish(self) -> Analysis:
        result = self.result
        result.duration = max(result.duration, result.signal[-1][0] if result.signal else 0.0)
        result.warnings = _warnings(result, self._hidden_seconds)
        if self._several_people:
            result.warnings.append(
                "Several people were in view: footform followed the most prominent one; the counts are that person's."
            )
        return result


def _warnings(result: Analysis, hidden_seconds: float) -> list[str]:
    if exercise_entry(result.exercise).closeup:
        return _closeup_warnings(result)
    warnings = []
    if result.frames_with_pose == 0:
        return ["No person was found in the video: nothing was counted."]
    missing = result.frames - result.frames_with_pose
    if missing > NO_PERSON_WARNING_SHARE * result.frames:
        warnings.append(f"No person was found in {missing} of {result.frames} frames.")
    if hidden_seconds >= FEET_HIDDEN_WARNING_SECONDS:
        warnings.append(f"The feet were out of view or hidden for {hidden_seconds:.1f} s: reps there were not counted.")
    calibrated = any(not math.isnan(v) for _, v in result.signal)
    if not calibrated:
        warnings.append(
            "The person's feet were never seen planted on the floor (standing in one place for half a second), "
            "so nothing could be counted."
        )
    return warnings


def _closeup_warnings(result: Analysis) -> list[str]:
    if result.frames_with_pose == 0:
        return ["The feet were not found: the toe exercises need a close-up of both bare feet, the camera on the "
                "floor about half a metre in front of the toes. Nothing was counted."]
    missing = result.frames - result.frames_with_pose
    if missing > NO_PERSON_WARNING_SHARE * result.frames:
        return [f"The feet were not found (or the camera was moving) in {missing} of {result.frames} frames: "
                "reps there were not counted."]
    return []
