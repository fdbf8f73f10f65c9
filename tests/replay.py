"""Replaying stored landmark traces through the foot signals and a detector, as the live pipeline would."""
from __future__ import annotations

from routines.events import RepEvent
from routines.pipeline import Pipeline
from vision.traces import load_trace


def replay(trace_path, exercise: str) -> tuple[list[RepEvent], Pipeline]:
    pipeline = Pipeline(exercise)
    events: list[RepEvent] = []
    for t, pose in load_trace(trace_path):
        events.extend(pipeline.feed(pose, t).events)
    return events, pipeline
