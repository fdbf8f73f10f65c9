"""Testing the detectors on labelled clips: what each clip should count against what footform counts on it.

Labels come from a labels file, which names each clip with its counts:

    {"clips": {"my_raises.mp4": {"heel_raise": 8, "ankle_rock": 0}, "shaky.mp4": {"heel_raise": [4, 5]}}}

(a list of counts means any of them is right; keys other than the exercises', such as notes, are ignored), or from a
folder of clips each with its ground truth beside it, `X.mp4` with `X.json` holding `{"counts": {"heel-raise": 5}}`,
as in `samples/`.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from routines.analysis import Analysis, analyze_clip
from routines.batch import Source, analyze_clips
from routines.exercises import EXERCISES

# How a label may name each exercise: as in labels.json (heel_raise) or as on the command line (heel-raise).
LABEL_KEYS = {name: exercise for exercise in EXERCISES for name in (exercise, exercise.replace("-", "_"))}
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".avi", ".mkv", ".m4v")
LABELS_SHAPE = '{"clips": {"clip.mp4": {"heel_raise": 3, "ankle_rock": 0}, ...}}'


class LabelsError(Exception):
    """Labels that cannot be used; the message names the file and the problem in one line."""


@dataclass(frozen=True)
class LabelledClip:
    name: str  # as the labels name it
    path: str  # where the video is
    want: dict[str, tuple[int, ...]]  # exercise -> the counts any of which is right


@dataclass
class Labels:
    source: str
    clips: list[LabelledClip]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (clip or folder, why it is not evaluated)

    @property
    def exercises(self) -> list[str]:
        """The exercises some clip is labelled for, in the order of `EXERCISES`."""
        return [e for e in EXERCISES if any(e in clip.want for clip in self.clips)]


def load_labels(path: str | os.PathLike, clips_dir: str | os.PathLike | None = None) -> Labels:
    """Read a labels file (clips found in `clips_dir`, by default the file's folder) or a folder of clips with their
    ground truth. Raises `LabelsError` when the labels cannot be used."""
    path = Path(path)
    if path.is_dir():
        if clips_dir is not None:
            raise LabelsError(f"{path}: is a folder of clips with their ground truth; --clips is for a labels file")
        return _from_folder(path)
    data = _read_json(path)
    clips = data.get("clips") if isinstance(data, dict) else None
    if not isinstance(clips, dict) or not clips:
        raise LabelsError(f"{path}: expected labels shaped {LABELS_SHAPE}")
    folder = Path(clips_dir) if clips_dir is not None else path.parent
    labels = Labels(str(path), [])
    for name, counts in clips.items():
        if not isinstance(counts, dict):
            raise LabelsError(f"{path}: {name}: expected the clip's counts, "
                              f"such as {{\"heel_raise\": 3}}, not {counts!r}")
        _add(labels, name, str(folder / name), _want(counts, path, name))
    return labels


def _from_folder(folder: Path) -> Labels:
    labels = Labels(str(folder), [])
    for video in sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file()):
        truth = video.with_suffix(".json")
        if not truth.exists():
            labels.skipped.append((video.name, f"no ground truth ({truth.name} is missing)"))
            continue
        data = _read_json(truth)
        counts = data.get("counts") if isinstance(data, dict) else None
        if not isinstance(counts, dict):
            raise LabelsError(f'{truth}: expected ground truth with its counts, '
                              f'such as {{"counts": {{"heel-raise": 5}}}}')
        _add(labels, video.name, str(video), _want(counts, truth, video.name))
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        note = _subfolder_note(sub)
        if note:
            labels.skipped.append((sub.name + "/", note))
    if not labels.clips and not labels.skipped:
        raise LabelsError(f"{folder}: no clips with their ground truth (X.mp4 beside X.json)")
    return labels


def _subfolder_note(sub: Path) -> str:
    """Why a subfolder's labelled clips are not evaluated with the folder, or "" when it holds none."""
    pairs = [v.with_suffix(".json") for v in sub.iterdir()
             if v.suffix.lower() in VIDEO_SUFFIXES and v.with_suffix(".json").exists()]
    if not pairs:
        return ""
    names: set[str] = set()
    for truth in pairs:
        try:
            names.update(json.loads(truth.read_text(encoding="utf-8")).get("counts", {}))
        except (OSError, ValueError, AttributeError):
            continue
    note = f"{len(pairs)} labelled clips in a subfolder, not evaluated with this folder (give it on its own)"
    if names and not names & LABEL_KEYS.keys():
        note = (f"{len(pairs)} labelled clips in a subfolder, all for exercises no detector counts "
                f"({', '.join(sorted(names))}): not evaluated")
    return note


def _add(labels: Labels, name: str, path: str, want: dict) -> None:
    if want:
        labels.clips.append(LabelledClip(name, path, want))
    else:
        labels.skipped.append((name, f"not applicable: no count for any exercise footform counts ({_exercise_list()})"))


def _exercise_list(exercises=EXERCISES) -> str:
    names = list(exercises)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LabelsError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LabelsError(f"{path}: is a directory") from None
    except OSError as error:
        raise LabelsError(f"{path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise LabelsError(f"{path}: not a text file") from None
    except json.JSONDecodeError as error:
        raise LabelsError(f"{path}: not valid JSON ({error.msg} at line {error.lineno}, "
                          f"column {error.colno})") from None


def _want(counts: dict, path: Path, name: str) -> dict[str, tuple[int, ...]]:
    want = {}
    for key, value in counts.items():
        exercise = LABEL_KEYS.get(key)
        if exercise is None:
            continue
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
            raise LabelsError(f"{path}: {name}: {key} must be a count (0, 1, 2, ...) "
                              f"or a list of counts, not {value!r}")
        want[exercise] = tuple(values)
    return want


@dataclass
class Check:
    """One clip and one exercise: the labelled count against the count footform gives."""

    clip: LabelledClip
    exercise: str
    analysis: Analysis | None  # None when the clip could not be read
    unreadable: str | None = None  # why

    @property
    def want(self) -> tuple[int, ...]:
        return self.clip.want[self.exercise]

    @property
    def got(self) -> int | None:
        return None if self.analysis is None else len(self.analysis.reps)

    @property
    def abs_error(self) -> int | None:
        """How many reps the count is off by, from the nearest right count."""
        return None if self.got is None else min(abs(self.got - w) for w in self.want)

    @property
    def exact(self) -> bool:
        return self.abs_error == 0

    def to_dict(self) -> dict:
        analysis = self.analysis
        return {
            "clip": self.clip.name,
            "file": self.clip.path,
            "exercise": self.exercise,
            "want": list(self.want),
            "got": self.got,
            "per_side": analysis.per_side if analysis else None,
            "partial_reps": len(analysis.partial_reps) if analysis else None,
            "exact": self.exact,
            "abs_error": self.abs_error,
            "warnings": list(analysis.warnings) if analysis else [],
            "unreadable": self.unreadable,
        }


@dataclass
class Evaluation:
    source: str
    exercises: list[str]
    checks: list[Check]
    skipped: list[tuple[str, str]]

    @property
    def all_exact(self) -> bool:
        return all(check.exact for check in self.checks)

    def summary(self) -> dict:
        read = [c for c in self.checks if c.analysis is not None]
        zero = [c for c in read if c.want == (0,)]
        off_by_one = sum(c.abs_error == 1 for c in read)
        return {
            "clips": len({c.clip.name for c in self.checks}),
            "checks": len(self.checks),
            "exact": sum(c.exact for c in self.checks),
            "mean_abs_error": round(sum(c.abs_error for c in read) / len(read), 3) if read else None,
            "off_by_one": off_by_one,
            "off_by_one_share": round(off_by_one / len(read), 3) if read else None,
            "labelled_zero": len(zero),
            "false_reps": sum(c.got for c in zero),
            "labelled_zero_with_reps": sum(c.got > 0 for c in zero),
            "unreadable": sorted({c.clip.name for c in self.checks if c.analysis is None}),
        }

    def to_dict(self) -> dict:
        return {
            "labels": self.source,
            "exercises": list(self.exercises),
            "checks": [c.to_dict() for c in self.checks],
            "summary": self.summary(),
            "skipped": [{"clip": name, "reason": why} for name, why in self.skipped],
        }


def evaluate(
    labels: Labels,
    exercises: Sequence[str] | None = None,
    jobs: int | None = None,
    progress: Callable[[float], None] | None = None,
    source: Source = analyze_clip,
) -> Evaluation:
    """Count `exercises` (default: every one the labels give) in every labelled clip, in `jobs` worker processes,
    and set the counts against the labels. Each clip is decoded and its poses estimated once, for all exercises.
    Raises `LabelsError` when no clip is labelled for the exercises asked for."""
    wanted = [e for e in labels.exercises if exercises is None or e in exercises]
    clips = [clip for clip in labels.clips if any(e in clip.want for e in wanted)]
    if not clips:
        asked = _exercise_list(exercises or EXERCISES)
        not_applicable = f" ({len(labels.skipped)} skipped as not applicable)" if labels.skipped else ""
        raise LabelsError(f"{labels.source}: no clip is labelled for {asked}{not_applicable}: nothing to evaluate")
    results = analyze_clips([clip.path for clip in clips], wanted, jobs, progress, source)
    checks = [
        Check(clip, exercise, result.analyses[exercise] if result.analyses else None, result.error)
        for clip, result in zip(clips, results)
        for exercise in wanted
        if exercise in clip.want
    ]
    return Evaluation(labels.source, wanted, checks, list(labels.skipped))
