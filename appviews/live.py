"""The camera stream on a page: the webrtc component, and the poll loop that shows the counts while it plays.

The frame callback runs in streamlit-webrtc's worker thread and only talks to a `LivePractice`; the script thread
reads `LivePractice.snapshot()` a few times a second and renders it. No `st.*` call happens in the callback.
"""
from __future__ import annotations

import time
from typing import Callable

import av
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from appviews.common import play
from routines.session import LivePractice, LiveSnapshot

POLL_SECONDS = 0.2  # the page's counter refreshes 5 times a second while the camera plays
STALLED_SECONDS = 3.0  # no frame for this long while playing: the camera has stopped
NO_PICTURE_SECONDS = 10.0  # playing this long without a first frame: the camera never delivered

CAMERA_HELP = (
    "Press START and allow the camera when the browser asks. No picture? The browser may have blocked the camera "
    "(allow it with the camera icon in the address bar, then press START again), another program may be using "
    "it, or this computer has none. Everything counted so far is kept in the History."
)

# The component's own words for camera failures (its buttons keep their default START / STOP).
CAMERA_MESSAGES = {
    "device_ask_permission": "Allow this page to use your camera",
    "device_access_denied": "Camera access was blocked: allow it with the camera icon in the address bar, "
                            "then press START again",
    "device_not_available": "No camera found: connect one or close the program using it, then press START again",
    "media_api_not_available": "This browser cannot use the camera here: open the app at http://127.0.0.1 or "
                               "http://localhost in a current browser",
}


def live_practice(key: tuple, make: Callable[[], LivePractice]) -> LivePractice:
    """The browser session's live state for `key` (an exercise or a routine run); a new key ends the old stream."""
    if st.session_state.get("live_practice_key") != key:
        end_stream()
        st.session_state["live_practice"] = make()
        st.session_state["live_practice_key"] = key
    return st.session_state["live_practice"]


def end_stream() -> None:
    """Close the open stream, if any (its history session is closed and kept)."""
    live = st.session_state.get("live_practice")
    if live is not None:
        live.end_stream()


def camera(live: LivePractice):
    """The webrtc component, fed through `live`. Returns its context."""

    def on_frame(frame: av.VideoFrame) -> av.VideoFrame:
        image = live.process(frame.to_ndarray(format="rgb24"), frame.time)
        return av.VideoFrame.from_ndarray(image, format="rgb24")

    # The browser's track ended (tab closed, camera gone): close the stream even if no script run sees it.
    # The number ties this callback to the stream of this run's worker, not to one opened after it.
    number = live.stream_number

    def on_ended() -> None:
        live.end_stream(number)

    ctx = webrtc_streamer(
        key="live",
        mode=WebRtcMode.SENDRECV,
        rtc_configuration={"iceServers": []},  # local only: never fetch STUN/TURN servers from the internet
        # At most 30 frames/s: the callback keeps up with 20-28 on two cores, and every frame the browser sends is
        # decoded and sent back encoded by the server whether it is counted or not. A 60 frames/s camera left
        # uncapped took enough of the server to bring the frames counted down from 22 a second to 17 (measured).
        media_stream_constraints={"video": {"frameRate": {"max": 30}}, "audio": False},
        video_frame_callback=on_frame,
        on_video_ended=on_ended,
        async_processing=True,
        translations=CAMERA_MESSAGES,
    )
    if ctx.state.playing or ctx.state.signalling:
        live.arm()
    elif live.streaming:
        # Stopped by the user, or reset by streamlit-webrtc right after connecting: close this stream and keep
        # its counts; the next START opens a new one.
        live.end_stream()
    return ctx


def watch(ctx, live: LivePractice, render: Callable[[LiveSnapshot, str], None], sound_slot,
          rerun_when: Callable[[], bool] = lambda: False) -> None:
    """While the camera plays, render the live state a few times a second and play ticks and spoken cues."""
    heard = st.session_state.setdefault("live_heard", {"ticks": 0, "speech": 0, "live": None})
    if heard["live"] is not live:
        heard.update(ticks=0, speech=0, live=live)
    started = time.monotonic()
    while ctx.state.playing:
        snap = live.snapshot()
        render(snap, camera_problem(snap, time.monotonic() - started))
        tick = snap.ticks > heard["ticks"]
        say = snap.speech[1] if snap.speech[0] > heard["speech"] else ""
        if tick or say:
            heard.update(ticks=snap.ticks, speech=snap.speech[0])
            play(sound_slot, snap.ticks * 1000 + snap.speech[0], tick=tick, say=say)
        if rerun_when():
            st.rerun()
        time.sleep(POLL_SECONDS)


def camera_problem(snap: LiveSnapshot, playing_for: float) -> str:
    """A clear message for a camera that never delivered or stopped delivering, or for a failure while counting."""
    if snap.error:
        return f"Counting stopped working on the live video ({snap.error}). The reps counted so far are saved."
    if snap.frames == 0 and playing_for > NO_PICTURE_SECONDS:
        return "No picture is arriving from the camera. " + CAMERA_HELP
    if snap.frames > 0 and snap.last_frame_age > STALLED_SECONDS:
        return "The camera stopped sending pictures. Your reps so far are saved: press STOP, then START to go on."
    return ""
