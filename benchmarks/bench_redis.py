"""Benchmark RedisScheduler's grant throughput against Redis-backed peers, in one run.

    .venv/bin/python benchmarks/bench_redis.py [--quick] [--url redis://...]
        [--baseline GIT_REF] [--only peers,baseline,cluster,renewal] [--reps N]

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

Three more tables, ours only:

- ``baseline`` (with ``--baseline REF``): the same single-node figures for this tree
  and for the package as of git ref REF, both in fresh child processes, taking
  turns, so the ratio is a same-run comparison;
- ``cluster``: the same figures through a 3-master Redis Cluster (``redis+cluster://``)
  started on loopback, next to one node, same run;
- ``renewal``: 64 tasks holding each slot 1 s, with a 75 s lease (never renewed) and a
  0.6 s lease (renewed every 0.2 s): grants/s and script calls/s from Redis's
  ``INFO commandstats``, i.e. what renewing costs.

Without ``--url`` it starts its own redis-server on a free loopback port
(``apt-get install redis-server``). Results, with the command and date, are in RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
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
async def build(name: str, url: str, key: str, lease: float = 75.0) -> AsyncIterator[Acq]:
    """An acquire for limiter `name` on a fresh key; everything is closed afterwards."""
    if name == "ours":
        limits = RateLimits.uniform(Window(HUGE, 60.0), Window(2 * HUGE, 3600.0))
        sched = RedisScheduler(url, limits, namespace="bench", key_hash=key, lease=lease)
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


async def pump(acq: Acq, tasks: int, seconds: float, hold: float = 0.0) -> tuple[int, float]:
    """`tasks` tasks taking slots held `hold` s (0: yielding once inside) for `seconds`."""
    count = 0
    stop = False

    async def worker() -> None:
        nonlocal count
        while not stop:
            async with acq():
                await asyncio.sleep(hold)
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
    return (await one_process_cpu(name, url, tasks, seconds))[0]


async def one_process_cpu(name: str, url: str, tasks: int, seconds: float) -> tuple[float, float]:
    """Grants/s, and this process's CPU µs per grant (steadier than wall time when busy)."""
    async with build(name, url, uuid.uuid4().hex) as acq:
        await pump(acq, tasks, 0.2)  # warm-up: connections, script loads
        cpu = time.process_time()
        n, elapsed = await pump(acq, tasks, seconds)
        cpu = time.process_time() - cpu
    return n / elapsed, cpu / max(n, 1) * 1e6


def ours_rate(url: str, col: int, seconds: float, path: str | None = None) -> tuple[float, float]:
    """Ours in fresh child processes (column `col`), importing the package from `path`:
    grants/s and CPU µs per grant (nan for 4 processes)."""
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = path
    if col == 3:
        return processes("ours", url, 4, 4, seconds, env), math.nan
    argv = [sys.executable, __file__, "--child", "ours", "--one", "--url", url]
    argv += ["--tasks", str((1, 4, 16)[col]), "--seconds", str(seconds)]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=True)
    rate, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(rate), float(cpu)


# ----------------------------------------------------------- 4 processes x 4 tasks
async def child(
    name: str, url: str, key: str, tasks: int, seconds: float, control_url: str
) -> None:
    control = aioredis.Redis.from_url(control_url, socket_timeout=None)
    async with build(name, url, key) as acq:
        await pump(acq, tasks, 0.2)
        await control.rpush(f"bench:{key}:ready", 1)
        await control.blpop([f"bench:{key}:go"], timeout=0)
        n, elapsed = await pump(acq, tasks, seconds)
    await control.aclose()
    print(json.dumps([n, elapsed]), flush=True)


def processes(
    name: str,
    url: str,
    procs: int,
    tasks: int,
    seconds: float,
    env: dict[str, str] | None = None,
    control_url: str | None = None,
) -> float:
    key = uuid.uuid4().hex
    control_url = control_url or url
    argv = [sys.executable, __file__, "--child", name, "--url", url, "--key", key]
    argv += ["--tasks", str(tasks), "--seconds", str(seconds), "--control", control_url]
    children = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env) for _ in range(procs)
    ]
    control = redis.Redis.from_url(control_url, socket_timeout=None)
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


# ---------------------------------------------------------------- renewal's cost
async def renewal_run(url: str, lease: float, seconds: float) -> tuple[float, float]:
    """64 tasks holding slots 1 s each under `lease`: grants/s and script calls/s."""
    admin = aioredis.Redis.from_url(url)
    async with build("ours", url, uuid.uuid4().hex, lease=lease) as acq:
        await pump(acq, 64, 1.2, hold=1.0)  # warm-up
        before = await script_calls(admin)
        n, elapsed = await pump(acq, 64, seconds, hold=1.0)
        calls = await script_calls(admin) - before
    await admin.aclose()
    return n / elapsed, calls / elapsed


async def script_calls(admin: aioredis.Redis) -> int:
    stats = await admin.info("commandstats")
    return sum(int(stats.get(f"cmdstat_{c}", {}).get("calls", 0)) for c in ("evalsha", "eval"))


# ------------------------------------------------------------------- redis-server
def free_port(below: int = 65536) -> int:
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port < below:
            return port


def server(
    workdir: str, *args: str, port: int | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server not found: apt-get install redis-server (or pass --url)")
    port = port or free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    argv += ["--appendonly", "no", "--dir", workdir, *args]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, cwd=workdir)
    client = redis.Redis(port=port)
    try:
        for _ in range(500):
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            time.sleep(0.01)
    finally:
        client.close()
    return proc, port


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as workdir:
        proc, port = server(workdir)
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(10)


@contextlib.contextmanager
def redis_cluster() -> Iterator[str]:
    """Three masters on loopback, every slot assigned: a ``redis+cluster://`` URL."""
    with tempfile.TemporaryDirectory() as workdir, contextlib.ExitStack() as stack:
        ports = []
        for _ in range(3):
            port = free_port()
            args = ["--cluster-enabled", "yes", "--cluster-config-file", f"nodes-{port}.conf"]
            args += ["--cluster-port", str(free_port())]
            proc, port = server(workdir, *args, port=port)
            stack.callback(proc.wait, 10)
            stack.callback(proc.terminate)
            ports.append(port)
        nodes = [f"127.0.0.1:{p}" for p in ports]
        subprocess.run(
            ["redis-cli", "--cluster", "create", *nodes, "--cluster-yes"],
            check=True,
            capture_output=True,
        )
        for port in ports:
            client = redis.Redis(port=port)
            while client.cluster("info").get("cluster_state") != "ok":
                time.sleep(0.1)
            client.close()
        yield f"redis+cluster://127.0.0.1:{ports[0]}"


def export(ref: str, into: str) -> str:
    """The package as of git ref `ref`, extracted under `into`: a PYTHONPATH entry."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    archive = subprocess.run(
        ["git", "-C", root, "archive", ref, "skilljar_async"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return into


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
    parser.add_argument("--baseline", help="also measure ours as of this git ref, same run")
    parser.add_argument("--reps", type=int, help="timed runs per figure (default 3; 1 if --quick)")
    parser.add_argument(
        "--only", default="peers,baseline,cluster,renewal", help="tables to run (comma list)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--control", help=argparse.SUPPRESS)
    parser.add_argument("--tasks", type=int, default=4, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child and args.one:
        rate, cpu = asyncio.run(one_process_cpu(args.child, args.url, args.tasks, args.seconds))
        print(rate, cpu)
        return
    if args.child:
        control = args.control or args.url
        asyncio.run(child(args.child, args.url, args.key, args.tasks, args.seconds, control))
        return
    reps, seconds = (1, 0.5) if args.quick else (3, 1.0)
    reps = args.reps or reps
    only = set(args.only.split(","))
    started, load = time.perf_counter(), os.getloadavg()
    tables = []
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(redis_server())
        if "peers" in only:
            tables.append(peers_table(url, reps, seconds))
        if "baseline" in only and args.baseline:
            path = export(args.baseline, stack.enter_context(tempfile.TemporaryDirectory()))
            tables.append(baseline_table(url, path, args.baseline, reps, seconds))
        if "cluster" in only:
            cluster = stack.enter_context(redis_cluster())
            tables.append(cluster_table(url, cluster, reps, seconds))
        if "renewal" in only:
            tables.append(renewal_table(url, reps, 3 * seconds))
    tail = (
        f"redis-server {redis_version(url if args.url else None)}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{load[0]:.1f} at start and {os.getloadavg()[0]:.1f} at end; "
        f"whole run {time.perf_counter() - started:.0f} s."
    )
    print("\n" + "\n\n".join(tables) + "\n  " + tail)


COLUMNS = ["1 task", "4 tasks", "16 tasks", "4 procs x 4"]


def baseline_table(url: str, path: str, ref: str, reps: int, seconds: float) -> str:
    """Ours from this tree and as of `ref`, in child processes, taking turns."""
    runs: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for rep in range(reps):
        for col in range(4):
            runs.setdefault(("now", col), []).append(ours_rate(url, col, seconds))
            runs.setdefault(("ref", col), []).append(ours_rate(url, col, seconds, path))
        print(f"  baseline run {rep + 1}/{reps} done", file=sys.stderr)

    def med(code: str, k: int) -> list[float]:
        return [statistics.median(r[k] for r in runs[code, c]) for c in range(4)]

    now, old = med("now", 0), med("ref", 0)
    cpu_now, cpu_old = med("now", 1)[:3], med("ref", 1)[:3]
    rows = [
        ["ours, this tree", *(f"{v:,.0f}" for v in now)],
        [f"ours at {ref}", *(f"{v:,.0f}" for v in old)],
        ["this tree / ref", *(f"{a / b:.2f}x" for a, b in zip(now, old, strict=True))],
        ["CPU µs/grant, this tree", *(f"{v:.1f}" for v in cpu_now), ""],
        [f"CPU µs/grant at {ref}", *(f"{v:.1f}" for v in cpu_old), ""],
        [
            "CPU this tree / ref",
            *(f"{a / b:.2f}x" for a, b in zip(cpu_now, cpu_old, strict=True)),
            "",
        ],
    ]
    title = f"Single node, this tree vs {ref} (grants/s, median of {reps} x {seconds:g} s)"
    notes = [
        "both in fresh child processes, taking turns; CPU is the client process's own",
        "(time.process_time), steadier than wall time on a busy machine.",
    ]
    return table(title, ["code", *COLUMNS], rows, notes)


def cluster_table(url: str, cluster: str, reps: int, seconds: float) -> str:
    """Ours through one node and through a 3-master cluster, taking turns."""
    runs: dict[tuple[str, int], list[float]] = {}
    for rep in range(reps):
        for col in range(4):
            for name, where in (("node", url), ("cluster", cluster)):
                if col < 3:
                    rate = asyncio.run(one_process("ours", where, (1, 4, 16)[col], seconds))
                else:
                    rate = processes("ours", where, 4, 4, seconds, control_url=url)
                runs.setdefault((name, col), []).append(rate)
        print(f"  cluster run {rep + 1}/{reps} done", file=sys.stderr)
    node = [statistics.median(runs["node", c]) for c in range(4)]
    clus = [statistics.median(runs["cluster", c]) for c in range(4)]
    rows = [
        ["ours, one node", *(f"{v:,.0f}" for v in node)],
        ["ours, 3-master cluster", *(f"{v:,.0f}" for v in clus)],
        ["cluster / node", *(f"{a / b:.2f}x" for a, b in zip(clus, node, strict=True))],
    ]
    title = f"Redis Cluster vs one node (grants/s, median of {reps} x {seconds:g} s)"
    notes = ["every key of a budget in one hash slot: one node serves it, no cross-slot step."]
    return table(title, ["setup", *COLUMNS], rows, notes)


def renewal_table(url: str, reps: int, seconds: float) -> str:
    """Slots held 1 s by 64 tasks: never renewed (75 s lease) vs renewed (0.6 s lease)."""
    runs: dict[float, list[tuple[float, float]]] = {}
    for _ in range(reps):
        for lease in (75.0, 0.6):
            runs.setdefault(lease, []).append(asyncio.run(renewal_run(url, lease, seconds)))
    rows = []
    for lease, label in ((75.0, "75 s (no renewal)"), (0.6, "0.6 s (renewed every 0.2 s)")):
        grants = statistics.median(g for g, _ in runs[lease])
        calls = statistics.median(c for _, c in runs[lease])
        rows.append([label, f"{grants:,.1f}", f"{calls:,.1f}"])
    title = f"Lease renewal: 64 tasks each holding a slot 1 s (median of {reps} x {seconds:g} s)"
    notes = ["one script call renews every long-held slot of the lane."]
    return table(title, ["lease", "grants/s", "script calls/s"], rows, notes)


def peers_table(url: str, reps: int, seconds: float) -> str:
    """Ours and the peers through one node, round-robin so noise hits them all alike."""
    runs: dict[tuple[str, int], list[float]] = {}
    for rep in range(reps):
        for col in range(4):
            for name in PEERS:
                if col < 3:
                    rate = asyncio.run(one_process(name, url, (1, 4, 16)[col], seconds))
                else:
                    rate = processes(name, url, 4, 4, seconds)
                runs.setdefault((name, col), []).append(rate)
        print(f"  run {rep + 1}/{reps} done", file=sys.stderr)
    results = {n: [statistics.median(runs[n, col]) for col in range(4)] for n in PEERS}
    headers = ["limiter", *COLUMNS, "clock / stamp"]
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
    ]
    return table(title, headers, rows, notes)


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
