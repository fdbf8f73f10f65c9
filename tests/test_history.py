"""The history store on real SQLite files: what is written survives, two writers at once, a killed writer."""
import csv
import io
import math
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from routines.detectors.events import RepEvent
from routines.history import HistoryStore, default_db_path

ROOT = Path(__file__).resolve().parent.parent


def rep(n: int, side: str = "both", complete: bool = True, **measures) -> RepEvent:
    return RepEvent("heel-raise", side, 1.0 * n, 1.0 * n + 0.8, complete, {"rise_cm": 4.0 + n, **measures},
                    ("lower slowly",) if n % 2 else ())


def test_default_path_is_per_user_and_follows_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("FOOTFORM_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "footform" / "history.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / ".local" / "share" / "footform" / "history.sqlite3"
    monkeypatch.setenv("FOOTFORM_DB", str(tmp_path / "mine.db"))
    store = HistoryStore()
    assert store.path == tmp_path / "mine.db" and (tmp_path / "mine.db").exists()
    store.close()


def test_a_session_with_steps_and_reps_reads_back_from_a_fresh_connection(tmp_path):
    path = tmp_path / "h.db"
    store = HistoryStore(path)
    session = store.start_session("routine", "Daily foot routine")
    step = store.add_step(session, position=0, step_key="heel-raise-right", title="Heel Raise: right foot",
                          exercise="heel-raise", side="right", prescribed=8, camera_checked=True, status="active")
    store.add_rep(session, rep(1, "right"), step)
    store.add_rep(session, rep(2, "left"), step, counted=False)
    store.add_rep(session, rep(3, "right", complete=False, heel_rise=math.nan), step)
    store.update_step(step, 1, "stopped", ["lower slowly", "that was the left foot; this set is for the right"])
    store.end_session(session)
    store.close()

    again = HistoryStore(path)
    [record] = again.sessions()
    assert (record.kind, record.title, record.rep_count) == ("routine", "Daily foot routine", 1)
    assert record.ended_at is not None
    [step_record] = record.steps
    assert (step_record.prescribed, step_record.done, step_record.status) == (8, 1, "stopped")
    assert step_record.notes[1] == "that was the left foot; this set is for the right"
    reps = again.reps(session)
    assert [(r.side, r.complete, r.counted) for r in reps] == [("right", True, True), ("left", True, False),
                                                                ("right", False, False)]
    assert reps[0].measures == {"rise_cm": 5.0} and reps[0].cues == ["lower slowly"]
    assert reps[2].measures["heel_rise"] is None  # NaN has no JSON form: stored as null
    assert reps[1].start_s == 2.0 and reps[1].end_s == pytest.approx(2.8)
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_deleting_a_session_removes_its_steps_and_reps_only(tmp_path):
    store = HistoryStore(tmp_path / "h.db")
    keep = store.start_session("free", "Heel raises")
    gone = store.start_session("free", "Heel raises")
    for session in (keep, gone):
        step = store.add_step(session, position=0, step_key="heel-raise", title="Heel raises", exercise="heel-raise",
                              side="both", prescribed=None, camera_checked=True)
        store.add_rep(session, rep(1), step)
    store.delete_session(gone)
    assert [s.id for s in store.sessions()] == [keep]
    assert {r.session_id for r in store.reps()} == {keep}
    db = sqlite3.connect(tmp_path / "h.db")
    assert db.execute("SELECT COUNT(*) FROM steps WHERE session_id = ?", (gone,)).fetchone()[0] == 0


def test_a_session_taken_up_again_is_open_until_it_ends_again(tmp_path):
    store = HistoryStore(tmp_path / "h.db")
    session = store.start_session("free", "Heel raises")
    store.end_session(session)
    first_end = store.session(session).ended_at
    assert first_end
    store.reopen_session(session)  # a live set whose camera stopped carries on
    assert store.session(session).ended_at is None
    store.add_rep(session, rep(1))
    store.end_session(session)
    assert store.session(session).ended_at >= first_end and store.session(session).rep_count == 1


def test_streak_counts_days_in_a_row_with_reps(tmp_path):
    store = HistoryStore(tmp_path / "h.db")
    today = datetime(2026, 3, 10, 9, 0).astimezone()
    for days_ago in (1, 2, 3, 5):
        session = store.start_session("free", "Heel raises", started_at=today - timedelta(days=days_ago))
        store.add_rep(session, rep(days_ago))
    store.start_session("free", "Heel raises", started_at=today - timedelta(days=4))  # nothing done that day
    assert store.streak(today.date()) == 3  # today has nothing yet: the streak up to yesterday still stands
    session = store.start_session("free", "Heel raises", started_at=today)
    store.add_rep(session, rep(9))
    assert store.streak(today.date()) == 4
    assert store.streak((today + timedelta(days=2)).date()) == 0


def test_csv_export_has_one_row_per_rep_with_its_session(tmp_path):
    store = HistoryStore(tmp_path / "h.db")
    session = store.start_session("video", "Heel raises", source="clip.mp4")
    for n in range(3):
        store.add_rep(session, rep(n))
    rows = list(csv.DictReader(io.StringIO(store.export_csv())))
    assert len(rows) == 3
    assert {r["kind"] for r in rows} == {"video"}
    assert [float(r["start_s"]) for r in rows] == [0.0, 1.0, 2.0]
    assert rows[1]["cues"] == "lower slowly"


def test_csv_export_says_when_the_rise_height_was_not_measured_and_why(tmp_path):
    store = HistoryStore(tmp_path / "h.db")
    session = store.start_session("free", "Heel raises")
    store.add_rep(session, rep(0))
    store.add_rep(session, RepEvent("heel-raise", "right", 2.0, 3.0, True,
                                    {"rise_cm": None, "rise_cm_note": "one heel lifted on its own"}))
    rows = list(csv.DictReader(io.StringIO(store.export_csv())))
    assert rows[0]["rise_cm"] == "4.0"
    assert rows[1]["rise_cm"] == "not measured: one heel lifted on its own"


WRITER = textwrap.dedent("""
    import os, sys, time
    from routines.detectors.events import RepEvent
    from routines.history import HistoryStore
    path, label, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    store = HistoryStore(path)
    session = store.start_session("free", label)
    open(go + "-" + label, "w").close()  # ready
    while not os.path.exists(go):  # both writers start writing together
        time.sleep(0.005)
    for n in range(count):
        store.add_rep(session, RepEvent("heel-raise", "both", n, n + 0.5, True, {"rise_cm": 5.0}))
    store.end_session(session)
""")


def _python(*args: str, **kwargs) -> subprocess.Popen:
    # Separate interpreters (not multiprocessing): two real processes, each with its own SQLite connection.
    return subprocess.Popen([sys.executable, "-c", *args], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            **kwargs)


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "h.db")
    HistoryStore(path).close()
    go = tmp_path / "go"
    writers = [_python(WRITER, path, label, "150", str(go), stderr=subprocess.PIPE, text=True) for label in "AB"]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"go-{label}").exists() for label in "AB") and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    store = HistoryStore(path)
    sessions = store.sessions()
    assert sorted(s.title for s in sessions) == ["A", "B"]
    assert [s.rep_count for s in sessions] == [150, 150]
    assert all(s.ended_at for s in sessions)


def test_two_threads_sharing_one_store_lose_nothing(tmp_path):
    import threading

    store = HistoryStore(tmp_path / "h.db")
    sessions = [store.start_session("free", name) for name in ("A", "B")]

    def write(session):
        for n in range(100):
            store.add_rep(session, rep(n))

    threads = [threading.Thread(target=write, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [s.rep_count for s in store.sessions()] == [100, 100]


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from routines.detectors.events import RepEvent
    from routines.history import HistoryStore
    store = HistoryStore(sys.argv[1])
    session = store.start_session("free", "killed")
    n = 0
    while True:
        rep_id = store.add_rep(session, RepEvent("heel-raise", "both", n, n + 0.5, True, {"rise_cm": 5.0}))
        print(rep_id, flush=True)  # only after the commit returned
        n += 1
        time.sleep(0.01)
""")


def test_a_writer_killed_mid_session_keeps_every_committed_rep(tmp_path):
    path = tmp_path / "h.db"
    writer = _python(KILLED_WRITER, str(path), stdout=subprocess.PIPE, text=True)
    committed = []
    try:
        while len(committed) < 25:
            line = writer.stdout.readline()
            assert line, "the writer ended before writing"
            committed.append(int(line))
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
    assert writer.returncode == -signal.SIGKILL
    store = HistoryStore(path)
    [session] = store.sessions()
    assert session.ended_at is None  # it never closed, and what it counted is all there
    stored = {r.id for r in store.reps()}
    assert set(committed) <= stored
    assert session.rep_count == len(stored) >= 25
