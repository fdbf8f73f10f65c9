"""Analysing a recorded video: the live pipeline run over a file, one frame at a time."""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Callable

from routines.events import RepEvent
from routines.pipeline import Pipeline, annotate
from vision.video import VideoFile, read_ahead
from vision.writer import VideoWriter

# Feet out of view for longer than this gets a warning of its own.
FEET_HIDDEN_WARNING_SECONDS = 1.0


@dataclass
class Analysis:
    path: str
    exercise: str
    fps: float
    duration: float
    frames: int = 0
    frames_with_pose: int = 0
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
    pipeline = Pipeline(exercise)
    with VideoFile(path) as video:
        info = video.info
        result = Analysis(video.path, exercise, info.fps, info.duration)
        writer = VideoWriter(annotate_path, info.fps) if annotate_path else None
        several_people = False
        hidden_seconds = 0.0
        last_t = None
        frames = read_ahead(iter(video))
        try:
            for frame in frames:
                step = pipeline.process(frame.image, frame.t)
                result.frames += 1
                result.frames_with_pose += step.pose is not None
                result.events.extend(step.events)
                several_people = step.several_people
                result.signal.append((frame.t, step.status.signal))
                if step.status.phase == "feet not visible" and last_t is not None:
                    hidden_seconds += frame.t - last_t
                last_t = frame.t
                if writer is not None:
                    writer.write(annotate(frame.image, step), frame.t)
                if progress is not None and info.duration > 0:
                    progress(min(1.0, frame.t / info.duration))
        finally:
            frames.close()  # stops the decoding thread before the file closes
            pipeline.close()
            if writer is not None:
                writer.close()
    result.duration = max(result.duration, result.signal[-1][0] if result.signal else 0.0)
    result.warnings = _warnings(result, hidden_seconds)
    if several_people:
        result.warnings.append(
            "Several people were in view: footform followed the most prominent one; the counts are that person's."
        )
    return result


def _warnings(result: Analysis, hidden_seconds: float) -> list[str]:
    warnings = []
    if result.frames_with_pose == 0:
        return ["No person was found in the video: nothing was counted."]
    missing = result.frames - result.frames_with_pose
    if missing > 0.2 * result.frames:
        warnings.append(f"No person was found in {missing} of {result.frames} frames.")
    if hidden_seconds >= FEET_HIDDEN_WARNING_SECONDS:
        warnings.append(f"The feet were out of view or hidden for {hidden_seconds:.1f} s: reps there were not counted.")
    calibrated = any(not math.isnan(v) for _, v in result.signal)
    if not calibrated:
        warnings.append(
            "The person never stood still with both feet flat and in view, so nothing could be counted: "
            "start the clip with a still moment."
        )
    return warnings
