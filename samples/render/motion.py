"""Motion descriptions: keyframed channels with cosine easing, built phase by phase, with the ground truth they imply.

A clip's script is a list of phases (stand still, heel raises, ankle rocks, ...). Each phase appends keys to named
channels (heel angle of each foot, hip shift, ...) and records the reps it performs, so the ground truth is the
schedule itself rather than something measured afterwards.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

import numpy as np

SIDES = ("L", "R")
SIDE_NAMES = {"L": "left", "R": "right"}
# A rise below this share of the clip's full heel angle is a partial raise: listed, never counted.
PARTIAL_SHARE = 1 / 3

TEMPOS = {
    # rise, hold at the top, lower, rest between reps (seconds)
    "slow": (1.5, 0.9, 1.6, 0.9),
    "normal": (0.9, 0.5, 0.9, 0.7),
    "brisk": (0.5, 0.15, 0.5, 0.35),
}


@dataclass
class Channel:
    times: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    def at(self, t: float) -> float:
        i = bisect.bisect_right(self.times, t)
        if i == 0:
            return self.values[0]
        if i == len(self.times):
            return self.values[-1]
        t0, t1 = self.times[i - 1], self.times[i]
        v0, v1 = self.values[i - 1], self.values[i]
        u = (t - t0) / (t1 - t0)
        return v0 + (v1 - v0) * (1 - math.cos(math.pi * u)) / 2


class Timeline:
    """Channels of body parameters over time, plus the events a detector should report."""

    def __init__(self, seed: int):
        self.t = 0.0
        self.channels: dict[str, Channel] = {}
        self.reps: list[dict] = []
        self.partial_reps: list[dict] = []
        self.rolls: list[dict] = []
        self.turns: list[dict] = []
        self.rng = np.random.default_rng(seed)

    def value(self, name: str, t: float, default: float = 0.0) -> float:
        ch = self.channels.get(name)
        return ch.at(t) if ch and ch.times else default

    def move(self, name: str, to: float, start: float, seconds: float) -> None:
        """Ease channel `name` from its value at `start` to `to` over `seconds`."""
        ch = self.channels.setdefault(name, Channel())
        now = self.value(name, start)
        if ch.times and ch.times[-1] > start + 1e-9:
            raise ValueError(f"channel {name} already has keys after t={start}")
        if not ch.times or ch.times[-1] < start - 1e-9:
            ch.times.append(start)
            ch.values.append(now)
        ch.times.append(start + seconds)
        ch.values.append(to)

    def wait(self, seconds: float) -> None:
        self.t = round(self.t + seconds, 6)

    def lead_in(self) -> float:
        """When the body first moves: the earliest key that changes a channel over time. A change that takes no time
        at t=0 (turning to face the walking direction) sets the starting pose rather than moving it."""
        first = self.t
        for ch in self.channels.values():
            for k in range(1, len(ch.times)):
                if ch.values[k] != ch.values[k - 1] and ch.times[k] > 0.0:
                    first = min(first, ch.times[k - 1])
                    break
        return first


def _tempo(params: dict, tempo: str) -> tuple[float, float, float, float]:
    rise, hold, lower, rest = TEMPOS[params.get("tempo", tempo)]
    return (params.get("rise", rise), params.get("hold", hold), params.get("lower", lower), params.get("rest", rest))


def _stance_sides(side: str) -> tuple[str, ...]:
    return SIDES if side == "both" else (side[0].upper(),)


def still(tl: Timeline, p: dict, tempo: str) -> None:
    tl.wait(p["seconds"])


def _weight_toward(tl: Timeline, side: str, amount: float, start: float, seconds: float) -> None:
    """Move the hips `amount` metres toward one foot (back to centre with 0): a heel lifted with both feet on the floor
    loads the ball of that foot, so the weight drifts a little over it."""
    toward = 0.0 if side == "both" else (-1.0 if side[0].upper() == "R" else 1.0)
    tl.move("shift_x", toward * amount, start, seconds)


def heel_raises(tl: Timeline, p: dict, tempo: str) -> None:
    """Raises on both feet or one; `angles` lists each rep's heel angle in degrees (small ones are partial raises).

    `sides` gives each rep its own side (a set with a rep on the wrong foot), `holds` and `lowers` give single reps
    their own hold and lowering time (by rep index), and `shift` moves the hips that many metres toward a one-side
    raise while the heel is up (without it the flat foot's leg holds the hips where they are).
    """
    rise, hold, lower, rest = _tempo(p, tempo)
    sides = p.get("sides", [p.get("side", "both")] * len(p["angles"]))
    shift = p.get("shift", 0.0)
    full = max(p["angles"])
    for i, angle in enumerate(p["angles"]):
        start = tl.t
        side = sides[i]
        this_hold = p.get("holds", {}).get(str(i), hold)
        this_lower = p.get("lowers", {}).get(str(i), lower)
        top_start, top_end = start + rise, start + rise + this_hold
        for s in _stance_sides(side):
            tl.move(f"heel.{s}", angle, start, rise)
            tl.move(f"heel.{s}", 0.0, top_end, this_lower)
        if shift:
            _weight_toward(tl, side, shift, start, rise)
            _weight_toward(tl, side, 0.0, top_end, this_lower)
        end = top_end + this_lower
        rep = {"exercise": "heel-raise", "start": start, "top": start + rise + this_hold / 2, "end": end, "side": side,
               "rise_s": rise, "hold_s": this_hold, "lower_s": this_lower, "top_start": top_start, "top_end": top_end}
        (tl.partial_reps if angle < PARTIAL_SHARE * full else tl.reps).append(rep)
        tl.t = end
        tl.wait(rest if i < len(p["angles"]) - 1 else 0.0)


def stand_on(tl: Timeline, p: dict, tempo: str) -> None:
    """Shift the weight over one foot and lift the other foot behind (knee bent), or put it down again."""
    stance = p["side"][0].upper()
    free = "R" if stance == "L" else "L"
    seconds = p.get("seconds", 1.2)
    toward = -1.0 if stance == "R" else 1.0
    if p.get("lift", True):
        tl.move("shift_x", toward * 0.075, tl.t, seconds * 0.6)
        tl.move(f"lift.{free}", 1.0, tl.t + seconds * 0.45, seconds * 0.55)
    else:
        tl.move(f"lift.{free}", 0.0, tl.t, seconds * 0.55)
        tl.move("shift_x", 0.0, tl.t + seconds * 0.4, seconds * 0.6)
    tl.wait(seconds)


def ball_rolls(tl: Timeline, p: dict, tempo: str) -> None:
    """Heel up on one foot, the heel swings in and out about the ball of the foot; one roll = in, out, back to
    centre."""
    s = p["side"][0].upper()
    angle = p.get("heel_angle", 28.0)
    swing = p.get("swing", 15.0)
    per_roll = p.get("seconds", {"slow": 2.6, "normal": 2.0, "brisk": 1.4}[p.get("tempo", tempo)])
    # Turning about +z through the ball swings a left heel toward the midline ("in"), a right heel away from it.
    inward = 1.0 if s == "L" else -1.0
    # The heel lift that carries the rolls belongs to the roll exercise: it is not listed or counted as a heel raise.
    tl.move(f"heel.{s}", angle, tl.t, 0.8)
    if p.get("shift"):
        _weight_toward(tl, p["side"], p["shift"], tl.t, 0.8)
    tl.wait(1.0)
    for _ in range(p["rolls"]):
        start = tl.t
        tl.move(f"swing.{s}", inward * swing, start, per_roll * 0.25)
        tl.move(f"swing.{s}", -inward * swing, start + per_roll * 0.25, per_roll * 0.5)
        tl.move(f"swing.{s}", 0.0, start + per_roll * 0.75, per_roll * 0.25)
        tl.rolls.append({"start": start, "end": start + per_roll, "side": SIDE_NAMES[s]})
        tl.wait(per_roll)
    tl.wait(0.3)
    tl.move(f"heel.{s}", 0.0, tl.t, 0.8)
    if p.get("shift"):
        _weight_toward(tl, p["side"], 0.0, tl.t, 0.8)
    tl.wait(0.9)


def ankle_rocks(tl: Timeline, p: dict, tempo: str) -> None:
    """Roll onto the outer edges, then the inner edges (or the other way round), and back to flat: one rep."""
    out, inner = p.get("out", 23.0), p.get("in", 14.0)
    per_rep = p.get("seconds", {"slow": 4.2, "normal": 3.0, "brisk": 2.0}[p.get("tempo", tempo)])
    rest = p.get("rest", per_rep * 0.2)
    order = (out, -inner) if p.get("first", "outer") == "outer" else (-inner, out)
    for i in range(p["reps"]):
        start = tl.t
        q = per_rep / 4
        tl.move("rock", order[0], start, q)
        tl.move("rock", order[1], start + q * 1.5, q * 1.5)
        tl.move("rock", 0.0, start + q * 3.0, q)
        tl.reps.append({"exercise": "ankle-rock", "start": start, "top": start + q * 2.25, "end": start + per_rep,
                        "side": "both"})
        tl.t = start + per_rep
        tl.wait(rest if i < p["reps"] - 1 else 0.0)


TOE_POSES = {
    # channel values of one toe pose: lift of the big toe, lift of the small toes, spread, curl (degrees)
    "fan-lift": {"toe_big": 32.0, "toe_small": 30.0},
    "fan-spread": {"toe_big": 12.0, "toe_small": 12.0, "toe_spread": 14.0},
    "great-toe-down": {"toe_big": 0.0, "toe_small": 30.0},
    "little-toes-down": {"toe_big": 32.0, "toe_small": 0.0},
    "grip": {"toe_curl": 1.0},
}


def toe_moves(tl: Timeline, p: dict, tempo: str) -> None:
    """Toe exercises on both feet; `start_from` is a pose held through the phase (e.g. all toes up before pressing one
    down)."""
    per_rep = p.get("seconds", {"slow": 3.0, "normal": 2.2, "brisk": 1.5}[p.get("tempo", tempo)])
    base = TOE_POSES.get(p.get("start_from", ""), {})
    names = ("toe_big", "toe_small", "toe_spread", "toe_curl")
    if base:
        for n in names:
            tl.move(n, base.get(n, 0.0), tl.t, 0.8)
        tl.wait(1.0)
    target = TOE_POSES[p["pose"]]
    for _ in range(p["reps"]):
        start = tl.t
        for n in names:
            tl.move(n, target.get(n, 0.0), start, per_rep * 0.35)
            tl.move(n, base.get(n, 0.0), start + per_rep * 0.6, per_rep * 0.35)
        tl.reps.append({"exercise": p["exercise"], "start": start, "top": start + per_rep * 0.475,
                        "end": start + per_rep * 0.95, "side": "both"})
        tl.wait(per_rep)
    if base:
        for n in names:
            tl.move(n, 0.0, tl.t, 0.8)
        tl.wait(1.0)


# Close-up toe exercises: each foot's toes have channels of their own (lift1..lift5 in degrees, fan, grip and curl as
# shares of the full shape), so one foot can move alone and the little toe can lag behind the big toe.
TOE_FAN_DEG = (-9.0, -2.0, 3.0, 8.0, 15.0)  # each toe's turn at a full spread; the big toe turns toward the midline
TOE_SHAPES = {
    "flat": {},
    # All toes up, the little toe about as high as the big toe: the tips rise 1.5-3 cm.
    "up": {"lift": (32.0, 30.0, 30.0, 29.0, 28.0)},
    # The fault the routine's cue is about: the big toe lifts, the lesser toes less and less.
    "up-little-low": {"lift": (32.0, 21.0, 15.0, 10.0, 7.0)},
    # Spreading lifts the toes a little as well: they cannot fan while pressed flat on the floor.
    "spread": {"lift": (6.0, 5.0, 5.0, 5.0, 6.0), "fan": 1.0},
    "big-down": {"lift": (0.0, 30.0, 30.0, 29.0, 28.0)},
    "little-down": {"lift": (32.0, 0.0, 0.0, 0.0, 0.0)},
    "grip": {"grip": 1.0},
    "curl": {"curl": 1.0},
}
TOE_CUES = {"up-little-low": "little-toes-low", "curl": "curl"}
NOT_COUNTED = {"curl"}  # toes curled under are not a grip: listed with their cue, never counted
TOE_CHANNELS = ("lift1", "lift2", "lift3", "lift4", "lift5", "fan", "grip", "curl")
TOE_NAMES = ("toe1", "toe2", "toe3", "toe4", "toe5")
TOE_TEMPOS = {
    # moving into the shape (and out of it), hold, rest between reps (seconds)
    "slow": (1.0, 1.0, 1.0),
    "normal": (0.6, 0.6, 0.5),
}
# Real feet are not in lockstep: each rep one foot starts up to this late, and each foot reaches its own share of the
# shape (scaled by a factor in this range).
TOE_LAG_S = 0.08
TOE_REACH = (0.9, 1.05)


def _shape_values(shape: str) -> dict[str, float]:
    d = TOE_SHAPES[shape]
    values = dict(zip(TOE_CHANNELS[:5], d.get("lift", (0.0,) * 5)))
    values.update(fan=d.get("fan", 0.0), grip=d.get("grip", 0.0), curl=d.get("curl", 0.0))
    return values


def _toes_to(tl: Timeline, s: str, values: dict[str, float], start: float, seconds: float) -> None:
    for name in TOE_CHANNELS:
        tl.move(f"{name}.{s}", values[name], start, seconds)


def _toe_tempo(p: dict, tempo: str) -> tuple[float, float, float]:
    move, hold, rest = TOE_TEMPOS[p.get("tempo", tempo)]
    return p.get("move", move), p.get("hold", hold), p.get("rest", rest)


def _take_shape(tl: Timeline, sides: tuple[str, ...], shape: str) -> None:
    """Take up a shape and settle in it, e.g. all toes up before pressing some down, or flat again after the reps."""
    for s in sides:
        _toes_to(tl, s, _shape_values(shape), tl.t, 0.8)
    tl.wait(1.0)


def _reached(base: dict, shape: dict, reach: float) -> dict[str, float]:
    """One foot's version of a shape: what it lifts, fans or bends it does by `reach` of the full amount; what it
    presses down goes all the way to the floor (a toe cannot stop short of it or go through it)."""
    return {k: base[k] + reach * (v - base[k]) if v > base[k] else v for k, v in shape.items()}


def _moved(base: dict, target: dict) -> tuple[list[str], list[str]]:
    """The toes whose joints change between two shapes, and those among them that go down."""
    moved, down = [], []
    for k, name in enumerate(TOE_NAMES, start=1):
        lift = f"lift{k}"
        if any(abs(base[c] - target[c]) > 1e-9 for c in (lift, "fan", "grip", "curl")):
            moved.append(name)
        if target[lift] < base[lift] - 1e-9:
            down.append(name)
    return moved, down


def toe_set(tl: Timeline, p: dict, tempo: str) -> None:
    """Close-up toe reps: from the `start_from` shape (flat by default) into `shape` and back, `reps` times, on both
    feet or one (`side`). `shapes` gives single reps their own shape (a lift with the little toes low, a curl instead of
    a grip); their cue goes in the rep, and curls are listed without being counted."""
    move, hold, rest = _toe_tempo(p, tempo)
    side = p.get("side", "both")
    sides = _stance_sides(side)
    base_shape = p.get("start_from", "flat")
    shapes = p["shapes"] if "shapes" in p else [p["shape"]] * p["reps"]
    if base_shape != "flat":
        _take_shape(tl, sides, base_shape)
    base = _shape_values(base_shape)
    for i, shape in enumerate(shapes):
        start = tl.t
        late = tl.rng.choice(sides)
        tops, ends = [], []
        for s in sides:
            begin = start + (tl.rng.uniform(0.0, TOE_LAG_S) if s == late and len(sides) > 1 else 0.0)
            target = _reached(base, _shape_values(shape), tl.rng.uniform(*TOE_REACH))
            _toes_to(tl, s, target, begin, move)
            _toes_to(tl, s, base, begin + move + hold, move)
            tops.append(begin + move + hold / 2)
            ends.append(begin + 2 * move + hold)
        moved, down = _moved(base, _shape_values(shape))
        rep = {"exercise": p["exercise"], "start": start, "top": float(np.mean(tops)), "end": max(ends), "side": side,
               "toes": moved, "cue": TOE_CUES.get(shape), "counted": shape not in NOT_COUNTED}
        if p["exercise"].startswith("great-toe-down"):
            rep["down"] = down
        if p["exercise"] == "toe-fan-lift":
            lifts = _shape_values(shape)
            rep["little_toe_share"] = round(lifts["lift5"] / lifts["lift1"], 3)
        tl.reps.append(rep)
        tl.t = max(ends)
        tl.wait(rest if i < len(shapes) - 1 else 0.0)
    if base_shape != "flat":
        _take_shape(tl, sides, "flat")


def toe_alternate(tl: Timeline, p: dict, tempo: str) -> None:
    """Great Toe Down, alternating: from all toes up, the big toes go down while the little toes stay up, then the big
    toes come up as the little toes go down, and so on; each switch is a rep that names the toes that went down."""
    move, hold, _ = _toe_tempo(p, tempo)
    sides = _stance_sides(p.get("side", "both"))
    _take_shape(tl, sides, "up")
    current = "up"
    for i in range(p["switches"]):
        shape = "big-down" if i % 2 == 0 else "little-down"
        start = tl.t
        for s in sides:
            _toes_to(tl, s, _shape_values(shape), start, move)
        _, down = _moved(_shape_values(current), _shape_values(shape))
        tl.reps.append({"exercise": "great-toe-down-alternate", "start": start, "top": start + move + hold / 2,
                        "end": start + move + hold, "side": p.get("side", "both"), "toes": list(TOE_NAMES),
                        "down": down, "cue": None, "counted": True})
        current = shape
        tl.t = start + move + hold
    _take_shape(tl, sides, "flat")


def squats(tl: Timeline, p: dict, tempo: str) -> None:
    per_rep = p.get("seconds", {"slow": 4.0, "normal": 3.0, "brisk": 2.2}[p.get("tempo", tempo)])
    depth = p.get("depth", 0.32)
    for _ in range(p["reps"]):
        start = tl.t
        for name, value in (("crouch", depth), ("lean", 28.0), ("arms_forward", 75.0)):
            tl.move(name, value, start, per_rep * 0.42)
            tl.move(name, 0.0, start + per_rep * 0.5, per_rep * 0.42)
        tl.wait(per_rep)


def weight_shifts(tl: Timeline, p: dict, tempo: str) -> None:
    per_rep = p.get("seconds", {"slow": 4.0, "normal": 3.0, "brisk": 2.0}[p.get("tempo", tempo)])
    amount = p.get("amount", 0.09)
    for _ in range(p["reps"]):
        start = tl.t
        tl.move("shift_x", amount, start, per_rep * 0.25)
        tl.move("shift_x", -amount, start + per_rep * 0.25, per_rep * 0.5)
        tl.move("shift_x", 0.0, start + per_rep * 0.75, per_rep * 0.25)
        tl.wait(per_rep)


def march(tl: Timeline, p: dict, tempo: str) -> None:
    """Marching in place: knees up in turn, the weight moving over the standing foot."""
    step = p.get("seconds", {"slow": 1.2, "normal": 0.8, "brisk": 0.6}[p.get("tempo", tempo)])
    for i in range(p["steps"]):
        s = SIDES[i % 2]
        start = tl.t
        tl.move(f"knee_up.{s}", 1.0, start, step * 0.45)
        tl.move(f"knee_up.{s}", 0.0, start + step * 0.5, step * 0.45)
        tl.move("shift_x", (-1.0 if s == "L" else 1.0) * 0.03, start, step * 0.45)
        tl.move("shift_x", 0.0, start + step * 0.5, step * 0.45)
        tl.wait(step)


def walk(tl: Timeline, p: dict, tempo: str) -> None:
    """Steps along the walking direction (facing +x) from `from_x` to `to_x`, feet alternating, ending side by side."""
    step = p.get("seconds", 0.55)
    x0, x1 = p["from_x"], p["to_x"]
    n = p["steps"]
    lead = p.get("lead", "L")
    order = (lead, "R" if lead == "L" else "L")
    for j in range(n + 1):
        s = order[j % 2]
        target = x0 + (x1 - x0) * min(j + 1, n) / n
        start = tl.t
        tl.move(f"foot_x.{s}", target, start, step)
        tl.move(f"step_lift.{s}", 1.0, start, step / 2)
        tl.move(f"step_lift.{s}", 0.0, start + step / 2, step / 2)
        tl.wait(step)


def stance(tl: Timeline, p: dict, tempo: str) -> None:
    """Stand with the feet closer together (or wider apart) than the body's rest stance, from the first frame: each foot
    moves `narrow_m` toward the midline. The rest stance is wide; people doing toe exercises stand about hip-width."""
    for s in SIDES:
        inward = -1.0 if s == "L" else 1.0  # the left foot is at +x
        tl.move(f"foot_x.{s}", inward * p["narrow_m"], tl.t, 0.0)


def face(tl: Timeline, p: dict, tempo: str) -> None:
    """Turn the body to face a direction (degrees about the vertical; 90 faces +x, across a front camera's view).

    With `seconds` it is a pivot on the spot, both feet turning on the floor; the turn goes in the ground truth so a
    detector can be judged on what it does while the view of the feet changes."""
    seconds = p.get("seconds", 0.0)
    if seconds > 0:
        tl.turns.append({"start": tl.t, "end": tl.t + seconds, "from_deg": tl.value("yaw", tl.t),
                         "to_deg": p["degrees"]})
    tl.move("yaw", p["degrees"], tl.t, seconds)
    tl.wait(seconds)


PHASES = {
    "face": face,
    "stance": stance,
    "still": still,
    "heel-raises": heel_raises,
    "stand-on": stand_on,
    "ball-rolls": ball_rolls,
    "ankle-rocks": ankle_rocks,
    "toes": toe_moves,
    "toe-set": toe_set,
    "toe-alternate": toe_alternate,
    "squats": squats,
    "weight-shifts": weight_shifts,
    "march": march,
    "walk": walk,
}


def build(script: list, tempo: str, seed: int, start_x: float = 0.0) -> Timeline:
    tl = Timeline(seed)
    for s in SIDES:
        tl.move(f"foot_x.{s}", start_x, 0.0, 0.0)
    for name, params in script:
        PHASES[name](tl, params, tempo)
    return tl
