"""The camera stream on a page: the webrtc component, and the poll loop that shows the counts while it plays.

The frame callback runs in streamlit-webrtc's worker thread and only talks to a `LivePractice`; the script thread
reads `LivePractice.snapshot()` a few times a second and renders it. No `st.*` call happens in the callback.
"""
from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Callable

import av
import cv2
import numpy as np
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from appviews.common import play
from appviews.live_practice import LivePractice, LiveSnapshot

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


# A rendered close-up clip whose first frame shows the camera placed well for the toe exercises.
CLOSEUP_EXAMPLE = Path(__file__).resolve().parents[1] / "samples" / "closeup" / "closeup_toe_fan_lift_A.mp4"


@functools.lru_cache(maxsize=1)
def closeup_example() -> np.ndarray | None:
    """The framing the toe exercises want, as an RGB picture: the example clip's first frame (None without it)."""
    if not CLOSEUP_EXAMPLE.is_file():
        return None
    capture = cv2.VideoCapture(str(CLOSEUP_EXAMPLE))
    try:
        ok, frame = capture.read()
    finally:
        capture.release()
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB) if ok else None


# streamlit-webrtc keeps the component's state under this key of st.session_state.
COMPONENT_KEY = "live"


def live_practice(key: tuple, make: Callable[[], LivePractice]) -> LivePractice:
    """The browser session's live state for `key` (an exercise or a routine run); a new key ends the old set."""
    if st.session_state.get("live_practice_key") != key:
        end_set()
        st.session_state["live_practice"] = make()
        st.session_state["live_practice_key"] = key
    return st.session_state["live_practice"]


def end_set() -> None:
    """The camera is not on the page: close the open stream and end its set, if any (the history keeps it)."""
    live = st.session_state.get("live_practice")
    if live is not None:
        live.end_set()


# Whether the camera component was on the page at the end of the last script run that ran to its end. A run that
# ends without it takes it off the page (its iframe goes, and the stream with it); a run cut short by a rerun
# leaves the page as it was. See `begin_run`, `end_run` and `_keep_component_state`.
ON_PAGE = "live_component_on_page"
RENDERED = "live_component_rendered"


def begin_run() -> None:
    """Called first thing in every script run."""
    st.session_state[RENDERED] = False


def end_run() -> None:
    """Called last thing in a script run that ran to its end (a rerun or an exception never gets here)."""
    st.session_state[ON_PAGE] = st.session_state.get(RENDERED, False)


def _keep_component_state() -> None:
    """Stop streamlit-webrtc from resetting a component that never left the page.

    streamlit-webrtc 0.79 resets the component ("Context for key=live was not rendered for 1 script runs; resetting
    stale state.": it stops the server's side of the stream) when Streamlit's count of finished script runs has
    moved on by more than one since the component last rendered, taking that for runs that did not show it. That
    count is moved by the server's event loop as it sends each run's "script finished" message, not by the run
    itself: on a busy machine a run can read it before the previous run's message has gone out and the next run
    after it, so the count jumps by two between two runs that both showed the component, and a live stream is cut
    right after it connected (seen in the browser tests under load: the server stopped the stream 0.8 s after it
    connected, the browser noticed 9 s later). This app knows whether the component left the page, so the check is
    left to streamlit-webrtc only when it did.
    """
    context = st.session_state.get(COMPONENT_KEY)
    if context is not None and st.session_state.get(ON_PAGE) and hasattr(context, "_last_rendered_run_count"):
        context._last_rendered_run_count = None  # streamlit-webrtc skips its check when it has no earlier run


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

    _keep_component_state()
    st.session_state[RENDERED] = True
    ctx = webrtc_streamer(
        key=COMPONENT_KEY,
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
        # STOP was pressed or the connection dropped: close this stream; its set stays open with its reps and the
        # next START carries on counting in it.
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
        return ("The video stopped arriving. The reps counted so far are kept: press STOP, then START to carry on "
                "with this set.")
    return ""


def stopped_note(snap: LiveSnapshot, ctx, what: str) -> str:
    """What the page says while a set is open and the camera is not streaming: STOP was pressed or the connection
    dropped (the page cannot tell which), and the next START carries on in the same set. `what` names what is kept,
    e.g. "This set (3 reps)"."""
    if not snap.set_open or snap.streaming or ctx.state.playing or ctx.state.signalling:
        return ""
    return (f"The video stopped (STOP was pressed or the connection dropped). {what} is kept: press START to carry "
            "on counting in it.")
