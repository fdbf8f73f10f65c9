"""Real clips of real people played through the live page: the page counts what `footform analyze` counts on the same
clip file, and what the clip's hand count says (../shared/realvids/labels.json, read here and never copied).

Chromium's fake camera plays each clip as the browser tests play the samples (letterboxed into 640x480, after a
still lead-in, at most 30 frames/s once the page's camera constraints apply), through the real WebRTC path: VP8
coding, frames dropped while the callback is busy, the frames' own timestamps. Where ../shared/realvids is absent
these tests skip, saying so.
"""
from __future__ import annotations

import pytest

from tests.conftest import real_clip, real_labels
from tests.e2e.harness import Sample, play_clip
from tests.test_cli import analyze_json

pytestmark = pytest.mark.e2e

# The stream's first moments and a still start for the calibration fit in this (see LEAD_IN_SECONDS), with a second
# to spare for a loaded machine; the tail only has to outlast the reading of the page.
LEAD_IN_SECONDS = 4.0
TAIL_SECONDS = 6.0

# The page's count depends on which frames reach the detector, and for this clip the heel-raise detector's does too:
# not strict, as most runs count all 6 (9 of 10 live runs measured).
WHICH_FRAMES = (
    "the heel-raise detector loses a rep of this clip in some runs, depending on which frames arrive: offline, the "
    "camera's frames with a random third of them passed over (as the busy live callback does) count 5 instead of 6 "
    "in 2 of 8 draws, and at a steady 10, 12, 15 or 20 frames/s no stance is ever taken (routines/stance.py: the "
    "frames of the last 0.4 s must span 0.36 s, one frame interval short at those rates of a 59.94 frames/s clip)"
)

# A static side/oblique view, and one where the camera turns from a front-oblique to a side view between the sets
# (labels.json: "front-oblique then ... side view"), as it does when a person turns to the camera.
CLIPS = [
    pytest.param("home_calf_raises.mp4", id="home_calf_raises"),
    pytest.param("fitbod_calf_raise_front_then_side.mp4", id="fitbod_calf_raise_front_then_side",
                 marks=pytest.mark.xfail(strict=False, reason=WHICH_FRAMES)),
]


@pytest.mark.parametrize("name", CLIPS)
def test_live_page_counts_a_real_clip_as_footform_analyze_and_the_hand_count_do(name, playwright, live_server,
                                                                                 workdir):
    path = real_clip(name)
    label = real_labels()[name]["heel_raise"]
    offline = analyze_json(path, "heel-raise")  # before the browser starts: the two runs must not share the cores
    run = play_clip(playwright, live_server, Sample(path, {"counts": {"heel-raise": label}}), "heel-raise", workdir,
                    lead_in=LEAD_IN_SECONDS, tail=TAIL_SECONDS)
    story = (
        f"{name}: the page showed {run.counter}, footform analyze counted {offline['reps']} "
        f"(reps {[(e['start'], e['end']) for e in offline['events'] if e['complete']]} s into the clip), "
        f"the hand count is {label}; the page's counter changed at "
        f"{[(round(t - run.capture_start - run.camera.clip_start, 2), n) for t, n in run.counter_changes]} "
        f"(seconds into the clip, which ends at {run.camera.clip_end - run.camera.clip_start:.1f}); "
        f"START clicks {run.attempts}; page problems {run.warnings + run.page_errors}"
    )
    assert run.counter == offline["reps"], story
    assert run.counter == label, story
