"""Test-only start-up hooks for the Streamlit server that the browser tests launch (this folder goes on its PYTHONPATH).

The app code stays as it is; four switches, all off unless the harness sets them:

- FOOTFORM_E2E_PROBE=PATH: time every call of the live frame callback's work (`LivePractice.process`: pose, detector,
  drawing) and append one line per frame to PATH: wall-clock start (s), duration (ms), the set's rep count after
  the frame, the frame's own timestamp (s), the detector's phase after it (spaces as dashes, "ready" once the
  stance is taken). The benchmark reads frames per second, per-frame cost and the moment each rep was counted from
  it; a failing browser test says when the page became ready to count.
- FOOTFORM_E2E_RECORD=FOLDER: record what the live frame callback receives, to replay it offline
  (tests/e2e/live_replay.py): per frame one JSON line in FOLDER/frames.jsonl (wall-clock start, the frame's own
  timestamp, the stream time made of it, the stream's number, the picture's size, the processing time, the count
  and phase after the frame, and the timestamps of the frames streamlit-webrtc passed over while the callback was
  busy) and the picture as it arrived, before any drawing, appended to FOLDER/frames.npy (one `np.save` per frame).
- FOOTFORM_E2E_WEBRTC_LOG=PATH: write streamlit-webrtc's own log (debug level: script runs that reset the
  component, ICE connection states, workers started and stopped), aiortc's and aioice's (info level), and the run
  count streamlit-webrtc reads each time the component renders beside each "script finished" message the server
  sends (what moves that count) to PATH, one line each with the wall-clock time, apart from the server's log, which
  the tests search for errors; warnings and errors still go to the server's log too.
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
    from appviews.live_practice import LivePractice

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
        snap = live.snapshot()
        stamp = frame_time if frame_time is not None else "nan"
        out.write(f"{start:.4f} {took:.2f} {snap.count} {stamp} {snap.phase.replace(' ', '-')}\n")

    _after_each_frame(write)


def _record(folder: str) -> None:
    import json

    import numpy as np

    from appviews.live_practice import LivePractice

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


def _webrtc_log(path: str) -> None:
    import logging

    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(created).3f %(threadName)s %(name)s %(levelname)s %(message)s"))
    # Warnings and errors still reach the server's log (stderr), as they do without this hook.
    warnings = logging.StreamHandler()
    warnings.setLevel(logging.WARNING)
    for name, level in (("streamlit_webrtc", logging.DEBUG), ("aiortc", logging.INFO), ("aioice", logging.INFO)):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.addHandler(handler)
        logger.addHandler(warnings)
        logger.propagate = False
    script_runs = logging.getLogger("footform.e2e.runs")
    script_runs.setLevel(logging.DEBUG)
    script_runs.addHandler(handler)
    script_runs.propagate = False

    # The run count streamlit-webrtc judges a component's staleness by, as it reads it when the component renders,
    # and as the server's event loop moves it (once per successful run's "script finished" message it sends).
    from appviews.live_practice import LivePractice

    make = LivePractice.__init__

    def made(self, *args, **kwargs):
        import streamlit_webrtc.component as component
        from streamlit.runtime.runtime import Runtime

        if not getattr(component._get_or_create_context, "footform_logged", False):
            context_for = component._get_or_create_context

            def logged_context(key):
                info = component.get_this_session_info()
                old = st_state_context(key)
                script_runs.debug("render key=%s run_count=%s last_rendered=%s", key,
                                  info.script_run_count if info else None,
                                  old._last_rendered_run_count if old is not None else None)
                return context_for(key)

            def st_state_context(key):
                import streamlit as st

                return st.session_state[key] if key in st.session_state else None

            logged_context.footform_logged = True
            component._get_or_create_context = logged_context

            send = Runtime._send_message

            def logged_send(runtime, session_info, msg):
                if msg.WhichOneof("type") == "script_finished":
                    script_runs.debug("script_finished status=%s sent; run_count was %s", msg.script_finished,
                                      session_info.script_run_count)
                return send(runtime, session_info, msg)

            Runtime._send_message = logged_send

            from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

            finished = ScriptRunner._on_script_finished

            def logged_finished(runner, ctx, event, premature_stop):
                script_runs.debug("script thread: run finished %s", getattr(event, "name", event))
                return finished(runner, ctx, event, premature_stop)

            ScriptRunner._on_script_finished = logged_finished
        make(self, *args, **kwargs)

    LivePractice.__init__ = made


if os.environ.get("FOOTFORM_E2E_WEBRTC_LOG"):
    _webrtc_log(os.environ["FOOTFORM_E2E_WEBRTC_LOG"])
if os.environ.get("FOOTFORM_E2E_PROBE"):
    _probe(os.environ["FOOTFORM_E2E_PROBE"])
if os.environ.get("FOOTFORM_E2E_RECORD"):
    _record(os.environ["FOOTFORM_E2E_RECORD"])
if os.environ.get("FOOTFORM_E2E_LOOPBACK") == "1":
    _loopback()
