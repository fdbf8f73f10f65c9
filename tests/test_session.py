"""Following the routine, and the live stream state, with the real routine file, real SQLite and the real pipeline."""
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

from appviews.live_practice import STREAM_SETTLE_SECONDS, LivePractice, StreamClock
from routines.analysis import analyze_video
from routines.detectors.events import DetectorStatus, RepEvent
from routines.history import HistoryStore
from routines.pipeline import FrameResult, Pipeline
from routines.exercises import CLOSEUP_EXERCISES, exercise
from routines.routine import RoutineError, load_routine
from routines.session import RoutineSession
from tests.conftest import SAMPLES, real_clip
from vision.foot_signals import NOT_SEEN, FootSignals
from vision.video import VideoFile

ROUTINE = load_routine()
CAMERA_STEPS = [i for i, s in enumerate(ROUTINE.steps) if s.camera_checked]


def rep(side: str, exercise: str = "heel-raise", complete: bool = True, cues=()) -> RepEvent:
    return RepEvent(exercise, side, 0.0, 1.0, complete, {"rise_cm": 5.0}, tuple(cues))


def go_to(session: RoutineSession, step_id: str) -> None:
    while session.current.step.id != step_id:
        session.skip()


@pytest.fixture
def store(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    yield store
    store.close()


def test_guided_steps_advance_on_confirmation_in_routine_order(store):
    session = RoutineSession(ROUTINE, store)
    session.start()
    first = session.current.step
    assert first.id == ROUTINE.steps[0].id and not first.camera_checked
    session.add_event(rep("both"))  # the camera does not count a guided step
    assert session.current.done == 0
    session.confirm()
    assert session.index == 1 and session.steps[0].done == first.reps and session.steps[0].status == "done"
    session.confirm(done=2)
    assert session.steps[1].done == 2
    stored = store.sessions()[0]
    assert [(s.done, s.status) for s in stored.steps[:3]] == [(first.reps, "done"), (2, "done"), (0, "active")]


def test_a_left_rep_in_a_right_set_does_not_count_and_says_so(store):
    session = RoutineSession(ROUTINE, store)
    session.start()
    go_to(session, "heel-raise-right")
    assert session.camera_exercise == "heel-raise"
    outcome = session.add_event(rep("left"))
    assert outcome == (False, "that was the left foot; this set is for the right")
    assert session.current.done == 0 and session.current.wrong_side == 1
    assert session.add_event(rep("right", cues=["lower slowly"])) == (True, "lower slowly")
    assert session.current.done == 1
    assert session.add_event(rep("both")) == (False, "that was both feet; this set is for the right foot only")
    assert session.add_event(rep("right", complete=False, cues=["rise higher onto the balls of your feet"])).cue
    assert session.current.done == 1 and session.current.partial == 1
    reps = store.reps(session.session_id)
    assert [(r.side, r.counted) for r in reps] == [("left", False), ("right", True), ("both", False), ("right", False)]


def test_a_rendered_right_foot_set_with_one_left_heel_lift_counts_the_right_reps_only(store):
    # samples/one_heel_raise_wrong_foot_D: both feet on the floor, the right heel lifted twice, then the left heel
    # once by mistake, then the right twice more (the clip's ground truth), replayed through the real detector.
    from tests.conftest import TRACES
    from tests.replay import replay

    events, _ = replay(TRACES / "sample_one_heel_raise_wrong_foot_D.npz", "heel-raise")
    session = RoutineSession(ROUTINE, store)
    session.start()
    go_to(session, "heel-raise-right")
    cues = [session.add_event(event).cue for event in events]
    assert [e.side for e in events if e.complete] == ["right", "right", "left", "right", "right"]
    assert "that was the left foot; this set is for the right" in cues
    assert session.current.done == 4 and session.current.wrong_side == 1


def test_a_camera_step_advances_when_its_prescribed_reps_are_done(store):
    session = RoutineSession(ROUTINE, store)
    session.start()
    go_to(session, "heel-raise-left")
    step = session.current.step
    for _ in range(step.reps):
        session.add_event(rep("left"))
    assert session.steps[session.index - 1].step.id == "heel-raise-left"
    assert session.steps[session.index - 1].status == "done"
    assert session.current.step.id != "heel-raise-left"
    assert store.sessions()[0].rep_count == step.reps


def test_a_double_leg_step_counts_reps_of_both_feet(store):
    session = RoutineSession(ROUTINE, store)
    session.start()
    go_to(session, "rock-out")
    session.add_event(rep("both", exercise="ankle-rock"))
    session.add_event(rep("both", exercise="heel-raise"))  # another detector's rep is not this step's
    assert session.current.done == 1
    assert session.add_event(rep("left", exercise="ankle-rock")) == (False, "use both feet together for this set")
    assert session.current.done == 1


def test_pause_ignores_reps_and_stop_keeps_what_was_done(store):
    session = RoutineSession(ROUTINE, store)
    session.start()
    go_to(session, "heel-raise-right")
    session.add_event(rep("right"))
    session.pause()
    session.add_event(rep("right"))
    assert session.current.done == 1
    session.resume()
    session.add_event(rep("right", cues=["lower slowly"]))
    session.add_event(rep("right", cues=["lower slowly"]))
    session.stop()
    assert session.finished and session.current is None
    rows = session.summary()
    right = next(r for r in rows if r["step"] == "Heel Raise: right foot")
    assert (right["done"], right["prescribed"], right["status"]) == (3, 8, "stopped")
    assert right["form notes"] == "lower slowly (2x)"
    assert rows[0]["status"] == "skipped" and rows[-1]["status"] == "not reached"
    [stored] = store.sessions()
    assert stored.ended_at is not None and stored.rep_count == 3
    assert [s.status for s in stored.steps][-1] == "pending"


def test_stream_clock_follows_frame_times_and_bridges_jumps():
    wall = iter([0.0, 0.033, 0.066, 0.1, 0.133, 0.166]).__next__
    clock = StreamClock(wall)
    # RTP clocks start anywhere and may wrap: the stream time starts at 0 and never goes back.
    times = [clock(t) for t in (47000.0, 47000.04, 47000.08, 3.0, 3.03, 3.06)]
    assert times[0] == 0.0
    assert times[1:3] == pytest.approx([0.04, 0.08])
    assert times[3] == pytest.approx(0.08 + 0.034)  # the wrap: the wall clock's step stands in
    assert times[4:] == pytest.approx([times[3] + 0.03, times[3] + 0.06])
    assert all(b > a for a, b in zip(times, times[1:]))


def test_late_frames_after_a_stream_ended_open_no_new_session(store):
    live = LivePractice(store, exercise="heel-raise")
    blank = np.zeros((240, 320, 3), np.uint8)
    live.process(blank, 0.0)
    assert not live.streaming and store.sessions() == []  # not armed: the page has not seen the camera start
    live.arm()
    live.process(blank, 0.1)
    assert live.streaming and live.snapshot().phase == "no person"
    live.end_stream()
    live.process(blank, 0.2)  # a frame still queued in the stream's worker
    assert not live.streaming
    [session] = store.sessions()
    assert session.ended_at and session.rep_count == 0
    live.end_set()
    live.arm()
    live.process(blank, 0.0)
    live.end_set()
    assert len(store.sessions()) == 2 and live.snapshot().sets == (0, 0)


class ScriptedPipeline:
    """Stands in for `Pipeline` (no pose model): a complete rep of the given side on every `every`-th frame."""

    made = []

    def __init__(self, exercise: str, every: int = 5, side: str = "left"):
        self.exercise, self.every, self.side = exercise, every, side
        self.detector = SimpleNamespace(count=0)
        self.frames, self.times, self.closed = 0, [], False
        ScriptedPipeline.made.append(self)

    def warm_up(self, height, width):
        pass

    def set_exercise(self, exercise):
        self.exercise = exercise

    def handles(self, name):
        # Like the real pipelines: one kind counts either the close-up (toe) exercises or the full-body ones.
        return exercise(name).closeup == exercise(self.exercise).closeup

    def process(self, image, t):
        self.frames += 1
        self.times.append(t)
        events = []
        if self.frames % self.every == 0:
            self.detector.count += 1
            events.append(RepEvent(self.exercise, self.side, t - 1.0, t, True, {}, ()))
        sides = {"left": 0, "right": 0, "both": 0}
        sides[self.side] = self.detector.count
        status = DetectorStatus(self.detector.count, sides, "ready", "", "", math.nan)
        signals = FootSignals(t, False, math.nan, (math.nan, math.nan), NOT_SEEN, NOT_SEEN)
        return FrameResult(t, None, signals, events, status, False)

    def close(self):
        self.closed = True


def test_a_set_carries_on_in_the_same_history_session_after_its_stream_ends(store):
    ScriptedPipeline.made.clear()
    now = [0.0]
    live = LivePractice(store, exercise="heel-raise", pipeline_factory=ScriptedPipeline, wall=lambda: now[0],
                        settle_seconds=0.1)
    blank = np.zeros((48, 64, 3), np.uint8)

    def stream(frames: int, rtp_start: float) -> None:
        live.arm()
        for n in range(frames):
            now[0] += 0.04
            live.process(blank, rtp_start + n * 0.04)

    stream(13, 9000.0)  # 3 frames settle, 10 counted: 2 reps
    snap = live.snapshot()
    assert (snap.count, snap.per_side["left"], snap.streams, snap.set_open) == (2, 2, 1, True)
    first_session = snap.session_id
    live.end_stream()  # the connection dropped
    snap = live.snapshot()
    assert not snap.streaming and snap.set_open and snap.count == 2 and snap.frames == 0  # the reps are kept
    assert store.session(first_session).ended_at  # the history says the set is closed while no stream runs
    assert ScriptedPipeline.made[0].closed

    now[0] += 20.0  # twenty seconds later, START again: a new connection, its clock starting anywhere
    stream(18, 123.0)  # 3 frames settle, 15 counted: 3 more reps in the same set
    snap = live.snapshot()
    assert (snap.count, snap.per_side["left"], snap.streams, snap.session_id) == (5, 5, 2, first_session)
    assert snap.ticks == 5 and snap.sets == ()
    assert store.session(first_session).ended_at is None  # taken up again
    second = ScriptedPipeline.made[1]
    assert second is not ScriptedPipeline.made[0]  # each stream gets a fresh pipeline ...
    assert second.times[0] > ScriptedPipeline.made[0].times[-1] + 19.9  # ... on the set's clock, run on over the gap
    assert store.sessions()[0].steps[0].done == 5

    live.end_set()  # New set
    snap = live.snapshot()
    assert (snap.count, snap.set_open, snap.sets, snap.session_id) == (0, False, (5,), None)
    [session] = store.sessions()
    assert session.ended_at and session.rep_count == 5 and session.steps[0].done == 5
    reps = store.reps(session.id)
    assert len(reps) == 5 and all(b.start_s > a.start_s for a, b in zip(reps, reps[1:]))

    stream(8, 50.0)  # the next set is a new history session, counted from 0
    snap = live.snapshot()
    assert snap.count == 1 and snap.streams == 1 and snap.session_id != first_session
    assert len(store.sessions()) == 2


def test_a_late_end_of_an_old_stream_leaves_the_set_and_its_successor_alone(store):
    live = LivePractice(store, exercise="heel-raise", pipeline_factory=ScriptedPipeline, settle_seconds=0)
    blank = np.zeros((48, 64, 3), np.uint8)
    live.arm()
    first = live.stream_number
    for n in range(5):
        live.process(blank, n * 0.04)
    live.end_stream()
    live.arm()
    for n in range(5):
        live.process(blank, 10 + n * 0.04)
    live.end_stream(first)  # the first stream's worker reports its track ended, late
    snap = live.snapshot()
    assert snap.streaming and snap.count == 2 and snap.streams == 2


def test_a_streams_first_moments_are_shown_uncounted(store):
    with VideoFile(real_clip("home_calf_raises.mp4")) as video:
        frames = [frame for frame, _ in zip(video, range(30))]
    live = LivePractice(store, exercise="heel-raise")
    live.arm()
    returned = []
    for frame in frames:
        before = frame.image.copy()
        out = live.process(frame.image, 900.0 + frame.t)
        returned.append((frame.t, np.array_equal(out, before)))
        snap = live.snapshot()
        assert snap.frames == len(returned) and not snap.error
        # The person stands in view from the first frame, but no frame reaches the detector before the settling ends.
        assert (snap.phase == "no person") == (frame.t < STREAM_SETTLE_SECONDS)
    # Passed through untouched while the stream settles, drawn on (skeleton, counter) from then on.
    assert [untouched for _, untouched in returned] == [t < STREAM_SETTLE_SECONDS for t, _ in returned]


def test_warming_up_the_pose_models_leaves_no_trace_in_what_follows():
    with VideoFile(real_clip("home_calf_raises.mp4")) as video:
        frames = [frame for frame, _ in zip(video, range(20))]
    height, width = frames[0].image.shape[:2]
    cold, warm = Pipeline("heel-raise"), Pipeline("heel-raise")
    warm.warm_up(height, width)
    try:
        for frame in frames:
            a, b = cold.process(frame.image, frame.t), warm.process(frame.image, frame.t)
            assert np.array_equal(a.pose.points, b.pose.points) and np.array_equal(a.pose.world, b.pose.world)
    finally:
        cold.close()
        warm.close()


@pytest.mark.slow
def test_live_practice_counts_a_real_clip_like_the_analysis_and_writes_each_rep_at_once(store):
    clip = real_clip("home_calf_raises.mp4")
    expected = analyze_video(clip, "heel-raise")
    # A file's first frame is as sharp as the rest, unlike a camera stream's: nothing to wait out before counting.
    live = LivePractice(store, exercise="heel-raise", settle_seconds=0)
    live.arm()
    stored_when_counted = []
    with VideoFile(clip) as video:
        for frame in video:
            before = live.snapshot().count
            out = live.process(frame.image, 5000.0 + frame.t)  # an RTP-like clock that starts anywhere
            assert out is frame.image  # annotated in place, returned for the stream
            if live.snapshot().count > before:
                stored_when_counted.append(len(store.reps()))
    snap = live.snapshot()
    assert snap.count == len(expected.reps) and snap.ticks == len(expected.reps) and not snap.error
    assert stored_when_counted == list(range(1, len(expected.reps) + 1))  # each rep was in the file at once
    live.end_set()
    [session] = store.sessions()
    assert session.ended_at and session.rep_count == len(expected.reps)
    assert session.steps[0].done == len(expected.reps)
    assert [r.start_s for r in store.reps()] == pytest.approx([e.start for e in expected.reps], abs=1e-6)
    assert live.snapshot().sets == (len(expected.reps),)


@pytest.mark.slow
def test_live_routine_refuses_double_leg_raises_in_a_single_leg_set(store):
    clip = real_clip("home_calf_raises.mp4")  # three double-leg raises
    routine = RoutineSession(ROUTINE, store)
    routine.start()
    go_to(routine, "heel-raise-right")
    live = LivePractice(store, routine=routine, settle_seconds=0)
    live.arm()
    with VideoFile(clip) as video:
        for frame in video:
            live.process(frame.image, frame.t)
    snap = live.snapshot()
    assert snap.count == 3 and not snap.error  # the detector saw them ...
    assert routine.current.done == 0 and routine.current.wrong_side == 3  # ... the set did not count them
    assert snap.cue == "that was both feet; this set is for the right foot only"
    assert snap.speech[1] == snap.cue and snap.ticks == 0


# The toe steps seen close up

TOE_STEPS = [s.id for s in ROUTINE.steps if s.closeup is not None]


def test_the_toe_steps_name_their_close_up_detectors_and_stay_guided_at_full_body_framing():
    assert TOE_STEPS == ["toe-fan-lift", "toe-fan-spread", "great-toe-down-big", "great-toe-down-little",
                         "great-toe-down-alternate", "toe-grip"]
    for step in ROUTINE.steps:
        if step.closeup is not None:
            assert step.exercise is None and step.closeup == step.id and step.closeup in CLOSEUP_EXERCISES
            assert (step.checked_by(True), step.checked_by(False)) == (step.id, None)
        else:
            assert step.checked_by(True) == step.checked_by(False) == step.exercise


def test_with_the_close_up_view_the_toe_steps_are_counted_by_the_camera_and_recorded_so(store):
    session = RoutineSession(ROUTINE, store, closeup_view=True)
    session.start()
    assert session.current.counted_by_camera and session.camera_exercise == "toe-fan-lift"
    session.confirm()  # a camera-checked step is not confirmed by hand
    assert session.index == 0 and session.current.done == 0
    session.add_event(rep("both", exercise="heel-raise"))  # another detector's rep is not this step's
    assert session.current.done == 0
    first = session.current.step
    outcomes = [session.add_event(rep("both", exercise="toe-fan-lift")) for _ in range(first.reps)]
    assert all(o.counted for o in outcomes)
    assert session.current.step.id == "toe-fan-spread" and session.camera_exercise == "toe-fan-spread"
    go_to(session, "rock-out")
    assert session.camera_exercise == "ankle-rock"  # the full-body steps are counted as before
    go_to(session, "toe-grip")
    assert session.camera_exercise == "toe-grip"
    [stored] = store.sessions()
    checked = {s.step_key: (s.exercise, s.camera_checked) for s in stored.steps}
    for step in ROUTINE.steps:
        assert checked[step.id] == (step.closeup or step.exercise, True)
    assert stored.steps[0].done == first.reps and stored.steps[0].status == "done"
    assert stored.rep_count == first.reps
    rows = {r["step"]: r["checked by"] for r in session.summary()}
    assert set(rows.values()) == {"camera"}


def test_without_the_close_up_view_the_toe_steps_stay_guided(store):
    session = RoutineSession(ROUTINE, store)
    session.start()
    assert not session.current.counted_by_camera and session.camera_exercise is None
    assert session.add_event(rep("both", exercise="toe-fan-lift")) == (False, "")
    assert session.current.done == 0
    session.confirm()
    assert session.current.step.id == "toe-fan-spread"
    [stored] = store.sessions()
    checked = {s.step_key: (s.exercise, s.camera_checked) for s in stored.steps}
    for step_id in TOE_STEPS:
        assert checked[step_id] == (None, False)
    rows = {r["step"]: r["checked by"] for r in session.summary()}
    assert rows["Toe Fan: lift and lower"] == "you (guided)" and rows["Rock Out"] == "camera"


def test_a_routine_file_with_an_unknown_close_up_exercise_is_refused(tmp_path):
    path = tmp_path / "routine.json"
    path.write_text(json.dumps({"name": "Toes", "steps": [
        {"id": "toe-wiggle", "title": "Toe wiggle", "exercise": None, "closeup": "toe-wiggle", "reps": 4,
         "instructions": "Wiggle your toes."}]}), encoding="utf-8")
    with pytest.raises(RoutineError, match="unknown close-up exercise 'toe-wiggle'"):
        load_routine(path)
    # A full-body exercise is not a close-up one either.
    path.write_text(json.dumps({"name": "Toes", "steps": [
        {"id": "rock", "title": "Rock", "exercise": None, "closeup": "ankle-rock", "reps": 4,
         "instructions": "Rock."}]}), encoding="utf-8")
    with pytest.raises(RoutineError, match="unknown close-up exercise 'ankle-rock'"):
        load_routine(path)


def test_a_live_routine_switches_pipelines_between_close_up_and_full_body_steps(store):
    ScriptedPipeline.made.clear()
    routine = RoutineSession(ROUTINE, store, closeup_view=True)
    routine.start()
    go_to(routine, "great-toe-down-alternate")
    live = LivePractice(store, routine=routine, pipeline_factory=lambda name: ScriptedPipeline(name, side="both"),
                        settle_seconds=0)
    blank = np.zeros((48, 64, 3), np.uint8)
    live.arm()
    for n in range(5 * 8):  # a rep every 5 frames: the step's 8 reps
        live.process(blank, n * 0.04)
    assert routine.current.step.id == "rock-out"
    live.process(blank, 2.0)
    toes, body = ScriptedPipeline.made
    assert toes.exercise == "great-toe-down-alternate" and toes.closed  # closed when a full-body step came up
    assert body.exercise == "ankle-rock" and not body.closed and live.streaming
    go_to(routine, "ball-roll-left")
    live.process(blank, 2.04)
    assert len(ScriptedPipeline.made) == 2 and body.exercise == "ball-roll"  # the same kind: set_exercise
    go_to(routine, "toe-grip")
    live.process(blank, 2.08)
    assert ScriptedPipeline.made[-1].exercise == "toe-grip" and body.closed
    assert not live.snapshot().error


def test_a_live_routine_with_the_close_up_view_counts_a_rendered_toe_fan_clip(store):
    # samples/closeup/closeup_toe_fan_lift_A: four toe-fan lifts with both feet, filmed close up (its ground truth).
    routine = RoutineSession(ROUTINE, store, closeup_view=True)
    routine.start()
    live = LivePractice(store, routine=routine, settle_seconds=0)
    live.arm()
    with VideoFile(SAMPLES / "closeup" / "closeup_toe_fan_lift_A.mp4") as video:
        for frame in video:
            live.process(frame.image, 700.0 + frame.t)
    snap = live.snapshot()
    assert not snap.error and snap.ticks == 4
    first = routine.steps[0]
    assert first.step.id == "toe-fan-lift" and first.done == 4 and first.status == "done"
    assert routine.current.step.id == "toe-fan-spread" and routine.camera_exercise == "toe-fan-spread"
    [stored] = store.sessions()
    assert (stored.steps[0].done, stored.steps[0].camera_checked, stored.rep_count) == (4, True, 4)
    assert all(r.counted and r.exercise == "toe-fan-lift" for r in store.reps(stored.id))
    live.end_set()
