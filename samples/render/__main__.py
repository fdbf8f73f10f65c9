"""Render the sample clips: `python -m samples.render [STEM ...] [--set full|closeup|all] [--jobs N] [--truth-only]`
(every clip of both catalogues by default: the full-body clips in samples/, the feet close-ups in samples/closeup/)."""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

from .worker import render_entry

SAMPLES = Path(__file__).resolve().parent.parent
CATALOGUE = SAMPLES / "catalogue.json"
CLOSEUP = SAMPLES / "closeup"
CLOSEUP_CATALOGUE = CLOSEUP / "catalogue.json"
CLOSEUP_README_HEAD = """# Close-up sample clips: the toe exercises

Rendered clips of bare feet filmed by a camera on the floor in front of the toes (a laptop or its webcam tilted down,
0.2-0.35 m high, 0.4-0.6 m in front of the toes, 60-68 degrees across), for developing and testing a toe checker that
finds the feet and toes with classical vision. Each clip `<stem>.mp4` has its ground truth in `<stem>.json` and its
per-frame key points in `<stem>.npz`. This file is written by `make samples`; edit `catalogue.json` (and
`../render/`), not the table.

- `counts` gives every toe movement of the routine: `toe-fan-lift` (all toes up and down), `toe-fan-spread` (toes
  spread and relaxed), `great-toe-down-big` (from all toes up, the big toes pressed down and lifted),
  `great-toe-down-little` (from all toes up, toes 2-5 pressed down and lifted), `great-toe-down-alternate` (each
  switch between big toes down and little toes down is a rep), `toe-grip` (the toes grip the floor, tips pressed down,
  and release). Negatives (still feet, heel raises, ankle rocks, a hand reaching in) count 0 everywhere.
- `reps`: every toe rep with `start` (the toes leave their starting shape), `top` (the middle of the hold), `end`
  (back in the starting shape), in seconds from the clip's start (frame time = index / fps); `side` (`both`, `left`,
  `right`: the foot that moved), `toes` (the toes that moved, `toe1` the big toe to `toe5` the little toe), `down`
  (great toe down: the toes pressed down), `tip_rise_cm` (each toe tip's height at the top minus at the start, on the
  foot that moved; negative where toes went down), `cue` and `counted`: `little-toes-low` marks a lift where the little
  toe rises to a quarter of the big toe (`little_toe_share` is the little toe's lift over the big toe's; counted, with
  the routine's cue "little toe as high as the big toe"), `curl` marks toes curled under (knuckles up, tips tucked),
  which is not a grip and is not counted.
- `other_movements`: heel raises and ankle rocks in the negatives, with their times; `hand_in_view`: when a hand is in
  the picture; `camera.adjusted`: when that hand tilts the camera to a new place, where it then stays.
- `lead_in_s`: how long the feet stay still before the first movement: at least 1.5 s in every clip with reps except
  `closeup_toe_fan_lift_no_still_start_A`, which moves from frame 0.
- `<stem>.npz` (NumPy, `numpy.load`), frame by frame, feet in the order left, right, key points in the order of
  `keypoints.names` (`toe1`..`toe5` tips, `ball`, `heel`, `ankle`): `image_xy` (frames x 2 x 8 x 2, pixels, x right,
  y down), `world_xyz` (frames x 2 x 8 x 3, metres, floor at z = 0, the person facing -y, their left at +x),
  `visible` (frames x 2 x 8: inside the frame and not hidden; the heel is hidden from the front), `lift_deg`,
  `spread_deg`, `bend_deg` (frames x 2 x 5: each toe's lift at its knuckle joint, up positive; its turn in the floor's
  plane, away from the second toe positive; the bend of its joints beyond the knuckle, down positive). Toe tips and the
  heel are points on the skin; the ball (the middle of the five knuckle joints) and the ankle are joint centres.

Check them with `.venv/bin/python -m samples.render.check --closeup --sheets /tmp/footform-closeup` (contact sheets
with the true key points drawn, and each toe tip's height over time).

| clip | exercise | camera | floor, light | size | body | tempo | length | counts | what happens |
|---|---|---|---|---|---|---|---|---|---|
"""
README_HEAD = ("""# Sample clips

Rendered clips of a realistic body (the [anny](https://pypi.org/project/anny/) model) doing the routine's exercises
and some movements that must not be counted, each with exact ground truth in `<stem>.json` beside `<stem>.mp4`.
This file is written by `make samples`; edit `catalogue.json` (and `render/`), not the table.

- `counts` is what a correct detector counts: complete heel raises (`--exercise heel-raise`, any side), complete ankle
  rocks (outer edges, inner edges, back to flat) and ball-of-foot rolls (heel held up, the heel swings in, out and back;
  the heel lift that carries the rolls is not a heel raise).
  Raises to less than a third of the full rise are listed in `partial_reps` and not counted.
- Times are seconds from the clip's start (frame time = index / fps). A rep's `start` is when the heel leaves flat,
  `top` the middle of the hold at the top, `end` when it is flat again; for an ankle rock `top` is the switch from one
  edge to the other. `lead_in_s` is how long the person stands still before first moving: at least 1.5 s in every
  clip with reps except `heel_raise_no_still_start_C`, which starts rising at frame 0.
- Every heel raise (and partial raise) also gives its schedule and height: `top_start` and `top_end` (reaching and
  leaving the top), `rise_s` (heel leaves flat -> top reached), `hold_s` (top reached -> top left), `lower_s` (top
  left -> flat again), so `rise_s + hold_s + lower_s = end - start`; `heel_lift_cm`, the heel's height above the floor
  at the top minus at flat, measured on the posed body mesh (the mean of both heels for a `both` rep). `side` is the
  foot whose heel rises (`both` for a double-leg raise).
- `one-heel-raise` is the routine's Heel Raise: both feet stay on the floor and one heel rises onto the ball of that
  foot while the other foot stays flat (then ball-of-foot rolls on that heel); `single-heel-raise` stands on one foot.
- `turns`: pivots on the spot, `from_deg` -> `to_deg` about the vertical (0 faces a front camera, 90 is side-on to
  it); `camera.bump`: the seconds in which the camera is knocked to a new place, where it then stays.
- `body_in_view`: frames where the head, shoulders, wrists, hips and knees are all inside the frame;
  `feet_out_of_frame`: frames where a heel or a toe tip is outside it.
- Toe exercises (toe fan, great toe down, toe grip) list their reps, but MediaPipe has one point per foot and does not
  see the toes: for the camera detectors these clips are negatives, like standing, squats, weight shifts, marching
  and walking through.

Re-render with `make samples` (creates `.venv-render`, needs about 1 GB in `ANNY_CACHE_DIR`, default
`~/.cache/footform-anny`); the same catalogue gives the same frames (`--truth-only` writes just the JSON, posing
the frames without drawing them). Check them with
`.venv/bin/python -m samples.render.check --sheets /tmp/footform-qc` (MediaPipe detection rate, contact sheets, """
               """heel traces).

| clip | exercise | camera | size | body | tempo | length | counts | what happens |
|---|---|---|---|---|---|---|---|---|
""")


def _counts(c: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in c.items() if v) or "none"


def write_readme(catalogue: dict) -> None:
    rows = []
    for entry in catalogue["clips"]:
        gt_path = SAMPLES / f"{entry['stem']}.json"
        if not gt_path.exists():
            continue
        gt = json.loads(gt_path.read_text())
        b = gt["body"]
        cam = gt["camera"]
        extras = []
        if gt["partial_reps"]:
            extras.append(f"{len(gt['partial_reps'])} partial raises")
        if gt["feet_out_of_frame"]:
            extras.append("feet out of frame " + ", ".join(f"{a:g}-{z:g} s" for a, z in gt["feet_out_of_frame"]))
        if cam["shake"]:
            extras.append("camera shake")
        if cam.get("bump"):
            extras.append(f"camera bumped at {cam['bump'][0]:g} s")
        if gt["turns"]:
            extras.append("turns to " + ", ".join(f"{t['to_deg']:g}" for t in gt["turns"]) + " degrees")
        if gt["reps"] and gt["lead_in_s"] < 1.5:
            extras.append(f"moving from {gt['lead_in_s']:g} s, no still start")
        rows.append(
            f"| `{gt['clip']}` | {gt['exercise']} | {cam['view']} ({cam['height_m']:g} m high) "
            f"| {gt['width']}x{gt['height']} "
            f"| {b['name']}: {b['sex']}, {b['age_years']}, {b['height_m']:g} m, {b['build']} | {gt['tempo']} "
            f"| {gt['duration']:g} s | {_counts(gt['counts'])} "
            f"| {gt['description']}{' (' + '; '.join(extras) + ')' if extras else ''} |"
        )
    text = README_HEAD + "\n".join(rows) + "\n"
    (SAMPLES / "README.md").write_text(text)


def write_closeup_readme(catalogue: dict) -> None:
    rows = []
    for entry in catalogue["clips"]:
        gt_path = CLOSEUP / f"{entry['stem']}.json"
        if not gt_path.exists():
            continue
        gt = json.loads(gt_path.read_text())
        b, cam = gt["body"], gt["camera"]
        extras = []
        cues = [r["cue"] for r in gt["reps"] if r["cue"]]
        for cue in sorted(set(cues)):
            extras.append(f"{cues.count(cue)} reps marked {cue}")
        if gt["hand_in_view"]:
            extras.append("hand in view " + ", ".join(f"{a:g}-{z:g} s" for a, z in gt["hand_in_view"]))
        if cam.get("adjusted"):
            extras.append("camera tilted {:g}-{:g} s".format(*cam["adjusted"]))
        if gt["reps"] and gt["lead_in_s"] < 1.5:
            extras.append(f"moving from {gt['lead_in_s']:g} s, no still start")
        turned = f", turned {cam['azimuth_deg']:g} deg" if cam["azimuth_deg"] else ""
        rows.append(
            f"| `{gt['clip']}` | {gt['exercise']} | {cam['height_m']:g} m high, {cam['distance_m']:g} m in front, "
            f"{cam['hfov_deg']:g} deg{turned} | {gt['floor']}, {gt['light']} | {gt['width']}x{gt['height']} "
            f"| {b['name']}: {b['sex']}, {b['age_years']}, {b['build']} | {gt['tempo']} | {gt['duration']:g} s "
            f"| {_counts(gt['counts'])} | {gt['description']}{' (' + '; '.join(extras) + ')' if extras else ''} |"
        )
    (CLOSEUP / "README.md").write_text(CLOSEUP_README_HEAD + "\n".join(rows) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.render", description=__doc__)
    parser.add_argument("stems", nargs="*", help="clips to render (default: every clip in the catalogue)")
    parser.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--set", choices=("full", "closeup", "all"), default="all",
                        help="the full-body clips (samples/), the feet close-ups (samples/closeup/), or both")
    parser.add_argument("--out", type=Path, help="folder to write to (default: samples/ and samples/closeup/)")
    parser.add_argument("--truth-only", action="store_true",
                        help="write only the ground truth (frames posed, not drawn or encoded; "
                             "same JSON as a full render)")
    args = parser.parse_args(argv)
    catalogue = json.loads(CATALOGUE.read_text())
    closeup = json.loads(CLOSEUP_CATALOGUE.read_text())
    sets = {"full": [(catalogue, SAMPLES)], "closeup": [(closeup, CLOSEUP)],
            "all": [(catalogue, SAMPLES), (closeup, CLOSEUP)]}
    chosen = [(c, folder) for cat, folder in sets[args.set] for c in cat["clips"]
              if not args.stems or c["stem"] in args.stems]
    unknown = set(args.stems) - {c["stem"] for c, _ in chosen}
    if unknown:
        print(f"not in the catalogue: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    # Both sets draw on the same bodies (catalogue.json's "bodies").
    work = [(c, catalogue["bodies"][c["body"]], str(args.out or folder), not args.truth_only) for c, folder in chosen]
    started = time.time()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(args.jobs) as pool:
        for stem, seconds in pool.imap_unordered(render_entry, work):
            print(f"{stem}: {seconds:.0f} s", flush=True)
    print(f"rendered {len(work)} clips in {time.time() - started:.0f} s")
    if args.out is None:
        if any(folder == SAMPLES for _, folder in chosen):
            write_readme(catalogue)
        if any(folder == CLOSEUP for _, folder in chosen):
            write_closeup_readme(closeup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
