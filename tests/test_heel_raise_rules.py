"""The heel-raise detector's rules, one at a time, on hand-made foot signals."""
import math
from dataclasses import replace

from routines.detectors.heel_raise import HeelRaiseDetector
from tests.synthetic import bump, foot, heel_raise, run, still, timeline


def test_counts_double_leg_raises_with_their_times_and_measures():
    frames = timeline(still(1.5), *[heel_raise(0.12), still(0.8)] * 5)
    events = run(HeelRaiseDetector(), frames)
    assert [e.side for e in events] == ["both"] * 5
    assert all(e.complete for e in events)
    first = events[0]
    assert 1.5 <= first.start <= 1.8 and 3.0 <= first.end <= 3.5
    assert abs(first.measures["rise"] - 0.12) < 0.01
    assert 0.2 < first.measures["rise_s"] < 0.7 and 0.3 < first.measures["hold_s"] < 1.0
    assert first.cues == ()


def test_raises_are_counted_without_a_still_start():
    # Raising straight away, from the first frame: the stance is found from the planted toes, and the first rep
    # is measured from the flat heels it began with.
    detector = HeelRaiseDetector()
    events = run(detector, timeline(*[heel_raise(0.12, up=0.5, hold=0.0, down=0.5)] * 3, still(0.5)))
    assert [e.complete for e in events] == [True, True, True]
    assert events[0].start < 0.2


def test_nothing_is_counted_before_the_feet_are_planted():
    detector = HeelRaiseDetector()
    run(detector, timeline((1.0, lambda u: (foot("left", toe_dx=0.8 * u), foot("right", toe_dx=0.8 * u)))))
    assert detector.status.phase == "not calibrated"
    assert detector.status.message == "Stand with both feet flat on the floor"


def test_a_stance_taken_with_the_heels_up_settles_on_flat_once_they_are_down():
    # The clip begins at the top of a raise: that rise was never seen, so it is not a rep; the stance first taken
    # there is lowered to the flat heels as soon as they come down, and the next raises count.
    def lowering(u):
        return foot("left", lift=0.12 * (1 - u)), foot("right", lift=0.12 * (1 - u))

    frames = timeline((1.2, lambda u: lowering(0.0)), (0.8, lowering), still(1.0), *[heel_raise(0.12), still(0.8)] * 2)
    events = run(HeelRaiseDetector(), frames)
    assert [e.complete for e in events] == [True, True]
    assert events[0].start > 2.4


def test_a_rise_that_stops_short_is_a_partial_rep_and_not_counted():
    detector = HeelRaiseDetector()
    events = run(detector, timeline(still(1.5), heel_raise(0.045), still(0.8), heel_raise(0.12), still(0.8)))
    assert [e.complete for e in events] == [False, True]
    assert detector.count == 1 and detector.partial == 1
    assert "higher" in events[0].cues[0]


def test_noise_below_the_partial_level_is_not_reported():
    events = run(HeelRaiseDetector(), timeline(still(1.5), heel_raise(0.025), still(1.0)))
    assert events == []


def test_dropping_the_heel_fast_gets_the_lower_slowly_cue():
    events = run(HeelRaiseDetector(), timeline(still(1.5), heel_raise(0.12, down=0.25), still(1.0),
                                              heel_raise(0.12, down=1.5), still(1.0)))
    assert [e.cues for e in events] == [("lower slowly",), ()]


def test_single_leg_raises_are_tagged_with_the_standing_foot():
    frames = timeline(
        still(1.5),
        (0.5, lambda u: (foot("left", toe_up=0.4 * u), foot("right"))),  # lift the left foot off the floor
        *[heel_raise(0.1, sides=("right",), lifted_foot="left"), still(0.6, toe_up=0.4)] * 3,
    )
    detector = HeelRaiseDetector()
    events = run(detector, frames)
    assert [e.side for e in events] == ["right"] * 3
    assert detector.per_side == {"left": 0, "right": 3, "both": 0}


def test_single_leg_raises_count_while_the_standing_leg_reads_shorter():
    # Seen from the side, the standing leg can read up to 0.24 shorter while its heel is up: the foot held up behind
    # it stays held up (its leg is judged against the standing leg's recent length), and the knees are not bent.
    def raise_reading_short(u):
        h = 0.1 * bump(u, 0.6, 0.4, 1.0)
        return foot("left", toe_up=0.4), foot("right", h, knee_bend=2.2 * h)

    frames = timeline(
        still(1.5),
        (0.5, lambda u: (foot("left", toe_up=0.4 * u), foot("right"))),
        *[(2.0, raise_reading_short), still(0.6, toe_up=0.4)] * 3,
    )
    detector = HeelRaiseDetector()
    run(detector, frames)
    assert detector.per_side == {"left": 0, "right": 3, "both": 0}


def test_a_heel_point_that_jumps_sideways_for_a_frame_at_the_top_is_no_roll():
    # A roll swings the raised heel out and in slowly; a quick raise seen from the side can make the heel point jump
    # one way and the other for a frame each (on a live stream): still a raise.
    def jumpy(u):
        h = 0.12 * bump(u, 0.6, 0.4, 1.0)
        dx = 0.07 if 0.34 < u < 0.36 else -0.07 if 0.42 < u < 0.44 else 0.0
        return foot("left", h, heel_dx=dx), foot("right", h, heel_dx=-dx)

    events = run(HeelRaiseDetector(), timeline(still(1.5), (2.0, jumpy), still(1.0)))
    assert [(e.side, e.complete) for e in events] == [("both", True)]


def test_one_heel_raised_while_both_feet_stand_is_tagged_with_that_foot():
    events = run(HeelRaiseDetector(), timeline(still(1.5), heel_raise(0.15, sides=("left",)), still(1.0)))
    assert [e.side for e in events] == ["left"]


def test_a_heel_swinging_in_the_pose_models_first_second_is_not_a_raise():
    # For about a second after the pose model finds a person, their points still settle: a still heel can swing
    # against its toe as far as one heel raised. The same swing later is a rep of that heel.
    def swing(before):
        return timeline(still(before), heel_raise(0.05, sides=("left",), up=0.25, hold=0.3, down=0.25), still(1.0))

    assert run(HeelRaiseDetector(), swing(0.1)) == []
    assert [e.side for e in run(HeelRaiseDetector(), swing(1.5))] == ["left"]


def test_a_rep_interrupted_by_the_feet_leaving_the_view_is_not_counted():
    def hidden(u):
        return foot("left", visible=False), foot("right", visible=False)

    up = heel_raise(0.12, down=0.0001)
    frames = timeline(still(1.5), (up[0] * 0.5, up[1]), (0.5, hidden), still(1.5), heel_raise(0.12), still(1.0))
    detector = HeelRaiseDetector()
    events = run(detector, frames)
    assert len(events) == 1 and events[0].start > 3.0  # only the rep after the feet came back


def test_feet_out_of_view_are_reported_and_keep_the_count():
    detector = HeelRaiseDetector()
    run(detector, timeline(still(1.5), heel_raise(0.12), still(0.5)))
    run(detector, timeline((1.0, lambda u: (foot("left", visible=False), foot("right")))))
    assert detector.count == 1
    assert detector.status.phase == "feet not visible"
    assert "feet are out of view" in detector.status.message


def test_walking_and_squatting_count_nothing():
    def walk(u):
        return foot("left", toe_dx=1.5 * u, lift=0.1 * (u % 0.2 > 0.1)), foot("right", toe_dx=1.5 * u)

    def squat(u):
        drop = 0.6 * (1 - abs(2 * u - 1))
        bent = {"lift": 0.08 * drop, "knee_bend": drop}
        return foot("left", **bent), foot("right", **bent), (1.0, 2.0 + drop)

    detector = HeelRaiseDetector()
    events = run(detector, timeline(still(1.5), (3.0, walk), still(1.5), (2.0, squat), (2.0, squat)))
    assert events == []


def test_feet_in_the_picture_but_not_seen_well_ask_for_a_turn():
    import dataclasses

    def hidden(name):
        return dataclasses.replace(foot(name), visible=False)

    detector = HeelRaiseDetector()
    run(detector, timeline((1.0, lambda u: (hidden("left"), hidden("right")))))
    assert detector.status.phase == "feet not visible"
    assert "Turn about 45 degrees" in detector.status.message


def test_a_far_foot_hidden_in_a_side_view_still_counts_raises_of_both_feet():
    import dataclasses

    def side_view(make):
        def hide_left(u):
            left, right = make(u)
            return dataclasses.replace(left, visible=False), right
        return hide_left

    seconds, up = heel_raise(0.12)
    frames = timeline((2.0, side_view(lambda u: (foot("left"), foot("right")))),
                      *[(seconds, side_view(up)), (0.8, side_view(lambda u: (foot("left"), foot("right"))))] * 3)
    detector = HeelRaiseDetector()
    events = run(detector, frames)
    assert [e.side for e in events] == ["both"] * 3


def _both_heels(seconds: float, lift):
    """A segment of `seconds` in which both heels follow `lift(s)`, s the seconds since it began."""

    def make(u):
        h = lift(u * seconds)
        return foot("left", h), foot("right", h)

    return seconds, make


def test_a_quick_raise_whose_lift_dips_for_a_moment_at_the_top_counts_once():
    # On a coded live picture the pose model can lose the raised heel for a frame or two near the top, mid-turn:
    # the lift falls under the rep's end level and comes straight back before the feet have settled. The two pieces,
    # each too short to count alone, are one raise.
    def lift(s):
        if s < 0.2:
            return 0.12 * s / 0.2
        if 0.3 <= s < 0.37:
            return 0.03
        if s < 0.5:
            return 0.12
        return 0.12 * max(0.0, 1 - (s - 0.5) / 0.3)

    detector = HeelRaiseDetector()
    events = run(detector, timeline(still(1.5), _both_heels(0.9, lift), still(1.0)))
    assert [e.complete for e in events] == [True]
    assert 1.4 <= events[0].start <= 1.6 and events[0].end >= 2.0


def test_a_quick_raise_whose_top_reads_high_for_a_frame_is_judged_by_when_the_heel_is_back_down():
    # A one-frame spike at the top sets the rep's end level so high that the rep reads as down part way down; how long
    # it lasted runs on to where the heel is back near where it rose from, so a quick real raise is not a flicker.
    def lift(s):
        if s < 0.12:
            return 0.12 * s / 0.12
        if s < 0.16:
            return 0.26
        if s < 0.22:
            return 0.12
        if s < 0.45:
            return 0.07
        return 0.0

    events = run(HeelRaiseDetector(), timeline(still(1.5), _both_heels(0.6, lift), still(1.0)))
    assert [e.complete for e in events] == [True]


def test_a_quick_raise_that_reads_high_for_a_frame_then_flat_then_high_counts_once():
    # Seen on a coded live picture of a quick single-leg raise mid-turn: the lift read high for one frame, low, flat
    # for a fifth of a second, and then high for the rest of the raise. The first piece lasted long enough to count
    # alone, but it read high for a moment only, and the rest rose before the feet had settled: one raise.
    def lift(s):
        if s < 0.14:
            return 0.054 * s / 0.14
        if 0.2 <= s < 0.4:
            return 0.03
        if 0.6 <= s < 1.1:
            return 0.14 * math.sin(math.pi * (s - 0.6) / 0.5)
        return 0.0

    frames = timeline(still(1.5), _both_heels(1.2, lift), still(1.0))
    assert [e.complete for e in run(HeelRaiseDetector(), frames)] == [True]
    # With the frames passed over where the flat piece would have settled, the first frame seen rises again.
    assert [e.complete for e in run(HeelRaiseDetector(), _passed_over(frames, 2.05, 2.2))] == [True]


def test_a_quick_raise_lowered_slowly_counts_though_the_frames_back_at_flat_were_passed_over():
    # Up in a tenth of a second, a quarter of a second at the top, then the heel lowers slowly, a little above flat
    # for a fifth of a second. With the frames of the lowering passed over, the first frame seen back at flat
    # is the one that settles the rep: the rep lasted until then, not only until it read as down.
    def lift(s):
        if s < 0.1:
            return 0.12 * s / 0.1
        if s < 0.25:
            return 0.12
        if s < 0.45:
            return 0.035
        return 0.0

    frames = timeline(still(1.5), _both_heels(0.8, lift), still(1.0))
    assert [e.complete for e in run(HeelRaiseDetector(), frames)] == [True]
    assert [e.complete for e in run(HeelRaiseDetector(), _passed_over(frames, 1.78, 2.1))] == [True]


def test_a_raise_whose_lift_a_toe_point_drags_to_a_new_lowest_as_the_body_rises_counts():
    # Seen on a live stream of a single-leg raise in a side view: as the body rose, the model dragged the toe point
    # up, so the heel against the toe rose little (a wobble that came down), then for two frames not at all: a new
    # lowest lift, with the body already up. The rest of the raise is judged from where each part stood lowest
    # since the last rep, the body's height from before it rose.
    def make(u):
        s = u * 2.0
        if s < 0.5:
            h, rise = 0.12 * s / 0.5, (0.024 * s / 0.3 if s < 0.3 else 0.012)
        elif s < 0.57:
            h, rise = 0.12, 0.005
        elif s < 1.0:
            h = rise = 0.12
        else:
            h = rise = 0.12 * max(0.0, 1 - (s - 1.0) / 0.6)
        return tuple(replace(foot(name, h), rise=1.3 + rise) for name in ("left", "right"))

    events = run(HeelRaiseDetector(), timeline(still(1.5), (2.0, make), still(1.0)))
    assert [e.complete for e in events] == [True]


def test_two_quick_raises_half_a_second_apart_count_twice():
    frames = timeline(still(1.5), heel_raise(0.1, up=0.2, hold=0.1, down=0.2), still(0.5),
                      heel_raise(0.1, up=0.2, hold=0.1, down=0.2), still(1.0))
    assert [e.complete for e in run(HeelRaiseDetector(), frames)] == [True, True]


def test_a_flick_of_the_heels_shorter_than_a_raise_is_not_counted():
    def flick(u):
        h = 0.12 if 0.1 <= u * 0.4 < 0.3 else 0.0
        return foot("left", h), foot("right", h)

    assert run(HeelRaiseDetector(), timeline(still(1.5), (0.4, flick), still(1.0))) == []


def _raise_reading_short_legs(toe_dx: float = 0.0, hip_x: float = 1.0, lean: float = 0.0,
                              shift_as_it_lands: float = 0.0, hold: float = 0.5):
    """A raise as seen after a turn in a real clip: the legs read 0.09 shorter with the heels down than at the top,
    so they read steady, and a stance can be taken, only near the top. The hips lean `lean` sideways at the top; the
    toes shift by `shift_as_it_lands` as the heels come down."""
    up, down = 0.45, 0.65

    def make(u):
        b = bump(u, up, hold, down)
        landing = u * (up + hold + down) > up + hold and b < 0.45
        dx = toe_dx + (shift_as_it_lands if landing else 0.0)
        feet = tuple(foot(name, 0.12 * b, toe_dx=dx, knee_bend=0.09 * (1 - b)) for name in ("left", "right"))
        return *feet, (hip_x + lean * b, 2.0)

    return up + hold + down, make


def test_a_lift_that_reads_high_on_one_frame_between_passed_over_ones_is_not_a_raise():
    # Seen on a busy live page at the end of a fast camera move: after a fifth of a second of frames passed over, one
    # frame read the standing person's lift as 0.08, the next a little above flat, and then flat. The gaps around it
    # make it last as long as a quick raise; read high on one frame only, it is not one.
    def lift(s):
        return 0.08 if s < 0.1 else 0.025 if s < 0.2 else 0.0

    live_rate = timeline(still(1.5), _both_heels(0.8, lift), still(1.0))[::3]  # a frame every 0.1 s
    frames = _passed_over(live_rate, 1.25, 1.5)
    assert run(HeelRaiseDetector(), frames) == []
    # A real raise at that rate, as quick as a single-leg one, reads high on two frames or more: it counts.
    raised = timeline(still(1.5), heel_raise(0.1, up=0.15, hold=0.1, down=0.2), still(1.0))[::3]
    assert [e.complete for e in run(HeelRaiseDetector(), _passed_over(raised, 1.25, 1.5))] == [True]


def _standing(seconds: float, toe_dx: float = 0.0, hip_x: float = 1.0):
    return seconds, lambda u: (*(foot(name, toe_dx=toe_dx, knee_bend=0.09) for name in ("left", "right")), (hip_x, 2.0))


def _passed_over(frames, start: float, end: float):
    """The frames a busy live stream passes over between `start` and `end`."""
    return [f for f in frames if not start < f.t < end]


def test_hips_that_stand_a_little_further_over_after_a_turn_do_not_end_the_set():
    # After a turn the hips stand 0.3 further over in the picture, and each raise leans them 0.2 further: against
    # where they stood when the stance was taken, that read as walking (0.45) mid-raise. Between raises the hips'
    # place follows where they stand.
    def moving_over(u):
        return *(foot(name, knee_bend=0.09) for name in ("left", "right")), (1.0 + 0.3 * u, 2.0)

    frames = timeline(_standing(1.5), (1.0, moving_over),
                      *[_standing(1.0, hip_x=1.3), _raise_reading_short_legs(hip_x=1.3, lean=0.2)] * 4,
                      _standing(1.0, hip_x=1.3))
    detector, events, phases = HeelRaiseDetector(), [], set()
    for frame in frames:
        events += detector.update(frame)
        phases.add(detector.status.phase)
    assert [e.complete for e in events] == [True] * 4
    assert "moving" not in phases  # the stance held: the page never asked the person to stand still mid-set


def test_a_raise_begun_the_moment_the_feet_are_planted_after_a_turn_is_counted():
    # The toes swing to a new place (a turn) and the heels rise at once, with frames passed over as they rise: the
    # stance, taken near the top, goes back over the rise before it.
    def turning(u):
        return *(foot(name, toe_dx=0.5 * u, knee_bend=0.09) for name in ("left", "right")), (1.0, 2.0)

    frames = timeline(_standing(1.5), (0.6, turning), _raise_reading_short_legs(toe_dx=0.5),
                      _standing(0.8, toe_dx=0.5), _raise_reading_short_legs(toe_dx=0.5), _standing(0.8, toe_dx=0.5))
    frames = _passed_over(frames, 2.25, 2.55)  # the server was busy as the heels rose
    events = run(HeelRaiseDetector(), frames)
    assert [e.complete for e in events] == [True, True]
    assert events[0].start < 2.4


def test_heels_that_come_down_where_they_rose_count_though_the_toes_read_just_past_the_stance():
    # A turn leaves the toes 0.27 from where the stance was taken (under the 0.3 of a step), a long raise follows at
    # once, and as the heels land the toes shift a little more: past the stance's limit, but near where they stood
    # when the raise began. The raise counts; the stance is then taken again where the feet stand.
    def turning(u):
        return *(foot(name, toe_dx=0.27 * u, knee_bend=0.09) for name in ("left", "right")), (1.0, 2.0)

    frames = timeline(_standing(1.5), (0.3, turning),
                      _raise_reading_short_legs(toe_dx=0.27, shift_as_it_lands=0.08, hold=1.5),
                      _standing(1.5, toe_dx=0.35), _raise_reading_short_legs(toe_dx=0.35), _standing(0.8, toe_dx=0.35))
    events = run(HeelRaiseDetector(), frames)
    assert [e.complete for e in events] == [True, True]


def test_the_pose_models_first_second_is_not_gone_back_over():
    # In its first second the pose model's points still move: here the heels read as rising and falling, and the legs
    # as bending, so that the stance is taken only after that second. Going back over it would count a raise.
    def settling(u):
        b = bump(u / 0.7, 0.3, 0.1, 0.3) if u < 0.7 else 0.0
        return tuple(foot(name, 0.08 * b, knee_bend=0.2 * u) for name in ("left", "right"))

    standing = 1.5, lambda u: tuple(foot(name, knee_bend=0.2) for name in ("left", "right"))
    detector = HeelRaiseDetector()
    events = run(detector, timeline((1.0, settling), standing))
    assert events == [] and detector.status.phase == "ready"
