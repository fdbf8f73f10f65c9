"""Live against offline on the same frames: `python -m tests.e2e.live_replay CLIP EXERCISE`. Figures are printed.

The clip plays through Chromium's fake camera into the live page, as in the browser tests, with the server recording
every frame its callback receives (FOOTFORM_E2E_RECORD, tests/e2e/serverside). Then:

1. the recorded frames, at the stream times the page gave them, go through the offline `Pipeline`: the same count
   as the page means the live processing (clock, threads, streams) did what offline analysis does with those frames,
   and any difference from the file's own count lies in the frames (which arrived, and how video coding left them);
2. the clip file goes through `footform analyze`'s code (`analyze_video`).

It also prints what reached the callback: picture sizes, frames per second, the frames streamlit-webrtc passed over
while the callback was busy, the gaps between frames' timestamps, and the cost of the stream's first frame.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from tests.e2e.harness import LiveServer, Sample, missing_chromium, play_clip


def read_recording(folder: Path) -> list[tuple[dict, np.ndarray]]:
    """(row, picture) per frame the callback received, in order."""
    rows = [json.loads(line) for line in (folder / "frames.jsonl").read_text().splitlines()]
    with (folder / "frames.npy").open("rb") as pictures:
        return [(row, np.load(pictures)) for row in rows]


def replay(frames: list[tuple[dict, np.ndarray]], exercise: str) -> tuple[int, list]:
    """The count and the complete reps (start, end) of the offline Pipeline fed the frames the page counted."""
    from appviews.live_practice import STREAM_SETTLE_SECONDS
    from routines.pipeline import Pipeline

    pipeline, reps = Pipeline(exercise), []
    try:
        for row, picture in frames:
            if row["t"] >= STREAM_SETTLE_SECONDS:  # the page shows these without counting them
                reps += [(round(e.start, 2), round(e.end, 2)) for e in pipeline.process(picture, row["t"]).events
                         if e.complete]
    finally:
        pipeline.close()
    return len(reps), reps


def report(frames: list[tuple[dict, np.ndarray]], run, exercise: str) -> None:
    rows = [row for row, _ in frames]
    passed_over = sum(len(row["passed_over"]) for row in rows)
    streams = Counter(row["stream"] for row in rows)
    print(f"clip: {run.sample.video} as {exercise}, START clicks {run.attempts}, streams {dict(streams)}")
    print(f"pictures received: {len(rows)}, sizes {dict(Counter((r['width'], r['height']) for r in rows))}; "
          f"passed over while the callback was busy: {passed_over} of {passed_over + len(rows)}")
    if len(rows) > 1:
        span = rows[-1]["wall"] - rows[0]["wall"]
        gaps = np.diff([row["frame_time"] for row in rows])
        print(f"frames processed per second: {(len(rows) - 1) / span:.1f}; "
              f"per frame {statistics.median(r['ms'] for r in rows):.1f}"
              f" ms median; gaps between timestamps: median {np.median(gaps) * 1000:.0f} ms, 90th percentile "
              f"{np.percentile(gaps, 90) * 1000:.0f} ms, longest {gaps.max() * 1000:.0f} ms; the stream's first frame "
              f"(loads the pose models) {rows[0]['ms']:.0f} ms")
    last = max(streams)
    count, reps = replay([(row, picture) for row, picture in frames if row["stream"] == last], exercise)
    print(f"page: {run.counter}; the same frames through the offline Pipeline: {count} {reps}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("exercise")
    parser.add_argument("--lead-in", type=float, default=4.0, help="seconds of still lead-in (default 4)")
    parser.add_argument("--keep", type=Path, help="keep the server's recording of the frames in this folder")
    args = parser.parse_args()
    reason = missing_chromium()
    if reason:
        sys.exit(f"live replay skipped: {reason}")
    from playwright.sync_api import sync_playwright

    from routines.analysis import analyze_video

    offline = analyze_video(args.clip, args.exercise)
    print(f"footform analyze on the file: {len(offline.reps)} "
          f"{[(round(e.start, 2), round(e.end, 2)) for e in offline.reps]}")
    with tempfile.TemporaryDirectory(prefix="footform-replay-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        with LiveServer(db=folder / "history.sqlite3", log=folder / "server.log", record=folder / "frames") as server, \
                sync_playwright() as playwright:
            run = play_clip(playwright, server, Sample(args.clip, {}), args.exercise, folder, lead_in=args.lead_in,
                            tail=6.0)
            for error in server.errors():
                print(f"server error: {error}")
        report(read_recording(folder / "frames"), run, args.exercise)


if __name__ == "__main__":
    main()
