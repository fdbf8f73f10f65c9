"""Every sample clip's ground truth agrees with the clip itself (decoded with PyAV; no renderer, no torch)."""
from __future__ import annotations

import json
from pathlib import Path

import av
import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TRUTHS = sorted(p for p in SAMPLES.glob("*.json") if p.stem != "catalogue")
EXERCISES = {"heel-raise", "single-heel-raise", "ankle-rock", "toe-fan", "great-toe-down", "toe-grip",
             "stand", "squat", "weight-shift", "march", "walk-through"}
VIEWS = {"front", "side", "oblique45", "low-front", "rear-oblique"}
COUNTED = ("heel-raise", "ankle-rock", "ball-roll")
NEGATIVES = {"stand", "squat", "weight-shift", "march", "walk-through", "toe-fan", "great-toe-down", "toe-grip"}


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
        assert min(e["start"] for e in events) >= 1.5
        assert max(e["end"] for e in events) <= gt["duration"] - 0.5
