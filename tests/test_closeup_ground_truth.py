"""Every feet close-up clip's ground truth agrees with the clip itself and with its own counts (decoded with PyAV; no
renderer, no torch). The counts and reps are what a toe checker will be tested on; the per-frame key points in
`<stem>.npz` are for developing it."""
from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CLOSEUP = SAMPLES / "closeup"
TRUTHS = sorted(p for p in CLOSEUP.glob("*.json") if p.stem != "catalogue")
TOE_EXERCISES = ("toe-fan-lift", "toe-fan-spread", "great-toe-down-big", "great-toe-down-little",
                 "great-toe-down-alternate", "toe-grip")
NEGATIVES = {"still", "heel-raise", "ankle-rock", "hand-reach"}
TOES = ("toe1", "toe2", "toe3", "toe4", "toe5")
KEYPOINTS = TOES + ("ball", "heel", "ankle")
CUES = {None, "little-toes-low", "curl"}
# The one clip made to start moving at frame 0: every other clip with reps stands still first.
NO_STILL_START = {"closeup_toe_fan_lift_no_still_start_A"}
# A toe rep lifts a tip at least this far (or presses it this far down): what a checker has to see.
MIN_TIP_TRAVEL_CM = 1.0


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def _arrays(gt: dict) -> dict:
    with np.load(CLOSEUP / gt["keypoints"]["file"]) as npz:
        return {k: npz[k] for k in npz.files}


def test_the_closeup_set_is_there_and_small():
    assert len(TRUTHS) >= 15
    closeup = sum(p.stat().st_size for p in CLOSEUP.iterdir() if p.is_file())
    assert closeup < 12 * 1024 * 1024
    everything = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert everything < 40 * 1024 * 1024


def test_every_toe_movement_and_every_negative_has_clips():
    gts = [_load(p) for p in TRUTHS]
    for exercise in TOE_EXERCISES:
        assert sum(gt["counts"][exercise] > 0 for gt in gts) >= 1, exercise
    assert NEGATIVES <= {gt["exercise"] for gt in gts}
    assert {"planks", "rug"} <= {gt["floor"] for gt in gts} and {"daylight", "lamp"} <= {gt["light"] for gt in gts}
    assert len({gt["body"]["name"] for gt in gts}) >= 3
    assert {(640, 480), (1280, 720)} <= {(gt["width"], gt["height"]) for gt in gts}
    reps = [r for gt in gts for r in gt["reps"]]
    assert any(r["side"] == "right" for r in reps)
    assert any(r["cue"] == "little-toes-low" for r in reps) and any(r["cue"] == "curl" for r in reps)


def test_readme_lists_every_clip():
    readme = (CLOSEUP / "README.md").read_text()
    for path in TRUTHS:
        assert f"`{path.stem}.mp4`" in readme


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_ground_truth_matches_its_clip(path: Path):
    gt = _load(path)
    clip = CLOSEUP / gt["clip"]
    assert gt["clip"] == f"{path.stem}.mp4" and clip.exists()
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        frames = 0
        for frame in container.decode(stream):
            # Not a black or blown-out frame: the room is lit and the feet are in it.
            assert 20 < frame.to_ndarray(format="gray").mean() < 235, frames
            frames += 1
        assert float(stream.average_rate) == pytest.approx(gt["fps"])
        assert (stream.codec_context.width, stream.codec_context.height) == (gt["width"], gt["height"])
    assert frames == gt["frames"]
    assert gt["duration"] == pytest.approx(gt["frames"] / gt["fps"], abs=1e-3)
    cam = gt["camera"]
    assert cam["view"] == "closeup" and 0.15 <= cam["height_m"] <= 0.35 and 0.4 <= cam["distance_m"] <= 0.8
    assert 55 <= cam["hfov_deg"] <= 70


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_reps_are_inside_the_clip_ordered_and_named(path: Path):
    gt = _load(path)
    last = (gt["frames"] - 1) / gt["fps"] + 0.0005  # times carry 3 decimals
    previous_end = -1.0
    for rep in gt["reps"]:
        assert rep["exercise"] in TOE_EXERCISES
        assert 0.0 <= rep["start"] < rep["top"] < rep["end"] <= last
        assert rep["start"] >= previous_end
        previous_end = rep["end"]
        assert rep["side"] in {"both", "left", "right"}
        assert rep["toes"] and set(rep["toes"]) <= set(TOES)
        assert rep["cue"] in CUES and rep["counted"] == (rep["cue"] != "curl")
        if rep["exercise"].startswith("great-toe-down"):
            assert rep["down"] and set(rep["down"]) <= set(rep["toes"])
        if rep["exercise"] == "toe-fan-lift":
            # The cue marks exactly the lifts whose little toe stays well below the big toe.
            assert (rep["little_toe_share"] < 0.5) == (rep["cue"] == "little-toes-low")
    for start, end in gt["hand_in_view"] + [[m["start"], m["end"]] for m in gt["other_movements"]]:
        assert 0.0 <= start <= end <= last
    if gt["reps"]:
        assert max(r["end"] for r in gt["reps"]) <= gt["duration"] - 0.5
        if path.stem in NO_STILL_START:
            assert gt["lead_in_s"] == 0.0 == gt["reps"][0]["start"]
        else:
            assert gt["lead_in_s"] >= 1.5 and gt["reps"][0]["start"] >= gt["lead_in_s"]


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_counts_agree_with_the_reps(path: Path):
    gt = _load(path)
    assert set(gt["counts"]) == set(TOE_EXERCISES)
    for exercise in TOE_EXERCISES:
        assert gt["counts"][exercise] == sum(r["exercise"] == exercise and r["counted"] for r in gt["reps"])
    if gt["exercise"] in NEGATIVES:
        assert gt["reps"] == [] and not any(gt["counts"].values())
    else:
        assert gt["exercise"] in TOE_EXERCISES and gt["reps"]


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_alternating_reps_switch_between_big_and_little_toes(path: Path):
    gt = _load(path)
    downs = [tuple(r["down"]) for r in gt["reps"] if r["exercise"] == "great-toe-down-alternate"]
    assert all(a != b for a, b in zip(downs, downs[1:]))
    assert set(downs) <= {("toe1",), ("toe2", "toe3", "toe4", "toe5")}


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_key_points_cover_every_frame_inside_the_picture(path: Path):
    gt = _load(path)
    kp = _arrays(gt)
    n = gt["frames"]
    assert gt["keypoints"]["names"] == list(KEYPOINTS) and gt["keypoints"]["feet"] == ["left", "right"]
    assert kp["image_xy"].shape == (n, 2, 8, 2) and kp["world_xyz"].shape == (n, 2, 8, 3)
    assert kp["visible"].shape == (n, 2, 8)
    for name in ("lift_deg", "spread_deg", "bend_deg"):
        assert kp[name].shape == (n, 2, 5) and np.isfinite(kp[name]).all()
    xy = kp["image_xy"]
    assert ((xy >= 0) & (xy < [gt["width"], gt["height"]])).all()
    assert gt["feet_out_of_frame"] == []
    # Toes stay on or above the floor, never through it.
    assert kp["world_xyz"][..., 2].min() >= 0.0
    # The toe tips are in sight wherever no hand is in the picture and no toes are curled under (the heel, seen from
    # the front, is not).
    hidden = np.zeros(n, bool)
    spans = gt["hand_in_view"] + [[r["start"], r["end"]] for r in gt["reps"] if r["cue"] == "curl"]
    for start, end in spans:
        hidden[int(round(start * gt["fps"])):int(round(end * gt["fps"])) + 1] = True
    assert kp["visible"][~hidden, :, :5].mean() > 0.95


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.stem)
def test_each_rep_moves_its_toes_on_its_side_only(path: Path):
    gt = _load(path)
    kp = _arrays(gt)
    lift = kp["lift_deg"]
    fps = gt["fps"]
    for rep in gt["reps"]:
        start, top = int(round(rep["start"] * fps)), int(round(rep["top"] * fps))
        for j, foot in enumerate(("left", "right")):
            change = (np.abs(lift[top, j] - lift[start, j])
                      + np.abs(kp["spread_deg"][top, j] - kp["spread_deg"][start, j]))
            if rep["side"] in ("both", foot):
                assert change.max() > 5.0, (rep, foot)
            else:
                assert change.max() < 1e-6, (rep, foot)
        if rep["exercise"] in ("toe-fan-lift", "great-toe-down-big", "great-toe-down-little",
                               "great-toe-down-alternate"):
            moved = [abs(rep["tip_rise_cm"][t]) for t in rep.get("down") or rep["toes"]]
            assert max(moved) >= MIN_TIP_TRAVEL_CM, rep
    if gt["exercise"] in NEGATIVES:
        assert np.abs(lift).max() < 1e-6 and np.abs(kp["spread_deg"]).max() < 1e-6
