"""Live benchmark (`make bench`, after tests.bench): figures are printed, not asserted.

A heel-raise sample plays once through Chromium's fake camera (640x480, the clip's own frame rate) into the live
practice page, with the server's frame callback timed by the test-only probe (tests/e2e/serverside).

1. Frames per second processed in the frame callback (pose + detector + drawing) while the clip plays, and the
   cost of one frame; the goal is at least 20 frames/s, i.e. under about 40 ms a frame on this 2-core machine.
   The browser shares the machine, as it does for a user: its camera, video codecs and page run beside the server.
2. Delay from the end of each rep in the clip (ground truth) to the page's counter showing it; the goal is under
   0.5 s. Split into the server's part (until the callback has counted it) and the page's part (the script's poll
   and the browser's update).

Both are measured twice: on the machine as it is, then with a CPU hog beside them (a busy loop pinned to one core,
tests/e2e/harness.py CpuHog), as `make e2e-load` runs the browser tests.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path

from tests.e2e.harness import (HEEL_RAISE_STEMS, CpuHog, LiveServer, backlog, missing_chromium, pick_sample,
                               play_clip)


def _machine_busy_seconds() -> float:
    """CPU time all cores have spent busy since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def _browser_cpu_seconds(camera_folder: str) -> float:
    """CPU time used so far by the browser whose camera file is in `camera_folder`, and by every process it started
    (renderer, GPU, utility)."""
    stats, family = {}, set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            stats[pid] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # parent, CPU ticks
            if f"--use-file-for-fake-video-capture={camera_folder}".encode() in (stat.parent / "cmdline").read_bytes():
                family.add(pid)
        except (OSError, IndexError, ValueError):
            continue
    for _ in range(4):  # the browser's children and theirs (zygotes start the renderers)
        family |= {pid for pid, (parent, _) in stats.items() if parent in family}
    return sum(stats[pid][1] for pid in family if pid in stats) / os.sysconf("SC_CLK_TCK")


class CpuSampler(threading.Thread):
    """(wall clock, server, browser and whole-machine CPU seconds) twice a second: who used the cores."""

    def __init__(self, server: LiveServer, camera_folder: Path):
        super().__init__(daemon=True)
        self.server, self.camera_folder = server, str(camera_folder)
        self.samples, self.done = [], threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.samples.append((time.time(), self.server.cpu_seconds(), _browser_cpu_seconds(self.camera_folder),
                                 _machine_busy_seconds()))

    def shares(self, start: float, end: float) -> tuple[float, float, float]:
        """Server, browser and whole-machine CPU use between two wall-clock times, in cores."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return float("nan"), float("nan"), float("nan")
        first, last = inside[0], inside[-1]
        span = last[0] - first[0]
        return tuple((b - a) / span for a, b in zip(first[1:], last[1:]))


def _first_at_least(times_values, k: int) -> float | None:
    return next((t for t, value in times_values if value >= k), None)


def report(run, frames, cpu: CpuSampler) -> None:
    clip_from = run.capture_start + run.camera.clip_start
    clip_to = run.capture_start + run.camera.clip_end
    during = [f for f in frames if clip_from <= f[0] <= clip_to]
    costs = sorted(f[1] for f in during)
    print(f"sample: {run.sample.stem} ({run.sample.truth.get('width')}x{run.sample.truth.get('height')}, played by "
          f"the camera at 640x480, {float(run.camera.fps):g} frames/s), START clicks: {run.attempts}")
    if len(during) > 1:
        fps = (len(during) - 1) / (during[-1][0] - during[0][0])
        print(f"frame callback: {fps:.1f} frames/s processed while the clip played (goal: at least 20); "
              f"per frame {statistics.median(costs):.1f} ms median, {costs[int(0.9 * (len(costs) - 1))]:.1f} ms "
              f"90th percentile (goal: under 40 ms)")
        print(f"first frame of the stream (opens the pose model): {frames[0][1]:.0f} ms")
        print(f"frames reached the callback up to {backlog(during):.2f} s later than the promptest one (a backlog "
              f"in the server's decoding and relaying)")
        server, browser, machine = cpu.shares(clip_from, clip_to)
        print(f"CPU while the clip played, in cores: server {server:.2f}, browser {browser:.2f}, anything else "
              f"{machine - server - browser:.2f}; the machine has {os.cpu_count()}")
    video = (run.video_after["frames"] - run.video_start["frames"]) / (run.video_after["at"] - run.video_start["at"])
    print(f"annotated video shown in the page: {video:.1f} frames/s")

    ends = run.sample.rep_ends(run.exercise)
    if not ends:
        print("rep-to-counter delay: the sample's ground truth gives no rep end times")
        return
    server_counts = [(f[0] + f[1] / 1000, f[2]) for f in frames]
    delays, page_parts = [], []
    for k, end in enumerate(ends, start=1):
        at = clip_from + end
        counted, shown = _first_at_least(server_counts, k), _first_at_least(run.counter_changes, k)
        if shown is None:
            print(f"  rep {k} (ends {end:.2f} s into the clip): never shown")
            continue
        delays.append(shown - at)
        if counted is not None:
            page_parts.append(shown - counted)
        server = f"{counted - at:+.2f} s" if counted is not None else "?"
        print(f"  rep {k} (ends {end:.2f} s into the clip): shown after {shown - at:+.2f} s "
              f"(counted by the server after {server})")
    if delays:
        print(f"rep-to-counter delay: median {statistics.median(delays):.2f} s, worst {max(delays):.2f} s "
              f"(goal: under 0.5 s); counter {run.counter}, ground truth {run.sample.count(run.exercise)}")
        # The detector counts a rep as the heel comes down through its low threshold, which can be before the
        # clip's rep end (heel flat): the server's part can be negative. The page's part is pure delivery.
        if page_parts:
            print(f"  of which the page's part (from the server's count to the counter on screen): median "
                  f"{statistics.median(page_parts):.2f} s, worst {max(page_parts):.2f} s")


def main() -> None:
    reason = missing_chromium()
    if reason:
        sys.exit(f"live benchmark skipped: {reason}")
    sample = pick_sample(("heel-raise",), prefer=HEEL_RAISE_STEMS)
    if sample is None:
        sys.exit("live benchmark skipped: samples/ has no heel-raise clip with its ground truth")
    from playwright.sync_api import sync_playwright

    for first, hog in ((True, nullcontext()), (False, CpuHog())):
        with hog, tempfile.TemporaryDirectory(prefix="footform-bench-") as folder:
            print("\n" + ("live, on the machine as it is:" if first else f"live, with a CPU hog ({hog.where}):"))
            folder = Path(folder)
            probe = folder / "frames.txt"
            with LiveServer(db=folder / "history.sqlite3", log=folder / "server.log", probe=probe) as server, \
                    sync_playwright() as playwright:
                cpu = CpuSampler(server, folder)
                cpu.start()
                run = play_clip(playwright, server, sample, "heel-raise", folder)
                cpu.done.set()
                report(run, server.frames(), cpu)
                for error in server.errors():
                    print(f"server error: {error}")


if __name__ == "__main__":
    main()
