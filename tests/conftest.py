import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TRACES = Path(__file__).resolve().parent / "traces"
REALVIDS = ROOT.parent / "shared" / "realvids"
SAMPLES = ROOT / "samples"


def real_clip(name: str) -> Path:
    """A real clip from ../shared/realvids; tests that need one skip where that folder is absent."""
    path = REALVIDS / name
    if not path.exists():
        pytest.skip(f"{path} is absent: real clips live in ../shared/realvids beside the project")
    return path


def real_labels() -> dict:
    path = REALVIDS / "labels.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text())["clips"]
