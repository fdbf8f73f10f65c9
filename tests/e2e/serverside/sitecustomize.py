"""Test-only start-up hooks for the Streamlit server that the browser tests launch (this folder goes on its PYTHONPATH).

The app code stays as it is; two switches, both off unless the harness sets them:

- FOOTFORM_E2E_PROBE=PATH: time every call of the live frame callback's work (`LivePractice.process`: pose, detector,
  drawing) and append one line per frame to PATH: wall-clock start (s), duration (ms), the stream's rep count after
  the frame. The benchmark reads frames per second, per-frame cost and the moment each rep was counted from it.
- FOOTFORM_E2E_LOOPBACK=1: on a machine whose only network is loopback, let aioice (aiortc's ICE) offer 127.0.0.1,
  which it otherwise drops, so the browser and the server can connect at all.
"""
import os
import threading
import time


def _probe(path: str) -> None:
    from routines.session import LivePractice

    process = LivePractice.process
    out = open(path, "a", buffering=1)
    lock = threading.Lock()

    def timed(self, image, frame_time):
        start = time.time()
        tic = time.perf_counter()
        result = process(self, image, frame_time)
        took = 1000 * (time.perf_counter() - tic)
        count = self.snapshot().count
        with lock:
            out.write(f"{start:.4f} {took:.2f} {count}\n")
        return result

    LivePractice.process = timed


def _loopback() -> None:
    import aioice.ice

    host_addresses = aioice.ice.get_host_addresses

    def with_loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        addresses = host_addresses(use_ipv4, use_ipv6)
        return addresses + ["127.0.0.1"] if use_ipv4 and "127.0.0.1" not in addresses else addresses

    aioice.ice.get_host_addresses = with_loopback


if os.environ.get("FOOTFORM_E2E_PROBE"):
    _probe(os.environ["FOOTFORM_E2E_PROBE"])
if os.environ.get("FOOTFORM_E2E_LOOPBACK") == "1":
    _loopback()
