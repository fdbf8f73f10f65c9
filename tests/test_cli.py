"""`footform analyze` and `footform eval` end to end: real clips through MediaPipe, the JSON and text reports,
annotation, several files in a pool of workers, labels, bad input, and a stderr kept free of MediaPipe's own logs."""
import json
import subprocess
import sys

import av
import pytest

from tests.clips import write_clip
from tests.conftest import REALVIDS, SAMPLES, real_clip, real_labels


def footform(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "footform_cli", *map(str, args)], capture_output=True, text=True, timeout=timeout
    )


def analyze_json(path, exercise="heel-raise"):
    run = footform("analyze", path, "--exercise", exercise, "--json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)  # exactly one JSON object: anything else on stdout fails to parse


LABELLED = sorted(real_labels()) or ["home_calf_raises.mp4"]


@pytest.mark.parametrize("name", LABELLED)
def test_heel_raise_count_matches_the_hand_count_on_every_real_clip(name):
    path = real_clip(name)
    report = analyze_json(path)
    expected = real_labels()[name]["heel_raise"]
    assert report["reps"] == expected
    assert sum(report["per_side"].values()) == expected
    assert len([e for e in report["events"] if e["complete"]]) == expected
    assert report["frames"] > 0 and 0 <= report["frames_with_pose"] <= report["frames"]
    for event in report["events"]:
        assert 0 <= event["start"] < event["end"] <= report["duration"] + 0.1
        assert event["side"] in ("left", "right", "both")


def test_json_report_has_the_documented_fields():
    report = analyze_json(real_clip("gym_wall_calf_raises.mp4"))
    for key in ("reps", "per_side", "events", "partial_reps", "frames", "frames_with_pose", "warnings"):
        assert key in report
    assert set(report["per_side"]) == {"left", "right", "both"}
    assert isinstance(report["warnings"], list)
    event = report["events"][0]
    for key in ("start", "end", "side", "rise", "rise_cm", "rise_s", "hold_s", "lower_s", "cues"):
        assert key in event


def test_text_report_lists_each_rep_and_annotation_writes_an_h264_clip(tmp_path):
    out = tmp_path / "annotated.mp4"
    run = footform("analyze", real_clip("home_calf_raises.mp4"), "-e", "heel-raise", "--annotate", out)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # none of MediaPipe's native log lines
    assert "3 heel raises (left 0, right 0, both 3)" in run.stdout
    rows = [line for line in run.stdout.splitlines() if line.strip().split(" ")[0] in ("1", "2", "3")]
    assert len(rows) == 3 and all("complete" in row for row in rows)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = sum(1 for _ in container.decode(stream))
    assert frames == 333


def test_several_people_in_view_gives_a_warning():
    report = analyze_json(real_clip("lab_two_people.mp4"))
    assert report["reps"] == 0
    assert any("Several people" in w for w in report["warnings"])


def test_a_clip_with_nobody_in_it_reports_zero_and_warns(tmp_path):
    path = tmp_path / "empty_room.mp4"
    write_clip(path, frames=60)
    report = analyze_json(path)
    assert report["reps"] == 0 and report["frames"] == 60 and report["frames_with_pose"] == 0
    assert report["warnings"] == ["No person was found in the video: nothing was counted."]


def _file(folder, name, data):
    path = folder / name
    path.write_bytes(data)
    return path


def _cut_clip(folder):
    whole = folder / "whole.mp4"
    write_clip(whole, frames=150, faststart=True)
    data = whole.read_bytes()
    return _file(folder, "cut.mp4", data[: len(data) // 2])


@pytest.mark.parametrize("make, problem", [
    (lambda d: d / "missing.mp4", "no such file"),
    (lambda d: d, "is a directory"),
    (lambda d: _file(d, "empty.mp4", b""), "empty"),
    (lambda d: _file(d, "text.mp4", b"hello\n" * 100), "not a readable video"),
    (lambda d: _cut_clip(d), "truncated"),
])
def test_bad_input_exits_2_with_one_line_naming_the_file(tmp_path, make, problem):
    path = make(tmp_path)
    run = footform("analyze", path, "--exercise", "heel-raise", "--json")
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert str(path) in lines[0] and problem in lines[0]
    assert "Traceback" not in run.stderr


def test_unknown_exercise_is_a_usage_error():
    run = footform("analyze", REALVIDS / "home_calf_raises.mp4", "--exercise", "jumping-jacks")
    assert run.returncode == 2 and "invalid choice" in run.stderr


def test_verbose_lets_mediapipe_log_lines_through(tmp_path):
    path = tmp_path / "empty_room.mp4"
    write_clip(path, frames=20)
    quiet = footform("analyze", path, "-e", "heel-raise")
    verbose = footform("analyze", path, "-e", "heel-raise", "--verbose")
    assert quiet.returncode == verbose.returncode == 0
    assert quiet.stderr == ""
    assert "XNNPACK" in verbose.stderr or "W0000" in verbose.stderr, verbose.stderr
    assert quiet.stdout == verbose.stdout


def test_trace_keeps_stderr_free_of_mediapipe_log_lines(tmp_path):
    # The pose graph loads its models on threads of its own: it is started in the same silenced call as its first
    # frame, so nothing it prints comes out between frames.
    out = tmp_path / "home.npz"
    run = footform("trace", real_clip("home_calf_raises.mp4"), out)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert run.stdout.startswith(f"{out}: ") and "with a person" in run.stdout


def sample_truth(stem):
    return json.loads((SAMPLES / f"{stem}.json").read_text())


RAISES, STILL = "heel_raise_side_B", "stand_sway_C"  # two small sample clips: 4 heel raises, and standing still


def test_several_videos_give_a_json_list_in_their_order_and_an_unreadable_one_is_reported(tmp_path):
    blank = tmp_path / "empty_room.mp4"
    write_clip(blank, frames=60)
    missing = tmp_path / "missing.mp4"
    run = footform("analyze", SAMPLES / f"{RAISES}.mp4", blank, missing, "-e", "heel-raise", "--json", "--jobs", "2")
    assert run.returncode == 2
    raises, empty, gone = json.loads(run.stdout)
    truth = sample_truth(RAISES)
    assert raises["file"] == str(SAMPLES / f"{RAISES}.mp4") and raises["reps"] == truth["counts"]["heel-raise"]
    assert raises["frames"] == truth["frames"]
    assert empty["file"] == str(blank) and empty["reps"] == 0 and empty["frames"] == 60
    assert gone == {"file": str(missing), "error": f"{missing}: no such file"}
    assert run.stderr.splitlines() == [f"footform: error: {missing}: no such file"]


def write_labels(folder, clips):
    path = folder / "labels.json"
    path.write_text(json.dumps({"clips": clips}))
    return path


def test_eval_prints_a_row_per_clip_and_exercise_and_the_summary_and_exits_0_when_all_are_exact(tmp_path):
    counts = sample_truth(RAISES)["counts"]
    labels = write_labels(tmp_path, {
        f"{RAISES}.mp4": {"heel_raise": counts["heel-raise"], "ankle_rock": counts["ankle-rock"]},
        f"{STILL}.mp4": {"heel_raise": sample_truth(STILL)["counts"]["heel-raise"]},
    })
    run = footform("eval", labels, "--clips", SAMPLES, "--jobs", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr == ""  # nor from the worker processes
    rows = [line.split() for line in run.stdout.splitlines() if line.startswith(("heel_raise_", "stand_"))]
    want = counts["heel-raise"]
    assert rows == [
        [f"{RAISES}.mp4", "heel-raise", str(want), str(want), "0", "0", str(want), "exact"],
        [f"{RAISES}.mp4", "ankle-rock", "0", "0", "0", "0", "0", "exact"],
        [f"{STILL}.mp4", "heel-raise", "0", "0", "0", "0", "0", "exact"],
    ]
    assert "2 clips, 3 checks (heel-raise, ankle-rock)" in run.stdout
    assert "exact:                          3 of 3 (100%)" in run.stdout
    assert "clips that could not be read:   0" in run.stdout


def test_eval_json_with_a_wrong_label_and_an_unreadable_clip_exits_1(tmp_path):
    (tmp_path / "still.mp4").symlink_to(SAMPLES / f"{STILL}.mp4")
    (tmp_path / "notes.mp4").write_text("not a video\n" * 50)
    labels = write_labels(tmp_path, {"still.mp4": {"heel_raise": 1}, "notes.mp4": {"heel_raise": 0}})
    run = footform("eval", labels, "--json", "--exercise", "heel-raise")
    assert run.returncode == 1 and run.stderr == ""
    report = json.loads(run.stdout)
    assert set(report) == {"labels", "exercises", "checks", "summary", "skipped"}
    still, notes = report["checks"]
    assert still["got"] == sample_truth(STILL)["counts"]["heel-raise"] and still["want"] == [1]
    assert still["exact"] is False and still["abs_error"] == abs(still["got"] - 1)
    assert notes["got"] is None and "not a readable video" in notes["unreadable"]
    summary = report["summary"]
    assert summary["checks"] == 2 and summary["exact"] == 0 and summary["unreadable"] == ["notes.mp4"]
    assert summary["off_by_one"] == (still["abs_error"] == 1)


@pytest.mark.parametrize("make, problem", [
    (lambda d: d / "missing.json", "no such file"),
    (lambda d: _file(d, "broken.json", b'{"clips": {"a.mp4": {"heel_raise": 3}'), "not valid JSON"),
    (lambda d: _file(d, "list.json", b'[{"a.mp4": 3}]'), "expected labels shaped"),
    (lambda d: _file(d, "count.json", b'{"clips": {"a.mp4": {"heel_raise": "3 reps"}}}'), "must be a count"),
])
def test_eval_with_labels_it_cannot_use_exits_2_with_one_line(tmp_path, make, problem):
    path = make(tmp_path)
    run = footform("eval", path)
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert str(path) in lines[0] and problem in lines[0]
    assert "Traceback" not in run.stderr
