"""The Streamlit pages, run by Streamlit's AppTest on a real history file and real clips (the live camera itself
needs a browser: see the end-to-end tests)."""
import json
import shutil
import tempfile
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import appviews.analyse
from appviews.common import exercise_label
from routines.detectors.events import RepEvent
from routines.exercises import CLOSEUP_EXERCISES, CLOSEUP_SETUP, EXERCISES
from routines.history import HistoryStore
from routines.routine import load_routine
from tests.clips import write_clip
from tests.conftest import real_clip, real_labels

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
ANALYSIS_TIMEOUT = 180


@pytest.fixture(autouse=True)
def webrtc_without_a_server(monkeypatch):
    # AppTest runs the script on a stand-in runtime without sessions; streamlit-webrtc asks that runtime for the
    # session's run count (to detect stale state) and handles "unknown" (None) already.
    monkeypatch.setattr("streamlit_webrtc.component.get_this_session_info", lambda: None)


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    monkeypatch.setenv("FOOTFORM_DB", str(path))
    return path


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """The temporary folder the app writes uploads and annotated clips to, to see that it is left empty."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(query)
    return at.run()


def texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
                     + [i.value for i in at.info] + [c.value for c in at.caption] + [s.value for s in at.success])


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def button(at, label):
    return next(b for b in at.button if b.label == label)


# Pages from the address


def test_free_practice_opens_from_the_address_with_the_counter(db):
    at = app(page="practice", mode="free", exercise="heel-raise")
    assert not at.exception
    assert at.title[0].value == "Practice: heel raises"
    assert "Reps counted: 0" in texts(at)
    assert at.sidebar.radio[0].value == "Practice one exercise"
    assert at.sidebar.selectbox[0].value == "heel-raise"


def test_a_toe_exercise_opens_from_the_address_with_the_close_up_framing_guide(db):
    at = app(page="practice", mode="free", exercise="toe-fan-lift")
    assert not at.exception and not at.warning
    assert at.title[0].value == "Practice: toe lifts"
    assert at.sidebar.selectbox[0].value == "toe-fan-lift"
    assert {exercise_label(name) for name in CLOSEUP_EXERCISES} <= set(at.sidebar.selectbox[0].options)
    assert CLOSEUP_SETUP in texts(at) and "Reps counted: 0" in texts(at)
    assert len(at.get("image")) == 1, "the framing picture is not on the page"
    assert any(type(e).__name__ == "UnknownElement" for e in at.main), "the webrtc component is not on the page"


def test_an_unknown_exercise_in_the_address_falls_back_with_a_warning(db):
    at = app(page="practice", mode="free", exercise="moonwalk")
    assert not at.exception
    assert "does not know ('moonwalk')" in at.warning[0].value
    assert at.sidebar.selectbox[0].value in EXERCISES or at.error


def test_the_sidebar_radio_chooses_the_page_and_updates_the_address(db):
    at = app()
    assert at.title[0].value == "Daily foot routine"
    at.sidebar.radio[0].set_value("History").run()
    assert at.title[0].value == "History"
    assert at.query_params["page"] == ["history"]
    at = app(page="analyse")
    assert at.title[0].value == "Analyse a video"


# Analyse a video


def test_uploading_a_real_clip_counts_it_and_saves_it_to_history(db, scratch):
    clip = real_clip("home_calf_raises.mp4")
    expected = real_labels()["home_calf_raises.mp4"]["heel_raise"]
    at = app(page="analyse")
    at.file_uploader[0].set_value(("my calf raises.mp4", clip.read_bytes(), "video/mp4"))
    at.run()
    at.selectbox(key="analyse_exercise").set_value("heel-raise")
    button(at, "Analyse").click().run(timeout=ANALYSIS_TIMEOUT)
    assert not at.exception and not at.error
    assert metric(at, "Reps") == str(expected)
    assert metric(at, "Both feet") == str(expected)
    table = at.dataframe[0].value
    assert list(table["rep"]).count("complete") == expected
    assert {"rise height (cm)", "lowering (s)", "start (s)"} <= set(table.columns)
    assert at.get("vega_lite_chart"), "the signal chart is missing"
    assert len(at.get("video")) == 1, "the annotated clip is missing"
    assert at.get("download_button"), "the annotated clip cannot be downloaded"
    assert list(scratch.iterdir()) == []  # the upload and the annotated clip were removed

    button(at, "Save to history").click().run()
    assert "Saved to the History." in texts(at)
    [session] = HistoryStore(db).sessions()
    assert (session.kind, session.source, session.rep_count) == ("video", "my calf raises.mp4", expected)
    assert session.steps[0].done == expected
    at.sidebar.radio[0].set_value("History").run()
    assert at.expander[0].label.endswith(f"Video: Heel raises, {expected} reps")


def test_a_file_that_is_not_a_video_gets_one_clear_message(db, scratch):
    at = app(page="analyse")
    at.file_uploader[0].set_value(("holiday.mp4", b"this is not a video at all" * 100, "video/mp4"))
    at.run()
    button(at, "Analyse").click().run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("This video cannot be analysed: holiday.mp4: ")
    assert "upload" not in error.value.split("holiday.mp4")[0]  # the person's file name, not our temporary one
    assert list(scratch.iterdir()) == []


def test_a_corrupt_real_video_gets_one_clear_message(db, scratch, tmp_path):
    good = tmp_path / "good.mp4"
    write_clip(good, frames=60)
    data = good.read_bytes()
    at = app(page="analyse")
    at.file_uploader[0].set_value(("cut.mp4", data[: len(data) // 3], "video/mp4"))
    at.run()
    button(at, "Analyse").click().run(timeout=ANALYSIS_TIMEOUT)
    assert not at.exception
    assert at.error and "cut.mp4" in at.error[0].value
    assert list(scratch.iterdir()) == []


def test_upload_checks_type_and_size():
    check = appviews.analyse.check_upload
    assert check("clip.MOV", 1000) == ""
    assert "only mp4, mov, webm, avi" in check("notes.txt", 1000)
    assert "empty" in check("clip.mp4", 0)
    assert "larger than 200 MB" in check("clip.mp4", 200 * 1024 * 1024 + 1)
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == appviews.analyse.MAX_UPLOAD_MB
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableXsrfProtection"] is True


def test_a_sample_clip_can_be_picked_and_shows_its_ground_truth(db, scratch, tmp_path, monkeypatch):
    clip = real_clip("home_calf_raises.mp4")
    expected = real_labels()["home_calf_raises.mp4"]["heel_raise"]
    samples = tmp_path / "samples"
    samples.mkdir()
    shutil.copy(clip, samples / "calf.mp4")
    (samples / "calf.json").write_text(json.dumps(
        {"exercise": "heel-raise", "description": "three heel raises", "counts": {"heel-raise": expected}}))
    (samples / "unfinished.mp4").write_bytes(b"")  # still rendering: no ground truth yet, not listed
    monkeypatch.setattr(appviews.analyse, "SAMPLES", samples)
    at = app(page="analyse")
    at.radio(key="analyse_source").set_value("A sample clip").run()
    assert at.selectbox(key="analyse_sample").options == ["calf.mp4: three heel raises"]
    assert f"Ground truth for this clip: {expected} heel raises." in texts(at)
    button(at, "Analyse").click().run(timeout=ANALYSIS_TIMEOUT)
    assert not at.exception
    assert metric(at, "Reps") == str(expected)
    assert f"The clip's ground truth: {expected} heel raises." in texts(at)
    assert list(scratch.iterdir()) == []


# The routine


def test_routine_guided_steps_confirm_skip_pause_and_stop_with_a_summary(db):
    routine = load_routine()
    at = app(page="practice", mode="routine")
    assert not at.exception
    assert len(at.table[0].value) == len(routine.steps)
    button(at, "Start the routine").click().run()
    first, second, third = routine.steps[:3]
    assert at.subheader[0].value == first.title
    assert "Guided step: the camera does not check this one" in at.info[0].value
    [pace] = [h.proto.body for h in at.get("html") if "ff-beat" in h.proto.body and "setInterval" in h.proto.body]
    assert f"const reps = {first.reps}, half = {first.beat_seconds * 500:.0f}" in pace
    button(at, f"Done: {first.reps} of {first.reps}").click().run()
    assert at.subheader[0].value == second.title
    at.number_input[0].set_value(2).run()
    button(at, f"Done: 2 of {second.reps}").click().run()
    assert at.subheader[0].value == third.title
    button(at, "Pause").click().run()
    assert any(b.label == "Resume" for b in at.button)
    button(at, "Resume").click().run()
    button(at, "Skip this step").click().run()
    assert at.subheader[0].value == routine.steps[3].title
    button(at, "Stop the routine").click().run()
    assert not at.exception
    assert "Routine ended early" in at.warning[0].value
    summary = at.dataframe[0].value
    assert list(summary["done"][:4]) == [first.reps, 2, 0, 0]
    assert list(summary["status"][:5]) == ["done", "done", "skipped", "stopped", "not reached"]
    [session] = HistoryStore(db).sessions()
    assert session.kind == "routine" and session.ended_at
    assert [s.done for s in session.steps[:3]] == [first.reps, 2, 0]


def test_routine_camera_steps_show_the_camera_and_the_step_counter(db):
    at = app(page="practice", mode="routine")
    button(at, "Start the routine").click().run()
    while at.subheader[0].value != "Heel Raise: right foot":
        button(at, "Skip this step").click().run()
    assert not at.exception
    assert "0 / 8 right foot" in texts(at)
    assert any(type(e).__name__ == "UnknownElement" for e in at.main), "the webrtc component is not on the page"
    # The step is announced once, its side said once.
    [spoken] = [h.proto.body for h in at.get("html") if "SpeechSynthesisUtterance" in h.proto.body]
    assert 'SpeechSynthesisUtterance("Heel Raise: right foot: 8 reps.")' in spoken


def test_routine_with_the_camera_close_to_the_feet_counts_the_toe_steps_by_camera(db):
    routine = load_routine()
    at = app(page="practice", mode="routine")
    checks = at.table[0].value["checked by"]
    assert checks["Toe Fan: lift and lower"].startswith("you (guided")
    at.checkbox(key="closeup_view").check().run()
    assert at.table[0].value["checked by"]["Toe Fan: lift and lower"] == "camera"
    button(at, "Start the routine").click().run()
    assert not at.exception
    first = routine.steps[0]
    assert at.subheader[0].value == first.title
    assert "Guided step" not in texts(at)
    assert CLOSEUP_SETUP in texts(at) and f"0 / {first.reps}" in texts(at)
    assert len(at.get("image")) == 1, "the framing picture is not on the page"
    assert any(type(e).__name__ == "UnknownElement" for e in at.main), "the webrtc component is not on the page"
    while at.subheader[0].value != "Rock Out":
        button(at, "Skip this step").click().run()
    assert CLOSEUP_SETUP not in texts(at) and EXERCISES["ankle-rock"].setup in texts(at)
    button(at, "Stop the routine").click().run()
    [session] = HistoryStore(db).sessions()
    assert all(s.camera_checked for s in session.steps)


def test_counts_and_measures_read_as_words():
    from appviews.common import count_of, measure_columns, reps

    assert (reps(0), reps(1), reps(2)) == ("0 reps", "1 rep", "2 reps")
    assert (count_of(1, "heel-raise"), count_of(3, "ankle-rock")) == ("1 heel raise", "3 ankle rocks")
    assert count_of(1, "ball-roll") == "1 ball-of-foot roll"
    columns = measure_columns({"rise_cm": None, "rise_cm_note": "one heel lifted on its own", "lower_s": 0.8,
                               "outer": 0.16, "duration_s": 4.1, "new_measure_s": 1.0})
    assert columns == {"rise height (cm)": "not measured", "lowering (s)": 0.8, "outer edges (torso lengths)": 0.16,
                       "duration (s)": 4.1, "new measure (s)": 1.0}


# History


def rep(n, side="both", rise=5.0):
    return RepEvent("heel-raise", side, n, n + 1.0, True, {"rise_cm": rise, "lower_s": 0.8}, ())


def test_history_shows_sessions_streak_and_deletes_a_session(db):
    store = HistoryStore(db)
    today = datetime.now().astimezone()
    for days_ago, reps in ((0, 3), (1, 2)):
        session = store.start_session("free", "Heel raises", started_at=today - timedelta(days=days_ago))
        step = store.add_step(session, position=0, step_key="heel-raise", title="Heel raises", exercise="heel-raise",
                              side="both", prescribed=None, camera_checked=True, status="active")
        for n in range(reps):
            store.add_rep(session, rep(n, rise=4.0 + n), step)
        store.update_step(step, reps, "done")
        store.end_session(session)
    store.close()

    at = app(page="history")
    assert not at.exception
    assert metric(at, "Streak") == "2 days"
    assert metric(at, "Sessions") == "2"
    assert metric(at, "Reps in the last 7 days") == "5"
    labels = [e.label for e in at.expander]
    assert len(labels) == 2 and "Heel raises, 3 reps" in labels[0] and "Heel raises, 2 reps" in labels[1]
    assert len(at.get("vega_lite_chart")) == 2  # reps per day, rise per rep
    assert at.get("download_button")

    button(at, "Delete this session").click().run()
    button(at, "Yes, delete it").click().run()
    assert not at.exception
    assert metric(at, "Sessions") == "1"
    assert [s.rep_count for s in HistoryStore(db).sessions()] == [2]


def test_history_with_nothing_yet_says_so(db):
    at = app(page="history")
    assert not at.exception
    assert "Nothing here yet" in at.info[0].value


# Sounds


def _sounds_app():
    import streamlit as st

    from appviews.common import play

    st.toggle("tick", value=True, key="sound_tick")
    st.toggle("voice", value=True, key="sound_voice")
    play(st.empty(), 7, tick=True, say="that was the left foot; </script> this set is for the right")


def test_ticks_and_spoken_cues_follow_the_switches():
    at = AppTest.from_function(_sounds_app).run()
    [script] = [h.proto.body for h in at.get("html")]
    assert "tone(1320" in script and "speechSynthesis.speak" in script
    assert "</script> this set" not in script  # a text can never end the script early
    at.toggle(key="sound_voice").set_value(False).run()
    [script] = [h.proto.body for h in at.get("html")]
    assert "tone(1320" in script and "speechSynthesis" not in script
    at.toggle(key="sound_tick").set_value(False).run()
    assert at.get("html") == []


# Camera problems


def test_a_camera_that_stops_mid_set_is_reported_and_the_set_is_kept(db):
    import numpy as np

    from appviews.live import camera_problem
    from appviews.live_practice import LivePractice

    now = [100.0]
    live = LivePractice(HistoryStore(db), exercise="heel-raise", wall=lambda: now[0])
    assert "No picture is arriving" in camera_problem(live.snapshot(), playing_for=12.0)
    assert camera_problem(live.snapshot(), playing_for=2.0) == ""  # still connecting
    live.arm()
    blank = np.zeros((240, 320, 3), np.uint8)
    for n in range(5):
        now[0] += 0.04
        live.process(blank, n * 0.04)
    assert camera_problem(live.snapshot(), playing_for=5.0) == ""
    now[0] += 4.0  # no frame since
    problem = camera_problem(live.snapshot(), playing_for=9.0)
    assert problem.startswith("The video stopped arriving") and "kept" in problem
    assert HistoryStore(db).sessions()[0].ended_at is None  # the set stays open until STOP, with what it counted


def _free_page_with_a_set(db, reps: int):
    """The free-practice page with a set of `reps` reps whose stream has ended (STOP, or a dropped connection)."""
    import numpy as np

    from appviews.live_practice import LivePractice
    from tests.test_session import ScriptedPipeline

    live = LivePractice(HistoryStore(db), exercise="heel-raise", pipeline_factory=ScriptedPipeline, settle_seconds=0)
    live.arm()
    for n in range(5 * reps):
        live.process(np.zeros((48, 64, 3), np.uint8), n * 0.04)
    live.end_stream()
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(page="practice", mode="free", exercise="heel-raise")
    at.session_state["live_practice"] = live
    at.session_state["live_practice_key"] = ("free", "heel-raise")
    return at.run(), live


def test_a_set_whose_video_stopped_says_so_keeps_its_reps_and_new_set_counts_from_zero(db):
    at, live = _free_page_with_a_set(db, reps=3)
    assert not at.exception
    assert "Reps counted: 3" in texts(at)
    [note] = [w.value for w in at.warning]
    assert note == ("The video stopped (STOP was pressed or the connection dropped). This set (3 reps) is kept: "
                    "press START to carry on counting in it.")
    [session] = HistoryStore(db).sessions()
    assert session.ended_at and session.rep_count == 3  # closed in the history while no stream runs
    button(at, "New set").click().run()
    assert not at.exception
    assert "Reps counted: 0" in texts(at) and not at.warning
    assert "Sets so far in this visit (each saved in the History): 3 reps" in texts(at)
    assert not any(b.label == "New set" for b in at.button)  # nothing to end until a stream opens a set


def test_one_rep_reads_as_one_rep(db):
    at, _ = _free_page_with_a_set(db, reps=1)
    assert "This set (1 rep) is kept" in at.warning[0].value
    button(at, "New set").click().run()
    assert "Sets so far in this visit (each saved in the History): 1 rep" in texts(at)
    at.sidebar.radio[0].set_value("History").run()
    assert "Heel raises, 1 rep" in at.expander[0].label


def _stale_looking_component(at, monkeypatch):
    """Make the webrtc component's state look as streamlit-webrtc sees it when Streamlit's count of finished runs has
    jumped by two since it last rendered (a connecting stream: an offer sent, an answer waiting), and return it."""
    from types import SimpleNamespace

    from streamlit_webrtc.component import WebRtcStreamerState

    context = at.session_state["live"]
    context._set_state(WebRtcStreamerState(playing=False, signalling=True))
    context._sdp_answer_json = '{"sdp": "the answer", "type": "answer"}'
    context._last_rendered_run_count = 5
    monkeypatch.setattr("streamlit_webrtc.component.get_this_session_info", lambda: SimpleNamespace(script_run_count=7))
    return context


def test_the_camera_is_not_reset_while_it_stays_on_the_page_and_is_after_it_left(db, monkeypatch):
    at = app(page="practice", mode="free", exercise="heel-raise")
    context = _stale_looking_component(at, monkeypatch)
    at.run()
    assert not at.exception
    # The component was on the page in every run: its connecting stream is left alone.
    assert context.state.signalling and context._sdp_answer_json
    monkeypatch.setattr("streamlit_webrtc.component.get_this_session_info", lambda: None)
    at.sidebar.radio[0].set_value("History").run()  # a run that ends without the camera: it leaves the page
    context = _stale_looking_component(at, monkeypatch)
    at.sidebar.radio[0].set_value("Practice one exercise").run()
    assert not at.exception
    # streamlit-webrtc's own check resets what the component had before it left the page (here: a run count that
    # jumped by two stands for the run without it).
    assert not context.state.signalling and context._sdp_answer_json is None
