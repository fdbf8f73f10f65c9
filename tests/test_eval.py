"""`footform eval`'s function: labels read and checked, counts set against them, the summary, the worker pool.

The clips' poses come from their stored landmark traces (`tests/replay.trace_source`), so no MediaPipe runs here;
`tests/test_cli.py` runs the command itself through MediaPipe, and `tests/test_samples.py` evaluates every sample clip
through it.
"""
import json

import pytest

from routines.batch import analyze_clips
from routines.evaluation import LabelsError, evaluate, load_labels
from tests.conftest import SAMPLES
from tests.replay import trace_source


def truth(stem: str) -> dict:
    return json.loads((SAMPLES / f"{stem}.json").read_text())["counts"]


def write_labels(folder, clips: dict, name="labels.json"):
    path = folder / name
    path.write_text(json.dumps({"about": "test labels", "clips": clips}))
    return path


RAISES = "heel_raise_side_B"  # heel raises
ROCKS = "ankle_rock_front_B_brisk"  # ankle rocks
STILL = "stand_sway_C"  # nothing to count


def test_counts_are_set_against_the_labels_and_summed_up(tmp_path):
    raises, rocks = truth(RAISES)["heel-raise"], truth(ROCKS)["ankle-rock"]
    labels = write_labels(tmp_path, {
        f"{RAISES}.mp4": {"heel_raise": raises, "ankle_rock": 0, "notes": "right on both"},
        f"{ROCKS}.mp4": {"ankle_rock": raises + rocks},  # wrong by as many as the other clip's raises
        f"{STILL}.mp4": {"heel_raise": [1, 0]},  # either is right
        "missing.mp4": {"heel_raise": 2},
    })
    evaluation = evaluate(load_labels(labels, SAMPLES), jobs=1, source=trace_source)
    rows = {(c.clip.name, c.exercise): c for c in evaluation.checks}
    assert list(rows) == [
        (f"{RAISES}.mp4", "heel-raise"), (f"{RAISES}.mp4", "ankle-rock"), (f"{ROCKS}.mp4", "ankle-rock"),
        (f"{STILL}.mp4", "heel-raise"), ("missing.mp4", "heel-raise"),
    ]
    assert rows[f"{RAISES}.mp4", "heel-raise"].exact and rows[f"{RAISES}.mp4", "heel-raise"].got == raises
    assert rows[f"{ROCKS}.mp4", "ankle-rock"].got == rocks and rows[f"{ROCKS}.mp4", "ankle-rock"].abs_error == raises
    assert rows[f"{STILL}.mp4", "heel-raise"].exact
    missing = rows["missing.mp4", "heel-raise"]
    assert missing.analysis is None and "no such file" in missing.unreadable and not missing.exact
    assert not evaluation.all_exact

    summary = evaluation.summary()
    assert summary["checks"] == 5 and summary["clips"] == 4
    assert summary["exact"] == 3  # both exercises of the raises clip and the still clip
    assert summary["mean_abs_error"] == round(raises / 4, 3)  # over the 4 checks of clips that were read
    assert summary["off_by_one"] == 0 and summary["off_by_one_share"] == 0
    assert summary["labelled_zero"] == 1 and summary["false_reps"] == 0
    assert summary["unreadable"] == ["missing.mp4"]
    as_json = json.loads(json.dumps(evaluation.to_dict()))
    assert as_json["summary"] == summary and len(as_json["checks"]) == 5
    analysis = rows[f"{RAISES}.mp4", "heel-raise"].analysis
    assert as_json["checks"][0] == {
        "clip": f"{RAISES}.mp4", "file": str(SAMPLES / f"{RAISES}.mp4"), "exercise": "heel-raise", "want": [raises],
        "got": raises, "per_side": analysis.per_side, "partial_reps": len(analysis.partial_reps),
        "exact": True, "abs_error": 0, "warnings": analysis.warnings, "unreadable": None,
    }
    assert sum(analysis.per_side.values()) == raises
    assert as_json["checks"][-1]["got"] is None and "no such file" in as_json["checks"][-1]["unreadable"]


def test_a_count_wrong_by_one_and_a_clip_with_reps_labelled_zero(tmp_path):
    raises = truth(RAISES)["heel-raise"]
    labels = write_labels(tmp_path, {
        f"{RAISES}.mp4": {"heel-raise": raises + 1},
        f"{ROCKS}.mp4": {"ankle-rock": 0},
    })
    evaluation = evaluate(load_labels(labels, SAMPLES), jobs=1, source=trace_source)
    summary = evaluation.summary()
    assert summary["off_by_one"] == 1 and summary["off_by_one_share"] == 0.5
    assert summary["labelled_zero"] == 1
    assert summary["false_reps"] == truth(ROCKS)["ankle-rock"] and summary["labelled_zero_with_reps"] == 1
    assert summary["exact"] == 0 and summary["unreadable"] == []


def test_the_samples_folder_is_read_with_its_ground_truth_and_the_closeup_clips_are_skipped():
    labels = load_labels(SAMPLES)
    stems = sorted(p.stem for p in SAMPLES.glob("*.mp4") if p.with_suffix(".json").exists())
    assert [clip.name for clip in labels.clips] == [f"{stem}.mp4" for stem in stems]
    for clip in labels.clips:
        assert {e: (n,) for e, n in truth(clip.name.removesuffix(".mp4")).items()} == clip.want
    assert sorted(labels.exercises) == ["ankle-rock", "ball-roll", "heel-raise"]
    (name, why), = labels.skipped
    assert name == "closeup/" and "toe-grip" in why and "not evaluated" in why


def test_the_closeup_folder_on_its_own_has_nothing_to_evaluate():
    labels = load_labels(SAMPLES / "closeup")
    assert labels.clips == [] and all("not applicable" in why for _, why in labels.skipped)
    with pytest.raises(LabelsError, match="nothing to evaluate"):
        evaluate(labels, source=trace_source)


def test_one_exercise_only(tmp_path):
    labels = write_labels(tmp_path, {f"{RAISES}.mp4": {"heel_raise": 1, "ankle_rock": 0},
                                     f"{ROCKS}.mp4": {"ankle_rock": 3}})
    evaluation = evaluate(load_labels(labels, SAMPLES), ["ankle-rock"], jobs=1, source=trace_source)
    assert evaluation.exercises == ["ankle-rock"]
    assert [(c.clip.name, c.exercise) for c in evaluation.checks] == [(f"{RAISES}.mp4", "ankle-rock"),
                                                                       (f"{ROCKS}.mp4", "ankle-rock")]
    with pytest.raises(LabelsError, match="no clip is labelled for ball-roll"):
        evaluate(load_labels(labels, SAMPLES), ["ball-roll"], source=trace_source)


def test_the_pool_gives_the_results_in_the_order_of_the_clips_and_the_same_counts(tmp_path):
    stems = [STILL, "one_heel_raise_routine_B", RAISES, ROCKS]  # the largest file is not first
    paths = [SAMPLES / f"{stem}.mp4" for stem in stems] + [tmp_path / "gone.mp4"]
    shares = []
    pooled = analyze_clips(paths, ["heel-raise", "ball-roll"], jobs=2, progress=shares.append, source=trace_source)
    alone = analyze_clips(paths, ["heel-raise", "ball-roll"], jobs=1, source=trace_source)
    assert [r.path for r in pooled] == [str(p) for p in paths]
    for one, other, stem in zip(pooled, alone, stems):
        for exercise in ("heel-raise", "ball-roll"):
            assert len(one.analyses[exercise].reps) == truth(stem)[exercise]
            assert one.analyses[exercise].to_dict() == other.analyses[exercise].to_dict()
    assert pooled[-1].analyses is None and "no such file" in pooled[-1].error
    assert shares and shares[-1] == 1.0


def _labels_file(tmp_path, text):
    path = tmp_path / "labels.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, problem", [
    ('{"clips": {"a.mp4": {"heel_raise": 3}', "not valid JSON"),
    ("[1, 2]", "expected labels shaped"),
    ('{"about": "no clips"}', "expected labels shaped"),
    ('{"clips": {}}', "expected labels shaped"),
    ('{"clips": {"a.mp4": 3}}', "expected the clip's counts"),
    ('{"clips": {"a.mp4": {"heel_raise": "three"}}}', "must be a count"),
    ('{"clips": {"a.mp4": {"heel_raise": -1}}}', "must be a count"),
    ('{"clips": {"a.mp4": {"heel_raise": 2.5}}}', "must be a count"),
    ('{"clips": {"a.mp4": {"heel_raise": true}}}', "must be a count"),
    ('{"clips": {"a.mp4": {"heel_raise": []}}}', "must be a count"),
])
def test_labels_that_cannot_be_used_say_why_naming_the_file(tmp_path, text, problem):
    path = _labels_file(tmp_path, text)
    with pytest.raises(LabelsError) as error:
        load_labels(path)
    message = str(error.value)
    assert str(path) in message and problem in message and "\n" not in message


def test_a_missing_labels_file_and_a_folder_without_clips(tmp_path):
    with pytest.raises(LabelsError, match="no such file"):
        load_labels(tmp_path / "nope.json")
    with pytest.raises(LabelsError, match="no clips with their ground truth"):
        load_labels(tmp_path)


def test_a_broken_ground_truth_in_a_folder_names_its_file(tmp_path):
    (tmp_path / "clip.mp4").symlink_to(SAMPLES / f"{STILL}.mp4")
    (tmp_path / "clip.json").write_text('{"exercise": "heel-raise"}')
    with pytest.raises(LabelsError, match="clip.json: expected ground truth with its counts"):
        load_labels(tmp_path)
