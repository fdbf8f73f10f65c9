"""Render the sample clips: `python -m samples.render [STEM ...] [--jobs N]` (all clips of the catalogue by default)."""
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
README_HEAD = """# Sample clips

Rendered clips of a realistic body (the [anny](https://pypi.org/project/anny/) model) doing the routine's exercises
and some movements that must not be counted, each with exact ground truth in `<stem>.json` beside `<stem>.mp4`.
This file is written by `make samples`; edit `catalogue.json` (and `render/`), not the table.

- `counts` is what a correct detector counts: complete heel raises (`--exercise heel-raise`, any side), complete ankle
  rocks (outer edges, inner edges, back to flat) and ball-of-foot rolls (heel held up, the heel swings in, out and back;
  the heel lift that carries the rolls is not a heel raise).
  Raises to less than a third of the full rise are listed in `partial_reps` and not counted.
- Times are seconds from the clip's start (frame time = index / fps). A rep's `start` is when the heel leaves flat,
  `top` the middle of the hold at the top, `end` when it is flat again; for an ankle rock `top` is the switch from one
  edge to the other. Every clip begins with at least 1.5 s of standing still.
- `body_in_view`: frames where the head, shoulders, wrists, hips and knees are all inside the frame;
  `feet_out_of_frame`: frames where a heel or a toe tip is outside it.
- Toe exercises (toe fan, great toe down, toe grip) list their reps, but MediaPipe has one point per foot and does not
  see the toes: for the camera detectors these clips are negatives, like standing, squats, weight shifts, marching
  and walking through.

Re-render with `make samples` (creates `.venv-render`, needs about 1 GB in `ANNY_CACHE_DIR`, default
`~/.cache/footform-anny`); the same catalogue gives the same frames. Check them with
`.venv/bin/python -m samples.render.check --sheets /tmp/footform-qc` (MediaPipe detection rate, contact sheets, heel traces).

| clip | exercise | camera | size | body | tempo | length | counts | what happens |
|---|---|---|---|---|---|---|---|---|
"""


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
        rows.append(
            f"| `{gt['clip']}` | {gt['exercise']} | {cam['view']} ({cam['height_m']:g} m high) | {gt['width']}x{gt['height']} "
            f"| {b['name']}: {b['sex']}, {b['age_years']}, {b['height_m']:g} m, {b['build']} | {gt['tempo']} "
            f"| {gt['duration']:g} s | {_counts(gt['counts'])} | {gt['description']}{' (' + '; '.join(extras) + ')' if extras else ''} |"
        )
    text = README_HEAD + "\n".join(rows) + "\n"
    (SAMPLES / "README.md").write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.render", description=__doc__)
    parser.add_argument("stems", nargs="*", help="clips to render (default: every clip in the catalogue)")
    parser.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--out", type=Path, default=SAMPLES)
    args = parser.parse_args(argv)
    catalogue = json.loads(CATALOGUE.read_text())
    clips = [c for c in catalogue["clips"] if not args.stems or c["stem"] in args.stems]
    unknown = set(args.stems) - {c["stem"] for c in clips}
    if unknown:
        print(f"not in the catalogue: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    work = [(c, catalogue["bodies"][c["body"]], str(args.out)) for c in clips]
    started = time.time()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(args.jobs) as pool:
        for stem, seconds in pool.imap_unordered(render_entry, work):
            print(f"{stem}: {seconds:.0f} s", flush=True)
    print(f"rendered {len(work)} clips in {time.time() - started:.0f} s")
    if args.out == SAMPLES:
        write_readme(catalogue)
    return 0


if __name__ == "__main__":
    sys.exit(main())
