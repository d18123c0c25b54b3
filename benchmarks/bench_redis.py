"""Benchmark RedisScheduler's grant throughput against Redis-backed peers, in one run.

    .venv/bin/python benchmarks/bench_redis.py [--quick] [--url redis://...]

Grants per second through one local Redis for 1, 4 and 16 concurrent tasks in one
process and for 4 processes x 4 tasks, with limits so large that nothing waits
(two windows, 10^9 per 60 s and 2 x 10^9 per 3,600 s, Skilljar's shape). Each figure is the
median of several timed runs after a warm-up. Peers: pyrate-limiter 4's async
``RedisBucket`` (one Lua script per acquire) and limits 5's async moving window on
redis-py (one Lua script per window per hit). What one grant costs differs:

- ours: a slot is held and then stamped at exit, so a grant is an acquire and a
  release; one script call carries both for many tasks at once (batched);
- pyrate-limiter: one script call per acquire, nothing at release;
- limits: one script call per window per hit (two here), nothing at release.

Without ``--url`` it starts its own redis-server on a free loopback port
(``apt-get install redis-server``). Results, with the command and date, are in RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import redis
import redis.asyncio as aioredis
from limits import RateLimitItemPerHour, RateLimitItemPerMinute
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from pyrate_limiter import Duration, Limiter, Rate
from pyrate_limiter.buckets.redis_bucket import RedisBucket

from skilljar_async.ratelimit import CallType, RateLimits, RedisScheduler, Window

HUGE = 10**9
PEERS = ["ours", "pyrate-limiter", "limits"]
LABEL = {
    "ours": "ours (RedisScheduler)",
    "pyrate-limiter": "pyrate-limiter RedisBucket",
    "limits": "limits moving window",
}
NOTES = {
    "ours": "Redis TIME; held + stamped at exit",
    "pyrate-limiter": "host clock (time_ns); stamped at acquire",
    "limits": "host clock (time.time); stamped at acquire",
}
Acq = Callable[[], AbstractAsyncContextManager[None]]


# ----------------------------------------------------------------- the limiters
@asynccontextmanager
async def build(name: str, url: str, key: str) -> AsyncIterator[Acq]:
    """An acquire for limiter `name` on a fresh key; everything is closed afterwards."""
    if name == "ours":
        limits = RateLimits.uniform(Window(HUGE, 60.0), Window(2 * HUGE, 3600.0))
        sched = RedisScheduler(url, limits, namespace="bench", key_hash=key)
        try:
            yield lambda: sched.slot(CallType.READ)
        finally:
            await sched.aclose()
    elif name == "pyrate-limiter":
        client = aioredis.Redis.from_url(url)
        rates = [Rate(HUGE, Duration.MINUTE), Rate(2 * HUGE, Duration.HOUR)]
        bucket = await RedisBucket.init(rates, client, f"bench:{key}")  # type: ignore[misc]
        limiter = Limiter(bucket)

        @asynccontextmanager
        async def pyrate() -> AsyncIterator[None]:
            while not await limiter.try_acquire_async("bench"):
                await asyncio.sleep(1e-3)
            yield

        try:
            yield pyrate
        finally:
            limiter.close()
            await client.aclose()
    elif name == "limits":
        host = url.split("://", 1)[1]
        storage = RedisStorage(f"async+redis://{host}", implementation="redispy")
        strategy = MovingWindowRateLimiter(storage)
        items = [RateLimitItemPerMinute(HUGE), RateLimitItemPerHour(2 * HUGE)]

        @asynccontextmanager
        async def moving() -> AsyncIterator[None]:
            for item in items:  # (never refused at these limits)
                while not await strategy.hit(item, key):
                    await asyncio.sleep(1e-3)
            yield

        try:
            yield moving
        finally:
            with contextlib.suppress(Exception):
                await storage.reset()
            bridge: Any = getattr(storage, "bridge", None)
            conn = getattr(bridge, "storage", None)
            if conn is not None and hasattr(conn, "aclose"):
                await conn.aclose()
    else:
        raise ValueError(name)


async def pump(acq: Acq, tasks: int, seconds: float) -> tuple[int, float]:
    """`tasks` tasks taking zero-length slots (yielding once inside) for `seconds`."""
    count = 0
    stop = False

    async def worker() -> None:
        nonlocal count
        while not stop:
            async with acq():
                await asyncio.sleep(0)
            count += 1

    runners = [asyncio.create_task(worker()) for _ in range(tasks)]
    t0 = time.perf_counter()
    await asyncio.sleep(seconds)
    stop = True
    n = count
    elapsed = time.perf_counter() - t0
    await asyncio.gather(*runners)
    return n, elapsed


async def one_process(name: str, url: str, tasks: int, seconds: float) -> float:
    async with build(name, url, uuid.uuid4().hex) as acq:
        await pump(acq, tasks, 0.2)  # warm-up: connections, script loads
        n, elapsed = await pump(acq, tasks, seconds)
    return n / elapsed


# ----------------------------------------------------------- 4 processes x 4 tasks
async def child(name: str, url: str, key: str, tasks: int, seconds: float) -> None:
    control = aioredis.Redis.from_url(url, socket_timeout=None)
    async with build(name, url, key) as acq:
        await pump(acq, tasks, 0.2)
        await control.rpush(f"bench:{key}:ready", 1)
        await control.blpop([f"bench:{key}:go"], timeout=0)
        n, elapsed = await pump(acq, tasks, seconds)
    await control.aclose()
    print(json.dumps([n, elapsed]), flush=True)


def processes(name: str, url: str, procs: int, tasks: int, seconds: float) -> float:
    key = uuid.uuid4().hex
    argv = [sys.executable, __file__, "--child", name, "--url", url, "--key", key]
    argv += ["--tasks", str(tasks), "--seconds", str(seconds)]
    children = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(procs)]
    control = redis.Redis.from_url(url, socket_timeout=None)
    try:
        for _ in range(procs):
            control.blpop([f"bench:{key}:ready"], timeout=60)
        control.rpush(f"bench:{key}:go", *([1] * procs))
        results = [
            json.loads(c.communicate(timeout=120)[0].strip().splitlines()[-1]) for c in children
        ]
    finally:
        control.close()
        for c in children:
            if c.poll() is None:
                c.kill()
                c.wait()
    return sum(n / elapsed for n, elapsed in results)


# ------------------------------------------------------------------- redis-server
@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server not found: apt-get install redis-server (or pass --url)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as workdir:
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--dir", workdir]
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, cwd=workdir)
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url)
        try:
            for _ in range(500):
                with contextlib.suppress(redis.ConnectionError):
                    if client.ping():
                        break
                time.sleep(0.01)
            yield url
        finally:
            client.close()
            proc.terminate()
            proc.wait(10)


# ------------------------------------------------------------------------ report
def table(title: str, headers: list[str], rows: list[list[str]], notes: list[str]) -> str:
    cells = [headers, *rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [title]
    for k, r in enumerate(cells):
        line = [c.rjust(w) for c, w in zip(r, widths, strict=True)]
        line[0] = r[0].ljust(widths[0])
        lines.append("  " + "  ".join(line).rstrip())
        if k == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    lines += [f"  {note}" for note in notes]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 run of 0.5 s per figure")
    parser.add_argument("--url", help="an existing Redis (default: start a private one)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--tasks", type=int, default=4, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args.child, args.url, args.key, args.tasks, args.seconds))
        return
    reps, seconds = (1, 0.5) if args.quick else (3, 1.0)
    started, load = time.perf_counter(), os.getloadavg()
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(redis_server())
        # Round-robin over the limiters, so a noisy neighbour hits them all alike.
        runs: dict[tuple[str, int], list[float]] = {}
        for rep in range(reps):
            for col in range(4):
                for name in PEERS:
                    if col < 3:
                        tasks = (1, 4, 16)[col]
                        rate = asyncio.run(one_process(name, url, tasks, seconds))
                    else:
                        rate = processes(name, url, 4, 4, seconds)
                    runs.setdefault((name, col), []).append(rate)
            print(f"  run {rep + 1}/{reps} done", file=sys.stderr)
        results = {n: [statistics.median(runs[n, col]) for col in range(4)] for n in PEERS}
    headers = ["limiter", "1 task", "4 tasks", "16 tasks", "4 procs x 4", "clock / stamp"]
    rows = [[LABEL[n], *(f"{v:,.0f}" for v in results[n]), NOTES[n]] for n in PEERS]
    for peer in PEERS[1:]:
        ratios = [o / p for o, p in zip(results["ours"], results[peer], strict=True)]
        rows.append([f"ours / {peer}", *(f"{r:.2f}x" for r in ratios), ""])
    title = (
        f"Grants/s through one local Redis (median of {reps} x {seconds:g} s after a 0.2 s "
        "warm-up; 10^9/60 s + 2x10^9/3600 s, nothing waits)"
    )
    notes = [
        "ours: acquire + release per grant, batched into one script call per step;",
        "pyrate-limiter: 1 script call per acquire; limits: 1 script call per window per hit.",
        f"redis-server {redis_version(url if args.url else None)}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{load[0]:.1f} at start and {os.getloadavg()[0]:.1f} at end; "
        f"whole run {time.perf_counter() - started:.0f} s.",
    ]
    text = table(title, headers, rows, notes)
    print("\n" + text)


def redis_version(url: str | None) -> str:
    if url is not None:
        client = redis.Redis.from_url(url)
        try:
            return str(client.info("server").get("redis_version", "?"))
        finally:
            client.close()
    out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    return next((w[2:] for w in out.split() if w.startswith("v=")), "?")


if __name__ == "__main__":
    main()
