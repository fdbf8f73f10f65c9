"""Each foot keeps its name when the pose model swaps the names of the legs for a few frames."""
from dataclasses import replace

from routines.pipeline import Pipeline
from tests.conftest import TRACES
from tests.synthetic import FPS, foot
from vision.foot_signals import FootLabels
from vision.pose import ANKLE, HEEL, HIP, KNEE, TOE
from vision.traces import load_trace

TRACE = TRACES / "real_home_calf_raises.npz"


def _single_leg_stance():
    """The left foot held up (its leg bent), the right foot standing."""
    return {"left": foot("left", toe_up=0.4), "right": foot("right")}


def _swapped(sides):
    return {"left": sides["right"], "right": sides["left"]}


def _between(sides, back: float = 0.6):
    """Each leg `back` of the way from where the other stands to its own place: a frame in which the model blends
    its two legs as it names them back."""
    left, right = sides["left"], sides["right"]

    def blend(a, b):
        def at(p, q):
            return (back * p[0] + (1 - back) * q[0], back * p[1] + (1 - back) * q[1])

        return replace(a, toe=at(a.toe, b.toe), heel=at(a.heel, b.heel), ankle=at(a.ankle, b.ankle),
                       leg=back * a.leg + (1 - back) * b.leg)

    return {"left": blend(left, right), "right": blend(right, left)}


def _feed(frames):
    labels, named, blended = FootLabels(), [], []
    for i, sides in enumerate(frames):
        out = labels.update(i / FPS, sides)
        named.append(out["left"].leg < out["right"].leg)  # the left foot is the one held up
        blended.append(labels.blended)
    return named, blended


def test_legs_whose_names_the_model_swaps_for_a_few_frames_keep_their_names():
    # Seen on a live stream of a single-leg raise in a side view: for three frames the model named the held-up foot
    # right and the standing foot left, then named them back over two frames, the first
    # of them part way.
    stance = _single_leg_stance()
    frames = [stance] * 10 + [_swapped(stance)] * 3 + [_between(stance)] + [stance] * 10
    named, blended = _feed(frames)
    assert all(named[:13]) and all(named[14:])
    assert blended == [False] * 13 + [True] + [False] * 10  # the part-way frame is marked


def test_a_swap_the_model_keeps_is_kept_swapped_back():
    stance = _single_leg_stance()
    named, blended = _feed([stance] * 10 + [_swapped(stance)] * 40)
    assert all(named) and not any(blended)


def test_feet_that_trade_places_keep_the_models_names():
    # Running in place seen from the side: the feet take each other's places within a few frames, landing near, but
    # not on, where the other foot stood.
    stance = _single_leg_stance()
    traded = {"left": foot("right", toe_dx=0.15), "right": foot("left", toe_up=0.4, toe_dx=-0.15)}
    named, blended = _feed([stance] * 10 + [traded] * 10)
    assert named == [True] * 10 + [False] * 10
    assert not any(blended)


class _Seen:
    """A detector that keeps the foot signals it is given."""

    status = None

    def __init__(self) -> None:
        self.frames = []

    def update(self, signals):
        self.frames.append(signals)
        return []


def test_the_pipeline_passes_over_a_frame_whose_legs_the_model_blended():
    _, pose = next(iter(load_trace(TRACE)))  # a real person facing the camera, feet apart

    def named(back: float):
        """The pose with each leg's points `back` of the way from the other leg's place to its own."""
        points = pose.points.copy()
        for part in (HIP, KNEE, ANKLE, HEEL, TOE):
            left, right = pose.points[part["left"]], pose.points[part["right"]]
            points[part["left"]] = back * left + (1 - back) * right
            points[part["right"]] = back * right + (1 - back) * left
        return replace(pose, points=points)

    pipeline = Pipeline("heel-raise")
    pipeline.detector = seen = _Seen()
    poses = [pose] * 5 + [named(0.0)] * 3 + [named(0.6)] + [pose] * 5
    blended = [pipeline.feed(p, i / 30).signals.legs_blended for i, p in enumerate(poses)]
    assert blended == [False] * 8 + [True] + [False] * 5
    assert [round(f.t * 30) for f in seen.frames] == [i for i in range(len(poses)) if i != 8]
    assert len({round(f.left.toe[0], 3) for f in seen.frames}) == 1  # the left foot named left throughout
