"""Landmark traces: the poses of a clip stored in a small file, so detectors can be replayed without MediaPipe."""
from __future__ import annotations

import os
from typing import Iterable, Iterator

import numpy as np

from vision.pose import Pose

# Only the landmarks footform reads are stored: nose, arms, hips, legs and feet.
STORED = np.array([0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32])


def save_trace(path: str | os.PathLike, samples: Iterable[tuple[float, Pose | None]], width: int, height: int) -> None:
    """Write (time, pose or None) pairs to a compressed .npz file."""
    times, points, visibility, world, found = [], [], [], [], []
    for t, pose in samples:
        times.append(t)
        found.append(pose is not None)
        if pose is None:
            points.append(np.zeros((len(STORED), 2)))
            visibility.append(np.zeros(len(STORED)))
            world.append(np.zeros((len(STORED), 3)))
        else:
            points.append(pose.points[STORED])
            visibility.append(pose.visibility[STORED])
            world.append(pose.world[STORED])
    np.savez_compressed(
        path,
        t=np.asarray(times, dtype=np.float64),
        found=np.asarray(found, dtype=bool),
        points=np.asarray(points, dtype=np.float32).round(2),
        visibility=np.asarray(visibility, dtype=np.float32).round(3),
        world=np.asarray(world, dtype=np.float32).round(4),
        size=np.array([width, height]),
    )


def load_trace(path: str | os.PathLike) -> Iterator[tuple[float, Pose | None]]:
    """Read back what `save_trace` wrote, as (time, pose or None) pairs in time order."""
    with np.load(path) as data:
        width, height = (int(v) for v in data["size"])
        arrays = [data[k] for k in ("t", "found", "points", "visibility", "world")]
    for t, found, pts, vis, world in zip(*arrays):
        if not found:
            yield float(t), None
            continue
        points = np.full((33, 2), np.nan)
        visibility = np.zeros(33)
        world_full = np.full((33, 3), np.nan)
        points[STORED] = pts
        visibility[STORED] = vis
        world_full[STORED] = world
        yield float(t), Pose(float(t), points, visibility, world_full, width, height)
