"""The heel-raise detector on landmark traces recorded from real clips (tests/traces/real_*.npz)."""
import pytest

from tests.conftest import TRACES
from tests.replay import replay

# Hand-counted from the clips in ../shared/realvids (labels.json); frames are at the clip's own rate.
RAISE_CLIPS = {
    "home_calf_raises": (3, 30.0, [(84, 102), (156, 180), (234, 264)]),
    "gym_wall_calf_raises": (2, 60.0, [(84, 204), (312, 420)]),
}
NEGATIVE_CLIPS = ["weight_shifts", "knee_lifts", "lab_lunge_throw", "lab_two_people", "outdoor_jump_walk"]


@pytest.mark.parametrize("name", sorted(RAISE_CLIPS))
def test_counts_each_real_heel_raise_once_at_the_labelled_time(name):
    expected, fps, tops = RAISE_CLIPS[name]
    events, pipeline = replay(TRACES / f"real_{name}.npz", "heel-raise")
    reps = [e for e in events if e.complete]
    assert len(reps) == expected
    assert pipeline.detector.count == expected
    for rep, (first, last) in zip(reps, tops):
        # The labelled "heels up" frames lie inside the counted rep (the model lags the motion by ~0.2 s).
        assert rep.start <= first / fps + 0.2 and rep.end >= last / fps - 0.2, (rep, first, last)
        assert rep.side == "both"  # double-leg raises
        assert rep.measures["rise"] > 0.055
        assert rep.measures["rise_s"] > 0 and rep.measures["lower_s"] > 0


@pytest.mark.parametrize("name", NEGATIVE_CLIPS)
def test_counts_nothing_in_real_clips_without_heel_raises(name):
    events, pipeline = replay(TRACES / f"real_{name}.npz", "heel-raise")
    assert [e for e in events if e.complete] == []
    assert pipeline.detector.count == 0


def test_long_hold_at_the_top_is_measured():
    events, _ = replay(TRACES / "real_gym_wall_calf_raises.npz", "heel-raise")
    # In this clip the heels stay up for about two seconds each time.
    assert all(e.measures["hold_s"] > 1.0 for e in events)


def test_asks_the_person_to_stand_still_when_never_calibrated():
    events, pipeline = replay(TRACES / "real_lab_two_people.npz", "heel-raise")
    status = pipeline.detector.status
    # 1.7 s of a moving person: never still long enough to calibrate, so nothing is counted and the user is told.
    assert status.phase in ("not calibrated", "moving")
    assert "calibrate" in status.message
