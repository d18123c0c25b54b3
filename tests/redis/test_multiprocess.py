"""Separate processes sharing one budget through Redis: exactness, skew, crashes, end to end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("redis")

from skilljar_async.ratelimit import SlidingLog, Window

from ._procs import check_windows, finish, release_together, start
from .conftest import free_port

pytestmark = pytest.mark.redis
SCALED = [(30, 1.0), (100, 4.0)]


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
