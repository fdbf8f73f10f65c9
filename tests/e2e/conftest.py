"""Fixtures for the browser tests: one Streamlit server per test module, with its own history file, and Playwright.

Every test here is skipped, with the reason, where Debian's Chromium is missing (`.ci/run` installs it on CI).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.harness import LiveServer, missing_chromium


@pytest.fixture(scope="session")
def playwright():
    reason = missing_chromium()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, playwright):
    folder = tmp_path_factory.mktemp("live")
    # FOOTFORM_E2E_KEEP=FOLDER records every frame the callback receives there, to replay a failure offline.
    keep = os.environ.get("FOOTFORM_E2E_KEEP")
    record = Path(keep) / folder.name if keep else None
    # The probe times each frame of the callback: a failing test says how fast the server kept up.
    with LiveServer(db=folder / "history.sqlite3", log=folder / "server.log", probe=folder / "frames.txt",
                    record=record) as server:
        yield server


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("camera")
