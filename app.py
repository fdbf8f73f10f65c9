"""footform's web app: live practice, the daily routine, analysing a recorded clip, and the history.

Run it with `make run` (serves on 127.0.0.1 only). Pages open from the sidebar or from the address:
/?page=practice&mode=free&exercise=heel-raise, /?page=practice&mode=routine, /?page=analyse, /?page=history.
The counting happens in `routines/`; this file and `appviews/` only show it.
"""
from __future__ import annotations

import streamlit as st

from appviews import analyse, history, live, practice
from appviews.common import STYLE
from routines.exercises import ALL_EXERCISES, EXERCISES

# Sidebar label -> (page, mode) in the address.
PAGES = {
    "Routine": ("practice", "routine"),
    "Practice one exercise": ("practice", "free"),
    "Analyse a video": ("analyse", None),
    "History": ("history", None),
}


def _page_from_address() -> str:
    page, mode = st.query_params.get("page"), st.query_params.get("mode")
    for label, (p, m) in PAGES.items():
        if page == p and (m is None or mode == m or (p == "practice" and mode is None and m == "free")):
            return label
    return "Routine"


def _address_from_page() -> None:
    page, mode = PAGES[st.session_state["page"]]
    params = {"page": page}
    if mode:
        params["mode"] = mode
    if mode == "free":
        params["exercise"] = st.session_state.get("free_exercise", next(iter(EXERCISES)))
    st.query_params.from_dict(params)


def main() -> None:
    st.set_page_config(page_title="footform", page_icon="🦶", layout="wide")
    live.begin_run()
    st.html(STYLE)
    if "page" not in st.session_state:
        st.session_state["page"] = _page_from_address()
    st.sidebar.title("footform")
    label = st.sidebar.radio("Page", list(PAGES), key="page", on_change=_address_from_page)
    exercise = None
    if label == "Practice one exercise":
        wanted = st.query_params.get("exercise", next(iter(EXERCISES)))
        exercise = practice.exercise_choice(wanted)
        if wanted not in ALL_EXERCISES:
            st.warning(f"The address asks for an exercise footform does not know ({wanted!r}): showing {exercise}.")
        _address_from_page()
    st.sidebar.toggle("Tick on each rep", value=True, key="sound_tick")
    st.sidebar.toggle("Spoken cues", value=True, key="sound_voice")

    if label not in ("Routine", "Practice one exercise"):
        # The camera is not on this page: end any open set so its history session is closed and kept.
        live.end_set()
    if label == "Routine":
        practice.routine_page()
    elif label == "Practice one exercise":
        practice.free_page(exercise)
    elif label == "Analyse a video":
        analyse.page()
    else:
        history.page()
    live.end_run()


main()
