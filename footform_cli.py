"""The `footform` command: analyse recorded videos of the foot routine."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from routines.pipeline import DETECTORS

USAGE_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="footform", description="Count foot exercise reps in recorded videos.")
    commands = parser.add_subparsers(dest="command", required=True)
    analyze = commands.add_parser("analyze", help="count the reps of one exercise in a video file")
    analyze.add_argument("video", help="the video file (mp4, mov, webm, avi, ...)")
    analyze.add_argument("--exercise", "-e", required=True, choices=sorted(DETECTORS))
    analyze.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    analyze.add_argument("--annotate", metavar="OUT.mp4", help="also write the clip with the overlay (H.264 MP4)")
    trace = commands.add_parser("trace", help="store a video's landmarks for replaying detectors in tests")
    trace.add_argument("video")
    trace.add_argument("output", metavar="OUT.npz")
    args = parser.parse_args(argv)
    _quiet_mediapipe()
    if args.command == "trace":
        return _trace(args.video, args.output)
    return _analyze(args)


def _analyze(args) -> int:
    from routines.analysis import analyze_video
    from vision.video import VideoError

    if args.annotate and os.path.isdir(args.annotate):
        return _fail(f"{args.annotate}: is a directory; give a file name for the annotated video")
    bar = _ProgressBar() if sys.stderr.isatty() else None
    try:
        result = analyze_video(args.video, args.exercise, args.annotate, bar)
    except VideoError as error:
        return _fail(str(error))
    except (OSError, ValueError) as error:
        target = args.annotate or args.video
        return _fail(f"{target}: {getattr(error, 'strerror', None) or error}")
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(_report(result))
    return 0


def _report(result) -> str:
    lines = [
        f"{os.path.basename(result.path)}: {len(result.reps)} {result.exercise} reps "
        f"(left {result.per_side['left']}, right {result.per_side['right']}, both {result.per_side['both']})"
        + (f", {len(result.partial_reps)} partial" if result.partial_reps else ""),
        f"{result.frames} frames, {result.duration:.1f} s, person found in {result.frames_with_pose}",
    ]
    if result.events:
        lines.append("")
        lines.append(f"{'#':>3}  {'start':>6}  {'end':>6}  {'side':<5}  {'rep':<8}  measures / cues")
        for number, event in enumerate(result.events, 1):
            measures = ", ".join(f"{k} {v}" for k, v in event.measures.items() if v is not None)
            cues = ("; " + "; ".join(event.cues)) if event.cues else ""
            kind = "complete" if event.complete else "partial"
            lines.append(f"{number:>3}  {event.start:6.2f}  {event.end:6.2f}  {event.side:<5}  {kind:<8}  {measures}{cues}")
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def _trace(video_path: str, output: str) -> int:
    from vision.pose import PoseEstimator
    from vision.traces import save_trace
    from vision.video import VideoError, VideoFile

    try:
        with VideoFile(video_path) as video, PoseEstimator() as estimator:
            samples = [(f.t, estimator.estimate(f.image, f.t)) for f in video]
            save_trace(output, samples, video.info.width, video.info.height)
    except VideoError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{output}: {error.strerror or error}")
    print(f"{output}: {len(samples)} frames, {sum(p is not None for _, p in samples)} with a person")
    return 0


def _fail(message: str) -> int:
    print(f"footform: error: {message}", file=sys.stderr)
    return USAGE_ERROR


class _ProgressBar:
    """A one-line progress bar on stderr, shown once the work has taken more than a moment."""

    def __init__(self, delay: float = 1.0, width: int = 30):
        self._start = time.monotonic()
        self._delay, self._width = delay, width
        self._shown = False

    def __call__(self, done: float) -> None:
        if time.monotonic() - self._start < self._delay:
            return
        filled = int(done * self._width)
        sys.stderr.write(f"\ranalysing [{'#' * filled}{'.' * (self._width - filled)}] {done:4.0%}")
        sys.stderr.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\r" + " " * (self._width + 20) + "\r")
            sys.stderr.flush()


def _quiet_mediapipe() -> None:
    # MediaPipe's C++ logging (glog/absl) writes start-up chatter to stderr; keep stderr for our own messages.
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


if __name__ == "__main__":
    sys.exit(main())
