"""Every rendered sample clip (samples/*.mp4 with exact ground truth) counted by the detectors.

Two levels: landmark traces recorded from the clips replayed through all three detectors (fast), and
`analyze_video` over the clips themselves through MediaPipe, for the clip's own exercise.
"""
import json

import pytest

from tests.conftest import SAMPLES, TRACES
from tests.replay import replay

EXERCISES = ("heel-raise", "ankle-rock", "ball-roll")


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


def _checks() -> list[tuple[str, str]]:
    """Each clip with its own exercise; a clip with nothing to count (negatives, toe exercises) with both the
    heel-raise and the ankle-rock detector, which must both count zero."""
    checks = []
    for stem, truth in sorted(TRUTH.items()):
        if not any(truth["counts"].values()):
            checks += [(stem, "heel-raise"), (stem, "ankle-rock")]
        else:
            checks.append((stem, "ankle-rock" if truth["exercise"] == "ankle-rock" else "heel-raise"))
    return checks


@pytest.mark.slow
@pytest.mark.parametrize("stem, exercise", _checks())
def test_analyze_counts_each_sample_clip_exactly(stem, exercise):
    from routines.analysis import analyze_video

    truth = TRUTH[stem]
    result = analyze_video(SAMPLES / f"{stem}.mp4", exercise)
    assert len(result.reps) == truth["counts"][exercise]
    assert result.frames == truth["frames"]
