"""Reading video files frame by frame, with each frame's own timestamp and the file's rotation applied."""
from __future__ import annotations

import itertools
import os
import queue
import threading
from dataclasses import dataclass
from typing import Iterator

import av
import numpy as np

# Damaged frames the decoder patched over; a file with more than this many is reported as corrupt.
CORRUPT_FRAMES_TOLERATED = 2
# A file that yields less than this share of the frames its header promises has been cut short.
TRUNCATED_SHARE = 0.9

# Pose estimation runs on frames no larger than this on their longest side: the pose model works at
# 256 px, so a 1080p frame only costs decode time, and a fixed size keeps drawing and timing predictable.
WORKING_SIZE = 640


class VideoError(Exception):
    """A video file that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Frame:
    t: float  # seconds from the start of the clip
    image: np.ndarray  # H x W x 3, RGB, uint8


@dataclass(frozen=True)
class VideoInfo:
    path: str
    width: int  # after rotation and resizing to the working size
    height: int
    fps: float
    frame_count: int  # from the container; an estimate when the container does not say
    duration: float
    rotation: int  # degrees, as stored in the file


def _check_path(path: str) -> None:
    if not os.path.exists(path):
        raise VideoError(f"{path}: no such file")
    if os.path.isdir(path):
        raise VideoError(f"{path}: is a directory, not a video file")
    if os.path.getsize(path) == 0:
        raise VideoError(f"{path}: the file is empty")


def _working_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    # Even sizes keep H.264 encoders and YUV 4:2:0 conversions happy.
    return int(round(width * scale / 2)) * 2, int(round(height * scale / 2)) * 2


class VideoFile:
    """A video file opened for reading.

    >>> with VideoFile("clip.mp4") as video:
    ...     for frame in video:
    ...         print(frame.t, frame.image.shape)
    """

    def __init__(self, path: str | os.PathLike, max_side: int = WORKING_SIZE):
        self.path = os.fspath(path)
        _check_path(self.path)
        try:
            self._container = av.open(self.path)
        except (av.FFmpegError, UnicodeDecodeError, ValueError) as error:
            raise VideoError(f"{self.path}: not a readable video file ({_reason(error)})") from None
        if not self._container.streams.video:
            self._container.close()
            raise VideoError(f"{self.path}: not a video file (it has no video stream)")
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        ctx = self._stream.codec_context
        if not ctx.width or not ctx.height:
            self._container.close()
            raise VideoError(f"{self.path}: not a readable video file (its video stream has no picture size)")
        rate = self._stream.average_rate or self._stream.guessed_rate or 30
        fps = float(rate)
        duration = 0.0
        if self._stream.duration and self._stream.time_base:
            duration = float(self._stream.duration * self._stream.time_base)
        elif self._container.duration:
            duration = self._container.duration / av.time_base
        frame_count = self._stream.frames or int(round(duration * fps))
        self._decoder = self._decode()
        # The display rotation is only known from a decoded frame, and the first frame also proves the file decodes.
        self._first = next(self._decoder, None)
        if self._first is None:
            self._container.close()
            raise VideoError(f"{self.path}: no frame could be decoded (the file is corrupt or truncated)")
        rotation = int(round((self._first.rotation or 0) / 90.0)) * 90 % 360
        width, height = ctx.width, ctx.height
        if rotation % 180:
            width, height = height, width
        self._size = _working_size(width, height, max_side)
        self._rotation = rotation
        self.info = VideoInfo(self.path, self._size[0], self._size[1], fps, frame_count, duration, rotation)

    def _decode(self) -> Iterator[av.VideoFrame]:
        try:
            yield from self._container.decode(self._stream)
        except av.FFmpegError as error:
            raise VideoError(f"{self.path}: the video is corrupt or truncated ({_reason(error)})") from None

    def __iter__(self) -> Iterator[Frame]:
        if self._first is None:
            raise RuntimeError("a VideoFile can be read only once")
        start = self._stream.start_time or 0
        base = self._stream.time_base
        # Scale at the stored orientation, then turn: np.rot90 turns anticlockwise, as the stored angle asks.
        out_w, out_h = self._size if self._rotation % 180 == 0 else self._size[::-1]
        frames, self._first = itertools.chain([self._first], self._decoder), None
        corrupt = 0
        index = -1
        for index, frame in enumerate(frames):
            if frame.is_corrupt:
                corrupt += 1
                if corrupt > CORRUPT_FRAMES_TOLERATED:
                    raise VideoError(f"{self.path}: the video is corrupt (damaged frames from frame {index} on)")
            if frame.pts is not None and base is not None:
                t = float((frame.pts - start) * base)
            else:
                t = index / self.info.fps
            image = frame.to_ndarray(format="rgb24", width=out_w, height=out_h)
            if self._rotation:
                image = np.ascontiguousarray(np.rot90(image, k=self._rotation // 90))
            yield Frame(t, image)
        expected = self.info.frame_count
        if expected > 10 and index + 1 < TRUNCATED_SHARE * expected:
            raise VideoError(f"{self.path}: the video is truncated ({index + 1} of {expected} frames could be read)")

    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> "VideoFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _reason(error: Exception) -> str:
    text = getattr(error, "strerror", None) or str(error)
    return text.split(":")[-1].strip() or type(error).__name__


def read_ahead(frames: Iterator[Frame], size: int = 8) -> Iterator[Frame]:
    """Decode in a background thread while the caller works on earlier frames.

    Pose estimation and decoding both release the GIL, so on two cores this overlaps them. An error in the
    decoding thread is raised in the caller, at the frame where it happened.
    """
    buffer: queue.Queue = queue.Queue(maxsize=size)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for frame in frames:
                while not stop.is_set():
                    try:
                        buffer.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(done)
        except BaseException as error:  # handed to the consumer, which raises it
            buffer.put(error)

    thread = threading.Thread(target=produce, name="footform-decoder", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)
