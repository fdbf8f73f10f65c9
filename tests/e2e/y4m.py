"""A fake camera for Chromium: a sample clip rewritten as an uncompressed Y4M file at 640x480.

Chromium plays the file (`--use-file-for-fake-video-capture`) at the frame rate in its header and loops it. The
clip is letterboxed into 640x480, the size a laptop camera sends. A still lead-in (the clip's first frame) and a
still tail (its last frame) stand for the person standing still before and after the set.

>>> camera = write_y4m("samples/heel_raise_side_B.mp4", tmp_path / "camera.y4m", lead_in=3.0, tail=15.0)
>>> camera.clip_end  # seconds from the start of the file at which the clip's own last frame has played
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from vision.video import VideoFile

WIDTH, HEIGHT = 640, 480
GRAIN_FIELDS = 8


@dataclass(frozen=True)
class FakeCamera:
    path: Path
    fps: Fraction
    lead_in_frames: int
    clip_frames: int
    tail_frames: int

    @property
    def clip_start(self) -> float:
        """Seconds into the file at which the clip's first frame shows."""
        return float(self.lead_in_frames / self.fps)

    @property
    def clip_end(self) -> float:
        """Seconds into the file at which the clip's last frame has shown (the still tail begins)."""
        return float((self.lead_in_frames + self.clip_frames) / self.fps)

    @property
    def duration(self) -> float:
        """One loop of the file, in seconds."""
        return float((self.lead_in_frames + self.clip_frames + self.tail_frames) / self.fps)

    def last_frame(self) -> np.ndarray:
        """The file's last picture (RGB), which the camera shows all through the still tail."""
        size = WIDTH * HEIGHT * 3 // 2
        with self.path.open("rb") as file:
            file.seek(-size, 2)
            planes = np.frombuffer(file.read(size), np.uint8).reshape(HEIGHT * 3 // 2, WIDTH)
        return av.VideoFrame.from_ndarray(planes, format="yuv420p").to_ndarray(format="rgb24")


def letterbox(image: np.ndarray) -> np.ndarray:
    """Fit an RGB image into WIDTH x HEIGHT, keeping its shape, with black bars."""
    height, width = image.shape[:2]
    scale = min(WIDTH / width, HEIGHT / height)
    # Even sizes keep the 4:2:0 chroma planes aligned with the picture.
    fit_w, fit_h = int(width * scale) // 2 * 2, int(height * scale) // 2 * 2
    if (fit_w, fit_h) != (width, height):
        image = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(width=fit_w, height=fit_h).to_ndarray()
    canvas = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    top, left = (HEIGHT - fit_h) // 2 // 2 * 2, (WIDTH - fit_w) // 2 // 2 * 2
    canvas[top : top + fit_h, left : left + fit_w] = image
    return canvas


def _i420(image: np.ndarray) -> bytes:
    # PyAV's yuv420p array is the Y plane followed by the U and V planes: exactly a Y4M frame's payload.
    return av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p").to_ndarray().tobytes()


def write_y4m(clip: str | Path, out: str | Path, lead_in: float = 0.0, tail: float = 0.0,
              grain: float = 0.0) -> FakeCamera:
    """Write `clip` as a Y4M file at the clip's own frame rate, with `lead_in` and `tail` seconds held still.

    With `grain` (a standard deviation in grey levels), each still frame gets a camera sensor's noise of its own: a
    real camera never sends the same picture twice. Repeated bit for bit, a still picture is refined by the video
    coder to a sharpness no camera stream reaches, and loses it the moment the clip moves; on a real clip the pose
    model read one heel raised on the sharpened picture, and down again as the clip began (a false raise)."""
    out = Path(out)
    # A few noise fields, taken in turn: the coder compares each frame with the last ones only.
    fields = (np.random.default_rng(0).normal(0.0, grain, (GRAIN_FIELDS, HEIGHT, WIDTH, 3)).round().astype(np.int16)
              if grain else None)

    def held(image: np.ndarray, count: int) -> Iterator[bytes]:
        """`count` frames of `image` held still."""
        if not grain:
            payload = _i420(image)
            yield from (payload for _ in range(count))
            return
        for i in range(count):
            grainy = image + fields[i % GRAIN_FIELDS] * (image > 0)  # the black bars stay black
            yield _i420(np.clip(grainy, 0, 255).astype(np.uint8))

    with VideoFile(clip) as video:
        fps = Fraction(video.info.fps).limit_denominator(1001)
        lead_frames, tail_frames = round(lead_in * fps), round(tail * fps)
        clip_frames = 0
        with out.open("wb") as file:
            file.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps.numerator}:{fps.denominator} Ip A1:1 C420jpeg\n".encode())
            for frame in video:
                last = letterbox(frame.image)
                if clip_frames == 0:
                    for payload in held(last, lead_frames):
                        file.write(b"FRAME\n" + payload)
                file.write(b"FRAME\n" + _i420(last))
                clip_frames += 1
            if not clip_frames:
                raise ValueError(f"{clip}: no frames to play")
            for payload in held(last, tail_frames):
                file.write(b"FRAME\n" + payload)
    return FakeCamera(out, fps, lead_frames, clip_frames, tail_frames)


# The picture Chromium sends a peer on the same machine: its VP8 measured 40-42 dB against the camera's own frames on
# the frames the page's callback received (tests/e2e/live_replay.py), whatever bitrate the server asked for; libvpx
# gives that at about 300 kbps (43-44 dB at 800 kbps).
STREAMED_BITRATE = 300_000
STREAMED_MAX_FPS = 30  # the page's camera constraints


def streamed(clip: str | Path, bitrate: int = STREAMED_BITRATE) -> Iterator[tuple[float, np.ndarray]]:
    """`clip` as the live page receives it from the browser: letterboxed into 640x480, at most STREAMED_MAX_FPS,
    VP8-coded in real time at `bitrate` and decoded. Yields (the frame's time in the clip, RGB picture) pairs."""
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    encoder.bit_rate = bitrate
    encoder.time_base = Fraction(1, 1000)
    encoder.thread_count = 1  # the same bytes on every machine
    encoder.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    decoder = av.CodecContext.create("vp8", "r")
    times: dict[int, float] = {}

    def decoded(packets) -> Iterator[tuple[float, np.ndarray]]:
        for packet in packets:
            for frame in decoder.decode(packet):
                yield times.pop(frame.pts), frame.to_ndarray(format="rgb24")

    with VideoFile(clip) as video:
        step = max(1, round(video.info.fps / STREAMED_MAX_FPS))
        for index, frame in enumerate(video):
            if index % step:
                continue
            picture = av.VideoFrame.from_ndarray(letterbox(frame.image), format="rgb24").reformat(format="yuv420p")
            picture.pts = round(frame.t * 1000)
            times[picture.pts] = frame.t
            yield from decoded(encoder.encode(picture))
    yield from decoded(encoder.encode(None))
