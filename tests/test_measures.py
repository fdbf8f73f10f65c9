"""Heel-raise measures against the rendered clips' ground truth: the heel's lift in cm and the rise, hold and lowering
times (samples/<stem>.json gives them for every rep), and the "lower slowly" cue."""
import statistics

import pytest

from tests.conftest import TRACES
from tests.replay import replay
from tests.test_samples import TRUTH

PHASES = ("rise_s", "hold_s", "lower_s")


def _raise_clips() -> list[str]:
    return sorted(stem for stem, truth in TRUTH.items() if any(r["exercise"] == "heel-raise" for r in truth["reps"]))


def _matched(stem: str) -> list[tuple[dict, dict]]:
    """(true rep, counted rep's measures) for every heel raise of the clip; the counts are checked elsewhere."""
    truth = [r for r in TRUTH[stem]["reps"] if r["exercise"] == "heel-raise"]
    events, _ = replay(TRACES / f"sample_{stem}.npz", "heel-raise")
    reps = [e for e in events if e.complete]
    assert len(reps) == len(truth), stem
    return [(t, {**e.measures, "cues": e.cues}) for t, e in zip(truth, reps)]


MATCHED = {stem: _matched(stem) for stem in _raise_clips()}


def test_every_heel_raise_clip_has_true_measures():
    assert len(MATCHED) >= 10
    for pairs in MATCHED.values():
        for truth, _ in pairs:
            assert 3.0 < truth["heel_lift_cm"] < 15.0
            assert truth["rise_s"] + truth["hold_s"] + truth["lower_s"] == pytest.approx(truth["end"] - truth["start"],
                                                                                       abs=0.01)


def test_heel_lift_in_cm_is_within_a_quarter_of_the_truth_over_all_rendered_reps():
    errors = [abs(m["rise_cm"] - t["heel_lift_cm"]) / t["heel_lift_cm"]
              for pairs in MATCHED.values() for t, m in pairs if m["rise_cm"] is not None]
    assert len(errors) >= 50
    assert statistics.median(errors) <= 0.25


@pytest.mark.parametrize("stem", [s for s in sorted(MATCHED) if not s.startswith("one_heel")])
def test_each_view_measures_every_raise_that_lifts_the_body_and_none_wildly(stem):
    heights = [(t["heel_lift_cm"], m["rise_cm"]) for t, m in MATCHED[stem]]
    assert all(cm is not None for _, cm in heights)
    assert statistics.median(abs(cm - true) / true for true, cm in heights) <= 0.4


@pytest.mark.parametrize("stem", [s for s in sorted(MATCHED) if s.startswith("one_heel")])
def test_one_heel_raised_alone_is_not_measured_in_cm_and_says_why(stem):
    for _, m in MATCHED[stem]:
        assert m["rise_cm"] is None and "one heel" in m["rise_cm_note"]


@pytest.mark.parametrize("phase", PHASES)
def test_phase_times_are_within_a_quarter_second_of_the_truth_over_all_rendered_reps(phase):
    errors = [abs(m[phase] - t[phase]) for pairs in MATCHED.values() for t, m in pairs if m[phase] is not None]
    assert len(errors) >= 60
    assert statistics.median(errors) <= 0.25


def test_slow_lowerings_never_get_the_lower_slowly_cue_and_quick_drops_always_do():
    slow = [m for pairs in MATCHED.values() for t, m in pairs if t["lower_s"] >= 1.5]
    quick = [m for pairs in MATCHED.values() for t, m in pairs if t["lower_s"] <= 0.3]
    assert len(slow) >= 8 and len(quick) >= 2
    assert not any("lower slowly" in m["cues"] for m in slow)
    assert all("lower slowly" in m["cues"] for m in quick)
