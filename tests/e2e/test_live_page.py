"""The live practice page in a real Chromium whose camera plays a rendered sample clip.

Each clip plays once, with a still lead-in and a still tail (the person stands still before and after the set);
the page is read when the clip has played and the count has had time to settle. The expected counts come from the
clip's ground truth (samples/<stem>.json). A stream that ends on its own before the set does fails the run with the
reason found in the browser's and the server's logs: a component reset by streamlit-webrtc, or the connection.
"""
from __future__ import annotations

import time

import pytest

from tests.e2e.harness import (ANKLE_ROCK_STEMS, HEEL_RAISE_STEMS, LEAD_IN_SECONDS, SETTLE_SECONDS, TAIL_SECONDS,
                               ClipRun, LivePage, launch_chromium, pick_sample, play_clip)
from tests.e2e.y4m import write_y4m

pytestmark = pytest.mark.e2e

HEEL_RAISE = pick_sample(("heel-raise",), prefer=HEEL_RAISE_STEMS)
ANKLE_ROCK = pick_sample(("ankle-rock",), prefer=ANKLE_ROCK_STEMS)
# Someone in view who moves but does no rep: weight shifts sway the ankles sideways like an ankle rock does.
NEGATIVE = pick_sample(("weight-shift", "stand", "squat"), prefer=("weight_shift_front_A", "stand_sway_C"))
NEGATIVE_EXERCISE = "ankle-rock"


def _run(playwright, live_server, workdir, sample, exercise: str, what: str) -> ClipRun:
    if sample is None:
        pytest.skip(f"samples/ has no {what} clip with its ground truth (samples/<stem>.mp4 + .json)")
    return play_clip(playwright, live_server, sample, exercise, workdir)


@pytest.fixture(scope="module")
def heel_raise_run(playwright, live_server, workdir):
    return _run(playwright, live_server, workdir, HEEL_RAISE, "heel-raise", "heel-raise")


@pytest.fixture(scope="module")
def ankle_rock_run(playwright, live_server, workdir):
    return _run(playwright, live_server, workdir, ANKLE_ROCK, "ankle-rock", "ankle-rock")


@pytest.fixture(scope="module")
def negative_run(playwright, live_server, workdir):
    return _run(playwright, live_server, workdir, NEGATIVE, NEGATIVE_EXERCISE, "negative (stand, weight-shift, squat)")


def _story(run: ClipRun) -> str:
    return (f"{run.sample.stem} as {run.exercise}: START clicks {run.attempts}, counter changes "
            f"{[(round(t - run.capture_start, 2), n) for t, n in run.counter_changes]} (seconds into the camera file; "
            f"the clip plays from {run.camera.clip_start:.1f} to {run.camera.clip_end:.1f} s)"
            + "".join(f"; {problem}" for problem in [run.server] + run.retries + run.stalls if problem))


def test_heel_raise_clip_shows_its_ground_truth_count(heel_raise_run):
    expected = heel_raise_run.sample.count("heel-raise")
    assert expected > 0
    assert heel_raise_run.counter == expected, _story(heel_raise_run)


def test_ankle_rock_clip_shows_its_ground_truth_count(ankle_rock_run):
    expected = ankle_rock_run.sample.count("ankle-rock")
    assert expected > 0
    assert ankle_rock_run.counter == expected, _story(ankle_rock_run)


def test_negative_clip_leaves_the_counter_at_zero(negative_run):
    assert negative_run.sample.count(NEGATIVE_EXERCISE) == 0
    # Zero only means something if the frames were processed: the stream opened its history session and the
    # annotated video came back the whole time.
    assert negative_run.sessions, "no history session: the stream never reached the counting"
    assert negative_run.video_after["time"] > negative_run.camera.clip_end, negative_run.video_after
    assert negative_run.counter == 0, _story(negative_run)


def test_annotated_video_is_playing(heel_raise_run):
    before, after = heel_raise_run.video_before, heel_raise_run.video_after
    assert after["width"] > 0 and not after["paused"], after
    assert after["time"] > before["time"] + 0.5, (before, after)
    assert after["frames"] > before["frames"], (before, after)
    # The skeleton and the count panel cover several percent of the picture; a frame passed through unchanged
    # differs from the camera's in no pixel by that much (checked against a pass-through page).
    assert heel_raise_run.drawn_share > 0.01, f"only {heel_raise_run.drawn_share:.2%} of the picture is drawn on"


def test_finished_set_is_in_the_history(heel_raise_run):
    expected = heel_raise_run.sample.count("heel-raise")
    assert heel_raise_run.sessions, "the stream left no session in the history store"
    # A component reset before the first frame may leave an empty session; the set is the last one.
    finished = heel_raise_run.sessions[-1]
    assert finished.kind == "free"
    assert finished.ended_at, "STOP did not close the session"
    assert finished.rep_count == expected
    counted = [rep for rep in heel_raise_run.reps[finished.id] if rep.counted]
    assert [rep.exercise for rep in counted] == ["heel-raise"] * expected
    assert all(0 < rep.start_s < rep.end_s for rep in counted)
    assert sum(s.rep_count for s in heel_raise_run.sessions) == expected


@pytest.mark.parametrize("run_name", ["heel_raise_run", "ankle_rock_run", "negative_run"])
def test_no_problem_is_shown_or_logged(run_name, request, live_server):
    run = request.getfixturevalue(run_name)
    assert run.warnings == []
    assert run.page_errors == []
    assert live_server.errors() == []


def _wait_for_warning(live: LivePage, text: str, seconds: float = 30.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while True:
        warnings = live.warnings()
        if any(text in w for w in warnings) or time.monotonic() > deadline:
            return warnings
        live.page.wait_for_timeout(250)


def test_a_set_carries_on_after_its_connection_drops(playwright, live_server, workdir):
    """Mid-set the server stops answering (its processes are stopped, as on a machine too busy to run them) for as
    long as the browser takes to give the connection up. The page says the video stopped and keeps the set's reps;
    START carries on counting in the same set. The camera plays its file from the start again on the new connection,
    so the set ends with the clip's count twice over, in one history session."""
    from routines.history import HistoryStore

    if HEEL_RAISE is None:
        pytest.skip("samples/ has no heel-raise clip with its ground truth (samples/<stem>.mp4 + .json)")
    expected = HEEL_RAISE.count("heel-raise")
    camera = write_y4m(HEEL_RAISE.video, workdir / "drop.y4m", lead_in=LEAD_IN_SECONDS, tail=TAIL_SECONDS)
    store = HistoryStore(live_server.db)
    known = {s.id for s in store.sessions()}
    browser = launch_chromium(playwright, camera.path)
    try:
        live = LivePage(browser, live_server, "heel-raise")
        live.start()
        dropped, _ = live.watch_until(live.capture_start + camera.clip_end + SETTLE_SECONDS)
        assert not dropped, dropped
        first = live.counter()
        live_server.pause()
        try:
            live.button("START").wait_for(timeout=60_000)  # the browser gave the connection up
        finally:
            live_server.resume()
        # While the server stands still the page first says the video stopped arriving; once the browser has given
        # the connection up and the page runs again, it says the set is kept.
        warnings = _wait_for_warning(live, "is kept: press START")
        kept = live.counter()
        live.start()
        dropped, _ = live.watch_until(live.capture_start + camera.clip_end + SETTLE_SECONDS)
        assert not dropped, dropped
        final = live.counter()
        changes = [(round(t - live.capture_start, 1), n) for t, n in live.counter_changes()]
        live.stop()
        deadline = time.monotonic() + 10
        while True:
            sessions = [s for s in store.sessions() if s.id not in known]
            if all(s.ended_at for s in sessions) or time.monotonic() > deadline:
                break
            live.page.wait_for_timeout(200)
    finally:
        browser.close()
        store.close()
        camera.path.unlink(missing_ok=True)
    story = (f"{HEEL_RAISE.stem}: {first} counted before the drop (ground truth {expected}), {kept} shown after it, "
             f"{final} at the end; counter changes {changes} (seconds from the second START); warnings {warnings}")
    assert first == expected, "the first pass miscounted (a counting problem, not the drop's): " + story
    assert kept == first, story
    assert f"This set ({first} reps) is kept: press START to carry on counting in it." in " ".join(warnings), story
    assert final == 2 * expected, story
    [session] = sessions  # one set: the drop did not start another
    assert session.ended_at and session.rep_count == final, story
