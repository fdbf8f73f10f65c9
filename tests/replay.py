"""Replaying stored landmark traces through the foot signals and a detector, as the live pipeline would."""
from __future__ import annotations

from pathlib import Path

from routines.analysis import analyze_trace
from routines.detectors.events import RepEvent
from routines.pipeline import Pipeline
from tests.conftest import REALVIDS, TRACES
from vision.traces import load_trace
from vision.video import VideoFile


def replay(trace_path, exercise: str) -> tuple[list[RepEvent], Pipeline]:
    pipeline = Pipeline(exercise)
    events: list[RepEvent] = []
    for t, pose in load_trace(trace_path):
        events.extend(pipeline.feed(pose, t).events)
    return events, pipeline


def trace_of(clip_path) -> Path:
    """The stored trace of a sample clip or a real clip (`make traces` records them)."""
    clip = Path(clip_path)
    prefix = "real_" if clip.parent.resolve() == REALVIDS.resolve() else "sample_"
    return TRACES / f"{prefix}{clip.stem}.npz"


def trace_source(clip_path, exercises, progress=None) -> dict:
    """What `analyze_clip` gives for a clip, with its poses read from the clip's stored trace instead of MediaPipe:
    a source for `footform eval`'s function (`evaluate(..., source=trace_source)`). The clip itself is opened
    first, so a file that cannot be read is reported as `analyze_clip` reports it."""
    VideoFile(clip_path).close()  # raises VideoError for a missing, empty or broken file
    return analyze_trace(trace_of(clip_path), exercises, clip_path)
