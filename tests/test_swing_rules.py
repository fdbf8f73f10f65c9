"""Ankle-rock and ball-of-foot-roll rules on hand-made foot signals."""
import math

from routines.detectors.swings import AnkleRockDetector, BallRollDetector
from tests.synthetic import foot, heel_raise, rock, run, still, timeline


def test_counts_ankle_rocks_outer_then_inner_and_back():
    detector = AnkleRockDetector()
    events = run(detector, timeline(still(1.5), *[rock(), still(0.5)] * 4))
    assert [e.complete for e in events] == [True] * 4
    assert [e.side for e in events] == ["both"] * 4
    assert detector.count == 4
    assert events[0].measures["outer"] > 0.08 and events[0].measures["inner"] > 0.05


def test_rocks_whose_rest_sits_just_off_the_middle_count_on_a_stream_that_passes_frames_over():
    # After the first rock the feet rest a little inward, just outside the middle band, so each rock's value crosses
    # the middle on its way from one rock to the next in a frame or two. At 10 frames/s no frame falls inside it.
    def inward(d=0.007):
        return foot("left", ankle_dx=-d, heel_dx=-d), foot("right", ankle_dx=d, heel_dx=d)

    def rock_from_inward(u, d=0.007):
        shift = 0.05 * math.sin(2 * math.pi * u) if u < 0.5 else 0.03 * math.sin(2 * math.pi * u)
        return (foot("left", ankle_dx=shift - d, heel_dx=shift - d),
                foot("right", ankle_dx=d - shift, heel_dx=d - shift))

    rest = 0.5, lambda u: inward()
    frames = timeline(still(1.5), rock(), rest, *[(2.4, rock_from_inward), rest] * 3, still(1.5))
    for step in (1, 3, 5):
        detector = AnkleRockDetector()
        events = run(detector, frames[::step])
        assert detector.count == 4, (step, [(round(e.start, 2), round(e.end, 2)) for e in events])


def test_inner_first_counts_too():
    events = run(AnkleRockDetector(), timeline(still(1.5), rock(outer=-0.03, inner=-0.05), still(1.0)))
    assert [e.complete for e in events] == [True]


def test_one_foot_rocking_alone_is_tagged_with_that_foot():
    events = run(AnkleRockDetector(), timeline(still(1.5), rock(0.1, 0.07, sides=("right",)), still(1.0)))
    assert [(e.side, e.complete) for e in events] == [("right", True)]


def test_rolling_onto_one_edge_only_is_a_partial_rock():
    half = (1.2, lambda u: (foot("left", ankle_dx=0.05 * math.sin(math.pi * u), heel_dx=0.05 * math.sin(math.pi * u)),
                            foot("right", ankle_dx=-0.05 * math.sin(math.pi * u),
                                 heel_dx=-0.05 * math.sin(math.pi * u))))
    detector = AnkleRockDetector()
    events = run(detector, timeline(still(1.5), half, still(3.0)))
    assert [e.complete for e in events] == [False]
    assert detector.count == 0 and "inner" in events[0].cues[0]


def test_a_sideways_weight_shift_is_not_a_rock():
    def shift(u):
        d = 0.08 * math.sin(2 * math.pi * u)  # both ankles lean the same way
        return foot("left", ankle_dx=d, heel_dx=d), foot("right", ankle_dx=d, heel_dx=d), (1.0 + d, 2.0)

    detector = AnkleRockDetector()
    assert run(detector, timeline(still(1.5), *[(2.0, shift)] * 4, still(1.0))) == []


def test_heel_raises_are_not_rocks():
    assert run(AnkleRockDetector(), timeline(still(1.5), *[heel_raise(0.12), still(0.8)] * 3)) == []


def _roll(seconds=2.0, swing=0.07, lift=0.1):
    """Right heel held up on one foot (left foot off the floor), swinging in, out and back."""
    def make(u):
        d = swing * math.sin(2 * math.pi * u)
        return foot("left", toe_up=0.4), foot("right", lift=lift, heel_dx=-d)
    return seconds, make


def test_counts_ball_rolls_only_while_the_heel_is_up():
    lift_foot = (0.5, lambda u: (foot("left", toe_up=0.4 * u), foot("right")))
    heel_up = (0.6, lambda u: (foot("left", toe_up=0.4), foot("right", lift=0.1 * u)))
    flat_swing = _roll(lift=0.0)
    detector = BallRollDetector()
    hold = (0.5, lambda u: (foot("left", toe_up=0.4), foot("right", lift=0.1)))
    events = run(detector, timeline(still(1.5), lift_foot, flat_swing, heel_up, *[_roll()] * 5, hold,
                                    still(0.5, toe_up=0.4)))
    assert [(e.side, e.complete) for e in events] == [("right", True)] * 5
    assert detector.per_side["right"] == 5


def test_a_held_heel_without_swinging_counts_no_roll():
    heel_up = (0.6, lambda u: (foot("left", toe_up=0.4 * u), foot("right", lift=0.1 * u)))
    hold = (5.0, lambda u: (foot("left", toe_up=0.4), foot("right", lift=0.1)))
    assert run(BallRollDetector(), timeline(still(1.5), heel_up, hold)) == []


def test_side_on_view_asks_the_person_to_face_the_camera():
    from tests import synthetic

    saved = dict(synthetic.FOOT_X)
    synthetic.FOOT_X.update(left=1.0, right=1.02)  # the feet overlap in the picture
    try:
        detector = AnkleRockDetector()
        run(detector, timeline(still(2.0)))
    finally:
        synthetic.FOOT_X.update(saved)
    assert detector.status.phase == "ready"
    assert "face the camera" in detector.status.message
