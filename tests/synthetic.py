"""Foot signals made by hand, for checking detector rules one at a time without MediaPipe."""
from __future__ import annotations

import math

from vision.foot_signals import NOT_SEEN, FootSignals, SideSignals

FPS = 30.0
FOOT_X = {"left": 1.3, "right": 0.7}  # the person faces the camera: their left foot is on the image's right
LEG = 1.6  # the hip's height over the ankle with the leg straight (body scales)


def foot(name: str, lift: float = 0.0, toe_up: float = 0.0, toe_dx: float = 0.0, heel_dx: float = 0.0,
         ankle_dx: float = 0.0, knee_bend: float = 0.0, visible: bool = True) -> SideSignals:
    """One foot whose heel is `lift` body scales above flat, its toe raised by `toe_up` and moved by `toe_dx`;
    its heel and ankle shifted sideways against the toe by `heel_dx` and `ankle_dx` (image x). A straight leg
    keeps the hip 1.6 above the ankle; a bent knee (`knee_bend`) or a foot held up brings them closer."""
    if not visible:
        return NOT_SEEN
    x = FOOT_X[name] + toe_dx
    return SideSignals(
        visible=True,
        in_frame=True,
        rise=1.3 + lift,
        height=-2.7 + lift + toe_up,
        heel_height=0.1 + 1.4 * lift,
        leg=LEG - knee_bend - toe_up,
        toe=(x, 4.0 - toe_up),
        heel=(x + heel_dx, 3.9 - 1.4 * lift - toe_up),
        ankle=(x + ankle_dx, 3.8 - lift - toe_up),
    )


def timeline(*segments) -> list[FootSignals]:
    """Frames from segments of (seconds, make) where make(u) gives (left, right) or (left, right, hip), u in 0..1."""
    frames, t = [], 0.0
    for seconds, make in segments:
        n = max(1, int(round(seconds * FPS)))
        for i in range(n):
            left, right, *hip = make(i / n)
            frames.append(FootSignals(t, True, 140.0, hip[0] if hip else (1.0, 2.0), left, right))
            t += 1 / FPS
    return frames


def still(seconds: float, **left_kwargs):
    return seconds, lambda u: (foot("left", **left_kwargs), foot("right"))


def bump(u: float, up: float, hold: float, down: float) -> float:
    """0..1..0: a smooth rise over `up` seconds, a hold, a smooth fall over `down` seconds; u runs 0..1."""
    s = u * (up + hold + down)
    if s < up:
        return (1 - math.cos(math.pi * s / up)) / 2
    if s < up + hold:
        return 1.0
    return (1 + math.cos(math.pi * (s - up - hold) / down)) / 2


def heel_raise(height: float, sides=("left", "right"), up=0.6, hold=0.4, down=1.0, lifted_foot: str | None = None):
    """One heel raise of the feet in `sides`; `lifted_foot` is held off the floor (a single-leg raise)."""

    def make(u):
        h = height * bump(u, up, hold, down)
        return tuple(
            foot(name, toe_up=0.4) if name == lifted_foot else foot(name, h if name in sides else 0.0)
            for name in ("left", "right")
        )

    return up + hold + down, make


def rock(outer: float = 0.05, inner: float = 0.03, seconds: float = 2.4, sides=("left", "right")):
    """One ankle rock: each foot's ankle and heel shift `outer` away from the other foot, then `inner` towards it."""

    def make(u):
        # Outward in the image: the left foot (on the image's right) moves +x, the right foot -x.
        shift = outer * math.sin(2 * math.pi * u) if u < 0.5 else inner * math.sin(2 * math.pi * u)
        return tuple(
            foot(name, heel_dx=d, ankle_dx=d) if name in sides else foot(name)
            for name, d in (("left", shift), ("right", -shift))
        )

    return seconds, make


def run(detector, frames):
    events = []
    for f in frames:
        events.extend(detector.update(f))
    return events
