"""Real clips of real people as the live page receives them, without a browser: letterboxed, at most 30 frames/s,
VP8-coded at the bitrate Chromium sends a local peer (tests/e2e/y4m.py `streamed`), a quarter of the frames passed
over as a busy callback passes them. Counted against the hand counts in ../shared/realvids/labels.json.

The coding changes the picture only a little (40-42 dB), but the pose model reads a foot mid-turn differently from
one frame to the next on it: the first raise after a turn has read as a short flicker, or as two pieces, on it."""
import random

import pytest

from routines.pipeline import Pipeline
from tests.conftest import real_clip, real_labels
from tests.e2e.y4m import streamed

KEPT_SHARE = 0.75
RAISE_CLIPS = [pytest.param(name, id=name.removesuffix(".mp4"))
               for name, label in sorted(real_labels().items()) if label["heel_raise"]]


@pytest.mark.parametrize("name", RAISE_CLIPS)
def test_a_real_clip_streamed_as_a_browser_sends_it_is_counted_as_by_hand(name):
    frames = streamed(real_clip(name))
    draw = random.Random(name)
    pipeline = Pipeline("heel-raise")
    events = []
    for t, picture in frames:
        if draw.random() < KEPT_SHARE:
            events += pipeline.process(picture, t).events
    reps = [(round(e.start, 2), round(e.end, 2), e.complete) for e in events]
    assert pipeline.detector.count == real_labels()[name]["heel_raise"], reps
