"""Quality check of rendered clips: MediaPipe detection rate where the body is in view, contact sheets, heel traces;
for the feet close-ups (`--closeup`), contact sheets with the true key points drawn and each toe tip's track.

Needs only the app's own stack (mediapipe, av, opencv, numpy), not the renderer:
`.venv/bin/python -m samples.render.check [STEM ...] --sheets /tmp/footform-qc`
`.venv/bin/python -m samples.render.check --closeup [STEM ...] --sheets /tmp/footform-closeup`
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
CLOSEUP = SAMPLES / "closeup"
HEELS = (29, 30)
ANKLES = (27, 28)
# Close-up key point colours (BGR): toe1..toe5 from red to blue, then ball, heel, ankle.
POINT_COLOURS = ((40, 40, 230), (40, 160, 240), (40, 220, 220), (60, 200, 60), (230, 120, 40), (255, 255, 255),
                 (200, 60, 200), (120, 120, 120))
CROP = 0.2  # the zoomed crop of each foot is this share of the frame's width


def _inside(t: float, spans: list[list[float]]) -> bool:
    return any(a - 0.0005 <= t <= b + 0.0005 for a, b in spans)  # ground-truth times carry 3 decimals


def check(stem: str, sheets: Path | None, folder: Path = SAMPLES) -> dict:
    gt = json.loads((folder / f"{stem}.json").read_text())
    heel_y, found, frames = [], [], []
    keep = set(np.linspace(0, gt["frames"] - 1, 8).astype(int).tolist())
    for r in gt["reps"][:2] + gt["partial_reps"][:1] + gt["rolls"][:1]:
        keep.add(int(round(r.get("top", (r["start"] + r["end"]) / 2) * gt["fps"])))
    with (mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose,
          av.open(str(folder / gt["clip"])) as c):
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

    def x(i):
        return int(i / max(n - 1, 1) * (w - 1))

    for spans, colour in ((gt["reps"], (200, 240, 200)), (gt["partial_reps"], (180, 220, 255)),
                          (gt["rolls"], (240, 210, 200))):
        for r in spans:
            cv2.rectangle(img, (x(r["start"] * gt["fps"]), 0), (x(r["end"] * gt["fps"]), h), colour, -1)
    heel_y = traces[:, :2]
    ys = heel_y[np.isfinite(heel_y)]
    span = float(np.ptp(ys)) if ys.size else 0.0
    if ys.size:
        lo, span = ys.min(), max(span, 1e-3)
        for k, colour in enumerate(((200, 0, 0), (0, 0, 200))):
            pts = [(x(i), int(10 + (heel_y[i, k] - lo) / span * (h - 20))) for i in range(n)
                   if np.isfinite(heel_y[i, k])]
            if pts:
                cv2.polylines(img, [np.array(pts, np.int32)], False, colour, 1)
    spread = traces[:, 2]
    if np.isfinite(spread).any():
        lo, hi = np.nanmin(spread), max(np.nanmax(spread), np.nanmin(spread) + 1e-3)
        pts = [(x(i), int(h - 10 - (spread[i] - lo) / (hi - lo) * (h / 3))) for i in range(n) if np.isfinite(spread[i])]
        cv2.polylines(img, [np.array(pts, np.int32)], False, (0, 150, 0), 1)
    cv2.putText(img, f"{gt['clip']}  heel y (blue left, red right), ankle spread (green); "
                     f"heel span {span:.3f} of frame height", (10, 20),
                cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
    return img


def _sheet(frames: list[np.ndarray], per_row: int) -> np.ndarray:
    rows = [np.hstack(frames[k:k + per_row]) for k in range(0, len(frames), per_row)]
    width = max(r.shape[1] for r in rows)
    return np.vstack([np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows])


def _rep_at(gt: dict, t: float) -> str:
    for r in gt["reps"]:
        if r["start"] <= t <= r["end"]:
            what = r["exercise"] + (" " + r["side"] if r["side"] != "both" else "")
            return (what + (f" down {','.join(r['down'])}" if r.get("down") else "")
                    + (f" [{r['cue']}]" if r["cue"] else ""))
    return "hand" if _inside(t, gt["hand_in_view"]) else ""


def check_closeup(stem: str, sheets: Path, folder: Path = CLOSEUP) -> dict:
    """Contact sheet of a close-up clip with its true key points drawn (hidden ones hollow), zoomed crops of the feet
    at the start and the top of the first reps, and a plot of every toe tip's height in the picture over time."""
    gt = json.loads((folder / f"{stem}.json").read_text())
    kp = np.load(folder / gt["keypoints"]["file"])
    xy, visible = kp["image_xy"], kp["visible"]
    fps = gt["fps"]
    keep = set(np.linspace(0, gt["frames"] - 1, 8).astype(int).tolist())
    zoom = []
    for r in gt["reps"][:3]:
        zoom += [int(round(r["start"] * fps)), int(round(r["top"] * fps))]
    keep |= set(zoom) | {int(round((a + b) / 2 * fps)) for a, b in gt["hand_in_view"]}
    frames, crops, black = [], {}, 0
    with av.open(str(folder / gt["clip"])) as c:
        for i, frame in enumerate(c.decode(video=0)):
            img = cv2.cvtColor(frame.to_ndarray(format="rgb24"), cv2.COLOR_RGB2BGR)
            black += img.mean() < 10
            if i in zoom:
                crops[i] = [_crop(img, xy[i, j]) for j in range(2)]
            if i not in keep:
                continue
            for j in range(2):
                for k, (x, y) in enumerate(xy[i, j]):
                    cv2.circle(img, (int(x), int(y)), 3, POINT_COLOURS[k], -1 if visible[i, j, k] else 1)
            label = f"{i / fps:.2f}s {_rep_at(gt, i / fps)}"
            cv2.putText(img, label, (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 3)
            cv2.putText(img, label, (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 1)
            frames.append(cv2.resize(img, (img.shape[1] * 360 // img.shape[0], 360)))
    sheets.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(sheets / f"{stem}.png"), _sheet(frames, 4))
    if crops:
        cv2.imwrite(str(sheets / f"{stem}_zoom.png"), _sheet([np.hstack(crops[i]) for i in zoom if i in crops], 2))
    cv2.imwrite(str(sheets / f"{stem}_toes.png"), _toe_plot(xy, gt))
    inside = ((xy >= 0) & (xy < [gt["width"], gt["height"]])).all()
    return {"stem": stem, "frames": len(xy), "black": int(black), "inside": bool(inside)}


def _crop(img: np.ndarray, points: np.ndarray) -> np.ndarray:
    """A square around one foot's toes, scaled to 240 px."""
    side = int(CROP * img.shape[1])
    cx, cy = points[:5].mean(axis=0)
    x0 = int(np.clip(cx - side / 2, 0, img.shape[1] - side))
    y0 = int(np.clip(cy - side * 0.6, 0, img.shape[0] - side))
    return cv2.resize(img[y0:y0 + side, x0:x0 + side], (240, 240), interpolation=cv2.INTER_CUBIC)


def _toe_plot(xy: np.ndarray, gt: dict) -> np.ndarray:
    """Each toe tip's rise in the picture (pixels above its place in the first frame) over time, one panel per foot,
    reps shaded: green counted, orange counted with a cue, red not counted (a curl)."""
    w, h = 1200, 220
    panels = []
    n = len(xy)

    def x(i):
        return int(i / max(n - 1, 1) * (w - 1))

    rise = xy[0:1, :, :5, 1] - xy[:, :, :5, 1]
    lo, hi = min(rise.min(), -5.0), max(rise.max(), 5.0)
    for j, foot in enumerate(gt["keypoints"]["feet"]):
        img = np.full((h, w, 3), 255, np.uint8)
        for r in gt["reps"]:
            colour = ((200, 240, 200) if r["counted"] and not r["cue"]
                      else (180, 220, 255) if r["counted"] else (200, 200, 255))
            cv2.rectangle(img, (x(r["start"] * gt["fps"]), 0), (x(r["end"] * gt["fps"]), h), colour, -1)

        def y(v):
            return int(h - 10 - (v - lo) / (hi - lo) * (h - 30))

        cv2.line(img, (0, y(0.0)), (w, y(0.0)), (160, 160, 160), 1)
        for k in range(5):
            pts = np.array([(x(i), y(rise[i, j, k])) for i in range(n)], np.int32)
            cv2.polylines(img, [pts], False, POINT_COLOURS[k], 1)
        cv2.putText(img, f"{gt['clip']} {foot} foot: toe tips' rise in px (toe1 red .. toe5 blue), "
                         f"{lo:.0f}..{hi:.0f} px",
                    (10, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
        panels.append(img)
    return np.vstack(panels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.render.check", description=__doc__)
    parser.add_argument("stems", nargs="*")
    parser.add_argument("--dir", type=Path, default=SAMPLES, help="folder of the clips and their ground truth")
    parser.add_argument("--sheets", type=Path,
                        help="folder for contact sheets and heel plots (keep it out of the repo)")
    parser.add_argument("--closeup", action="store_true", help="the feet close-ups (samples/closeup/ unless --dir)")
    args = parser.parse_args(argv)
    if args.closeup:
        folder = args.dir if args.dir != SAMPLES else CLOSEUP
        stems = args.stems or sorted(p.stem for p in folder.glob("*.json") if p.stem != "catalogue")
        ok = True
        for stem in stems:
            r = check_closeup(stem, args.sheets or Path("/tmp/footform-closeup"), folder)
            ok &= r["inside"] and not r["black"]
            print(f"{r['stem']:40s} frames {r['frames']:4d}  black {r['black']}  "
                  f"key points inside {r['inside']}", flush=True)
        return 0 if ok else 1
    stems = args.stems or sorted(p.stem for p in args.dir.glob("*.json") if p.stem != "catalogue")
    worst = 1.0
    for stem in stems:
        r = check(stem, args.sheets, args.dir)
        worst = min(worst, r["detected"])
        print(f"{r['stem']:32s} frames {r['frames']:4d}  in view {r['in_view']:4d}  "
              f"detected {100 * r['detected']:5.1f}%", flush=True)
    return 0 if worst >= 0.98 else 1


if __name__ == "__main__":
    sys.exit(main())
