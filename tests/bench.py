"""Benchmarks (`make bench`): figures are printed, not asserted.

1. Frames per second of the whole `footform analyze` process against bare MediaPipe (decode + pose only) on the
   same clip in the same run; the goal is at least 0.9 of bare MediaPipe.
2. Per-frame cost of foot signals + detector, replayed from stored landmark traces; the goal is under 0.1 ms.
3. Peak memory of the `footform analyze` process.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REALVIDS, SAMPLES, TRACES


def bench_clip() -> Path:
    for candidate in (REALVIDS / "home_calf_raises.mp4", *sorted(SAMPLES.glob("*.mp4"))):
        if candidate.exists():
            return candidate
    sys.exit("no clip to benchmark: neither ../shared/realvids nor samples/ has one")


def bare_mediapipe_fps(path: Path) -> tuple[float, int]:
    """Decode every frame with PyAV and run MediaPipe's pose on it, nothing else."""
    import av
    import mediapipe as mp

    pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)
    start = time.perf_counter()
    frames = 0
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            pose.process(frame.to_ndarray(format="rgb24"))
            frames += 1
    elapsed = time.perf_counter() - start
    pose.close()
    return frames / elapsed, frames


def footform_fps(path: Path) -> tuple[float, int, float]:
    """The whole `footform analyze` process, start-up included; returns fps, frames and peak memory in MB."""
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "footform_cli", "analyze", str(path), "--exercise", "heel-raise", "--json"],
        capture_output=True, text=True, check=True,
    )
    elapsed = time.perf_counter() - start
    frames = json.loads(run.stdout)["frames"]
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return frames / elapsed, frames, peak_kb / 1024


def detector_cost_ms() -> tuple[float, int]:
    """Foot signals + each detector, per frame, replayed from every stored trace."""
    from routines.pipeline import DETECTORS, Pipeline
    from vision.traces import load_trace

    samples = [s for trace in sorted(TRACES.glob("*.npz")) for s in load_trace(trace)]
    total, frames = 0.0, 0
    for exercise in DETECTORS:
        for _ in range(3):
            pipeline = Pipeline(exercise)
            start = time.perf_counter()
            for t, pose in samples:
                pipeline.feed(pose, t)
            total += time.perf_counter() - start
            frames += len(samples)
    return 1000 * total / frames, frames


def main() -> None:
    clip = bench_clip()
    print(f"clip: {clip}")
    os.environ.setdefault("GLOG_minloglevel", "2")
    ours, frames, peak_mb = footform_fps(clip)
    bare, bare_frames = bare_mediapipe_fps(clip)
    assert frames == bare_frames, (frames, bare_frames)
    per_frame, replayed = detector_cost_ms()
    print(f"bare MediaPipe (decode + pose):   {bare:6.1f} frames/s over {bare_frames} frames")
    print(f"footform analyze, whole process: {ours:6.1f} frames/s  ({ours / bare:.2f} of bare; goal >= 0.90)")
    print(f"signals + detector per frame:    {per_frame:7.4f} ms over {replayed} frames (goal < 0.1 ms)")
    print(f"peak memory of footform analyze: {peak_mb:6.0f} MB")


if __name__ == "__main__":
    main()
