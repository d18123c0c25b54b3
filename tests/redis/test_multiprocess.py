"""Separate processes sharing one budget through Redis: exactness, skew, crashes, end to end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

redis_sync = pytest.importorskip("redis")

from skilljar_async.ratelimit import SlidingLog, Window  # noqa: E402

from .conftest import free_port  # noqa: E402

pytestmark = pytest.mark.redis
WORKER = Path(__file__).with_name("_worker.py")
SCALED = [(30, 1.0), (100, 4.0)]


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


@pytest.fixture
def reaper() -> Iterator[list[subprocess.Popen[str]]]:
    """Kill whatever a failed test left running."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


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


def test_four_processes_never_exceed_and_finish_near_optimum(
    redis_url: str, ns: str, reaper: list[subprocess.Popen[str]]
) -> None:
    """4 processes x 100 zero-hold calls at 30/1 s + 100/4 s: exact, within 10% of optimal."""
    cfg = {"mode": "burst", "url": redis_url, "ns": ns, "key": "k", "windows": SCALED}
    reaper += [start({**cfg, "calls": 100}) for _ in range(4)]
    release_together(redis_url, ns, reaper)
    spans = [tuple(span) for out in finish(reaper) for span in out]
    assert len(spans) == 400
    check_windows(spans, SCALED)  # type: ignore[arg-type]
    grants = sorted(g for g, _ in spans)
    makespan = (grants[-1] - grants[0]) / 1e6
    best = SlidingLog([Window(limit, period) for limit, period in SCALED]).eta(0.0, 400)
    print(f"makespan {makespan:.3f} s, optimum {best:.3f} s")
    assert best <= makespan <= 1.10 * best, (makespan, best)


def test_clock_skew_cannot_over_grant(
    redis_url: str, ns: str, reaper: list[subprocess.Popen[str]]
) -> None:
    """Two processes whose clocks are 60 s apart (+30 s, -30 s) still share exactly."""
    windows = [(20, 0.25), (50, 1.0)]
    cfg = {"mode": "burst", "url": redis_url, "ns": ns, "key": "k", "windows": windows}
    reaper += [start({**cfg, "calls": 60, "skew": skew}) for skew in (30.0, -30.0)]
    release_together(redis_url, ns, reaper)
    spans = [tuple(span) for out in finish(reaper) for span in out]
    assert len(spans) == 120
    check_windows(spans, windows)  # type: ignore[arg-type]
    grants = sorted(g for g, _ in spans)
    best = SlidingLog([Window(limit, period) for limit, period in windows]).eta(0.0, 120)
    assert (grants[-1] - grants[0]) / 1e6 <= 1.10 * best


def test_killed_process_frees_its_slots_after_the_lease(
    redis_url: str, ns: str, reaper: list[subprocess.Popen[str]]
) -> None:
    """SIGKILLed while holding every slot: the others go on once the 1 s lease runs out.

    An expired lease counts as a stamp at its expiry, so the window frees one
    period after that: grant + lease + period.
    """
    windows = [(5, 0.5)]
    base = {"url": redis_url, "ns": ns, "key": "k", "windows": windows, "lease": 1.0}
    holder = start({**base, "mode": "hold", "calls": 5})
    reaper.append(holder)
    release_together(redis_url, ns, [holder])
    assert holder.stdout is not None
    held = json.loads(holder.stdout.readline())
    assert len(held) == 5
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    other = start({**base, "mode": "burst", "calls": 5})
    reaper.append(other)
    release_together(redis_url, ns, [other])
    (spans,) = finish([other])
    first = min(g for g, _ in spans)
    free_at = max(held) + 1_000_000 + 500_000
    assert free_at <= first <= free_at + 300_000, (first - max(held)) / 1e6


def test_two_clients_against_one_emulator_see_no_429(
    redis_url: str, ns: str, reaper: list[subprocess.Popen[str]]
) -> None:
    """Two SkilljarClients in two processes, one emulator, one Redis: 0 x 429 at saturation."""
    port = free_port()
    emulator = subprocess.Popen(
        [
            *(sys.executable, "-m", "skilljar_async.testing", "--port", str(port)),
            *("--limits", "30/1,100/4", "--key", "shared-key"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reaper.append(emulator)
    assert emulator.stdout is not None
    deadline = time.monotonic() + 30
    while "listening on" not in emulator.stdout.readline():
        assert emulator.poll() is None, emulator.communicate()[1]
        assert time.monotonic() < deadline, "the emulator did not start"
    cfg = {
        "mode": "client",
        "url": redis_url,
        "ns": ns,
        "key": "shared-key",
        "windows": SCALED,
        "calls": 150,
        "base_url": f"http://127.0.0.1:{port}/v1",
    }
    workers = [start(cfg) for _ in range(2)]
    reaper += workers
    release_together(redis_url, ns, workers)
    t0 = time.monotonic()
    results = finish(workers)
    elapsed = time.monotonic() - t0
    assert [r["ok"] for r in results] == [150, 150]
    assert [r["status_429"] for r in results] == [0, 0]
    best = SlidingLog([Window(limit, period) for limit, period in SCALED]).eta(0.0, 300)
    assert elapsed <= 1.25 * best + 1.0  # saturated: near the optimum for 300 calls
    emulator.send_signal(signal.SIGTERM)
    emulator.communicate(timeout=10)
