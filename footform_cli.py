"""The `footform` command: analyse recorded videos of the foot routine, and test the detectors on labelled clips."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time

from routines.exercises import ALL_EXERCISES, EXERCISES

USAGE_ERROR = 2
NOT_EXACT = 1
INTERRUPTED = 130  # as a shell reports a command ended by Ctrl-C
# One rep of each exercise, as the report says it ("1 heel raise", "3 heel raises").
REP_NAMES = {"heel-raise": "heel raise", "ankle-rock": "ankle rock", "ball-roll": "ball-of-foot roll",
             "toe-fan-lift": "toe lift", "toe-fan-spread": "toe spread", "great-toe-down-big": "big-toe press",
             "great-toe-down-little": "little-toe press", "great-toe-down-alternate": "alternating toe press",
             "toe-grip": "toe grip"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="footform", description="Count foot exercise reps in recorded videos.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", help="let MediaPipe's own log lines through to stderr")
    pool = argparse.ArgumentParser(add_help=False)
    pool.add_argument("--jobs", "-j", type=_positive, metavar="N",
                      help="clips analysed at once, each in a process of its own (default: one per core)")
    commands = parser.add_subparsers(dest="command", required=True)
    analyze = commands.add_parser("analyze", parents=[common, pool], help="count the reps of one exercise in videos")
    analyze.add_argument("videos", nargs="+", metavar="VIDEO", help="video files (mp4, mov, webm, avi, ...)")
    analyze.add_argument("--exercise", "-e", required=True, choices=sorted(ALL_EXERCISES),
                         help="the exercise to count (the toe exercises from a close-up of the feet)")
    analyze.add_argument("--json", action="store_true",
                         help="print JSON instead of the report: one object for one video, a list for several")
    analyze.add_argument("--annotate", metavar="OUT.mp4", help="also write the clip with the overlay (H.264 MP4)")
    evaluate = commands.add_parser("eval", parents=[common, pool], help="test the detectors on labelled clips")
    evaluate.add_argument("labels", metavar="LABELS",
                          help="a labels file (JSON), or a folder of clips each beside its ground truth "
                               "(X.mp4, X.json)")
    evaluate.add_argument("--clips", metavar="DIR", help="where a labels file's clips are (default: its folder)")
    evaluate.add_argument("--exercise", "-e", default="all", choices=[*sorted(EXERCISES), "all"],
                          help="the exercise to check (default: every one the labels give)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    trace = commands.add_parser("trace", parents=[common],
                                help="store a video's landmarks for replaying detectors in tests")
    trace.add_argument("video")
    trace.add_argument("output", metavar="OUT.npz")
    args = parser.parse_args(argv)
    _native_logs(args.verbose)
    try:
        if args.command == "trace":
            return _trace(args.video, args.output)
        if args.command == "eval":
            return _eval(args)
        return _analyze(args)
    except KeyboardInterrupt:
        print("\nfootform: interrupted", file=sys.stderr)
        return INTERRUPTED


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1, not {text!r}")
    return value


def _analyze(args) -> int:
    if len(args.videos) > 1:
        return _analyze_several(args)
    from routines.analysis import analyze_video
    from vision.video import VideoError

    video = args.videos[0]
    if args.annotate and os.path.isdir(args.annotate):
        return _fail(f"{args.annotate}: is a directory; give a file name for the annotated video")
    try:
        with _progress() as bar:
            result = analyze_video(video, args.exercise, args.annotate, bar)
    except VideoError as error:
        return _fail(str(error))
    except (OSError, ValueError) as error:
        target = args.annotate or video
        return _fail(f"{target}: {getattr(error, 'strerror', None) or error}")
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(_report(result))
    return 0


def _analyze_several(args) -> int:
    """Several videos, in a pool of worker processes: the reports in the order given, a JSON list with --json.
    A video that cannot be read gets one line on stderr (and an object with its `error` in the list); the rest are
    analysed all the same, and the exit status is 2."""
    from routines.batch import analyze_clips

    if args.annotate:
        return _fail("--annotate takes one video; give the videos to annotate one at a time")
    with _progress() as bar:
        results = analyze_clips(args.videos, [args.exercise], args.jobs, bar)
    reports = []
    for result in results:
        if result.error is not None:
            print(f"footform: error: {result.error}", file=sys.stderr)
            reports.append({"file": result.path, "error": result.error})
        else:
            reports.append(result.analyses[args.exercise])
    if args.json:
        print(json.dumps([r if isinstance(r, dict) else r.to_dict() for r in reports]))
    else:
        print("\n\n".join(_report(r) for r in reports if not isinstance(r, dict)))
    return USAGE_ERROR if any(r.error is not None for r in results) else 0


def _report(result) -> str:
    from routines.detectors.events import readable_measures
    from routines.exercises import exercise

    sides = result.per_side
    lines = [
        f"{os.path.basename(result.path)}: {_reps(len(result.reps), result.exercise)} "
        f"(left {sides['left']}, right {sides['right']}, both {sides['both']})"
        + (f", {len(result.partial_reps)} partial" if result.partial_reps else ""),
        f"{result.frames} frames, {result.duration:.1f} s, "
        f"{'the feet' if exercise(result.exercise).closeup else 'a person'} found in {result.frames_with_pose} of them",
    ]
    reasons: list[str] = []
    if result.events:
        lines.append("")
        lines.append(f"{'#':>3}  {'start':>6}  {'end':>6}  {'side':<5}  {'rep':<8}  measures / cues")
        for number, event in enumerate(result.events, 1):
            measures = ", ".join(f"{k} {v}" for k, v in readable_measures(event.measures).items())
            cues = ("; " + "; ".join(event.cues)) if event.cues else ""
            kind = "complete" if event.complete else "partial"
            lines.append(f"{number:>3}  {event.start:6.2f}  {event.end:6.2f}  {event.side:<5}  "
                         f"{kind:<8}  {measures}{cues}")
            reasons += [r for r in _not_measured(event.measures) if r not in reasons]
    lines += reasons
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def _not_measured(measures: dict) -> list[str]:
    """E.g. "rise_cm not measured: leaning on a support moves the hips as well as the heels"."""
    return [f"{name.removesuffix('_note')} not measured: {why}"
            for name, why in measures.items() if name.endswith("_note")]


def _reps(count: int, exercise: str) -> str:
    name = REP_NAMES.get(exercise, f"{exercise} rep")
    return f"{count} {name}" if count == 1 else f"{count} {name}es" if name.endswith("ss") else f"{count} {name}s"


def _eval(args) -> int:
    from routines.evaluation import LabelsError, evaluate, load_labels

    try:
        labels = load_labels(args.labels, args.clips)
        with _progress() as bar:
            evaluation = evaluate(labels, None if args.exercise == "all" else [args.exercise], args.jobs, bar)
    except LabelsError as error:
        return _fail(str(error))
    if args.json:
        print(json.dumps(evaluation.to_dict()))
    else:
        print(_eval_report(evaluation))
    return 0 if evaluation.all_exact else NOT_EXACT


def _eval_report(evaluation) -> str:
    """One row per clip and exercise (the clip's warnings under its rows), then the summary."""
    width = max(len("clip"), *(len(c.clip.name) for c in evaluation.checks))
    lines = [f"{'clip':<{width}}  {'exercise':<10}  {'want':>5}  {'got':>4}  "
             f"{'left':>4}  {'right':>5}  {'both':>4}  result"]
    for index, check in enumerate(evaluation.checks):
        want = "|".join(map(str, check.want))
        if check.analysis is None:
            lines.append(f"{check.clip.name:<{width}}  {check.exercise:<10}  {want:>5}  {'-':>4}  "
                         f"{'':>4}  {'':>5}  {'':>4}  unreadable")
        else:
            sides = check.analysis.per_side
            lines.append(f"{check.clip.name:<{width}}  {check.exercise:<10}  {want:>5}  {check.got:>4}  "
                         f"{sides['left']:>4}  {sides['right']:>5}  {sides['both']:>4}  {_result(check)}")
        last_of_clip = index + 1 == len(evaluation.checks) or evaluation.checks[index + 1].clip is not check.clip
        if last_of_clip:
            lines += [f"    {note}" for note in _clip_notes(check, evaluation.checks)]
    for name, why in evaluation.skipped:
        lines.append(f"skipped {name}: {why}")
    s = evaluation.summary()
    read = s["checks"] - sum(c.analysis is None for c in evaluation.checks)
    lines += [
        "",
        f"{s['clips']} clips, {s['checks']} checks ({', '.join(evaluation.exercises)}) from {evaluation.source}",
        f"exact:                          {s['exact']} of {s['checks']} ({_share(s['exact'], s['checks'])})",
        "mean absolute error:            "
        + (f"{s['mean_abs_error']:.2f} reps" if s["mean_abs_error"] is not None else "-"),
        f"off by one:                     {s['off_by_one']} of {read} ({_share(s['off_by_one'], read)})",
        f"false reps on clips labelled 0: {s['false_reps']} "
        f"({s['labelled_zero_with_reps']} of {s['labelled_zero']} checks counted any)",
        f"clips that could not be read:   {len(s['unreadable'])}"
        + (f" ({', '.join(s['unreadable'])})" if s["unreadable"] else ""),
    ]
    return "\n".join(lines)


def _clip_notes(check, checks) -> list[str]:
    """Why a clip could not be read, or its warnings, each once; one that only some exercises gave names them."""
    if check.unreadable:
        return [f"could not be read: {check.unreadable}"]
    given: dict[str, list[str]] = {}
    for other in checks:
        if other.clip is check.clip:
            for warning in other.analysis.warnings:
                given.setdefault(warning, []).append(other.exercise)
    exercises = len(check.clip.want.keys() & {c.exercise for c in checks})
    return [f"warning: {w}" if len(by) == exercises else f"warning ({', '.join(by)}): {w}" for w, by in given.items()]


def _result(check) -> str:
    if check.exact:
        return "exact"
    nearest = min(check.want, key=lambda w: abs(check.got - w))
    return f"{check.got - nearest:+d}"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


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


@contextlib.contextmanager
def _progress():
    """A progress bar for the whole batch when stderr is a terminal, else None."""
    bar = _ProgressBar() if sys.stderr.isatty() else None
    try:
        yield bar
    finally:
        if bar is not None:
            bar.close()


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


def _native_logs(show: bool) -> None:
    """MediaPipe's C++ logging (glog/absl, TFLite) writes start-up notices to stderr; footform keeps stderr for its
    own messages unless asked with --verbose. Worker processes inherit the environment and are told the choice."""
    if show:
        from vision import pose

        pose.SHOW_NATIVE_LOGS = True
        return
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


if __name__ == "__main__":
    sys.exit(main())
