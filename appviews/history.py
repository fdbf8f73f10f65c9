"""The history page: sessions by day, done vs prescribed, per-rep measures, charts, a streak, export and delete."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from appviews.common import measure_columns, not_measured, reps as rep_count, store
from routines.history import RepRecord, SessionRecord

KINDS = {"free": "Practice", "routine": "Routine", "video": "Video"}


def page() -> None:
    st.title("History")
    history = store()
    sessions = history.sessions()
    if not sessions:
        st.info("Nothing here yet: practise an exercise, do the routine, or save a video analysis.")
        return
    reps = history.reps()
    week_ago = datetime.now().astimezone() - timedelta(days=7)
    cols = st.columns(3)
    streak = history.streak()
    cols[0].metric("Streak", f"{streak} day{'s' if streak != 1 else ''}")
    cols[1].metric("Sessions", len(sessions))
    cols[2].metric("Reps in the last 7 days", sum(s.rep_count for s in sessions if s.started >= week_ago))
    st.download_button("Export all reps (CSV)", history.export_csv(), file_name="footform-history.csv",
                       mime="text/csv")
    _charts(sessions, reps)

    by_day = defaultdict(list)
    for session in sessions:
        by_day[session.local_day].append(session)
    reps_by_session = defaultdict(list)
    for rep in reps:
        reps_by_session[rep.session_id].append(rep)
    for day, day_sessions in by_day.items():
        st.subheader(day.strftime("%A %d %B %Y"))
        for session in day_sessions:
            _session(session, reps_by_session[session.id])


def _charts(sessions: list[SessionRecord], reps: list[RepRecord]) -> None:
    started = {s.id: s.started.astimezone() for s in sessions}
    counted = pd.DataFrame(
        [{"day": started[r.session_id].date().isoformat(), "reps": 1} for r in reps if r.counted]
        + [{"day": s.local_day.isoformat(), "reps": step.done} for s in sessions for step in s.steps
           if not step.camera_checked and step.done]
    )
    left, right = st.columns(2)
    if not counted.empty:
        per_day = counted.groupby("day", as_index=False)["reps"].sum()
        left.altair_chart(
            alt.Chart(per_day).mark_bar().encode(x=alt.X("day:O", title="day"), y=alt.Y("reps:Q", title="reps done"))
            .properties(title="Reps per day", height=240),
            width="stretch",
        )
    rises = pd.DataFrame([
        {"time": datetime.fromisoformat(r.recorded_at).astimezone().replace(tzinfo=None),
         "rise (cm)": r.measures["rise_cm"], "exercise": r.exercise}
        for r in reps if r.complete and isinstance(r.measures.get("rise_cm"), (int, float))
    ])
    if not rises.empty:
        right.altair_chart(
            alt.Chart(rises).mark_line(point=True).encode(x="time:T", y="rise (cm):Q", color="exercise:N")
            .properties(title="Rise height per rep", height=240),
            width="stretch",
        )


def _session(session: SessionRecord, reps: list[RepRecord]) -> None:
    when = session.started.astimezone().strftime("%H:%M")
    done = sum(s.done for s in session.steps)
    prescribed = sum(s.prescribed or 0 for s in session.steps)
    summary = f"{done} / {prescribed} reps" if prescribed else rep_count(done)
    open_note = "" if session.ended_at else " (left unfinished)"
    # Analyses saved by earlier versions carry "(video)" in their title; the kind says so already.
    title = session.title.removesuffix(" (video)") if session.kind == "video" else session.title
    label = f"{when}  {KINDS.get(session.kind, session.kind)}: {title}, {summary}{open_note}"
    with st.expander(label):
        if session.source:
            st.caption(f"Clip: {session.source}")
        if session.steps:
            st.dataframe(pd.DataFrame([{
                "step": s.title,
                "checked by": "camera" if s.camera_checked else "you",
                "prescribed": s.prescribed if s.prescribed is not None else "",
                "done": s.done,
                "status": "not reached" if s.status == "pending" else s.status,
                "form notes": "; ".join(s.notes),
            } for s in session.steps]), hide_index=True, width="stretch")
        if reps:
            steps = {s.id: s.title for s in session.steps}
            st.dataframe(pd.DataFrame([{
                "#": n,
                "step": steps.get(r.step_id, ""),
                "side": r.side,
                "rep": ("complete" if r.complete else "partial")
                       + ("" if r.counted or not r.complete else ", not counted"),
                "start (s)": round(r.start_s, 2),
                "end (s)": round(r.end_s, 2),
                **measure_columns(r.measures),
                "cues": "; ".join(r.cues),
            } for n, r in enumerate(reps, 1)]), hide_index=True, width="stretch")
            not_measured(r.measures for r in reps)
        _delete(session)


def _delete(session: SessionRecord) -> None:
    asking = st.session_state.get("delete_asked") == session.id
    if not asking:
        st.button("Delete this session", key=f"delete-{session.id}",
                  on_click=lambda: st.session_state.update(delete_asked=session.id))
        return
    st.warning("Delete this session and its reps for good?")
    yes, no = st.columns(2)
    yes.button("Yes, delete it", key=f"delete-yes-{session.id}", type="primary", on_click=_do_delete,
               args=(session.id,))
    no.button("Keep it", key=f"delete-no-{session.id}", on_click=lambda: st.session_state.pop("delete_asked", None))


def _do_delete(session_id: int) -> None:
    store().delete_session(session_id)
    st.session_state.pop("delete_asked", None)
