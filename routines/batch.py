"""Many clips at once: a pool of worker processes, each with its own MediaPipe pose estimator.

MediaPipe's pose graph runs on one core at a time, so a batch of clips on a machine with several cores goes as many
times faster as there are workers. Each worker analyses one whole clip at a time (every exercise asked for over the
same poses, see `analyze_clip`) with an estimator of its own, built for that clip and closed after it, so a clip
gets the same counts in a batch as on its own. Results come back in the order the clips were given.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Sequence

from routines.analysis import Analysis, analyze_clip
from vision import pose
from vision.video import VideoError

# A worker reports its progress on a clip when it has moved on by this share of it.
PROGRESS_STEP = 0.01


@dataclass
class ClipResult:
    """One clip's analyses by exercise, or why the clip could not be read."""

    path: str
    analyses: dict[str, Analysis] | None = None
    error: str | None = None


# What a batch runs on each clip: `source(path, exercises, progress=callback) -> {exercise: Analysis}`, raising
# `VideoError` for a clip that cannot be read. `analyze_clip` reads the video; tests replay stored landmarks instead.
# In a pool it must be a module-level function, as it is sent to the workers by name.
Source = Callable[..., dict]


def default_jobs() -> int:
    """As many workers as this process may use cores."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def analyze_clips(
    paths: Sequence[str | os.PathLike],
    exercises: Sequence[str],
    jobs: int | None = None,
    progress: Callable[[float], None] | None = None,
    source: Source = analyze_clip,
) -> list[ClipResult]:
    """Analyse every clip for every exercise in `exercises`, in `jobs` worker processes (default: one per core).

    `progress` is called in this process with the share of the whole batch done (0..1); each clip weighs the same.
    A clip that cannot be read gives a `ClipResult` with its `error` and the batch goes on.
    """
    paths = [os.fspath(p) for p in paths]
    exercises = tuple(exercises)
    jobs = min(jobs or default_jobs(), len(paths))
    done = _BatchProgress(len(paths), progress) if progress is not None else None
    if jobs <= 1:
        results = []
        for index, path in enumerate(paths):
            report = (lambda share, i=index: done.update(i, share)) if done is not None else None
            results.append(_run_one(source, path, exercises, report))
            if done is not None:
                done.update(index, 1.0)
        return results
    context = multiprocessing.get_context("spawn")  # a clean process: the parent may hold threads or a MediaPipe graph
    updates = context.Queue() if done is not None else None
    # Largest files first (most often the longest clips), so that no worker is left with a long clip at the end
    # while the other waits.
    order = sorted(range(len(paths)), key=lambda i: -_size(paths[i]))
    listener = _listen(updates, done) if updates is not None else None
    try:
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                                 initargs=(updates, pose.SHOW_NATIVE_LOGS)) as pool:
            futures = {i: pool.submit(_work, source, i, paths[i], exercises) for i in order}
            try:
                results = [futures[i].result() for i in range(len(paths))]
            except BaseException:
                pool.shutdown(cancel_futures=True)  # a failure other than an unreadable clip ends the batch
                raise
    finally:
        if listener is not None:
            updates.put(None)
            listener.join()
    if done is not None:
        done.finish()
    return results


def _run_one(source: Source, path: str, exercises: tuple, progress) -> ClipResult:
    try:
        return ClipResult(path, analyses=source(path, exercises, progress=progress))
    except VideoError as error:
        return ClipResult(path, error=str(error))


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class _BatchProgress:
    """The share of a batch done, from the share of each clip done."""

    def __init__(self, clips: int, report: Callable[[float], None]):
        self._shares = [0.0] * clips
        self._report = report

    def update(self, index: int, share: float) -> None:
        self._shares[index] = share
        self._report(sum(self._shares) / len(self._shares))

    def finish(self) -> None:
        self._shares = [1.0] * len(self._shares)
        self._report(1.0)


def _listen(updates, done: _BatchProgress) -> threading.Thread:
    def run() -> None:
        while True:
            try:
                item = updates.get(timeout=0.5)
            except queue.Empty:
                continue
            if item is None:
                return
            done.update(*item)

    thread = threading.Thread(target=run, name="footform-progress", daemon=True)
    thread.start()
    return thread


# In a worker process: where to send progress, set once when the worker starts.
_updates = None


def _start_worker(updates, show_native_logs: bool) -> None:
    global _updates
    _updates = updates
    pose.SHOW_NATIVE_LOGS = show_native_logs
    # Ctrl-C reaches the workers too: they end at once, quietly, and the batch's own process says what happened.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _work(source: Source, index: int, path: str, exercises: tuple) -> ClipResult:
    report = None
    if _updates is not None:
        last = [-1.0]

        def report(share: float) -> None:
            if share - last[0] >= PROGRESS_STEP or share >= 1.0 > last[0]:
                last[0] = share
                _updates.put((index, share))

    return _run_one(source, path, exercises, report)
