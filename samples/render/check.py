"""Quality check of rendered clips: MediaPipe detection rate where the body is in view, contact sheets, heel traces.

Needs only the app's own stack (mediapipe, av, opencv, numpy), not the renderer:
`.venv/bin/python -m samples.render.check [STEM ...] --sheets /tmp/footform-qc`
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import av
import cv2
import mediapipe as mp
import numpy as np

SAMPLES = Path(__file__).resolve().parent.parent
HEELS = (29, 30)
ANKLES = (27, 28)


def _inside(t: float, spans: list[list[float]]) -> bool:
    return any(a - 0.0005 <= t <= b + 0.0005 for a, b in spans)  # ground-truth times carry 3 decimals


def check(stem: str, sheets: Path | None, folder: Path = SAMPLES) -> dict:
    gt = json.loads((folder / f"{stem}.json").read_text())
    heel_y, found, frames = [], [], []
    keep = set(np.linspace(0, gt["frames"] - 1, 8).astype(int).tolist())
    for r in gt["reps"][:2] + gt["partial_reps"][:1] + gt["rolls"][:1]:
        keep.add(int(round(r.get("top", (r["start"] + r["end"]) / 2) * gt["fps"])))
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose, av.open(str(folder / gt["clip"])) as c:
        for i, frame in enumerate(c.decode(video=0)):
            rgb = frame.to_ndarray(format="rgb24")
            res = pose.process(rgb)
            lm = res.pose_landmarks
            found.append(lm is not None)
            heel_y.append([lm.landmark[k].y for k in HEELS] + [abs(lm.landmark[ANKLES[0]].x - lm.landmark[ANKLES[1]].x)]
                          if lm else [np.nan] * 3)
            if i in keep:
                img = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
                if lm:
                    for p in lm.landmark:
                        cv2.circle(img, (int(p.x * img.shape[1]), int(p.y * img.shape[0])), 3, (0, 0, 255), -1)
                cv2.putText(img, f"{i / gt['fps']:.2f}s", (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
                frames.append(cv2.resize(img, (img.shape[1] * 400 // img.shape[0], 400)))
    times = np.arange(len(found)) / gt["fps"]
    in_view = [_inside(t, gt["body_in_view"]) for t in times]
    n_view = sum(in_view)
    rate = sum(f for f, v in zip(found, in_view) if v) / n_view if n_view else float("nan")
    if sheets:
        sheets.mkdir(parents=True, exist_ok=True)
        rows = [np.hstack(frames[k:k + 4]) for k in range(0, len(frames), 4)]
        width = max(r.shape[1] for r in rows)
        rows = [np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
        cv2.imwrite(str(sheets / f"{stem}.png"), np.vstack(rows))
        cv2.imwrite(str(sheets / f"{stem}_heels.png"), _plot(np.array(heel_y), gt))
    return {"stem": stem, "frames": len(found), "in_view": n_view, "detected": rate}


def _plot(traces: np.ndarray, gt: dict) -> np.ndarray:
    """Heel landmark heights over time (up is up) and, below, the ankles' sideways distance (the ankle-rock signal),
    with the ground truth shaded: green full reps, orange partial raises, blue ball rolls."""
    w, h = 1200, 300
    img = np.full((h, w, 3), 255, np.uint8)
    n = len(traces)
    x = lambda i: int(i / max(n - 1, 1) * (w - 1))
    for spans, colour in ((gt["reps"], (200, 240, 200)), (gt["partial_reps"], (180, 220, 255)), (gt["rolls"], (240, 210, 200))):
        for r in spans:
            cv2.rectangle(img, (x(r["start"] * gt["fps"]), 0), (x(r["end"] * gt["fps"]), h), colour, -1)
    heel_y = traces[:, :2]
    ys = heel_y[np.isfinite(heel_y)]
    span = float(np.ptp(ys)) if ys.size else 0.0
    if ys.size:
        lo, span = ys.min(), max(span, 1e-3)
        for k, colour in enumerate(((200, 0, 0), (0, 0, 200))):
            pts = [(x(i), int(10 + (heel_y[i, k] - lo) / span * (h - 20))) for i in range(n) if np.isfinite(heel_y[i, k])]
            if pts:
                cv2.polylines(img, [np.array(pts, np.int32)], False, colour, 1)
    spread = traces[:, 2]
    if np.isfinite(spread).any():
        lo, hi = np.nanmin(spread), max(np.nanmax(spread), np.nanmin(spread) + 1e-3)
        pts = [(x(i), int(h - 10 - (spread[i] - lo) / (hi - lo) * (h / 3))) for i in range(n) if np.isfinite(spread[i])]
        cv2.polylines(img, [np.array(pts, np.int32)], False, (0, 150, 0), 1)
    cv2.putText(img, f"{gt['clip']}  heel y (blue left, red right), ankle spread (green); heel span {span:.3f} of frame height", (10, 20),
                cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
    return img


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.render.check", description=__doc__)
    parser.add_argument("stems", nargs="*")
    parser.add_argument("--dir", type=Path, default=SAMPLES, help="folder of the clips and their ground truth")
    parser.add_argument("--sheets", type=Path, help="folder for contact sheets and heel plots (keep it out of the repo)")
    args = parser.parse_args(argv)
    stems = args.stems or sorted(p.stem for p in args.dir.glob("*.json") if p.stem != "catalogue")
    worst = 1.0
    for stem in stems:
        r = check(stem, args.sheets, args.dir)
        worst = min(worst, r["detected"])
        print(f"{r['stem']:32s} frames {r['frames']:4d}  in view {r['in_view']:4d}  detected {100 * r['detected']:5.1f}%", flush=True)
    return 0 if worst >= 0.98 else 1


if __name__ == "__main__":
    sys.exit(main())
