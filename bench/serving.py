"""Waiting for a `postguard serve` a benchmark started: one loop for every script in bench/.

Start to ready is part of what the benchmarks report, so they all measure it the same way:
from the moment the process was started until `GET /v1/health` answers.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request


def wait_until_ready(proc: subprocess.Popen, base: str, started: float, limit_s: float = 120.0,
                     what_failed: str = "the companion did not become ready") -> float:
    """Poll `base`/v1/health until it answers; seconds since `started`. Exits the benchmark
    (after killing the process) when it dies or is not ready within `limit_s`."""
    while True:
        try:
            urllib.request.urlopen(base + "/v1/health", timeout=2)
            return time.perf_counter() - started
        except OSError:
            if time.perf_counter() - started > limit_s or proc.poll() is not None:
                proc.kill()
                raise SystemExit(what_failed) from None
            time.sleep(0.05)
