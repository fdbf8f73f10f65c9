"""The toe exercises seen close up, in a real Chromium whose camera plays a rendered close-up clip: free practice of
the toe lift counts the clip's reps, and so does the routine's first step with the camera close to the feet.

The clip (samples/closeup/closeup_toe_fan_lift_A: four toe-fan lifts with both feet, camera on the floor half a metre
in front of the toes) plays once after a still lead-in; the expected count is its ground truth.
"""
from __future__ import annotations

import json

import pytest

from routines.history import HistoryStore
from tests.e2e.harness import (LEAD_IN_SECONDS, SAMPLES, SETTLE_SECONDS, TAIL_SECONDS, RoutinePage, Sample,
                               StreamDropped, launch_chromium, play_clip)
from tests.e2e.y4m import write_y4m

pytestmark = pytest.mark.e2e

CLIP = SAMPLES / "closeup" / "closeup_toe_fan_lift_A.mp4"


@pytest.fixture(scope="module")
def toe_lift():
    if not CLIP.exists():
        pytest.skip(f"{CLIP} is missing")
    return Sample(CLIP, json.loads(CLIP.with_suffix(".json").read_text()))


def test_free_practice_of_the_toe_lift_counts_the_close_up_clip(toe_lift, playwright, live_server, workdir):
    expected = toe_lift.count("toe-fan-lift")
    assert expected == 4
    run = play_clip(playwright, live_server, toe_lift, "toe-fan-lift", workdir)
    story = (f"counter changes {[(round(t - run.capture_start, 2), n) for t, n in run.counter_changes]} (seconds "
             f"into the camera file; the clip plays from {run.camera.clip_start:.1f} to {run.camera.clip_end:.1f} s); "
             f"START clicks {run.attempts}; page problems {run.warnings + run.page_errors}; {run.server}")
    assert run.counter == expected, story
    assert not run.page_errors, story
    [session] = run.sessions
    assert session.steps[0].exercise == "toe-fan-lift" and session.rep_count == expected


def test_the_routine_with_the_camera_close_to_the_feet_counts_the_first_toe_step(toe_lift, playwright, live_server,
                                                                                 workdir):
    expected = toe_lift.count("toe-fan-lift")
    camera = write_y4m(toe_lift.video, workdir / f"{toe_lift.stem}-routine.y4m", lead_in=LEAD_IN_SECONDS,
                       tail=TAIL_SECONDS)
    store = HistoryStore(live_server.db)
    known = {s.id for s in store.sessions()}
    browser = launch_chromium(playwright, camera.path)
    try:
        live = RoutinePage(browser, live_server, closeup_view=True)
        assert live.step_title() == "Toe Fan: lift and lower"
        live.start()
        dropped, _ = live.watch_until(live.capture_start + camera.clip_end + SETTLE_SECONDS)
        if dropped:
            raise StreamDropped(f"{toe_lift.stem} in the routine: {dropped}")
        changes = live.step_counter_changes()
        seen = [(round(t - live.capture_start, 2), title, text) for t, title, text in changes]
        story = (f"step counter changes {seen} (seconds into the camera file; the clip plays from "
                 f"{camera.clip_start:.1f} to {camera.clip_end:.1f} s); START clicks {live.attempts}; page problems "
                 f"{live.warnings() + live.page_errors}")
        first = [text for _, title, text in changes if title == "Toe Fan: lift and lower"]
        # The step's counter went up rep by rep; the rep that completes the step moves the page on to the next step
        # at once (its "4 / 4" may never reach the browser), and the history says how many the step counted.
        assert first == [f"{n} / {expected}" for n in range(len(first))] and len(first) >= expected, story
        assert live.step_title() == "Toe Fan: spread", story
        assert not live.page_errors, story
        [session] = [s for s in store.sessions() if s.id not in known]
        step = session.steps[0]
        assert (step.step_key, step.exercise, step.camera_checked, step.done, step.status) == (
            "toe-fan-lift", "toe-fan-lift", True, expected, "done"), story
        live.stop()
    finally:
        browser.close()
        store.close()
        camera.path.unlink(missing_ok=True)
