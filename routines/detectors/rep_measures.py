"""What a heel raise measured: how high the heel went, and how long the rise, the hold at the top and the lowering
took.

Phases. The rise runs from the moment the heel leaves flat to the moment it reaches the top, the hold until it
leaves the top, the lowering until it is flat again. Movements of the body are smooth: they start and end at rest.
A rise (or a lowering) is taken to follow half a cosine, the lift at (1 - cos(pi u)) / 2 of the way u through the
phase, so the times at which the lift crosses two shares of its rise fix the phase's start and end. This sees past
the flat start and the rounded top that the pose model's noise and smoothing blur, which a threshold would cut off.

Height. The pose model places the hips well in every view, the heels and ankles poorly where the foot points at the
camera. With straight legs the body rises as far as the ankle, and the heel, about 1.5 times as far from the ball of
the foot as the ankle is, rises 1.5 times that. So the heel lift in centimetres is the hips' rise in the picture, in
torso lengths, times the torso's length in metres (from the model's world landmarks), times 1.5. Where this does
not hold it is not measured, and the reason is given.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

RISE_SHARES = (0.2, 0.8)  # the rise is fixed by when the lift passes 20% and 80% of its way up...
# ...the lowering by when it passes 80% and 40% on the way down: a rep ends 40% of the way down, and its count is
# not kept waiting for the rest.
LOWER_SHARES = (0.8, 0.4)
HEEL_PER_BODY_RISE = 1.6  # the heel rises this many times as far as the ankle (and, with straight legs, the hips)
MAX_LEAN_DEGREES = 12.0  # a torso leaning further (on a wall, a chair) moves the hips along an arc as the heels rise

NOT_MEASURED_ONE_HEEL = "one heel lifted on its own leaves the hips where they are, and the pose model sees too " \
                        "little of the heel itself to measure it"
NOT_MEASURED_LEANING = "leaning on a support moves the hips as well as the heels"


@dataclass(frozen=True)
class Phases:
    rise_s: float | None
    hold_s: float | None
    lower_s: float | None


def _share_at(share: float, rising: bool) -> float:
    """How far through a half-cosine phase the lift has come `share` of its way (0..1)."""
    return math.acos(1 - 2 * share) / math.pi if rising else math.acos(2 * share - 1) / math.pi


def _crossings(times: Sequence[float], shares: Sequence[float], level: float, rising: bool) -> list[float]:
    """The times at which `shares` passes `level` (upwards or downwards), interpolated between samples."""
    found = []
    for i in range(1, len(times)):
        a, b = shares[i - 1], shares[i]
        if (a < level <= b) if rising else (a > level >= b):
            found.append(times[i - 1] + (level - a) / (b - a) * (times[i] - times[i - 1]))
    return found


def _rise(times, shares) -> tuple[float, float] | None:
    """(start, end) of the rise: the last pass of the lower level before the first pass of the upper one."""
    upper = _crossings(times, shares, RISE_SHARES[1], True)
    lower = [t for t in _crossings(times, shares, RISE_SHARES[0], True) if upper and t <= upper[0]]
    return _ramp(lower[-1], upper[0], RISE_SHARES, True) if lower else None


def _lowering(times, shares) -> tuple[float, float] | None:
    """(start, end) of the lowering: the last fall from the upper level, then the first pass of the lower one."""
    upper = _crossings(times, shares, LOWER_SHARES[0], False)
    lower = [t for t in _crossings(times, shares, LOWER_SHARES[1], False) if upper and t >= upper[-1]]
    return _ramp(upper[-1], lower[0], LOWER_SHARES, False) if lower else None


def _ramp(first: float, second: float, levels: tuple[float, float], rising: bool) -> tuple[float, float]:
    """(start, end) of a half-cosine phase that passes the two levels at those times."""
    u1, u2 = _share_at(levels[0], rising), _share_at(levels[1], rising)
    duration = (second - first) / (u2 - u1)
    start = first - u1 * duration
    return start, start + duration


def phases(times: Sequence[float], lifts: Sequence[float], base: float) -> Phases:
    """The rise, hold and lowering of one rep from its lift samples (the lift it rose from is `base`)."""
    peak = max(lifts)
    if peak <= base:
        return Phases(None, None, None)
    shares = [(v - base) / (peak - base) for v in lifts]
    rise, lower = _rise(times, shares), _lowering(times, shares)
    rise_s = None if rise is None else rise[1] - rise[0]
    lower_s = None if lower is None else lower[1] - lower[0]
    hold_s = None if rise is None or lower is None else max(lower[0] - rise[1], 0.0)
    return Phases(_round(rise_s), _round(hold_s), _round(lower_s))


def heel_lift_cm(hip_rise: float, torso_m: float, lean: float) -> tuple[float | None, str]:
    """The heel's lift in cm from the hips' rise (torso lengths), or None with the reason it was not measured."""
    if lean > MAX_LEAN_DEGREES:
        return None, NOT_MEASURED_LEANING
    if math.isnan(hip_rise) or math.isnan(torso_m) or hip_rise <= 0:
        return None, "the hips were not seen rising"
    return round(100 * hip_rise * torso_m * HEEL_PER_BODY_RISE, 1), ""


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
