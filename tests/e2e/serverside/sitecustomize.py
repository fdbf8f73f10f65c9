"""Test-only start-up hooks for the Streamlit server that the browser tests launch (this folder goes on its PYTHONPATH).

The app code stays as it is; three switches, all off unless the harness sets them:

- FOOTFORM_E2E_PROBE=PATH: time every call of the live frame callback's work (`LivePractice.process`: pose, detector,
  drawing) and append one line per frame to PATH: wall-clock start (s), duration (ms), the stream's rep count after
  the frame. The benchmark reads frames per second, per-frame cost and the moment each rep was counted from it.
- FOOTFORM_E2E_RECORD=FOLDER: record what the live frame callback receives, to replay it offline
  (tests/e2e/live_replay.py): per frame one JSON line in FOLDER/frames.jsonl (wall-clock start, the frame's own
  timestamp, the stream time made of it, the stream's number, the picture's size, the processing time, the count
  and phase after the frame, and the timestamps of the frames streamlit-webrtc passed over while the callback was
  busy) and the picture as it arrived, before any drawing, appended to FOLDER/frames.npy (one `np.save` per frame).
- FOOTFORM_E2E_LOOPBACK=1: on a machine whose only network is loopback, let aioice (aiortc's ICE) offer 127.0.0.1,
  which it otherwise drops, so the browser and the server can connect at all.
"""
import os
import threading
import time


def _after_each_frame(report, keep_picture: bool = False) -> None:
    """Wrap `LivePractice.process` so that `report(live, picture, frame_time, start, ms)` runs after every frame:
    `start` is the wall-clock time the work began, `ms` how long it took, `picture` (with `keep_picture`) a copy of
    the frame as it arrived, since the callback draws on it in place."""
    from routines.session import LivePractice

    process = LivePractice.process
    lock = threading.Lock()

    def reported(self, image, frame_time):
        picture = image.copy() if keep_picture else None
        start = time.time()
        tic = time.perf_counter()
        result = process(self, image, frame_time)
        took = 1000 * (time.perf_counter() - tic)
        with lock:
            report(self, picture, frame_time, start, took)
        return result

    LivePractice.process = reported


def _probe(path: str) -> None:
    out = open(path, "a", buffering=1)

    def write(live, picture, frame_time, start, took):
        out.write(f"{start:.4f} {took:.2f} {live.snapshot().count}\n")

    _after_each_frame(write)


def _record(folder: str) -> None:
    import json

    import numpy as np

    from routines.session import LivePractice

    os.makedirs(folder, exist_ok=True)
    rows = open(os.path.join(folder, "frames.jsonl"), "a", buffering=1)
    pictures = open(os.path.join(folder, "frames.npy"), "ab")
    passed_over = threading.local()

    def write(live, picture, frame_time, start, took):
        snap = live.snapshot()
        np.save(pictures, picture)
        rows.write(json.dumps({
            "wall": start, "frame_time": frame_time, "t": live._clock._t if live._clock else None,
            "stream": live.stream_number, "width": picture.shape[1], "height": picture.shape[0],
            "ms": round(took, 2), "count": snap.count, "phase": snap.phase,
            "passed_over": getattr(passed_over, "times", []),
        }) + "\n")
        passed_over.times = []

    _after_each_frame(write, keep_picture=True)

    # With async processing streamlit-webrtc hands the callback only the newest of the frames that queued up while it
    # was busy. Its module is patched once the first LivePractice exists: importing it here, before Streamlit has
    # read its options, upsets the server.
    make = LivePractice.__init__

    def made(self, *args, **kwargs):
        from streamlit_webrtc.models import CallbackAttachableProcessor

        newest_only = CallbackAttachableProcessor.recv_queued
        if not getattr(newest_only, "footform_recording", False):
            async def noting_passed_over(processor, frames):
                passed_over.times = [frame.time for frame in frames[:-1]]
                return await newest_only(processor, frames)

            noting_passed_over.footform_recording = True
            CallbackAttachableProcessor.recv_queued = noting_passed_over
        make(self, *args, **kwargs)

    LivePractice.__init__ = made


def _loopback() -> None:
    import aioice.ice

    host_addresses = aioice.ice.get_host_addresses

    def with_loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        addresses = host_addresses(use_ipv4, use_ipv6)
        return addresses + ["127.0.0.1"] if use_ipv4 and "127.0.0.1" not in addresses else addresses

    aioice.ice.get_host_addresses = with_loopback


if os.environ.get("FOOTFORM_E2E_PROBE"):
    _probe(os.environ["FOOTFORM_E2E_PROBE"])
if os.environ.get("FOOTFORM_E2E_RECORD"):
    _record(os.environ["FOOTFORM_E2E_RECORD"])
if os.environ.get("FOOTFORM_E2E_LOOPBACK") == "1":
    _loopback()
