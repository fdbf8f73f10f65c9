"""Soak run (`make soak`, not part of `make test`): ten minutes of live streaming through the practice page.

A heel-raise sample loops in Chromium's fake camera (as a person doing set after set); every 10 s the server's
resident memory, the page's counter and the returned video are sampled. Reported: memory growth (goal: under
50 MB), errors in the server log or on the page (goal: none), component resets, stalls of the video or the count,
and whether the history store holds every rep the page showed. The summary is printed and written to out/soak.txt;
the exit status is 1 when a goal is missed.

    python -m tests.e2e.soak [--minutes 10]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tests.e2e.harness import (HEEL_RAISE_STEMS, ROOT, LiveServer, LivePage, launch_chromium, missing_chromium,
                               pick_sample)
from tests.e2e.y4m import write_y4m

SAMPLE_SECONDS = 10.0
GROWTH_GOAL_MB = 50.0
# Memory taken while the first frames load the pose model and fill caches is not growth: the baseline is taken
# once the stream has run this long.
WARM_UP_SECONDS = 30.0
# The resident size jumps between levels some 20 MB apart from one sample to the next (allocator arenas, codec
# buffers; measured over 20 minutes it keeps coming back to its floor), so one sample against another says little.
# The growth judged is that of a straight line fitted through every sample after the warm-up, over the whole run;
# the medians and floors of the first and last minute are printed beside it.
WINDOW_SECONDS = 60.0


def soak(minutes: float, folder: Path) -> tuple[list[str], bool]:
    """Stream for `minutes`; returns the summary lines and whether every goal was met."""
    sample = pick_sample(("heel-raise",), prefer=HEEL_RAISE_STEMS)
    if sample is None:
        return ["soak skipped: samples/ has no heel-raise clip with its ground truth"], False
    from playwright.sync_api import sync_playwright
    from routines.history import HistoryStore

    camera = write_y4m(sample.video, folder / "camera.y4m")
    rows = []  # (seconds streaming, RSS MB, counter, returned video frames)
    problems = []
    last_frames = 0  # the returned video's frame count at the previous sample
    with LiveServer(db=folder / "history.sqlite3", log=folder / "server.log") as server, \
            sync_playwright() as playwright:
        browser = launch_chromium(playwright, camera.path)
        live = LivePage(browser, server, "heel-raise")
        live.start()
        began = time.time()
        end = began + 60 * minutes
        while time.time() < end:
            live.page.wait_for_timeout(1000 * min(SAMPLE_SECONDS, max(0.0, end - time.time())))
            video = live.video_state()
            rows.append((time.time() - began, server.rss_mb(), live.counter(), video["frames"]))
            if live.button("START").is_visible():
                # The set stays open: START carries on counting in it.
                problems.append(f"{rows[-1][0]:.0f} s: the stream ended (START showed again); pressed START. "
                                + live.explain_drop(tail=False))
                live.start()
                last_frames = 0  # a new stream: its video starts again
                continue
            if rows[-1][0] > 2 * camera.duration + SAMPLE_SECONDS and \
                    all(r[2] == rows[-1][2] for r in rows if r[0] >= rows[-1][0] - 2 * camera.duration):
                problems.append(f"{rows[-1][0]:.0f} s: no rep counted in two loops of the clip")
            for warning in live.warnings():
                if warning not in problems:
                    problems.append(warning)
            if video["frames"] <= last_frames:
                problems.append(f"{rows[-1][0]:.0f} s: the returned video stalled")
            last_frames = video["frames"]
        shown = live.counter()
        live.stop()
        live.page.wait_for_timeout(2000)  # the STOP's script run closes the history session
        store = HistoryStore(server.db)
        stored = sum(s.rep_count for s in store.sessions())
        store.close()
        browser.close()
        problems += [f"page: {e}" for e in live.page_errors] + [f"server log: {e}" for e in server.errors()]

    streamed = rows[-1][0]
    warm = [r for r in rows if r[0] >= WARM_UP_SECONDS] or rows
    first = [r[1] for r in warm if r[0] < warm[0][0] + WINDOW_SECONDS]
    last = [r[1] for r in warm if r[0] > streamed - WINDOW_SECONDS]
    slope = np.polyfit([r[0] for r in warm], [r[1] for r in warm], 1)[0] if len(warm) > 2 else float("nan")
    growth = slope * (streamed - warm[0][0])
    shown_frames = sum(max(0, b[3] - a[3]) for a, b in zip(rows, rows[1:]))  # a restarted video counts from 0
    loops = streamed / camera.duration
    expected = loops * sample.count("heel-raise")
    lines = [
        f"soak: {sample.stem} looped for {streamed / 60:.1f} min ({loops:.0f} loops of {camera.duration:.1f} s), "
        f"START clicks at the start: {live.attempts}",
        f"server memory (RSS): growth {growth:+.1f} MB over the run after a {WARM_UP_SECONDS:.0f} s warm-up, from a "
        f"line fitted through the samples (goal: under {GROWTH_GOAL_MB:.0f} MB); first minute median "
        f"{statistics.median(first):.0f} MB, floor {min(first):.0f} MB; "
        f"last minute median {statistics.median(last):.0f}"
        f" MB, floor {min(last):.0f} MB; peak {max(r[1] for r in rows):.0f} MB",
        f"reps: page counter {shown}, history store {stored}, ground truth of the loops played about {expected:.0f}",
        f"returned video: {shown_frames / (rows[-1][0] - rows[0][0]):.1f} frames/s on average",
    ]
    if stored != shown:
        problems.append(f"the history store holds {stored} reps but the page showed {shown}")
    lines += [f"problem: {p}" for p in problems] or ["problems: none"]
    lines.append("samples (s, RSS MB, counter): " + ", ".join(f"{r[0]:.0f} {r[1]:.0f} {r[2]}" for r in rows))
    return lines, growth < GROWTH_GOAL_MB and not problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    minutes = parser.parse_args().minutes
    reason = missing_chromium()
    if reason:
        sys.exit(f"soak skipped: {reason}")
    with tempfile.TemporaryDirectory(prefix="footform-soak-") as folder:
        lines, met = soak(minutes, Path(folder))
    summary = "\n".join(lines) + "\n"
    out = ROOT / "out" / "soak.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(summary)
    print(summary + f"(written to {out.relative_to(ROOT)})")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
