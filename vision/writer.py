"""Writing frames to an H.264 MP4 file."""
from __future__ import annotations

import os
from fractions import Fraction

import av
import numpy as np


class VideoWriter:
    """Encodes RGB frames with their timestamps into an H.264 (yuv420p) MP4.

    >>> with VideoWriter("out.mp4", fps=30) as writer:
    ...     writer.write(image, t)
    """

    def __init__(self, path: str | os.PathLike, fps: float):
        self.path = os.fspath(path)
        self._container = av.open(self.path, mode="w")
        self._fps = Fraction(fps).limit_denominator(1001)
        self._stream = None
        self._last_pts = -1

    def write(self, image: np.ndarray, t: float) -> None:
        if self._stream is None:
            stream = self._container.add_stream("libx264", rate=self._fps)
            stream.height, stream.width = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": "26", "preset": "veryfast"}
            self._stream = stream
        stream = self._stream
        image = image[: stream.height, : stream.width]
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
        # Keep each frame's own time; two frames never share a timestamp.
        pts = max(int(round(t * self._fps)), self._last_pts + 1)
        self._last_pts = pts
        frame.pts = pts
        frame.time_base = 1 / self._fps
        for packet in stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        if self._stream is not None:
            for packet in self._stream.encode():
                self._container.mux(packet)
        self._container.close()

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
