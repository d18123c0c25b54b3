"""Worker processes for the multi-process tests: start, release together, collect, check."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import redis as redis_sync

WORKER = Path(__file__).with_name("_worker.py")


def start(cfg: dict[str, Any]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), json.dumps(cfg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def release_together(url: str, ns: str, procs: Sequence[subprocess.Popen[str]]) -> None:
    """Wait until every worker is ready, then let them all go at once."""
    client = redis_sync.Redis.from_url(url, socket_timeout=None)
    try:
        deadline = time.monotonic() + 60
        ready = 0
        while ready < len(procs):
            if client.blpop([f"{ns}:ready"], timeout=1) is not None:
                ready += 1
                continue
            for proc in procs:
                if proc.poll() is not None:
                    _, stderr = proc.communicate()
                    raise AssertionError(f"a worker exited early:\n{stderr}")
            assert time.monotonic() < deadline, "the workers never got ready"
        client.rpush(f"{ns}:go", *([1] * len(procs)))
    finally:
        client.close()


def finish(procs: Sequence[subprocess.Popen[str]], timeout: float = 90) -> list[Any]:
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, stderr
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def max_in_window(spans: list[tuple[int, int]], period_us: int) -> int:
    """The most calls any window (t - period, t] ever counted: held, or stamped inside it.

    The count only rises at a grant, so checking every grant instant suffices.
    """
    worst = 0
    for t, _ in spans:
        worst = max(worst, sum(1 for g, r in spans if g <= t and r > t - period_us))
    return worst


def check_windows(spans: list[tuple[int, int]], windows: list[tuple[int, float]]) -> None:
    spans.sort()
    for limit, period in windows:
        worst = max_in_window(spans, round(period * 1e6))
        assert worst <= limit, f"{worst} calls in a {period} s window (limit {limit})"
