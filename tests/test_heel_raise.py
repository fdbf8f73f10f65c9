"""The detectors on landmark traces recorded from the real clips (tests/traces/real_*.npz), against the hand counts
in ../shared/realvids/labels.json."""
import random

import pytest

from routines.pipeline import Pipeline
from tests.conftest import TRACES, real_labels
from tests.replay import replay
from vision.traces import load_trace

LABELS = real_labels()
COUNTED = (("heel-raise", "heel_raise"), ("ankle-rock", "ankle_rock"))
# Where labels.json's notes give the frames of each raise: (frames per second, [(heels up, heels down), ...]).
RAISE_TIMES = {
    "home_calf_raises": (30.0, [(84, 102), (156, 180), (234, 264)]),
    "gym_wall_calf_raises": (60.0, [(84, 204), (312, 420)]),
    "fitbod_calf_raise_front_then_side": (59.94, [(60, 120), (215, 290), (390, 450), (540, 600), (700, 780),
                                                  (875, 940)]),
    "fitbod_dumbbell_calf_raise_front_then_side": (59.94, [(60, 105), (195, 240), (340, 390), (530, 590), (665, 710),
                                                          (800, 850)]),
}


def _expected(label) -> list[int]:
    """A label is a count, or a list of counts any of which is right."""
    return label if isinstance(label, list) else [label]


@pytest.mark.parametrize("exercise, key", COUNTED)
@pytest.mark.parametrize("name", sorted(LABELS))
def test_replayed_real_clip_matches_its_hand_count(name, exercise, key):
    trace = TRACES / f"real_{name.removesuffix('.mp4')}.npz"
    assert trace.exists(), f"record it with: make traces (footform trace ../shared/realvids/{name} {trace})"
    events, pipeline = replay(trace, exercise)
    assert pipeline.detector.count in _expected(LABELS[name][key]), [e.to_dict() for e in events]


@pytest.mark.parametrize("name", sorted(RAISE_TIMES))
def test_counts_each_real_heel_raise_once_at_the_labelled_time(name):
    fps, tops = RAISE_TIMES[name]
    events, pipeline = replay(TRACES / f"real_{name}.npz", "heel-raise")
    reps = [e for e in events if e.complete]
    assert len(reps) == len(tops)
    for rep, (first, last) in zip(reps, tops):
        # The labelled "heels up" frames lie inside the counted rep (the model lags the motion by ~0.2 s).
        assert rep.start <= first / fps + 0.2 and rep.end >= last / fps - 0.2, (rep, first, last)
        assert rep.side == "both"  # double-leg raises
        assert rep.measures["rise"] > 0.055
        assert rep.measures["rise_s"] > 0 and rep.measures["lower_s"] > 0


def test_a_single_leg_raise_is_tagged_with_the_standing_foot():
    # The right foot stands, the left is held off the floor behind the whole clip (labels.json).
    events, _ = replay(TRACES / "real_fitbod_single_leg_calf_raise_front_then_side.npz", "heel-raise")
    assert [e.side for e in events if e.complete] == ["right"] * 6


def test_long_hold_at_the_top_is_measured():
    events, _ = replay(TRACES / "real_gym_wall_calf_raises.npz", "heel-raise")
    # In this clip the heels are up for about two seconds each time, rising and lowering slowly.
    for e in events:
        m = e.measures
        assert m["hold_s"] > 0.8 and m["rise_s"] + m["hold_s"] + m["lower_s"] > 2.0, m


def test_the_rise_of_a_person_leaning_on_a_wall_is_not_measured_and_says_why():
    # Hands on a wall, the torso leans about 20 degrees: the hips move along an arc as the heels rise.
    events, _ = replay(TRACES / "real_gym_wall_calf_raises.npz", "heel-raise")
    assert all(e.measures["rise_cm"] is None and "leaning" in e.measures["rise_cm_note"] for e in events)


@pytest.mark.parametrize("name", sorted(RAISE_TIMES) + ["fitbod_single_leg_calf_raise_front_then_side"])
def test_a_full_raise_of_a_real_person_reads_a_plausible_height(name):
    events, _ = replay(TRACES / f"real_{name}.npz", "heel-raise")
    heights = [e.measures["rise_cm"] for e in events if e.complete and e.measures["rise_cm"] is not None]
    assert heights or name == "gym_wall_calf_raises"
    assert all(4.0 <= cm <= 12.0 for cm in heights), heights


# A live page keeps fewer frames than a file: at most 30 a second from the camera, and of those only the ones that
# arrive while the pose model is free (14-22 a second on this 2-core machine, with gaps of up to a third of a second).
LIVE_RATES = [pytest.param(("every", k), id=f"every-{k}th-frame") for k in (3, 4, 5, 6)] + [
    pytest.param(("kept", seed), id=f"60pct-kept-seed{seed}") for seed in range(6)]


@pytest.mark.parametrize("rate", LIVE_RATES)
@pytest.mark.parametrize("name", sorted(LABELS))
def test_a_real_clip_is_counted_the_same_with_the_frames_a_live_page_keeps(name, rate):
    frames = list(load_trace(TRACES / f"real_{name.removesuffix('.mp4')}.npz"))
    how, value = rate
    if how == "every":
        kept = frames[::value]
    else:
        capped = frames[::2] if len(frames) / (frames[-1][0] - frames[0][0]) > 45 else frames  # 30 frames/s at most
        draw = random.Random(value)
        kept = [frame for frame in capped if draw.random() < 0.6]
    pipeline = Pipeline("heel-raise")
    for t, pose in kept:
        pipeline.feed(pose, t)
    assert pipeline.detector.count in _expected(LABELS[name]["heel_raise"]), f"{len(kept)} of {len(frames)} frames"
