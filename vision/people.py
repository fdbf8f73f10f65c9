"""Noticing a second person in view. MediaPipe's pose tracker follows one person; footform warns when more are seen."""
from __future__ import annotations

import numpy as np

from vision.pose import Pose, _native_stderr_silenced

# Looking for another person costs one more pose inference, so it is done about once a second, not every frame.
CHECK_EVERY_SECONDS = 1.0
# The other person's landmarks must be seen this well on average to count as a person...
MIN_MEAN_VISIBILITY = 0.5
# ...and be at least this tall compared with the tracked person: smaller finds are clutter the model took for a body.
MIN_RELATIVE_HEIGHT = 0.3
# The tracked person is blanked out before looking for another: the box of their points seen at least this well,
# widened by this share of its size and a few pixels more.
BOX_VISIBILITY = 0.3
BOX_MARGIN = 0.15
BOX_PAD_PX = 10


class OtherPersonCheck:
    """Every second or so, hide the tracked person and look again for anyone else.

    >>> check = OtherPersonCheck()
    >>> check.update(rgb_image, pose, t)   # True once a second person has been seen
    """

    def __init__(self) -> None:
        self._pose = None
        self._next = 0.0
        self.seen = False

    def update(self, image: np.ndarray, pose: Pose | None, t: float) -> bool:
        if pose is None or t < self._next or self.seen:
            return self.seen
        self._next = t + CHECK_EVERY_SECONDS
        masked = image.copy()
        x0, y0, x1, y1 = _box(pose, margin=BOX_MARGIN)
        masked[y0:y1, x0:x1] = 0
        found = self._run(masked).pose_landmarks
        if found is not None:
            marks = np.array([(p.y * image.shape[0], p.visibility) for p in found.landmark])
            other_height = np.ptp(marks[:, 0])
            own_height = y1 - y0
            self.seen = bool(marks[:, 1].mean() >= MIN_MEAN_VISIBILITY
                             and other_height >= MIN_RELATIVE_HEIGHT * own_height)
        return self.seen

    def warm_up(self, image: np.ndarray) -> None:
        """Load the model now and run it once on `image` (see `Pipeline.warm_up`); it keeps nothing between checks."""
        self._run(image)

    def _run(self, image: np.ndarray):
        # Its models start when first needed and print native notices then; run once a second, it is always hushed.
        with _native_stderr_silenced():
            if self._pose is None:
                import mediapipe as mp

                self._pose = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1)
            return self._pose.process(image)

    def close(self) -> None:
        if self._pose is not None:
            self._pose.close()
            self._pose = None


def _box(pose: Pose, margin: float) -> tuple[int, int, int, int]:
    seen = pose.points[pose.visibility >= BOX_VISIBILITY]
    if len(seen) == 0:
        seen = pose.points
    (x0, y0), (x1, y1) = np.nanmin(seen, axis=0), np.nanmax(seen, axis=0)
    pad_x, pad_y = (x1 - x0) * margin + BOX_PAD_PX, (y1 - y0) * margin + BOX_PAD_PX
    return (
        int(max(0, x0 - pad_x)),
        int(max(0, y0 - pad_y)),
        int(min(pose.width, x1 + pad_x)),
        int(min(pose.height, y1 + pad_y)),
    )
