"""The browser tests' own reading of a stream that ended: a component reset is told apart from a dropped connection.

No browser here: the logs are those of a real run under load (the ankle-rock sample beside a CPU hog), in which
streamlit-webrtc reset the component 0.8 s after the connection came up and the browser gave the connection up 9 s
later, mid-set.
"""
from __future__ import annotations

from tests.e2e.harness import LivePage, LiveServer

CAPTURE_START = 1795672374.081  # the camera began playing its file
SERVER_LOG = ("""\
1795672374.203 MainThread streamlit_webrtc.webrtc DEBUG ICE connection state is checking
1795672374.789 MainThread streamlit_webrtc.webrtc DEBUG ICE connection state is completed
1795672374.916 ScriptRunner.scriptThread streamlit_webrtc.component DEBUG Context for key=live was not rendered """
              """for 1 script runs; resetting stale state.
1795672374.917 ScriptRunner.scriptThread streamlit_webrtc.webrtc DEBUG Stopping WebRTC worker
1795672375.917 ScriptRunner.scriptThread streamlit_webrtc.webrtc WARNING Timed out while closing the peer connection
1795672376.525 MainThread streamlit_webrtc.webrtc DEBUG ICE connection state is closed
""")
BROWSER_CONSOLE = [
    (1795672374.7525768, "debug", "connectionstatechange connecting"),
    (1795672374.8454287, "debug", "connectionstatechange connected"),
    (1795672384.2945237, "debug", "connectionstatechange disconnected"),
]


def _page(tmp_path, server_log: str) -> LivePage:
    server = LiveServer(db=tmp_path / "history.sqlite3", log=tmp_path / "server.log")  # never started
    server.log_path.write_text("")
    server.webrtc_log_path.write_text(server_log)
    page = object.__new__(LivePage)  # the parts of a page that explain_drop reads, without a browser
    page.server, page.console, page.capture_start = server, list(BROWSER_CONSOLE), CAPTURE_START
    return page


def test_a_component_reset_is_named_with_its_time_and_the_browsers_side(tmp_path):
    text = _page(tmp_path, SERVER_LOG).explain_drop(tail=False)
    assert "A COMPONENT RESET, not a counting failure" in text
    assert "at +0.8 s: Context for key=live was not rendered for 1 script runs; resetting stale state." in text
    assert "connecting at +0.7 s, connected at +0.8 s, disconnected at +10.2 s" in text


def test_a_connection_that_dropped_on_its_own_is_not_called_a_reset(tmp_path):
    log = "".join(line + "\n" for line in SERVER_LOG.splitlines() if "resetting" not in line)
    text = _page(tmp_path, log).explain_drop(tail=False)
    assert "COMPONENT RESET" not in text
    assert "No component reset on the server: the connection itself dropped" in text
    assert "checking at +0.1 s, completed at +0.7 s, closed at +2.4 s" in text
