"""The toe checker on the rendered close-up clips (samples/closeup): every clip counted exactly for its own toe
exercise, per foot and at the right times, every negative 0 for all six, and the form feedback the routine asks
for: which toes went down, a little toe left low, toes curled under instead of gripping."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from routines.analysis import Analysis, analyze_clip
from routines.exercises import CLOSEUP_EXERCISES
from routines.pipeline import CloseupPipeline
from tests.conftest import REALVIDS
from vision.closeup import ToeTracker, find_feet
from vision.video import VideoFile

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CLOSEUP = SAMPLES / "closeup"
TRUTHS = {p.stem: json.loads(p.read_text()) for p in sorted(CLOSEUP.glob("closeup_*.json"))}
WITH_REPS = sorted(stem for stem, gt in TRUTHS.items() if gt["exercise"] in CLOSEUP_EXERCISES)
NEGATIVES = sorted(stem for stem, gt in TRUTHS.items() if gt["exercise"] not in CLOSEUP_EXERCISES)
TIME_TOLERANCE = 0.6  # seconds between a counted rep's end and the truth's


@lru_cache(maxsize=None)
def analysed(stem: str) -> dict[str, Analysis]:
    gt = TRUTHS[stem]
    exercises = [gt["exercise"]] if gt["exercise"] in CLOSEUP_EXERCISES else list(CLOSEUP_EXERCISES)
    return analyze_clip(CLOSEUP / gt["clip"], exercises)


def test_there_are_clips_of_every_kind():
    assert {TRUTHS[s]["exercise"] for s in WITH_REPS} == set(CLOSEUP_EXERCISES)
    assert len(NEGATIVES) >= 4


@pytest.mark.parametrize("stem", WITH_REPS)
def test_each_toe_clip_is_counted_exactly_per_foot_and_in_time(stem):
    gt = TRUTHS[stem]
    result = analysed(stem)[gt["exercise"]]
    counted = [r for r in gt["reps"] if r["counted"]]
    assert len(result.reps) == gt["counts"][gt["exercise"]] == len(counted), [e.to_dict() for e in result.events]
    for rep, truth in zip(result.reps, counted):
        assert rep.side == truth["side"]
        assert abs(rep.end - truth["end"]) <= TIME_TOLERANCE, (rep.to_dict(), truth)
    assert result.frames_with_pose == result.frames and not result.warnings


@pytest.mark.parametrize("stem", NEGATIVES)
def test_negatives_count_nothing_for_any_toe_exercise(stem):
    for exercise, result in analysed(stem).items():
        assert result.reps == [], (exercise, [e.to_dict() for e in result.events])


def test_heel_raises_and_ankle_rocks_close_up_are_cued_as_not_toe_movements():
    for stem in ("closeup_heel_raise_B", "closeup_ankle_rock_A"):
        result = analysed(stem)["toe-fan-lift"]
        moves = len(TRUTHS[stem]["other_movements"])
        assert len(result.partial_reps) == moves
        assert all("only the toes move" in e.cues[0] for e in result.partial_reps)


def test_great_toe_down_says_which_toes_went_down():
    for stem in WITH_REPS:
        gt = TRUTHS[stem]
        if not gt["exercise"].startswith("great-toe-down"):
            continue
        result = analysed(stem)[gt["exercise"]]
        said = [e.measures["toes_down"] for e in result.reps]
        truth = ["big toes" if r["down"] == ["toe1"] else "little toes" for r in gt["reps"]]
        assert said == truth, stem


def test_pressing_the_other_toes_is_cued_not_counted():
    """The alternating clip read as big-toe presses: its little-toe presses are the wrong toes."""
    gt = TRUTHS["closeup_great_toe_down_alternate_B"]
    result = analyze_clip(CLOSEUP / gt["clip"], ["great-toe-down-big"])["great-toe-down-big"]
    assert len(result.reps) == 3 and len(result.partial_reps) == 3
    assert all("press only the big toes" in e.cues[0] for e in result.partial_reps)


def test_a_little_toe_left_low_is_cued_on_exactly_those_lifts():
    stem = "closeup_toe_fan_lift_little_low_C"
    result = analysed(stem)["toe-fan-lift"]
    cued = [bool(e.cues) for e in result.reps]
    assert cued == [r["cue"] == "little-toes-low" for r in TRUTHS[stem]["reps"]]
    assert all(e.cues == ("lift the little toe as high as the big toe",) for e in result.reps if e.cues)
    for stem in WITH_REPS:  # and never where the little toe went as high as the big toe
        if stem != "closeup_toe_fan_lift_little_low_C" and TRUTHS[stem]["exercise"] == "toe-fan-lift":
            assert not any(e.cues for e in analysed(stem)["toe-fan-lift"].events), stem


def test_toes_curled_under_are_not_a_grip():
    stem = "closeup_toe_grip_curl_D"
    result = analysed(stem)["toe-grip"]
    curls = [r for r in TRUTHS[stem]["reps"] if r["cue"] == "curl"]
    assert len(result.partial_reps) == len(curls)
    for event, truth in zip(result.partial_reps, curls):
        assert "do not curl them under" in event.cues[0] and abs(event.end - truth["end"]) <= TIME_TOLERANCE


def test_a_hand_moving_the_camera_is_noticed_and_the_feet_found_again():
    gt = TRUTHS["closeup_hand_reach_D"]
    tracker = ToeTracker()
    with VideoFile(CLOSEUP / gt["clip"]) as video:
        frames = [tracker.update(frame.image, frame.t) for frame in video]
    moved = [f.t for f in frames if f.camera_moved]
    tilt_start, tilt_end = gt["camera"]["adjusted"]
    assert moved and tilt_start - 0.2 <= moved[0] <= tilt_end
    assert frames[-1].found and not frames[-1].camera_moved


def test_dropped_frames_leave_the_counts_alone():
    """A live stream on a busy machine delivers every second frame or fewer: the counts stay exact."""
    for stem in ("closeup_toe_fan_lift_A", "closeup_great_toe_down_alternate_B", "closeup_toe_grip_curl_D"):
        gt = TRUTHS[stem]
        pipeline = CloseupPipeline(gt["exercise"])
        with VideoFile(CLOSEUP / gt["clip"]) as video:
            for index, frame in enumerate(video):
                if index % 2 == 0:
                    pipeline.process(frame.image, frame.t)
        assert pipeline.detector.count == gt["counts"][gt["exercise"]], stem


@pytest.mark.parametrize("stem", ["closeup_toe_fan_lift_A", "closeup_great_toe_down_alternate_B",
                                  "closeup_toe_fan_spread_D_slow"])
def test_a_dim_noisy_webcam_with_automatic_exposure_leaves_the_counts_alone(stem):
    """The clip as a cheap webcam in a dim room gives it: under half the light, grainy (noise of 4 grey levels), and
    the exposure wandering by 12 % over a few seconds."""
    gt = TRUTHS[stem]
    pipeline = CloseupPipeline(gt["exercise"])
    grain = np.random.default_rng(7)
    with VideoFile(CLOSEUP / gt["clip"]) as video:
        for frame in video:
            light = 0.45 * (1 + 0.12 * np.sin(frame.t * 2 * np.pi / 7))
            image = frame.image * light + grain.normal(0, 4, frame.image.shape)
            pipeline.process(np.clip(image, 0, 255).astype(np.uint8), frame.t)
    assert pipeline.detector.count == gt["counts"][gt["exercise"]]


@pytest.mark.parametrize("stem", WITH_REPS)
def test_the_toe_band_watched_holds_the_toes(stem):
    """Where the checker watches each foot (and outlines it on the picture) holds at least 4 of its 5 toe tips."""
    gt = TRUTHS[stem]
    tracker = ToeTracker()
    with VideoFile(CLOSEUP / gt["clip"]) as video:
        for frame in video:
            last = tracker.update(frame.image, frame.t)
    with np.load(CLOSEUP / gt["keypoints"]["file"]) as keypoints:
        tips = keypoints["image_xy"][0, :, :5] / [gt["width"], gt["height"]]  # feet left, right at the first frame
    for foot, side in enumerate(("left", "right")):
        left, top, right, bottom = last.bands[side]
        inside = [left - 0.01 <= x <= right + 0.01 and top - 0.02 <= y <= bottom + 0.02 for x, y in tips[foot]]
        assert sum(inside) >= 4, (side, last.bands[side], tips[foot])


def test_both_feet_are_found_in_every_clip_and_nowhere_in_a_full_body_view():
    for stem, gt in TRUTHS.items():
        with VideoFile(CLOSEUP / gt["clip"]) as video:
            feet = find_feet(next(iter(video)).image)
        assert [f.side for f in feet] == ["right", "left"], stem
    with VideoFile(SAMPLES / "heel_raise_front_A.mp4") as video:
        assert find_feet(next(iter(video)).image) == []


@pytest.mark.skipif(not (REALVIDS / "labels.json").exists(), reason="the real clips live in ../shared/realvids")
def test_no_feet_are_found_in_real_full_body_footage():
    """Real people filmed whole (homes, gyms, a studio, two people at once): a frame a second of every real clip.
    A head, a torso or a doorway at the top of the picture is not a pair of shins."""
    for path in sorted(REALVIDS.glob("*.mp4")):
        with VideoFile(path) as video:
            every = max(1, round(video.info.fps))
            for index, frame in enumerate(video):
                if index % every == 0:
                    assert find_feet(frame.image) == [], (path.name, frame.t)


def test_a_full_body_clip_says_the_feet_were_not_found():
    result = analyze_clip(SAMPLES / "heel_raise_front_A.mp4", ["toe-fan-lift"])["toe-fan-lift"]
    assert result.reps == [] and result.frames_with_pose == 0
    assert result.warnings and result.warnings[0].startswith("The feet were not found")


def test_toe_and_full_body_exercises_are_not_mixed_in_one_clip():
    with pytest.raises(ValueError, match="close-up of the feet"):
        analyze_clip(CLOSEUP / "closeup_toe_fan_lift_A.mp4", ["toe-fan-lift", "heel-raise"])
