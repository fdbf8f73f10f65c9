"""Every rendered sample clip (samples/*.mp4 with exact ground truth) counted by the detectors.

Two levels: landmark traces recorded from the clips replayed through all three detectors (fast), and `footform eval`
over the clips themselves through MediaPipe, for all three.
"""
import json

import pytest

from routines.exercises import EXERCISES
from tests.conftest import SAMPLES, TRACES
from tests.replay import replay


def ground_truths() -> dict:
    return {
        path.stem: json.loads(path.read_text())
        for path in sorted(SAMPLES.glob("*.json"))
        if path.with_suffix(".mp4").exists()
    }


TRUTH = ground_truths()


def test_there_are_samples_of_every_kind():
    kinds = {truth["exercise"] for truth in TRUTH.values()}
    assert {"heel-raise", "single-heel-raise", "ankle-rock"} <= kinds
    assert len(kinds - {"heel-raise", "single-heel-raise", "ankle-rock"}) >= 5  # negatives and toe exercises


@pytest.mark.parametrize("stem", sorted(TRUTH))
def test_replayed_trace_counts_match_the_ground_truth(stem):
    trace = TRACES / f"sample_{stem}.npz"
    assert trace.exists(), f"record it with: footform trace samples/{stem}.mp4 {trace}"
    truth = TRUTH[stem]
    for exercise in EXERCISES:
        events, pipeline = replay(trace, exercise)
        assert pipeline.detector.count == truth["counts"][exercise], (exercise, events)
    camera_reps = [rep for rep in truth["reps"] if rep["exercise"] in EXERCISES]
    if camera_reps:
        events, _ = replay(trace, camera_reps[0]["exercise"])
        reps = [e for e in events if e.complete]
        for rep, expected in zip(reps, camera_reps):
            # Each counted rep overlaps its true rep (the model's smoothing lags by a fraction of a second).
            assert rep.start < expected["end"] and rep.end > expected["start"], (rep, expected)
            wanted = expected["side"]
            assert rep.side == wanted, (rep, expected)


@pytest.mark.slow
def test_eval_counts_every_sample_clip_exactly_for_every_exercise():
    """`footform eval samples/` through MediaPipe, one worker per core: each clip's poses estimated once and every
    detector fed them; every count must be the ground truth's, on every clip."""
    from routines.evaluation import evaluate, load_labels

    evaluation = evaluate(load_labels(SAMPLES))
    assert {check.clip.name.removesuffix(".mp4") for check in evaluation.checks} == set(TRUTH)
    assert len(evaluation.checks) == len(TRUTH) * len(EXERCISES)
    assert [c.to_dict() for c in evaluation.checks if not c.exact] == []
    for check in evaluation.checks:
        assert check.analysis.frames == TRUTH[check.clip.name.removesuffix(".mp4")]["frames"]
