"""`make e2e-load` (not part of `make test`): the browser tests, 5 times over, each run beside a CPU hog.

The hog is a busy loop pinned to one core (tests/e2e/harness.py CpuHog), as when the tests share a 2-core machine
with other work. Each run is `pytest -m e2e tests/e2e` in a process of its own; a run passes when pytest does (a test
marked as a possible failure may fail or pass). Printed: each run's outcome with pytest's summary line and any
failure's first lines, then the pass count, e.g. "e2e under load: 5/5 runs passed". Exit status 0 only if all pass.

    python -m tests.e2e.load [--runs 5] [pytest arguments, e.g. -k heel_raise]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

from tests.e2e.harness import ROOT, CpuHog, missing_chromium

SUMMARY = re.compile(r"^=+ (.*(passed|failed|skipped|error).*) =+$")


def run_once(extra: list[str]) -> tuple[bool, str, list[str]]:
    """One pytest run of the browser tests: (passed, its summary line, the failure lines of its short summary)."""
    command = [sys.executable, "-m", "pytest", "-m", "e2e", "tests/e2e", "-ra", "-p", "no:cacheprovider", *extra]
    # A wide "terminal", so that pytest's short summary keeps each failure's message whole.
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, COLUMNS="1000"))
    lines = done.stdout.splitlines()
    summary = next((m.group(1) for m in map(SUMMARY.match, reversed(lines)) if m), f"exit status {done.returncode}")
    failures = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    return done.returncode == 0, summary, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args, extra = parser.parse_known_args()
    reason = missing_chromium()
    if reason:
        sys.exit(f"e2e-load skipped: {reason}")
    passed = 0
    for number in range(1, args.runs + 1):
        began = time.monotonic()
        with CpuHog() as hog:
            ok, summary, failures = run_once(extra)
            hogged = hog.cpu_seconds
        took = time.monotonic() - began
        passed += ok
        print(f"run {number}/{args.runs}: {'passed' if ok else 'FAILED'} ({summary}; {took:.0f} s, CPU hog "
              f"{hog.where} busy {hogged / took:.0%} of the time)", flush=True)
        for line in failures:
            print(f"    {line[:2000]}", flush=True)
    print(f"e2e under load: {passed}/{args.runs} runs passed")
    sys.exit(0 if passed == args.runs else 1)


if __name__ == "__main__":
    main()
