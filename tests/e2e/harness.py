"""Driving the live page in a real Chromium: the Streamlit server, the browser with a fake camera, and the page.

Shared by the browser tests, the live benchmark and the soak run.

>>> with LiveServer(db=tmp / "history.sqlite3", log=tmp / "server.log") as server, sync_playwright() as p:
...     browser = launch_chromium(p, camera.path)
...     live = LivePage(browser, server, "heel-raise")
...     live.start()
...     live.wait_until(live.capture_start + camera.clip_end + SETTLE_SECONDS)
...     live.counter()
"""
from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.e2e.y4m import FakeCamera, write_y4m

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SERVERSIDE = Path(__file__).resolve().parent / "serverside"
CHROMIUM = Path("/usr/bin/chromium")

# After the clip's last frame has been captured, the count may still move for this long: the WebRTC path, the pose
# model's smoothing, the detector's hysteresis and the page's poll. Measured delays are well under half of it.
SETTLE_SECONDS = 3.0
# Still frames before the clip: frames captured before the WebRTC connection is up never reach the server, the
# stream's first half second is not counted (the pose models load meanwhile: 1-2 s on a busy machine), and the
# detector calibrates on a still stance, so the person stands still a moment before the set.
LEAD_IN_SECONDS = 3.0
# Still frames after the clip (the person stands still after the set), long enough that the counter is read
# before Chromium loops the file back to the start.
TAIL_SECONDS = 12.0
# The first stream also loads the pose model; a frame arrives well within this on a 2-core machine.
FIRST_FRAME_SECONDS = 25.0
START_ATTEMPTS = 3
# A pixel of the returned video that differs from the camera's by more than this (0-255, in any channel) was drawn
# on by the server rather than changed by video coding.
DRAWN_LEVEL = 60

# While a clip plays, the page is looked at this often for a stream that ended (START showing again) or a video that
# froze (no new frame for STALL_SECONDS).
WATCH_SECONDS = 0.5
STALL_SECONDS = 3.0

COUNTER = re.compile(r"^Reps counted: (\d+)$")
# Streamlit 1.60 answers GET /favicon.png with a 500 and logs this traceback from its static file handler
# (see /work/shared/notes/browser-test.md): noise, not a failure of the page.
HARMLESS_LOG = re.compile(r"staticfiles\.py.*Expected ASGI message 'http\.response\.start', "
                          r"but got 'http\.response\.body'",
                          re.S)
FAILURE_LOG = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|Exception|Error:")

# Runs in every frame before the page's own scripts. In the component's frame it notes when the camera started
# (Chromium starts playing the Y4M file then); in the top page it notes each time the counter text changes.
PAGE_HOOKS = """
(() => {
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    window.__ffCaptureStarts = [];
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      window.__ffCaptureStarts.push(Date.now());
      return stream;
    };
  }
  if (window.top !== window) return;
  window.__ffCounter = [];
  const read = () => {
    const hit = document.evaluate("//*[starts-with(normalize-space(text()), 'Reps counted:')]", document, null,
                                  XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
    const match = hit && hit.textContent.trim().match(/^Reps counted: (\\d+)$/);
    if (!match) return;
    const value = Number(match[1]), log = window.__ffCounter;
    if (!log.length || log[log.length - 1][1] !== value) log.push([Date.now() / 1000, value]);
  };
  new MutationObserver(read).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""


def missing_chromium() -> str:
    """Why the browser tests cannot run here, or "" when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium package (`apt-get install -y chromium`)"
    return ""


@dataclass(frozen=True)
class Sample:
    video: Path
    truth: dict  # the clip's ground truth, samples/<stem>.json

    @property
    def stem(self) -> str:
        return self.video.stem

    def count(self, exercise: str) -> int:
        return int(self.truth["counts"][exercise])

    def rep_ends(self, exercise: str) -> list[float]:
        """Seconds into the clip at which each rep of `exercise` ends, where the ground truth gives them."""
        return sorted(float(r["end"]) for r in self.truth.get("reps", []) if r.get("exercise", exercise) == exercise)


def samples() -> list[Sample]:
    found = []
    for video in sorted(SAMPLES.glob("*.mp4")):
        truth = video.with_suffix(".json")
        if truth.exists():
            found.append(Sample(video, json.loads(truth.read_text())))
    return found


def pick_sample(kinds: tuple[str, ...], prefer: tuple[str, ...] = ()) -> Sample | None:
    """A sample whose ground-truth exercise is one of `kinds`: the first stem of `prefer` present, else the first
    640x480 one (the camera's own size, nothing to letterbox), else any."""
    fitting = [s for s in samples() if s.truth.get("exercise") in kinds]
    by_stem = {s.stem: s for s in fitting}
    for stem in prefer:
        if stem in by_stem:
            return by_stem[stem]
    native = [s for s in fitting if (s.truth.get("width"), s.truth.get("height")) == (640, 480)]
    return (native or fitting or [None])[0]


# The clips the tests and the benchmark play, first choice first: native 640x480 clips (what a laptop camera sends),
# in the view each exercise's setup text asks for.
HEEL_RAISE_STEMS = ("heel_raise_side_B", "heel_raise_oblique_C_slow")
ANKLE_ROCK_STEMS = ("ankle_rock_front_B_brisk", "ankle_rock_front_A_slow")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loopback_only() -> bool:
    """True when aiortc would find no address but loopback to offer the browser."""
    import aioice.ice

    return not aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)


class LiveServer:
    """`streamlit run app.py` in its own process group, with its own history file and log."""

    def __init__(self, db: Path, log: Path, probe: Path | None = None, record: Path | None = None):
        """`probe` and `record` switch on the server's test-only hooks (tests/e2e/serverside/sitecustomize.py)."""
        self.db, self.log_path, self.probe, self.record = Path(db), Path(log), probe, record
        # streamlit-webrtc's own debug log beside the server's: resets, ICE states, workers started and stopped.
        self.webrtc_log_path = self.log_path.with_name(self.log_path.stem + "-webrtc.log")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> "LiveServer":
        env = dict(os.environ, FOOTFORM_DB=str(self.db), PYTHONPATH=os.pathsep.join(
            p for p in (str(SERVERSIDE), str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
        if self.probe is not None:
            env["FOOTFORM_E2E_PROBE"] = str(self.probe)
        if self.record is not None:
            env["FOOTFORM_E2E_RECORD"] = str(self.record)
        env["FOOTFORM_E2E_WEBRTC_LOG"] = str(self.webrtc_log_path)
        if loopback_only():
            env["FOOTFORM_E2E_LOOPBACK"] = "1"
        command = [
            sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
            "--server.address", "127.0.0.1", "--server.port", str(self.port),
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ]
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        try:
            self._wait_healthy()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the Streamlit server exited ({self._process.returncode}):\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the Streamlit server was not healthy within {timeout:.0f} s:\n{self.log()[-3000:]}")

    def __exit__(self, *exc) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        self._log.close()

    def pause(self) -> None:
        """Stop the server's processes where they are (SIGSTOP), as a machine too busy to run them would."""
        os.killpg(self._process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.killpg(self._process.pid, signal.SIGCONT)

    def url(self, query: str) -> str:
        return f"{self.base}/?{query}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def errors(self) -> list[str]:
        """Failures in the log: each traceback (with the line before it, which says where it came from) and each
        error line, the known harmless ones left out."""
        reports, block, previous = [], None, ""
        for line in self.log().splitlines():
            if block is not None:
                block.append(line)
                if line[:1].strip():  # the unindented exception line ends a traceback
                    reports.append("\n".join(block))
                    block = None
            elif line.startswith("Traceback"):
                if reports and reports[-1] == previous:
                    reports.pop()
                block = [previous, line]
            elif FAILURE_LOG.search(line):
                reports.append(line)
            previous = line
        if block is not None:
            reports.append("\n".join(block))
        return [report for report in reports if not HARMLESS_LOG.search(report)]

    def frames(self) -> list[tuple[float, float, int, float, str]]:
        """(wall-clock start, ms, the set's count after it, the frame's own timestamp, the page's phase after it) per
        frame the callback processed, with `probe` on."""
        if self.probe is None or not Path(self.probe).exists():
            return []
        rows = []
        for line in Path(self.probe).read_text().splitlines():
            start, took, count, frame_time, phase = line.split()
            rows.append((float(start), float(took), int(count), float(frame_time), phase.replace("-", " ")))
        return rows

    def stream_log(self) -> list[tuple[float, str]]:
        """(wall clock, message) of what streamlit-webrtc logged about the stream's life: component resets, ICE
        connection states, workers stopped, errors in its threads (tests/e2e/serverside/sitecustomize.py)."""
        if not self.webrtc_log_path.exists():
            return []
        notable = re.compile(r"resetting stale state|ICE connection state is|Stopping WebRTC worker|Error occurred|"
                             r"taking too long|Timed out|Create a new worker")
        events = []
        for line in self.webrtc_log_path.read_text(errors="replace").splitlines():
            created, _, rest = line.partition(" ")
            message = rest.split(" ", 3)[-1]  # after the thread, the logger and the level
            try:
                when = float(created)
            except ValueError:
                continue  # a traceback's lines
            if notable.search(message):
                events.append((when, message))
        return events

    def pids(self) -> list[int]:
        """The server's process group."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == self._process.pid:
                    found.append(int(stat.parent.name))
            except (OSError, IndexError, ValueError):
                continue  # the process ended while being read
        return found

    def rss_mb(self) -> float:
        """Resident memory of the server's process group, in MB."""
        total_kb = 0
        for pid in self.pids():
            try:
                total_kb += int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))
            except (OSError, AttributeError):
                continue
        return total_kb / 1024

    def cpu_seconds(self) -> float:
        """CPU time the server's process group has used so far."""
        ticks = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime + stime
            except (OSError, IndexError):
                continue
        return ticks / os.sysconf("SC_CLK_TCK")


class CpuHog:
    """A busy loop in a process of its own, pinned to one core where `taskset` exists (else left to the scheduler):
    the other work a user's laptop or a CI machine is rarely without. Stopped by its own process id on exit.

    >>> with CpuHog() as hog:
    ...     run_the_browser_tests()
    >>> hog.where  # "pinned to core 0", or "one process, not pinned (no taskset)"
    """

    CORE = 0

    def __init__(self):
        self._process: subprocess.Popen | None = None
        self.where = ""

    def __enter__(self) -> "CpuHog":
        loop = [sys.executable, "-c", "while True: pass"]
        taskset = shutil.which("taskset")
        if taskset:
            loop = [taskset, "-c", str(self.CORE)] + loop
            self.where = f"pinned to core {self.CORE}"
        else:
            self.where = "one process, not pinned (no taskset)"
        self._process = subprocess.Popen(loop, stdin=subprocess.DEVNULL)
        return self

    def __exit__(self, *exc) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    @property
    def cpu_seconds(self) -> float:
        """CPU time the hog has had so far."""
        fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def launch_chromium(playwright, camera: Path):
    """Debian's Chromium, headless, with the Y4M file as its only camera."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}",
            "--allow-loopback-in-peer-connection",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            # A page in a headless browser has no user gesture for its tick sounds; let them play as a user's would.
            "--autoplay-policy=no-user-gesture-required",
        ],
    )


class StartFailed(AssertionError):
    pass


class StreamDropped(AssertionError):
    """The live stream ended on its own before the set did; the message says why (LivePage.explain_drop)."""


class LivePage:
    """The free-practice page for one exercise in its own browser tab (or the page at `query`)."""

    def __init__(self, browser, server: LiveServer, exercise: str, query: str | None = None):
        self.server = server
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.add_init_script(PAGE_HOOKS)
        self.page_errors: list[str] = []  # uncaught script errors and failed requests
        self.page.on("pageerror", lambda error: self.page_errors.append(f"script error: {error}"))
        self.page.on("response", self._check_response)
        self.console: list[tuple[float, str, str]] = []  # (wall clock, type, text) of every frame's console messages
        self.page.on("console", lambda message: self.console.append((time.time(), message.type, message.text)))
        self.component = self.page.frame_locator('iframe[title*="webrtc"]').first
        self.attempts = 0  # START clicks it took to get frames flowing
        self.retries: list[str] = []  # why each START click before the last one got no frames
        self.capture_start = 0.0  # wall-clock time (s) at which the camera that streams began capturing
        self.video_at_start: dict = {}  # the returned video when its first frame showed
        self.page.goto(server.url(query or f"page=practice&mode=free&exercise={exercise}"))

    def _check_response(self, response) -> None:
        # Streamlit 1.60 fails GET /favicon.png with a 500 (see HARMLESS_LOG); any other failure counts.
        if response.status >= 500 and not response.url.endswith("/favicon.png"):
            self.page_errors.append(f"HTTP {response.status} for {response.url}")

    def button(self, name: str):
        # Not exact: the button's own text is "Start"/"Stop", shown in capitals by its style.
        return self.component.get_by_role("button", name=name)

    def start(self) -> None:
        """Press START until frames come back from the server: streamlit-webrtc 0.79 sometimes resets the component
        right after connecting (the button shows START again and no frame arrives), so retry a bounded number of
        times."""
        self.button("START").wait_for(timeout=60_000)
        problems = []
        for attempt in range(1, START_ATTEMPTS + 1):
            self.attempts = attempt
            self.capture_start = time.time()  # until the camera says when it started
            self.button("START").click()
            problem = self._wait_first_frame()
            if not problem:
                self.capture_start = self.component.locator("body").evaluate("() => window.__ffCaptureStarts.at(-1)")
                self.capture_start /= 1000
                return
            problems.append(f"attempt {attempt}: {problem}: {self.explain_drop(tail=False)}")
            self.retries.append(problems[-1])
            if self.button("STOP").is_visible():
                self.button("STOP").click()
            self.button("START").wait_for(timeout=30_000)
        raise StartFailed("the live video never started:\n" + "\n".join(problems)
                          + "\nserver log tail:\n" + self.server.log()[-3000:])

    def _wait_first_frame(self) -> str:
        deadline = time.monotonic() + FIRST_FRAME_SECONDS
        left_start = False
        while time.monotonic() < deadline:
            self.video_at_start = self.video_state()
            if self.video_at_start["frames"] > 0:
                return ""
            start_shown = self.button("START").is_visible()
            if left_start and start_shown:
                return "the component reset (START showed again)"
            left_start = left_start or not start_shown
            self.page.wait_for_timeout(200)
        return f"no frame within {FIRST_FRAME_SECONDS:.0f} s"

    def video_state(self) -> dict:
        """The component's returned video: size, play position, paused, frames decoded so far, and when (wall clock)."""
        # One script in the frame: the video element comes and goes with START and STOP, so looking it up and reading
        # it in two steps could race.
        return self.component.locator("body").evaluate(
            """() => { const v = document.querySelector('video'), at = Date.now() / 1000;
                       if (!v) return {width: 0, time: 0, paused: true, frames: 0, at};
                       return {width: v.videoWidth, time: v.currentTime, paused: v.paused,
                               frames: v.getVideoPlaybackQuality().totalVideoFrames, at}; }"""
        )

    def video_picture(self) -> np.ndarray:
        """The picture the returned video shows now (RGB), as the page draws it."""
        from PIL import Image

        data_url = self.component.locator("video").first.evaluate(
            """v => { const canvas = document.createElement('canvas');
                      canvas.width = v.videoWidth; canvas.height = v.videoHeight;
                      canvas.getContext('2d').drawImage(v, 0, 0);
                      return canvas.toDataURL('image/png'); }"""
        )
        png = base64.b64decode(data_url.split(",", 1)[1])
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

    def counter(self) -> int:
        """The number the page shows as "Reps counted: N" (the one such element)."""
        texts = self.page.get_by_text(COUNTER).all_inner_texts()
        values = {int(COUNTER.match(t.strip()).group(1)) for t in texts}
        if len(values) != 1:
            raise AssertionError(f"expected one 'Reps counted: N' on the page, found {texts!r}")
        return values.pop()

    def counter_changes(self) -> list[tuple[float, int]]:
        """(wall-clock time, value) each time the page's counter text changed."""
        return [tuple(change) for change in self.page.evaluate("() => window.__ffCounter")]

    def warnings(self) -> list[str]:
        """The page's warning and error boxes (a camera problem, counting that stopped working)."""
        return self.page.locator('[data-testid="stAlertContentWarning"], [data-testid="stAlertContentError"],'
                                 ' [data-testid="stException"]').all_inner_texts()

    def wait_until(self, wall_time: float) -> None:
        delay = wall_time - time.time()
        if delay > 0:
            self.page.wait_for_timeout(delay * 1000)

    def watch_until(self, wall_time: float) -> tuple[str, list[str]]:
        """Wait until `wall_time`, looking at the stream every WATCH_SECONDS. Returns (why the stream ended, or "" if
        it did not; the times the returned video froze for STALL_SECONDS or more), both as readable text."""
        stalls, frames, since = [], -1, time.time()
        while time.time() < wall_time:
            self.page.wait_for_timeout(min(WATCH_SECONDS, max(0.0, wall_time - time.time())) * 1000)
            state = self.video_state()
            if state["frames"] == 0 or self.button("START").is_visible():
                return "the live stream ended before the set did (START showed again). " + self.explain_drop(), stalls
            if state["frames"] != frames:
                if state["at"] - since >= STALL_SECONDS and frames >= 0:
                    stalls.append(f"the returned video froze for {state['at'] - since:.1f} s until "
                                  f"{state['at'] - self.capture_start:.1f} s into the camera file")
                frames, since = state["frames"], state["at"]
        return "", stalls

    def connection_states(self) -> list[tuple[float, str]]:
        """(wall clock, state) each time the browser's peer connection changed state (the component logs it)."""
        return [(t, text.split()[-1]) for t, _, text in self.console if text.startswith("connectionstatechange")]

    def explain_drop(self, tail: bool = True) -> str:
        """Why the stream ended before the set did, from the browser's and the server's logs: a component reset by
        streamlit-webrtc on the server, or the connection itself failing."""
        def at(t: float) -> str:
            return f"{t - self.capture_start:+.1f} s"

        browser = [f"{state} at {at(t)}" for t, state in self.connection_states()]
        server = [(t, message) for t, message in self.server.stream_log() if t >= self.capture_start - 30]
        resets = [f"at {at(t)}: {message}" for t, message in server if "resetting stale state" in message]
        errors = [f"at {at(t)}: {message}" for t, message in server if "Error occurred" in message
                  or "taking too long" in message]
        text = (f"Times are seconds from the camera's start. Browser connection: "
                f"{', '.join(browser) or 'no state logged'}. ")
        if resets:
            text += ("A COMPONENT RESET, not a counting failure: streamlit-webrtc reset the component on the server "
                     + "; ".join(resets) + ". ")
        elif errors:
            text += "The server's stream failed: " + "; ".join(errors) + ". "
        else:
            text += ("No component reset on the server: the connection itself dropped. Server's ICE states: "
                     + (", ".join(f"{m.split()[-1]} at {at(t)}" for t, m in server if "ICE connection state" in m)
                        or "none logged") + ". ")
        return text + (f"Server log tail:\n{self.server.log()[-1500:]}" if tail else "")

    def stop(self) -> None:
        self.button("STOP").click()
        self.button("START").wait_for(timeout=30_000)


# In the top page: each time the routine step's counter ("2 / 4", "0 / 8 right foot") changes, with the step's title.
STEP_HOOK = """
(() => {
  if (window.top !== window) return;
  window.__ffStepCounter = [];
  const read = () => {
    const counter = document.querySelector('.ff-step-count'), title = document.querySelector('h3');
    if (!counter) return;
    const entry = [Date.now() / 1000, (title ? title.textContent : '').trim(), counter.textContent.trim()];
    const log = window.__ffStepCounter, last = log[log.length - 1];
    if (!last || last[1] !== entry[1] || last[2] !== entry[2]) log.push(entry);
  };
  new MutationObserver(read).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""


class RoutinePage(LivePage):
    """The routine page, started with the camera close to the feet for the toe steps (or not): the first step's
    camera is on the page, ready for `start()`."""

    def __init__(self, browser, server: LiveServer, closeup_view: bool = True):
        super().__init__(browser, server, "", query="page=practice&mode=routine")
        self.page.add_init_script(STEP_HOOK)
        self.page.reload()  # the hook runs from the next page load on
        start = self.page.get_by_role("button", name="Start the routine")
        start.wait_for(timeout=60_000)
        if closeup_view:
            self.page.get_by_text("Camera close to my feet for the toe steps").click()
            self.page.get_by_role("checkbox", name="Camera close to my feet for the toe steps").wait_for(
                state="attached")
            self.page.wait_for_function(
                "() => document.querySelector('[data-testid=\"stCheckbox\"] input')?.checked === true")
        start.click()

    def step_counter_changes(self) -> list[tuple[float, str, str]]:
        """(wall-clock time, step title, counter text) each time the step's counter or the step changed."""
        return [tuple(change) for change in self.page.evaluate("() => window.__ffStepCounter")]

    def step_title(self) -> str:
        return self.page.locator("h3").first.inner_text().strip()


@dataclass
class ClipRun:
    """What a user would have seen after doing the set in a clip in front of the camera."""

    sample: Sample
    exercise: str
    camera: FakeCamera
    attempts: int  # START clicks it took
    retries: list[str]  # why each START click before the last got no frames
    capture_start: float  # wall-clock time the camera began playing the file
    counter: int  # "Reps counted: N" once the clip has played and the count has settled
    counter_changes: list[tuple[float, int]]
    video_start: dict  # the returned video's state at its first frame, at the reading, and a second later
    video_before: dict
    video_after: dict
    # Share of the returned picture that differs clearly (by more than DRAWN_LEVEL in a channel) from what the camera
    # showed at the time: the server's drawing (skeleton, count panel). Video coding alone changes none (measured).
    drawn_share: float
    warnings: list[str]
    page_errors: list[str]
    stalls: list[str]  # each time the returned video froze while the clip played
    server: str  # what the frame callback did (with the server's probe on): first frame, frames/s, cost
    sessions: list  # history sessions opened during the run (HistoryStore records), oldest first
    reps: dict  # session id -> its RepRecords


# The detectors' phases once the stance is taken (routines.detectors.stance, the heel raise's "up").
COUNTING_PHASES = ("ready", "up")


def callback_story(server: LiveServer, capture_start: float, camera: FakeCamera) -> str:
    """What the server's frame callback did with a clip, in words, from its probe (empty without one)."""
    frames = [f for f in server.frames() if f[0] >= capture_start]
    if not frames:
        return ""
    first = frames[0]
    during = [f for f in frames if capture_start + camera.clip_start <= f[0] <= capture_start + camera.clip_end]
    text = (f"the server's first frame came {first[0] - capture_start:.1f} s into the camera file and took "
            f"{first[1]:.0f} ms (the pose models loading)")
    # A clip that begins before the page can count (the connection and the models took its still lead-in) tests the
    # start-up, not the counting: say when the stance was first taken.
    ready = next((f[0] for f in frames if f[4] in COUNTING_PHASES), None)
    text += ("; it never took the stance" if ready is None else
             f"; it took the stance {ready - capture_start - camera.clip_start:+.1f} s from the clip's start")
    if len(during) > 1:
        costs = sorted(f[1] for f in during)
        text += (f"; while the clip played it processed {(len(during) - 1) / (during[-1][0] - during[0][0]):.1f} "
                 f"frames/s at {costs[len(costs) // 2]:.0f} ms a frame (median)")
        text += f", reaching it up to {backlog(during):.2f} s later than the promptest frame"
    return text


def backlog(frames: list[tuple[float, float, int, float, str]]) -> float:
    """How much later than the promptest of `frames` (probe rows of one stream) the latest of them reached the
    callback, after the camera took it: a backlog in the server's decoding and relaying grows it."""
    lags = [start - frame_time for start, _, _, frame_time, _ in frames]
    return max(lags) - min(lags) if lags else float("nan")


def play_clip(playwright, server: LiveServer, sample: Sample, exercise: str, workdir: Path,
              lead_in: float = LEAD_IN_SECONDS, tail: float = TAIL_SECONDS, grain: float = 0.0) -> ClipRun:
    """Open free practice for `exercise` in a fresh browser whose camera plays `sample` once (with a still lead-in
    and tail, in seconds, with a camera's `grain` on them: `write_y4m`), press START, and read the page when the clip
    has played; then STOP and read the history. The tail must outlast SETTLE_SECONDS and the second the video is
    watched, or the camera loops back first."""
    from routines.history import HistoryStore

    camera = write_y4m(sample.video, workdir / f"{sample.stem}.y4m", lead_in=lead_in, tail=tail, grain=grain)
    store = HistoryStore(server.db)
    known = {s.id for s in store.sessions()}
    browser = launch_chromium(playwright, camera.path)
    try:
        live = LivePage(browser, server, exercise)
        live.start()
        dropped, stalls = live.watch_until(live.capture_start + camera.clip_end + SETTLE_SECONDS)
        if dropped:
            raise StreamDropped(f"{sample.stem} as {exercise}: {dropped}")
        counter = live.counter()
        # The camera is in its still tail now, so the returned picture is its last frame plus the server's drawing.
        returned = live.video_picture().astype(int)
        drawn_share = float((np.abs(returned - camera.last_frame()).max(axis=2) > DRAWN_LEVEL).mean())
        before = live.video_state()
        live.page.wait_for_timeout(1000)
        after = live.video_state()
        warnings = live.warnings()
        changes = live.counter_changes()
        live.stop()
        # STOP closes the stream's history session on the script run it triggers: give that run a moment.
        deadline = time.monotonic() + 10
        while True:
            sessions = sorted((s for s in store.sessions() if s.id not in known), key=lambda s: s.id)
            if all(s.ended_at for s in sessions) or time.monotonic() > deadline:
                break
            live.page.wait_for_timeout(200)
        run = ClipRun(sample, exercise, camera, live.attempts, live.retries, live.capture_start, counter, changes,
                      live.video_at_start, before, after, drawn_share, warnings, list(live.page_errors), stalls,
                      callback_story(server, live.capture_start, camera), sessions,
                      {s.id: store.reps(s.id) for s in sessions})
    finally:
        browser.close()
        store.close()
        camera.path.unlink(missing_ok=True)  # a few hundred MB each
    return run
