"""Small video files made at test time: rotated, truncated, corrupt, blank."""
from __future__ import annotations

import av
import numpy as np


def write_clip(path, frames: int = 30, size=(320, 240), fps: int = 30, rotation: int = 0, faststart: bool = False,
               image=None) -> None:
    """An H.264 clip of a white bar on the left edge over grey (or of `image`), optionally with a display rotation."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if rotation:
            stream.set_display_rotation(rotation)
        for i in range(frames):
            if image is None:
                picture = np.full((size[1], size[0], 3), 90, np.uint8)
                picture[:, : size[0] // 8] = 255
                picture[: size[1] // 10, :] = (i * 7) % 255  # moving content so every frame is coded
            else:
                picture = image
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def corrupt_copy(source, target, seed: int = 1, hits: int = 2000) -> None:
    data = bytearray(open(source, "rb").read())
    rng = np.random.default_rng(seed)
    for index in rng.integers(5000, len(data), hits):
        data[index] = int(rng.integers(0, 256))
    open(target, "wb").write(bytes(data))
