"""Work done in each render process: build the body model once, then render the clips it is given."""
from __future__ import annotations

import functools
import time
from pathlib import Path

import anny

from .body import Body, BodySpec
from .clip import render_clip
from .closeup import render_closeup


def render_entry(args: tuple[dict, dict, str, bool]) -> tuple[str, float]:
    entry, body_spec, out_dir, encode = args
    started = time.time()
    body = Body(_model(), BodySpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in body_spec.items()}))
    # Close-up clips (the feet filmed from the floor) have a renderer of their own: a room, per-frame key points.
    render = render_closeup if entry["camera"]["view"] == "closeup" else render_clip
    render(entry, body, Path(out_dir), log=lambda m: print(m, flush=True), encode=encode)
    return entry["stem"], time.time() - started


@functools.lru_cache(maxsize=1)
def _model():
    """The body model, built once per worker process (the first build takes minutes and fills ANNY_CACHE_DIR)."""
    return anny.Anny()
