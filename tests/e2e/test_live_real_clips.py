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

# The stream's first moments and a still start for the calibration fit in this (see LEAD_IN_SECONDS): on a 2-core
# machine with both cores busy, the first frame reached the server 1.1 s into the camera file and the pose models
# took 2.8 s to load on it, so the page passed its settling time 0.4 s into a clip played after a 4 s lead-in and
# took the stance only as the clip's first raise began (fitbod_dumbbell_calf_raise_front_then_side, recorded). This
# leaves about 2 s to spare beyond that. The tail only has to outlast the reading of the page.
LEAD_IN_SECONDS = 7.0
TAIL_SECONDS = 6.0
# The still lead-in and tail carry a camera's noise (tests/e2e/y4m.py `write_y4m`): a real clip is a camera's picture,
# and bit-identical still frames let the video coder sharpen the lead-in as no camera stream is. In three runs of the
# browser suite the page counted one raise too many on home_calf_raises; the one whose history was read was the left
# heel "raised" for 3.6 s of a still picture: up from 3 s into the stream, as the coded picture sharpened, and down
# the moment the clip began to move.
GRAIN = 2.0

# Every real clip with raises (labels.json): a static side/oblique view at home and in a gym, and three where the view
# changes from front-oblique to side between the sets, as it does when a person turns to the camera (one with
# dumbbells, one single-leg).
CLIPS = [pytest.param(name, id=name.removesuffix(".mp4"))
         for name, label in sorted(real_labels().items()) if label["heel_raise"]]


@pytest.mark.parametrize("name", CLIPS)
def test_live_page_counts_a_real_clip_as_footform_analyze_and_the_hand_count_do(name, playwright, live_server,
                                                                                 workdir):
    path = real_clip(name)
    label = real_labels()[name]["heel_raise"]
    offline = analyze_json(path, "heel-raise")  # before the browser starts: the two runs must not share the cores
    run = play_clip(playwright, live_server, Sample(path, {"counts": {"heel-raise": label}}), "heel-raise", workdir,
                    lead_in=LEAD_IN_SECONDS, tail=TAIL_SECONDS, grain=GRAIN)
    story = (
        f"{name}: the page showed {run.counter}, footform analyze counted {offline['reps']} "
        f"(reps {[(e['start'], e['end']) for e in offline['events'] if e['complete']]} s into the clip), "
        f"the hand count is {label}; the page's counter changed at "
        f"{[(round(t - run.capture_start - run.camera.clip_start, 2), n) for t, n in run.counter_changes]} "
        f"(seconds into the clip, which ends at {run.camera.clip_end - run.camera.clip_start:.1f}); "
        f"START clicks {run.attempts}; page problems {run.warnings + run.page_errors}; {run.server}; the history's "
        f"reps (side, start and end in the set's time, complete): "
        f"{[(r.side, round(r.start_s, 2), round(r.end_s, 2), r.complete) for reps in run.reps.values() for r in reps]}"
    )
    assert run.counter == offline["reps"], story
    assert run.counter == label, story
