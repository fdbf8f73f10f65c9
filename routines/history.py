"""The practice history: sessions, their steps and every rep, in one SQLite file per user.

Each write is its own committed transaction, made the moment a rep is counted, so a closed browser tab, a camera
that stops or a killed server loses nothing already counted. WAL mode lets the app read the history while a live
stream (or a second app process) writes to it.

>>> store = HistoryStore()  # $FOOTFORM_DB, or ~/.local/share/footform/history.sqlite3
>>> session = store.start_session("free", "Heel raises")
>>> store.add_rep(session, event)
>>> store.end_session(session)
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from routines.detectors.events import NOT_MEASURED, RepEvent

DB_ENV = "FOOTFORM_DB"
# Another writer (a second tab's stream, a second app process) holds the write lock for milliseconds at a time;
# waiting this long before giving up covers a slow disk as well.
BUSY_TIMEOUT_SECONDS = 10.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,              -- "free" (live practice), "routine" or "video" (an analysed clip)
    title TEXT NOT NULL,
    source TEXT,                     -- the analysed clip's name, for kind "video"
    started_at TEXT NOT NULL,        -- UTC, ISO 8601
    ended_at TEXT                    -- NULL while running, or when the app was stopped before it could close it
);
CREATE TABLE IF NOT EXISTS steps (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    step_key TEXT NOT NULL,
    title TEXT NOT NULL,
    exercise TEXT,                   -- the camera detector, NULL for a guided step
    side TEXT NOT NULL,
    prescribed INTEGER,              -- NULL in free practice
    done INTEGER NOT NULL DEFAULT 0,
    camera_checked INTEGER NOT NULL,
    status TEXT NOT NULL,            -- "pending", "active", "done", "skipped", "stopped"
    notes TEXT NOT NULL DEFAULT '[]' -- JSON list of form notes
);
CREATE TABLE IF NOT EXISTS reps (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    step_id INTEGER REFERENCES steps(id) ON DELETE CASCADE,
    exercise TEXT NOT NULL,
    side TEXT NOT NULL,
    start_s REAL NOT NULL,           -- seconds from the start of the stream or clip
    end_s REAL NOT NULL,
    complete INTEGER NOT NULL,
    counted INTEGER NOT NULL,        -- counted toward the step (a rep on the wrong foot is kept but not counted)
    measures TEXT NOT NULL,          -- JSON object
    cues TEXT NOT NULL,              -- JSON list
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reps_by_session ON reps(session_id);
CREATE INDEX IF NOT EXISTS steps_by_session ON steps(session_id);
"""

CSV_COLUMNS = (
    "session_id", "session", "kind", "started_at", "step", "exercise", "side", "start_s", "end_s",
    "complete", "counted", "cues", "rise_cm", "measures", "recorded_at",
)


def default_db_path() -> Path:
    """$FOOTFORM_DB if set, else the per-user data folder ($XDG_DATA_HOME or ~/.local/share)."""
    override = os.environ.get(DB_ENV)
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "footform" / "history.sqlite3"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _plain(value):
    # JSON has no NaN: a measure the model could not give is stored as null.
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass
class StepRecord:
    id: int
    position: int
    step_key: str
    title: str
    exercise: str | None
    side: str
    prescribed: int | None
    done: int
    camera_checked: bool
    status: str
    notes: list[str]


@dataclass
class RepRecord:
    id: int
    session_id: int
    step_id: int | None
    exercise: str
    side: str
    start_s: float
    end_s: float
    complete: bool
    counted: bool
    measures: dict
    cues: list[str]
    recorded_at: str


@dataclass
class SessionRecord:
    id: int
    kind: str
    title: str
    source: str | None
    started_at: str
    ended_at: str | None
    steps: list[StepRecord] = field(default_factory=list)
    rep_count: int = 0  # counted reps

    @property
    def started(self) -> datetime:
        return datetime.fromisoformat(self.started_at)

    @property
    def local_day(self) -> date:
        return self.started.astimezone().date()


class HistoryStore:
    """The history file. One store may be shared by threads (a stream's callback writes, the page reads)."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: every statement outside an explicit BEGIN is committed at once.
        self._db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL syncs the WAL on every commit: a rep is a few hundred bytes a few seconds apart, so durability
            # against a power cut costs nothing noticeable.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, params: tuple) -> int:
        with self._lock:
            return self._db.execute(sql, params).lastrowid

    # Writing

    def start_session(self, kind: str, title: str, source: str | None = None,
                      started_at: datetime | None = None) -> int:
        when = _now() if started_at is None else started_at.astimezone(timezone.utc).isoformat(timespec="seconds")
        return self._write(
            "INSERT INTO sessions (kind, title, source, started_at) VALUES (?, ?, ?, ?)",
            (kind, title, source, when),
        )

    def end_session(self, session_id: int) -> None:
        self._write("UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL", (_now(), session_id))

    def reopen_session(self, session_id: int) -> None:
        """A closed session goes on (a live set whose camera stopped carries on): it is open again until ended."""
        self._write("UPDATE sessions SET ended_at = NULL WHERE id = ?", (session_id,))

    def add_step(self, session_id: int, *, position: int, step_key: str, title: str, exercise: str | None,
                 side: str, prescribed: int | None, camera_checked: bool, status: str = "pending") -> int:
        return self._write(
            "INSERT INTO steps (session_id, position, step_key, title, exercise, side, prescribed, camera_checked,"
            " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, position, step_key, title, exercise, side, prescribed, int(camera_checked), status),
        )

    def update_step(self, step_id: int, done: int, status: str, notes: list[str] | tuple[str, ...] = ()) -> None:
        self._write(
            "UPDATE steps SET done = ?, status = ?, notes = ? WHERE id = ?",
            (done, status, json.dumps(list(notes)), step_id),
        )

    def add_rep(self, session_id: int, event: RepEvent, step_id: int | None = None,
                counted: bool | None = None) -> int:
        """Store one rep at once. `counted` defaults to the rep being complete."""
        counted = event.complete if counted is None else counted
        measures = {k: _plain(v) for k, v in event.measures.items()}
        return self._write(
            "INSERT INTO reps (session_id, step_id, exercise, side, start_s, end_s, complete, counted, measures,"
            " cues, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, step_id, event.exercise, event.side, float(event.start), float(event.end),
             int(event.complete), int(counted), json.dumps(measures), json.dumps(list(event.cues)), _now()),
        )

    def delete_session(self, session_id: int) -> None:
        """Delete a session with its steps and reps (the foreign keys cascade)."""
        self._write("DELETE FROM sessions WHERE id = ?", (session_id,))

    # Reading

    def _rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def sessions(self) -> list[SessionRecord]:
        """All sessions, newest first, with their steps and counted reps."""
        sessions = [
            SessionRecord(r["id"], r["kind"], r["title"], r["source"], r["started_at"], r["ended_at"])
            for r in self._rows("SELECT * FROM sessions ORDER BY started_at DESC, id DESC")
        ]
        by_id = {s.id: s for s in sessions}
        for row in self._rows("SELECT * FROM steps ORDER BY session_id, position"):
            if row["session_id"] in by_id:
                by_id[row["session_id"]].steps.append(_step(row))
        for row in self._rows("SELECT session_id, COUNT(*) AS n FROM reps WHERE counted = 1 GROUP BY session_id"):
            if row["session_id"] in by_id:
                by_id[row["session_id"]].rep_count = row["n"]
        return sessions

    def session(self, session_id: int) -> SessionRecord | None:
        return next((s for s in self.sessions() if s.id == session_id), None)

    def reps(self, session_id: int | None = None) -> list[RepRecord]:
        if session_id is None:
            rows = self._rows("SELECT * FROM reps ORDER BY id")
        else:
            rows = self._rows("SELECT * FROM reps WHERE session_id = ? ORDER BY id", (session_id,))
        return [_rep(r) for r in rows]

    def streak(self, today: date | None = None) -> int:
        """Days in a row, up to today (or up to yesterday when today has nothing yet), with at least one rep done."""
        days = {s.local_day for s in self.sessions() if s.rep_count > 0 or any(step.done for step in s.steps)}
        day = today or datetime.now().astimezone().date()
        if day not in days:
            day -= timedelta(days=1)
        streak = 0
        while day in days:
            streak += 1
            day -= timedelta(days=1)
        return streak

    def export_csv(self) -> str:
        """Every rep of every session, one row each."""
        sessions = {s.id: s for s in self.sessions()}
        steps = {step.id: step for s in sessions.values() for step in s.steps}
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for rep in self.reps():
            session = sessions.get(rep.session_id)
            step = steps.get(rep.step_id)
            writer.writerow([
                rep.session_id, session.title if session else "", session.kind if session else "",
                session.started_at if session else "", step.title if step else "", rep.exercise, rep.side,
                rep.start_s, rep.end_s, int(rep.complete), int(rep.counted), "; ".join(rep.cues),
                _rise_cm(rep.measures), json.dumps(rep.measures), rep.recorded_at,
            ])
        return out.getvalue()


def _rise_cm(measures: dict) -> str | float:
    """The heel's lift in cm, or "not measured" with the reason, for a rep that has the measure at all."""
    if "rise_cm" not in measures:
        return ""
    value = measures["rise_cm"]
    if value is not None:
        return value
    why = measures.get("rise_cm_note")
    return f"{NOT_MEASURED}: {why}" if why else NOT_MEASURED


def _step(row: sqlite3.Row) -> StepRecord:
    return StepRecord(
        row["id"], row["position"], row["step_key"], row["title"], row["exercise"], row["side"], row["prescribed"],
        row["done"], bool(row["camera_checked"]), row["status"], json.loads(row["notes"]),
    )


def _rep(row: sqlite3.Row) -> RepRecord:
    return RepRecord(
        row["id"], row["session_id"], row["step_id"], row["exercise"], row["side"], row["start_s"], row["end_s"],
        bool(row["complete"]), bool(row["counted"]), json.loads(row["measures"]), json.loads(row["cues"]),
        row["recorded_at"],
    )
