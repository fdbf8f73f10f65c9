"""Benchmarks (`make bench`): figures are printed, not asserted.

1. Frames per second of the whole `footform analyze` process against bare MediaPipe (decode + pose only) on the
   same clip in the same run; the goal is at least 0.9 of bare MediaPipe.
2. Per-frame cost of foot signals + detector, replayed from stored landmark traces; the goal is under 0.1 ms.
3. Peak memory of the `footform analyze` process.
4. `footform eval samples/` with 2 worker processes against 1 in the same run (the goal is at least 1.7 times as fast
   on 2 cores), and the peak memory with 2 workers: the whole process tree's, sampled, and the largest process's.
5. Recall on the real clips: `footform eval ../shared/realvids/labels.json`, its table (reps counted against the hand
   count per clip, false reps on the clips labelled 0).

6. The close-up toe checker: milliseconds a frame over the close-up samples (the goal: room for at least 20 frames a
   second on the live page), and how long finding the feet takes.

`python -m tests.bench [analyze] [eval] [recall] [closeup]` runs only those parts; the machine's load average is
printed first, as the figures depend on what else keeps the cores busy.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
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
    from routines.exercises import EXERCISES
    from routines.pipeline import Pipeline
    from vision.traces import load_trace

    samples = [s for trace in sorted(TRACES.glob("*.npz")) for s in load_trace(trace)]
    total, frames = 0.0, 0
    for exercise in EXERCISES:
        for _ in range(3):
            pipeline = Pipeline(exercise)
            start = time.perf_counter()
            for t, pose in samples:
                pipeline.feed(pose, t)
            total += time.perf_counter() - start
            frames += len(samples)
    return 1000 * total / frames, frames


@dataclass
class Run:
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    tree_peak_mb: float  # the process and its children together, the most seen at once (sampled)
    process_peak_mb: float  # the largest single process among them (getrusage's maxrss)
    cpu_seconds: float  # user + system time of the process and its children


def measured(command: list[str], every: float = 0.2) -> Run:
    """Run `command`, sampling the resident memory of it and its worker processes until it ends."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    output: dict = {}
    readers = [threading.Thread(target=lambda k, f: output.__setitem__(k, f.read()), args=(k, f))
               for k, f in (("out", process.stdout), ("err", process.stderr))]
    for reader in readers:
        reader.start()
    peak_kb = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak_kb = max(peak_kb, _tree_rss_kb(process.pid))
        time.sleep(every)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    return Run(seconds, process.returncode, output["out"], output["err"], peak_kb / 1024, usage.ru_maxrss / 1024,
               usage.ru_utime + usage.ru_stime)


def _tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and every process descended from it, from /proc."""
    parents, rss = {}, {}
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * page_kb
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return sum(rss.get(pid, 0) for pid in tree)


def footform_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "footform_cli", *args]


def eval_speedup() -> None:
    """`footform eval samples/` with 1 worker and with 2, in the same run."""
    clips = sorted(p for p in SAMPLES.glob("*.mp4") if p.with_suffix(".json").exists())
    if not clips:
        print("eval: no sample clips in samples/")
        return
    frames = sum(json.loads(p.with_suffix(".json").read_text())["frames"] for p in clips)
    for clip in clips:
        clip.read_bytes()  # the files in the page cache for both runs alike
    runs = {}
    for jobs in (1, 2):
        runs[jobs] = measured(footform_command("eval", str(SAMPLES), "--jobs", str(jobs), "--json"))
        run = runs[jobs]
        summary = json.loads(run.stdout)["summary"] if run.stdout else {}
        load = os.getloadavg()[0]
        print(f"footform eval samples/ --jobs {jobs}: {run.seconds:6.1f} s, {frames / run.seconds:5.1f} frames/s over "
              f"{len(clips)} clips ({frames} frames), {run.cpu_seconds:.0f} s of CPU, exact {summary.get('exact')} of "
              f"{summary.get('checks')}, exit {run.returncode}; load average {load:.2f} at the end"
              + (f", stderr: {run.stderr.strip()[:200]!r}" if run.stderr else ""))
    print(f"speed-up with 2 workers:          {runs[1].seconds / runs[2].seconds:5.2f} times as fast (goal >= 1.7)")
    print(f"peak memory with 2 workers:       {runs[2].tree_peak_mb:6.0f} MB the whole process tree (sampled every "
          f"0.2 s), {runs[2].process_peak_mb:.0f} MB the largest process; with 1 worker {runs[1].tree_peak_mb:.0f} MB")


def recall() -> None:
    """The detectors on the real clips against their hand counts."""
    labels = REALVIDS / "labels.json"
    if not labels.exists():
        print(f"recall: {labels} is absent")
        return
    run = measured(footform_command("eval", str(labels), "--clips", str(REALVIDS)))
    print(f"footform eval {labels} --clips {REALVIDS}: {run.seconds:.0f} s, exit {run.returncode}")
    print(run.stdout.rstrip())
    if run.stderr:
        print(f"stderr: {run.stderr.strip()}")


def analyze_speed() -> None:
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


def closeup_speed() -> None:
    """The close-up toe checker (find the feet once, then follow the toe bands): milliseconds a frame over every
    close-up sample, decoded beforehand, and the frames per second that leaves room for on one core."""
    from routines.pipeline import CloseupPipeline
    from vision.closeup import find_feet
    from vision.video import VideoFile

    finding, tracking, frames = [], 0.0, 0
    for path in sorted((SAMPLES / "closeup").glob("*.mp4")):
        truth = json.loads(path.with_suffix(".json").read_text())
        exercise = truth["exercise"] if truth["exercise"] in truth["counts"] else "toe-fan-lift"
        with VideoFile(path) as video:
            pictures = [(frame.image, frame.t) for frame in video]
        start = time.perf_counter()
        find_feet(pictures[0][0])
        finding.append(time.perf_counter() - start)
        pipeline = CloseupPipeline(exercise)
        start = time.perf_counter()
        for image, t in pictures:
            pipeline.process(image, t)
        tracking += time.perf_counter() - start
        frames += len(pictures)
    per_frame = 1000 * tracking / frames
    print(f"close-up toe checker per frame:  {per_frame:7.2f} ms over {frames} frames "
          f"(room for {1000 / per_frame:.0f} frames/s on one core; goal >= 20)")
    print(f"finding the feet (once a stream): {min(finding):.2f}-{max(finding):.2f} s")


PARTS = {"analyze": analyze_speed, "eval": eval_speedup, "recall": recall, "closeup": closeup_speed}


def main() -> None:
    parts = sys.argv[1:] or list(PARTS)
    unknown = set(parts) - set(PARTS)
    if unknown:
        sys.exit(f"unknown part {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average {load} (1, 5, 15 min)")
    for part in parts:
        PARTS[part]()


if __name__ == "__main__":
    main()
