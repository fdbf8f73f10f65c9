"""Drawing on frames: the skeleton with the feet highlighted, and a panel with the count, the cue and guidance."""
from __future__ import annotations

import cv2
import numpy as np

from vision.pose import FOOT_EDGES, SKELETON, Pose

# Colours are RGB: footform works on RGB frames throughout.
BODY = (235, 235, 235)
FOOT = (255, 170, 0)
JOINT = (40, 200, 255)
PANEL = (20, 20, 20)
COUNT = (120, 255, 120)
CUE = (255, 210, 80)
WARN = (255, 110, 110)


def draw_pose(image: np.ndarray, pose: Pose | None, min_visibility: float = 0.3) -> np.ndarray:
    """Draw the skeleton in place; the feet are drawn thicker and in their own colour."""
    if pose is None:
        return image
    size = max(image.shape[:2])
    thin, thick = max(1, size // 320), max(2, size // 140)
    pts = np.nan_to_num(pose.points).astype(int)
    seen = pose.visibility >= min_visibility
    for edges, colour, width in ((SKELETON, BODY, thin), (FOOT_EDGES, FOOT, thick)):
        for a, b in edges:
            if seen[a] and seen[b]:
                cv2.line(image, tuple(pts[a]), tuple(pts[b]), colour, width, cv2.LINE_AA)
    for i in range(25, 33):
        if seen[i]:
            cv2.circle(image, tuple(pts[i]), thick + 1, FOOT if i >= 27 else JOINT, -1, cv2.LINE_AA)
    return image


def draw_panel(image: np.ndarray, count_text: str, cue: str = "", message: str = "") -> np.ndarray:
    """Draw the counter large at the top left, readable from a couple of metres, with the cue and guidance below it."""
    height, width = image.shape[:2]
    big = max(0.8, width / 420)
    small = big * 0.45
    lines = [(count_text, big, COUNT, max(2, int(big * 2.2)))]
    if cue:
        lines.append((cue, small, CUE, max(1, int(small * 2.2))))
    if message:
        lines.append((message, small, WARN, max(1, int(small * 2.2))))
    sizes = [cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick) for text, scale, _, thick in lines]
    pad = int(10 * big)
    box_w = min(width, max(w for (w, _), _ in sizes) + 2 * pad)
    box_h = sum(h + b + pad for (_, h), b in sizes) + pad
    overlay = image.copy()
    cv2.rectangle(overlay, (0, 0), (box_w, box_h), PANEL, -1)
    cv2.addWeighted(overlay, 0.6, image, 0.4, 0, dst=image)
    y = pad
    for (text, scale, colour, thick), ((_, h), b) in zip(lines, sizes):
        y += h
        cv2.putText(image, text, (pad, y), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA)
        y += b + pad
    return image


def draw_toe_bands(image: np.ndarray, bands: dict[str, tuple[float, float, float, float]]) -> np.ndarray:
    """Outline where the close-up checker watches each foot's toes (bands as shares of the width and height)."""
    height, width = image.shape[:2]
    thick = max(1, max(height, width) // 320)
    for left, top, right, bottom in bands.values():
        cv2.rectangle(image, (round(left * width), round(top * height)), (round(right * width), round(bottom * height)),
                      FOOT, thick, cv2.LINE_AA)
    return image
