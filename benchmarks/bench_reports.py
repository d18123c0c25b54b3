"""Progress report benchmark: reads against the exact count, memory, makespan against the minimum.

    .venv/bin/python benchmarks/bench_reports.py [--quick]

1. A full progress export of 10,000 learners (emulator process, limits off): reads
   used against user pages + learners (exact), and the client's tracemalloc peak.
2. K learners act (enrolled through the API, the newest one among them); the
   next run from the state file: reads against ceil(N / page) + K (exact).
3. The same full export at 100,000 learners: reads and tracemalloc peak (flat in N).
4. Makespan at scaled limits (emulator process, 10 ms latency), from an empty
   budget: against the exact minimum `SlidingLog.eta` allows (target <= 1.05).
5. Skilljar's real limits on virtual time (looptime, emulator in process):
   makespan against the minimum for 10,000 learners (about two hours of budget).

Every row is flattened to CSV cells and dropped, as an export to a file would.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import looptime

from skilljar_async import CallType, RateLimits, SkilljarClient
from skilljar_async.ratelimit import SlidingLog
from skilljar_async.reports import ProgressReport, csv_cells, progress
from skilljar_async.testing import SkilljarEmulator

DOMAIN = "learn.example.com"
PAGE = 1000
SCALED = "50/1,400/10"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_emulator(port: int, users: int, limits: str, latency: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "skilljar_async.testing", "--port", str(port),
               "--users", str(users), "--limits", limits, "--latency-ms", str(latency)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    for _ in range(1200):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.kill()
    raise SystemExit("emulator did not start")


class Emulator:
    """An emulator process for one section."""

    def __init__(self, users: int, limits: str = "off", latency_ms: int = 0) -> None:
        self.port = free_port()
        self.process = start_emulator(self.port, users, limits, latency_ms)
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def unlimited_client(base_url: str) -> SkilljarClient:
    """A client with no rate limits of its own (the emulator has none either)."""
    return SkilljarClient(
        "test-key", base_url=base_url, max_retries=0, rate_limits=RateLimits.unlimited()
    )


async def drain(report: ProgressReport) -> int:
    """Consume a report as a CSV export would; the number of rows."""
    rows = 0
    async for row in report:
        csv_cells(row)
        rows += 1
    return rows


async def run_export(client: SkilljarClient, *, state: Path | None, memory: bool) -> dict[str, Any]:
    """One report run: reads used, rows, wall seconds and (optionally) the tracemalloc peak."""
    before = client.stats.requests[CallType.READ]
    report = progress(client, page_size=PAGE, state=state, concurrency=16)
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    rows = await drain(report)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 1e6 if memory else float("nan")
    if memory:
        tracemalloc.stop()
    return {
        "reads": client.stats.requests[CallType.READ] - before,
        "rows": rows,
        "seconds": elapsed,
        "peak_mb": peak,
        "stats": report.stats,
    }


async def full_and_incremental(base_url: str, users: int, active: int, work: Path) -> list[Any]:
    """Sections 1 and 2: a full export with a state file, then an incremental run."""
    state = work / "progress.json"
    async with unlimited_client(base_url) as client:
        full = await run_export(client, state=state, memory=True)
        ids = [o.user.id async for o in client.users.list(page_size=PAGE)]
        pc = (await client.domains.published_courses.list(DOMAIN)).items[0].id
        step = max(1, len(ids) // active)
        chosen = sorted(set(ids[::step][: active - 1]) | {ids[-1]})
        enrollments = client.domains.published_courses.enrollments
        await asyncio.gather(*(enrollments.create(DOMAIN, pc, user_id=u) for u in chosen))
        incremental = await run_export(client, state=state, memory=False)
    return [full, incremental, len(chosen)]


async def memory_only(base_url: str) -> dict[str, Any]:
    async with unlimited_client(base_url) as client:
        return await run_export(client, state=None, memory=True)


async def makespan(base_url: str, limits: RateLimits, learners: int) -> dict[str, float]:
    """Section 4 and 5: one full export from an empty budget, timed on the loop's clock."""
    async with SkilljarClient(base_url=base_url, api_key="test-key", rate_limits=limits) as client:
        loop = asyncio.get_running_loop()
        start = loop.time()
        report = progress(client, page_size=PAGE, concurrency=16)
        await drain(report)
        elapsed = loop.time() - start
        reads = client.stats.requests[CallType.READ]
        throttled = client.stats.throttled
    expected = math.ceil(learners / PAGE) + learners
    minimum = SlidingLog(limits.for_call_type(CallType.READ)).eta(0.0, expected)
    return {
        "reads": reads,
        "expected": expected,
        "429s": throttled,
        "makespan": elapsed,
        "minimum": minimum,
        "ratio": elapsed / minimum,
    }


async def virtual_run(learners: int) -> dict[str, float]:
    limits = RateLimits.skilljar()
    async with SkilljarEmulator(users=learners, limits=limits, record_requests=False) as emu:
        return await makespan(emu.base_url, limits, learners)


def check(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    small, large = (2_000, 20_000) if quick else (10_000, 100_000)
    scaled_n = 600 if quick else 2_000
    virtual_n = 2_000 if quick else 10_000
    active = 100
    print(f"bench_reports.py: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")  # fmt: skip

    with Emulator(small) as emu, tempfile.TemporaryDirectory() as work:
        full, inc, k = asyncio.run(full_and_incremental(emu.base_url, small, active, Path(work)))
    pages = math.ceil(small / PAGE)
    print(f"1-2. Reads used against the exact count (page size {PAGE:,}, limits off)")
    print(f"  {'run':<26} {'learners':>9} {'reads':>8} {'expected':>9} {'rows':>8} {'s':>6}  exact")
    for name, run, want in (
        ("full export", full, pages + small),
        (f"incremental, K = {k}", inc, pages + k),
    ):
        exact = check(run["reads"] == want)
        print(f"  {name:<26} {run['stats'].learners_read:>9,} {run['reads']:>8,} {want:>9,} "
              f"{run['rows']:>8,} {run['seconds']:>6.1f}  {exact}")  # fmt: skip
    print()

    with Emulator(large) as emu:
        big = asyncio.run(memory_only(emu.base_url))
    print("3. Client memory during a full export (tracemalloc peak; rows flattened and dropped)")
    print(f"  {'learners':>9} {'reads':>8} {'expected':>9} {'rows':>8} {'peak MB':>8} {'s':>6}")
    for n, run in ((small, full), (large, big)):
        want = math.ceil(n / PAGE) + n
        print(f"  {n:>9,} {run['reads']:>8,} {want:>9,} {run['rows']:>8,} "
              f"{run['peak_mb']:>8.1f} {run['seconds']:>6.1f}")  # fmt: skip
    flat = big["peak_mb"] <= full["peak_mb"] * 1.5 + 1
    print(f"  target flat in N: {check(flat)}\n")

    limits = RateLimits.parse(SCALED)
    with Emulator(scaled_n, SCALED, latency_ms=10) as emu:
        scaled = asyncio.run(makespan(emu.base_url, limits, scaled_n))
    with asyncio.Runner(loop_factory=looptime.new_event_loop) as runner:
        virtual = runner.run(virtual_run(virtual_n))
    print("4-5. Makespan of a full export from an empty budget against the exact minimum")
    print(f"  {'limits (reads)':<32} {'learners':>9} {'reads':>7} {'429s':>5} "
          f"{'makespan s':>11} {'minimum s':>10} {'ratio':>6}")  # fmt: skip
    for name, n, run in (
        (f"{SCALED}, 10 ms, real time", scaled_n, scaled),
        ("600/60,5000/3600, virtual time", virtual_n, virtual),
    ):
        print(f"  {name:<32} {n:>9,} {run['reads']:>7,.0f} {run['429s']:>5.0f} "
              f"{run['makespan']:>11.2f} {run['minimum']:>10.2f} {run['ratio']:>6.3f}")  # fmt: skip
    ok = scaled["ratio"] <= 1.05 and virtual["ratio"] <= 1.05
    print(f"  target makespan <= 1.05 x minimum: {check(ok)}")


if __name__ == "__main__":
    main()
