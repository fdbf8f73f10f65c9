"""Every sample clip's ground truth agrees with the clip itself (decoded with PyAV; no renderer, no torch)."""
from __future__ import annotations

import json
from pathlib import Path

import av
import pytest

from routines import exercises as registry

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TRUTHS = sorted(p for p in SAMPLES.glob("*.json") if p.stem != "catalogue")
EXERCISES = {"heel-raise", "single-heel-raise", "one-heel-raise", "ankle-rock", "toe-fan", "great-toe-down", "toe-grip",
             "stand", "squat", "weight-shift", "march", "walk-through"}
VIEWS = {"front", "side", "oblique45", "low-front", "rear-oblique"}
COUNTED = tuple(registry.EXERCISES)  # the exercises the camera counts: every clip gives its count of each
NEGATIVES = {"stand", "squat", "weight-shift", "march", "walk-through", "toe-fan", "great-toe-down", "toe-grip"}
# The one clip made to start moving at frame 0 (real clips often do): every other clip with reps has a still lead-in.
NO_STILL_START = {"heel_raise_no_still_start_C"}
RAISE_MEASURES = ("rise_s", "hold_s", "lower_s", "top_start", "top_end", "heel_lift_cm")
# Times carry 3 decimals, so sums of rounded durations may be off by a couple of milliseconds.
ROUNDING = 2e-3


def _decode(clip: Path) -> tuple[int, float, int, int]:
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return frames, float(stream.average_rate), stream.codec_context.width, stream.codec_context.height


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_samples_are_there_and_small():
    assert len(TRUTHS) >= 15
    total = sum(p.stat().st_size for p in SAMPLES.iterdir() if p.is_file())
    assert total < 40 * 1024 * 1024


def test_readme_lists_every_clip():
    readme = (SAMPLES / "README.md").read_text()
    for path in TRUTHS:
        assert f"`{path.stem}.mp4`" in readme


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_ground_truth_matches_its_clip(path: Path):
    gt = _load(path)
    clip = SAMPLES / gt["clip"]
    assert gt["clip"] == f"{path.stem}.mp4" and clip.exists()
    frames, fps, width, height = _decode(clip)
    assert frames == gt["frames"]
    assert fps == pytest.approx(gt["fps"])
    assert (width, height) == (gt["width"], gt["height"])
    assert gt["duration"] == pytest.approx(gt["frames"] / gt["fps"], abs=1e-3)


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_ground_truth_times_are_inside_the_clip_and_ordered(path: Path):
    gt = _load(path)
    # Times are rounded to milliseconds, so the last frame's time may be written up to half a millisecond late.
    last = (gt["frames"] - 1) / gt["fps"] + 0.0005
    assert gt["exercise"] in EXERCISES and gt["camera"]["view"] in VIEWS
    for key in ("reps", "partial_reps"):
        previous_end = -1.0
        for rep in gt[key]:
            assert 0.0 <= rep["start"] < rep["top"] < rep["end"] <= last
            assert rep["start"] >= previous_end
            assert rep["side"] in {"both", "left", "right"}
            previous_end = rep["end"]
    previous_end = -1.0
    for roll in gt["rolls"]:
        assert previous_end <= roll["start"] < roll["end"] <= last
        previous_end = roll["end"]
    for key in ("feet_out_of_frame", "body_in_view"):
        previous_end = -1.0
        for start, end in gt[key]:
            assert previous_end < start <= end <= last
            previous_end = end


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_counts_agree_with_the_listed_events(path: Path):
    gt = _load(path)
    counts = gt["counts"]
    assert set(counts) == set(COUNTED)
    assert counts["heel-raise"] == sum(r["exercise"] == "heel-raise" for r in gt["reps"])
    assert counts["ankle-rock"] == sum(r["exercise"] == "ankle-rock" for r in gt["reps"])
    assert counts["ball-roll"] == len(gt["rolls"])
    if gt["exercise"] in NEGATIVES:
        assert counts == dict.fromkeys(COUNTED, 0)


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_the_person_stands_still_before_the_first_rep(path: Path):
    gt = _load(path)
    events = gt["reps"] + gt["partial_reps"]
    if events:
        assert min(e["start"] for e in events) >= gt["lead_in_s"]
        if path.stem in NO_STILL_START:
            assert gt["lead_in_s"] == 0.0 and min(e["start"] for e in events) == 0.0
        else:
            assert gt["lead_in_s"] >= 1.5
        assert max(e["end"] for e in events) <= gt["duration"] - 0.5


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_every_heel_raise_has_its_schedule_and_height(path: Path):
    gt = _load(path)
    raises = [r for r in gt["reps"] + gt["partial_reps"] if r["exercise"] == "heel-raise"]
    for rep in raises:
        assert all(k in rep for k in RAISE_MEASURES), rep
        assert min(rep["rise_s"], rep["lower_s"]) > 0 and rep["hold_s"] >= 0
        assert rep["rise_s"] + rep["hold_s"] + rep["lower_s"] == pytest.approx(rep["end"] - rep["start"], abs=ROUNDING)
        assert rep["top_start"] == pytest.approx(rep["start"] + rep["rise_s"], abs=ROUNDING)
        assert rep["top_end"] == pytest.approx(rep["top_start"] + rep["hold_s"], abs=ROUNDING)
        assert rep["top_start"] <= rep["top"] <= rep["top_end"]
    full = [r["heel_lift_cm"] for r in gt["reps"] if r["exercise"] == "heel-raise"]
    assert all(3.0 <= lift <= 15.0 for lift in full), full
    for partial in gt["partial_reps"]:
        assert 0.0 < partial["heel_lift_cm"] < min(full) / 2


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_one_heel_raises_name_their_side(path: Path):
    gt = _load(path)
    if gt["exercise"] != "one-heel-raise":
        return
    assert gt["reps"] and all(r["side"] in {"left", "right"} for r in gt["reps"])
    for roll in gt["rolls"]:
        # The rolls ride on the heel just raised: the same side as the raises before them.
        before = [r for r in gt["reps"] if r["end"] <= roll["start"]]
        assert before and before[-1]["side"] == roll["side"]


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_turns_and_camera_bumps_are_inside_the_clip(path: Path):
    gt = _load(path)
    previous_end = 0.0
    for turn in gt["turns"]:
        assert previous_end <= turn["start"] < turn["end"] <= gt["duration"]
        assert turn["from_deg"] != turn["to_deg"]
        previous_end = turn["end"]
    if "bump" in gt["camera"]:
        start, end = gt["camera"]["bump"]
        assert 0.0 < start < end <= start + 0.5 < gt["duration"]
