"""`footform analyze` end to end: real clips through MediaPipe, the JSON and text reports, annotation, bad input."""
import json
import subprocess
import sys

import av
import pytest

from tests.clips import write_clip
from tests.conftest import REALVIDS, real_clip, real_labels


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
    assert "3 heel-raise reps" in run.stdout
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
