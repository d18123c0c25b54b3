"""Bulk job benchmark: makespan against the exact minimum, CPU per item, memory over 1M rows.

    .venv/bin/python benchmarks/bench_bulk.py [--quick]

1. A 5,000-item enrollment (learners already in the domain: one write each)
   through `bulk.enroll` against an emulator process with scaled limits and
   10 ms of latency: makespan ÷ the exact minimum the limits allow (target
   <= 1.05) and client CPU per item.
2. 1,000,000 rows streamed from a CSV file through `BulkJob` with a journal,
   the item function doing no I/O: peak memory (tracemalloc) at 100k and 1M rows
   (target: flat, < 100 MB).
3. The event loop's worst stall while a 100,000-row job (CSV in, journal out,
   fsync once a second) runs through `bulk.run` with an item function doing no
   I/O: a heartbeat task sleeps 1 ms at a time and records how late it wakes,
   with the journal on a tmpfs (/dev/shm) and on the real disk (this checkout);
   also net of the time the loop's thread waited for a CPU (Linux schedstat), which
   keeps other processes on a shared machine out of the figure. Only part 3:
   ``--stall [--repeats N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from skilljar_async import CallType, RateLimits, SkilljarClient
from skilljar_async.bulk import (
    BulkJob,
    ItemStatus,
    Journal,
    Outcome,
    enroll,
    plan,
    read_rows,
    row_key,
    run,
)

DOMAIN = "learn.example.com"
LIMITS = "250/1,2500/10"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_emulator(port: int, users: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "skilljar_async.testing", "--port", str(port),
               "--users", str(users), "--limits", LIMITS, "--latency-ms", "10"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    for _ in range(300):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.kill()
    raise SystemExit("emulator did not start")


async def enroll_job(base_url: str, items: int) -> dict[str, float]:
    limits = RateLimits.parse(LIMITS)
    async with SkilljarClient("test-key", base_url=base_url, rate_limits=limits) as client:
        course = await client.courses.create(
            title="Bench", short_description="x", enforce_sequential_navigation=False
        )
        published = await client.domains.published_courses.create(DOMAIN, course_id=course.id)
        rows = [
            {"email": m.user.email or ""}
            async for m in client.domains.users.list(DOMAIN, page_size=1000)
        ][:items]
        await asyncio.sleep(10.5)  # let the set-up calls leave every window
        loop = asyncio.get_running_loop()
        cpu, start = time.process_time(), loop.time()
        summary = await enroll(
            client, rows, domain=DOMAIN, published_course_id=published.id, concurrency=32
        )
        makespan, cpu = loop.time() - start, time.process_time() - cpu
    minimum = plan(0, {}, limits, extra_calls=summary.calls).minimum_seconds
    return {
        "items": summary.succeeded,
        "writes": summary.calls[CallType.MODIFY],
        "429s": summary.throttled,
        "makespan_s": makespan,
        "minimum_s": minimum,
        "ratio": makespan / minimum,
        "cpu_us_per_item": cpu / max(1, summary.done) * 1e6,
    }


def write_rows(path: Path, n: int) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "first_name", "last_name"])
        for i in range(n):
            writer.writerow([f"learner.{i}@example.org", "Learner", f"Number {i}"])


async def stream_job(path: Path, journal: Path, checkpoints: list[int]) -> dict[int, float]:
    """Peak traced memory (MB) after each checkpoint's number of rows."""
    peaks: dict[int, float] = {}
    marks = iter(checkpoints)
    next_mark = next(marks)
    done = 0

    async def fn(row: dict[str, str]) -> Outcome:
        nonlocal done, next_mark
        done += 1
        if done == next_mark:
            peaks[done] = tracemalloc.get_traced_memory()[1] / 1e6
            next_mark = next(marks, -1)
        return Outcome(ItemStatus.SUCCEEDED, row["email"])

    log = Journal(journal, job={"op": "bench"})
    log.open({})
    async with SkilljarClient("unused", rate_limits=RateLimits.unlimited()) as client:
        job = BulkJob(client, concurrency=32, journal=log)
        tracemalloc.start()
        await job.run(read_rows(path), fn, key=row_key)
        tracemalloc.stop()
    log.close()
    return peaks


class RunQueueClock:
    """Seconds the calling thread has waited for a CPU (Linux schedstat; 0 elsewhere).

    Subtracting it from a heartbeat's lateness leaves the stall the loop caused itself
    (callbacks running, blocking calls) rather than other processes on a shared machine.
    """

    def __init__(self) -> None:
        try:
            self.fd: int | None = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        except OSError:
            self.fd = None

    def __call__(self) -> float:
        if self.fd is None:
            return 0.0
        return int(os.pread(self.fd, 100, 0).split()[1]) / 1e9

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)


async def stalled_job(source: Path, journal: Path) -> tuple[float, ...]:
    """Worst and 99th-percentile lateness (ms) of 1 ms heartbeats, raw and net of waiting
    for a CPU, and the job's seconds."""
    late: list[float] = []
    net: list[float] = []
    running = True
    waited = RunQueueClock()

    async def heartbeat() -> None:
        loop = asyncio.get_running_loop()
        while running:
            start, queued = loop.time(), waited()
            await asyncio.sleep(0.001)
            late.append(loop.time() - start - 0.001)
            net.append(late[-1] - (waited() - queued))

    async def fn(row: dict[str, str]) -> Outcome:
        return Outcome(ItemStatus.SUCCEEDED, row["email"])

    async with SkilljarClient("unused", rate_limits=RateLimits.unlimited()) as client:
        beat = asyncio.create_task(heartbeat())
        await asyncio.sleep(0.01)
        start = time.perf_counter()
        summary = await run(
            client, read_rows(source), fn, key=row_key, journal=str(journal), concurrency=32
        )
        seconds = time.perf_counter() - start
        running = False
        await beat
    waited.close()
    assert summary.succeeded == 100_000, summary
    late.sort()
    net.sort()
    p99 = int(len(late) * 0.99)
    return late[-1] * 1e3, late[p99] * 1e3, net[-1] * 1e3, net[p99] * 1e3, seconds


def stall_table(repeats: int) -> None:
    """Part 3: the worst event-loop stall during a 100k-row job, tmpfs vs the real disk."""
    places = {"tmpfs": Path("/dev/shm"), "disk": Path(__file__).resolve().parent}
    print(f"3. Event-loop stall during a 100,000-row job with a journal (median of {repeats})")
    print("                  heartbeat lateness   net of waiting for a CPU")
    print(f"  {'journal on':<11} {'worst ms':>9} {'p99 ms':>7}   {'worst ms':>9} {'p99 ms':>7}"
          f"   {'job s':>6}")  # fmt: skip
    for name, where in places.items():
        if not where.is_dir():
            continue
        results = []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory(dir=where) as work:
                source = Path(work) / "rows.csv"
                write_rows(source, 100_000)
                results.append(asyncio.run(stalled_job(source, Path(work) / "job.jsonl")))
        worst, p99, net_worst, net_p99, seconds = (
            statistics.median(col) for col in zip(*results, strict=True)
        )
        print(f"  {name:<11} {worst:>9.1f} {p99:>7.2f}   {net_worst:>9.1f} {net_p99:>7.2f}"
              f"   {seconds:>6.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--stall", action="store_true", help="only part 3")
    parser.add_argument("--repeats", type=int, help="part 3's runs per place (default 5)")
    options = parser.parse_args()
    quick = options.quick
    items = 1500 if quick else 5000
    rows = 200_000 if quick else 1_000_000
    print(f"bench_bulk.py: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")  # fmt: skip
    repeats = options.repeats or (3 if quick else 5)
    if options.stall:
        stall_table(repeats)
        return

    port = free_port()
    emulator = start_emulator(port, items)
    try:
        result = asyncio.run(enroll_job(f"http://127.0.0.1:{port}/v1", items))
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    print(f"1. Enrollment job: {items:,} learners, limits {LIMITS} per call type, 10 ms latency")
    print(f"  {'items':>7} {'writes':>7} {'429s':>5} {'makespan s':>11} {'minimum s':>10} "
          f"{'ratio':>6} {'CPU us/item':>12}")  # fmt: skip
    print(f"  {result['items']:>7,.0f} {result['writes']:>7,.0f} {result['429s']:>5.0f} "
          f"{result['makespan_s']:>11.2f} {result['minimum_s']:>10.2f} {result['ratio']:>6.3f} "
          f"{result['cpu_us_per_item']:>12.0f}")  # fmt: skip
    verdict = "PASS" if result["ratio"] <= 1.05 else "FAIL"
    print(f"  target makespan <= 1.05 x minimum: {verdict}\n")

    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "rows.csv"
        write_rows(source, rows)
        marks = [rows // 10, rows // 2, rows]
        peaks = asyncio.run(stream_job(source, Path(work) / "job.jsonl", marks))
    print(f"2. Streaming {rows:,} rows through BulkJob with a journal (no I/O per item)")
    print("  " + "  ".join(f"{n:>9,} rows: {mb:6.1f} MB" for n, mb in peaks.items()))
    flat = peaks[rows] < 100 and peaks[rows] <= peaks[marks[0]] * 1.5 + 1
    print(f"  target flat and < 100 MB: {'PASS' if flat else 'FAIL'}\n")
    stall_table(repeats)


if __name__ == "__main__":
    main()
