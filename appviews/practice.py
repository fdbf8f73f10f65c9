"""Live practice: one exercise freely, or the whole routine step by step."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from appviews import live as camera_view
from appviews.common import beat, exercise_label, play, reps, store
from appviews.live_practice import LivePractice, LiveSnapshot
from routines.exercises import ALL_EXERCISES, CLOSEUP_SETUP, exercise_title
from routines.routine import RoutineError, load_routine
from routines.session import RoutineSession


def _big(slot, css: str, text: str) -> None:
    slot.markdown(f"<div class='{css}'>{html.escape(text)}</div>", unsafe_allow_html=True)


class _Slot:
    """A place on the page that is written again only when what it shows has changed: the page reads the live state
    5 times a second, and every write goes to the browser, which lays it out again (work a busy machine can spare
    for the video instead)."""

    def __init__(self):
        self._slot = st.empty()
        self._shown = None

    def big(self, css: str, text: str) -> None:
        if (css, text) != self._shown:
            self._shown = (css, text)
            _big(self._slot, css, text)

    def caption(self, text: str) -> None:
        if text != self._shown:
            self._shown = text
            self._slot.caption(text)

    def status(self, snap: LiveSnapshot, problem: str, paused: bool = False) -> None:
        lines = (problem, "Paused: reps are not counted" if paused else snap.message, snap.cue)
        if lines == self._shown:
            return
        self._shown = lines
        warning, guidance, cue = lines
        with self._slot.container():
            if warning:
                st.warning(warning)
            if guidance:
                _big(st, "ff-guidance", guidance)
            if cue:
                _big(st, "ff-cue", cue)


# Free practice

def free_page(exercise: str) -> None:
    st.title(f"Practice: {exercise_title(exercise)}")
    live = camera_view.live_practice(("free", exercise), lambda: LivePractice(store(), exercise=exercise))
    left, right = st.columns([3, 2])
    with left:
        ctx = camera_view.camera(live)
        st.caption(camera_view.CAMERA_HELP)
    with right:
        counter, sides, status = _Slot(), _Slot(), _Slot()
        sound = st.empty()
        _setup(exercise)

    def render(snap: LiveSnapshot, problem: str) -> None:
        counter.big("ff-count", f"Reps counted: {snap.count}")
        per_side = ", ".join(f"{side} {n}" for side, n in snap.per_side.items() if n)
        sides.caption(f"By foot: {per_side}" if per_side else ALL_EXERCISES[exercise].counts_when)
        status.status(snap, problem)

    snap = live.snapshot()
    render(snap, (snap.error and camera_view.camera_problem(snap, 0.0))
           or camera_view.stopped_note(snap, ctx, f"This set ({reps(snap.count)})"))
    if snap.set_open:
        with right:
            st.button("New set", on_click=live.end_set, help="End this set (it is in the History) and count from 0")
    if snap.sets:
        st.caption("Sets so far in this visit (each saved in the History): " + ", ".join(reps(n) for n in snap.sets))
    camera_view.watch(ctx, live, render, sound)


def _setup(exercise: str) -> None:
    """How to stand to the camera for `exercise`; for a toe exercise, how to place the camera, with a picture."""
    entry = ALL_EXERCISES[exercise]
    if entry.closeup:
        closeup_guide()
    else:
        st.info(entry.setup)


def closeup_guide() -> None:
    """Where the camera goes for the toe exercises: the words, and a picture of good framing when there is one."""
    st.info(CLOSEUP_SETUP)
    example = camera_view.closeup_example()
    if example is not None:
        st.image(example, caption="Framed like this: both feet, toes towards the camera", width="stretch")


# The routine

CLOSEUP_VIEW = "closeup_view"  # the routine page's checkbox: the camera is close to the feet for the toe steps


def routine_page() -> None:
    st.title("Daily foot routine")
    session: RoutineSession | None = st.session_state.get("routine_session")
    if session is None:
        _routine_intro()
    elif session.finished:
        camera_view.end_set()
        _routine_summary(session)
    else:
        _routine_step(session)


def _start_routine() -> None:
    try:
        routine = load_routine()
    except RoutineError as error:
        st.session_state["routine_error"] = str(error)
        return
    session = RoutineSession(routine, store(), closeup_view=bool(st.session_state.get(CLOSEUP_VIEW, False)))
    session.start()
    st.session_state["routine_session"] = session


def _routine_intro() -> None:
    error = st.session_state.pop("routine_error", None)
    try:
        routine = load_routine()
    except RoutineError as problem:
        st.error(f"The routine file cannot be used: {problem}")
        return
    if error:
        st.error(error)
    st.write(f"**{routine.name}**: {len(routine.steps)} steps, barefoot, feet parallel and shoulder-width apart.")
    closeup_view = st.checkbox(
        "Camera close to my feet for the toe steps", key=CLOSEUP_VIEW,
        help="Put the camera on the floor in front of your feet for the toe steps, and the camera counts them too; "
             "otherwise you follow a beat and confirm them yourself.")
    rows = []
    for step in routine.steps:
        checked = "camera" if step.checked_by(closeup_view) else "you (guided, not camera-checked)"
        rows.append({"step": step.title, "reps": step.reps, "side": step.side, "checked by": checked})
    st.table(pd.DataFrame(rows).set_index("step"))
    st.button("Start the routine", type="primary", on_click=_start_routine)


def _routine_step(session: RoutineSession) -> None:
    current = session.current
    step = current.step
    total = len(session.steps)
    st.progress(session.index / total, text=f"Step {session.index + 1} of {total}")
    st.subheader(step.title)
    st.markdown(f"<div class='ff-cue'>{html.escape(step.instructions)}</div>", unsafe_allow_html=True)
    sound = st.empty()
    _announce(session, sound)

    controls = st.columns(3)
    if session.paused:
        controls[0].button("Resume", on_click=session.resume, width="stretch")
    else:
        controls[0].button("Pause", on_click=session.pause, width="stretch")
    controls[1].button("Skip this step", on_click=session.skip, width="stretch")
    controls[2].button("Stop the routine", on_click=session.stop, width="stretch")

    if current.counted_by_camera:
        _camera_step(session, sound)
    else:
        camera_view.end_set()
        _guided_step(session)


def _announce(session: RoutineSession, sound) -> None:
    """Say the step's name once when it begins."""
    marker = (session.session_id, session.index)
    if st.session_state.get("announced_step") != marker:
        st.session_state["announced_step"] = marker
        step = session.current.step
        side = f", {step.side} foot" if step.side in ("left", "right") and step.side not in step.title else ""
        play(sound, session.index, say=f"{step.title}{side}: {reps(step.reps)}.")


def _guided_step(session: RoutineSession) -> None:
    current = session.current
    step = current.step
    st.info("Guided step: the camera does not check this one (it cannot see single toes). Follow the beat, "
            "then tap Done.")
    beat(step.reps, step.beat_seconds, session.paused, key=f"{session.session_id}-{session.index}")
    st.caption(f"One rep every {step.beat_seconds:g} s: lift on the high tick, lower on the low one.")
    done = st.number_input("Reps done", min_value=0, max_value=step.reps, value=step.reps,
                           key=f"guided-done-{session.session_id}-{session.index}")
    st.button(f"Done: {done} of {step.reps}", type="primary", on_click=session.confirm, args=(done,))


def _camera_step(session: RoutineSession, sound) -> None:
    current = session.current
    step = current.step
    live = camera_view.live_practice(("routine", session.session_id, session.closeup_view),
                                     lambda: LivePractice(store(), routine=session))
    left, right = st.columns([3, 2])
    with left:
        ctx = camera_view.camera(live)
        st.caption(camera_view.CAMERA_HELP)
    with right:
        counter, status = _Slot(), _Slot()
        _setup(current.exercise)
    side = f" {step.side} foot" if step.side in ("left", "right") else ""
    index = session.index

    def render(snap: LiveSnapshot, problem: str) -> None:
        counter.big("ff-step-count", f"{current.done} / {step.reps}{side}")
        status.status(snap, problem, paused=session.paused)

    snap = live.snapshot()
    render(snap, camera_view.stopped_note(snap, ctx, f"This step ({current.done} / {step.reps}{side})"))
    camera_view.watch(ctx, live, render, sound, rerun_when=lambda: session.finished or session.index != index)


def _routine_summary(session: RoutineSession) -> None:
    complete = all(p.status == "done" for p in session.steps)
    if complete:
        st.success("Routine finished. Well done!")
    else:
        st.warning("Routine ended early. What you did is saved in the History.")
    rows = session.summary()
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    notes = [f"**{r['step']}**: {r['form notes']}" for r in rows if r["form notes"]]
    if notes:
        st.subheader("Form notes")
        st.markdown("\n".join(f"- {note}" for note in notes))
    st.button("Start a new routine", on_click=lambda: st.session_state.pop("routine_session", None))


def exercise_choice(initial: str) -> str:
    """The free-practice exercise selector (in the sidebar), starting at `initial`."""
    options = list(ALL_EXERCISES)
    if st.session_state.get("free_exercise") not in options:
        st.session_state["free_exercise"] = initial if initial in options else options[0]
    return st.sidebar.selectbox("Exercise", options, key="free_exercise", format_func=exercise_label)
