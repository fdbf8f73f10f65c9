"""Analyse a recorded clip: an upload or one of the sample clips, through the same pipeline as the live camera."""
from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from appviews.common import count_of, exercise_label, measure_columns, not_measured, store
from routines.analysis import Analysis, analyze_video
from routines.exercises import EXERCISES, exercise_title
from vision.video import VideoError

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
VIDEO_TYPES = ("mp4", "mov", "webm", "avi")
# The same limit as server.maxUploadSize in .streamlit/config.toml (Streamlit refuses larger files itself).
MAX_UPLOAD_MB = 200


@dataclass
class Result:
    name: str  # the clip's name as shown (an upload's own name is only ever displayed, never opened)
    exercise: str
    analysis: Analysis
    video: bytes  # the annotated clip (H.264 MP4)
    expected: int | None = None  # the sample's ground truth, when known
    saved_as: int | None = None  # the history session, once saved


def sample_clips() -> dict[str, dict]:
    """The sample clips that exist with their ground truth, by file name."""
    clips = {}
    for video in sorted(SAMPLES.glob("*.mp4")):
        truth_path = video.with_suffix(".json")
        try:
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a clip still being rendered, or without its ground truth
        clips[video.name] = {"path": video, **truth}
    return clips


def check_upload(name: str, size: int) -> str:
    """Why an upload cannot be analysed, or "" when its type and size are fine."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in VIDEO_TYPES:
        return f"{name}: only {', '.join(VIDEO_TYPES)} videos can be analysed."
    if size == 0:
        return f"{name}: the file is empty."
    if size > MAX_UPLOAD_MB * 1024 * 1024:
        return f"{name}: the file is larger than {MAX_UPLOAD_MB} MB."
    return ""


def run_analysis(source: Path, name: str, exercise: str, progress) -> Result:
    """Analyse `source`, write the annotated clip to a temporary folder, read it back, and remove the folder."""
    with tempfile.TemporaryDirectory(prefix="footform-") as folder:
        annotated = Path(folder) / "annotated.mp4"
        analysis = analyze_video(source, exercise, annotate_path=annotated, progress=progress)
        video = annotated.read_bytes()
    analysis.path = name  # the temporary path means nothing to the person
    return Result(name, exercise, analysis, video)


def analyse_upload(upload, exercise: str, progress) -> Result:
    """Check an upload, write it to a temporary file that is always removed, and analyse it."""
    problem = check_upload(upload.name, upload.size)
    if problem:
        raise VideoError(problem)
    suffix = "." + Path(upload.name).suffix.lower().lstrip(".")
    with tempfile.TemporaryDirectory(prefix="footform-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"  # never the uploaded name: it is not a path we trust
        path.write_bytes(upload.getvalue())
        try:
            return run_analysis(path, upload.name, exercise, progress)
        except VideoError as error:
            # The message names our temporary file; name the person's file instead.
            raise VideoError(str(error).replace(str(path), upload.name)) from None


class _Progress:
    """Streamlit progress bar fed by analyze_video, updated at most once per percent."""

    def __init__(self, label: str):
        self._label = label
        self._bar = st.progress(0.0, text=label)
        self._shown = 0

    def __call__(self, share: float) -> None:
        percent = int(share * 100)
        if percent > self._shown:
            self._shown = percent
            self._bar.progress(percent / 100, text=f"{self._label} {percent}%")

    def done(self) -> None:
        self._bar.empty()


def page() -> None:
    st.title("Analyse a video")
    st.write("Count the reps in a recorded clip with the same detectors as the live camera.")
    source = st.radio("Clip", ["Upload a clip", "A sample clip"], horizontal=True, key="analyse_source")
    options = list(EXERCISES)
    result: Result | None = None
    if source == "Upload a clip":
        upload = st.file_uploader(
            f"A video file ({', '.join(VIDEO_TYPES)}; up to {MAX_UPLOAD_MB} MB)", type=list(VIDEO_TYPES),
            key="analyse_upload",
        )
        exercise = st.selectbox("Exercise", options, key="analyse_exercise", format_func=exercise_label)
        if st.button("Analyse", type="primary", disabled=upload is None):
            bar = _Progress(f"Analysing {upload.name} ...")
            try:
                result = analyse_upload(upload, exercise, bar)
            except VideoError as error:
                st.error(f"This video cannot be analysed: {error}")
            finally:
                bar.done()
    else:
        clips = sample_clips()
        if not clips:
            st.info("There are no sample clips in samples/ yet (`make samples` renders them).")
        else:
            name = st.selectbox("Sample clip", list(clips), key="analyse_sample",
                                format_func=lambda n: f"{n}: {clips[n].get('description', '')}")
            clip = clips[name]
            default = clip.get("exercise") if clip.get("exercise") in options else options[0]
            exercise = st.selectbox("Exercise", options, index=options.index(default), key=f"analyse_sample_ex-{name}",
                                    format_func=exercise_label)
            expected = clip.get("counts", {}).get(exercise)
            if expected is not None:
                st.caption(f"Ground truth for this clip: {count_of(expected, exercise)}.")
            if st.button("Analyse", type="primary"):
                bar = _Progress(f"Analysing {name} ...")
                try:
                    result = run_analysis(clip["path"], name, exercise, bar)
                    result.expected = expected
                except VideoError as error:
                    st.error(f"This video cannot be analysed: {error}")
                finally:
                    bar.done()
    if result is not None:
        st.session_state["analysis_result"] = result
    shown: Result | None = st.session_state.get("analysis_result")
    if shown is not None:
        show(shown)


def show(result: Result) -> None:
    analysis = result.analysis
    st.divider()
    st.subheader(f"{result.name}: {exercise_title(result.exercise)}")
    sides = analysis.per_side
    cols = st.columns(5)
    cols[0].metric("Reps", len(analysis.reps))
    cols[1].metric("Left foot", sides["left"])
    cols[2].metric("Right foot", sides["right"])
    cols[3].metric("Both feet", sides["both"])
    cols[4].metric("Partial reps", len(analysis.partial_reps))
    if result.expected is not None:
        st.caption(f"The clip's ground truth: {count_of(result.expected, result.exercise)}.")
    for warning in analysis.warnings:
        st.warning(warning)
    if analysis.events:
        st.dataframe(rep_table(analysis), hide_index=True, width="stretch")
        not_measured(event.measures for event in analysis.events)
    else:
        st.info("No reps were found in this clip.")
    chart = signal_chart(analysis)
    if chart is not None:
        st.altair_chart(chart, width="stretch")
    st.video(result.video, format="video/mp4")
    st.download_button("Download the annotated clip", result.video, file_name=f"{Path(result.name).stem}-annotated.mp4",
                       mime="application/octet-stream")
    if result.saved_as is None:
        st.button("Save to history", on_click=_save, args=(result,))
    else:
        st.success("Saved to the History.")


def rep_table(analysis: Analysis) -> pd.DataFrame:
    rows = []
    for number, event in enumerate(analysis.events, 1):
        rows.append({
            "#": number,
            "rep": "complete" if event.complete else "partial",
            "side": event.side,
            "start (s)": round(event.start, 2),
            "end (s)": round(event.end, 2),
            **measure_columns(event.measures),
            "cues": "; ".join(event.cues),
        })
    return pd.DataFrame(rows)


def signal_chart(analysis: Analysis) -> alt.LayerChart | None:
    """The detector's signal over time, with each rep shaded (green complete, orange partial).

    The signal is unknown (nan) while the person is not calibrated: the line breaks there instead of bridging it."""
    rows, segment, gap = [], 0, True
    for t, value in analysis.signal:
        if math.isnan(value):
            gap = True
            continue
        segment += gap
        gap = False
        rows.append((t, value, segment))
    if not rows:
        return None
    signal = pd.DataFrame(rows, columns=["t", "signal", "segment"])
    time_axis = alt.X("t:Q", title="time (s)")
    line = alt.Chart(signal).mark_line().encode(
        x=time_axis, y=alt.Y("signal:Q", title="foot signal (torso lengths)"), detail="segment:N"
    )
    if not analysis.events:
        return line.properties(height=260)
    reps = pd.DataFrame([
        {"start": e.start, "end": e.end, "rep": "complete" if e.complete else "partial"} for e in analysis.events
    ])
    bands = alt.Chart(reps).mark_rect(opacity=0.25).encode(
        x=alt.X("start:Q", title="time (s)"), x2="end:Q",
        color=alt.Color("rep:N", scale=alt.Scale(domain=["complete", "partial"], range=["#2e7d32", "#ef6c00"])),
    )
    return alt.layer(bands, line).properties(height=260)


def _save(result: Result) -> None:
    history = store()
    title = exercise_title(result.exercise).capitalize()  # the History says "Video" beside it
    session = history.start_session("video", title, source=result.name)
    step = history.add_step(session, position=0, step_key=result.exercise, title=title, exercise=result.exercise,
                            side="both", prescribed=None, camera_checked=True)
    for event in result.analysis.events:
        history.add_rep(session, event, step)
    history.update_step(step, len(result.analysis.reps), "done",
                        sorted({cue for e in result.analysis.events for cue in e.cues}))
    history.end_session(session)
    result.saved_as = session
