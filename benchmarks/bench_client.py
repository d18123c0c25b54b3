"""Benchmark SkilljarClient against raw aiohttp, and the paginator's read-ahead.

    .venv/bin/python benchmarks/bench_client.py [--quick] [--server fast|emulator] [--no-paging]
    .venv/bin/python benchmarks/bench_client.py --instructions   # needs valgrind
    .venv/bin/python benchmarks/bench_client.py --otel absent   # opentelemetry hidden

1. Request throughput with rate limits off: ``GET /ping`` through `SkilljarClient`
   and through a bare ``aiohttp.ClientSession`` (same headers, same connector limit
   of 100, body read) at concurrency 1 and 64. The two clients alternate within
   each repeat (and swap order every repeat); the client process's CPU time
   (``time.process_time``) per request is reported too. The server is, by default,
   a minimal HTTP/1.1 keep-alive responder (raw asyncio, a fixed ``{}`` answer) in
   its own process, so the client's CPU dominates what is measured;
   ``--server emulator`` uses the emulator instead (much slower per request).
   ``--instructions`` instead counts each client's user-space instructions per
   request under valgrind, which the box's load does not disturb. When
   ``opentelemetry-api`` is importable a third client runs in the same repeats:
   one traced and measured by a configured OpenTelemetry SDK (each span handed
   to an exporter that drops it, metrics aggregated in memory); the plain
   ``SkilljarClient`` then runs with OTel installed but unconfigured. ``--otel
   absent`` hides the package instead (the client imports nothing of it).
2. Paging: ``/users`` with ``page_size=100`` for 30 pages from an emulator adding
   20 ms of latency, while the consumer spends 20 ms per page, with the default
   read-ahead and with ``read_ahead=False``.

Servers always run as separate processes (the emulator is
``python -m skilljar_async.testing``) so the client's CPU time is measured apart
from the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, NamedTuple

import aiohttp

from skilljar_async import RateLimits, SkilljarClient
from skilljar_async._sansio import auth_headers

KEY = "bench-key"
CONCURRENCIES = (1, 64)
THROUGHPUT_TARGET = 0.95  # client req/s over raw aiohttp req/s
READ_AHEAD_TARGET = 1.8  # pages/s with read-ahead over pages/s without
PAGE_SIZE = 100
PAGES = 30
CONSUME_S = 0.020  # the consumer's work per page
LATENCY_MS = 20.0
USERS = 10_000
CLIENTS: tuple[str, ...] = ("raw aiohttp", "SkilljarClient")
OTEL_CLIENT = "SkilljarClient + OTel SDK"


class Config(NamedTuple):
    requests: int  # per throughput run
    warmup: int
    repeats: int  # throughput repeats (each runs both clients)
    page_repeats: int  # paging repeats (each runs both modes)


# Short runs, many of them, back to back: on a shared box the noise drifts over
# seconds, so pairing short runs and taking medians cancels most of it.
FULL = Config(requests=1000, warmup=1000, repeats=41, page_repeats=5)
QUICK = Config(requests=500, warmup=300, repeats=11, page_repeats=3)


# --------------------------------------------------------------------------- emulator


@contextlib.contextmanager
def emulator(*, users: int, latency_ms: float) -> Iterator[tuple[str, int]]:
    """Run the emulator in its own process; yield its base URL (…/v1) and pid."""
    cmd = [sys.executable, "-m", "skilljar_async.testing", "--port", "0", "--limits", "off"]
    cmd += ["--users", str(users), "--latency-ms", str(latency_ms), "--key", KEY]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        base_url = None
        deadline = time.monotonic() + 60.0
        while base_url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                err = proc.stderr.read() if proc.stderr else ""
                raise RuntimeError(f"emulator exited early:\n{err}")
            if "listening on" in line:
                base_url = line.rsplit(" ", 1)[-1].strip()
        if base_url is None:
            raise RuntimeError("emulator did not start within 60 s")
        # Nobody reads the rest of its output; it is a handful of lines, far below
        # the pipe buffer, so the server never blocks on a full pipe.
        yield base_url, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def fast_server() -> Iterator[tuple[str, int]]:
    """Run `serve_fast` in its own process; yield its base URL (…/v1) and pid."""
    cmd = [sys.executable, __file__, "--serve-fast"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"fast server did not start: {line!r}")
        yield line.rsplit(" ", 1)[-1].strip(), proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


_FAST_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


class _FastProtocol(asyncio.Protocol):
    """Answers each request head with `_FAST_ANSWER`; GETs only (no request bodies)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        heads = self.buffer.count(b"\r\n\r\n")
        if heads and self.transport is not None:
            self.buffer = self.buffer[self.buffer.rindex(b"\r\n\r\n") + 4 :]
            self.transport.write(_FAST_ANSWER * heads)


def serve_fast() -> None:
    """The minimal server: print its URL, answer until SIGTERM."""

    async def run() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_FastProtocol, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        print(f"listening on http://127.0.0.1:{port}/v1", flush=True)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        async with server:
            await stop.wait()

    asyncio.run(run())


class Foreign:
    """CPU used by every other process on the box (not us, not the emulator), Linux only.

    The box has 2 cores shared with whatever else runs; this tells how noisy a section was.
    """

    def __init__(self, server_pid: int) -> None:
        self.pids = (os.getpid(), server_pid)
        self.start = self._sample()
        self.t0 = time.perf_counter()

    def _sample(self) -> tuple[float, float] | None:
        try:
            tick = os.sysconf("SC_CLK_TCK")
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
            busy = sum(fields[:8]) - fields[3] - fields[4]  # all but idle and iowait
            own = 0
            for pid in self.pids:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read().rsplit(")", 1)[1].split()
                own += int(stat[11]) + int(stat[12])  # utime + stime
            return busy / tick, own / tick
        except (OSError, ValueError, IndexError):
            return None

    def cores(self) -> float | None:
        """Average cores the other processes kept busy since construction."""
        end = self._sample()
        if end is None or self.start is None:
            return None
        wall = time.perf_counter() - self.t0
        return max(0.0, (end[0] - self.start[0]) - (end[1] - self.start[1])) / wall


# --------------------------------------------------------------------------- throughput


class Run(NamedTuple):
    wall: float
    cpu: float


class Scan(NamedTuple):
    pages_per_s: float
    wait: float  # median seconds the consumer waited for a page
    consume: float  # median seconds the consumer spent per page


async def drive(call: Callable[[], Awaitable[Any]], total: int, concurrency: int) -> Run:
    """`total` calls from `concurrency` workers; wall and process CPU seconds."""
    left = total

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    gc.collect()
    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(time.perf_counter() - t0, time.process_time() - cpu0)


def make_calls(
    base_url: str,
) -> tuple[dict[str, Callable[[], Awaitable[None]]], Callable[[], Awaitable[None]]]:
    """The two ways to ping (by name in `CLIENTS`), and a function closing both."""
    ping = base_url + "/ping"
    headers = auth_headers(KEY)  # exactly what the client sends
    raw = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=100), timeout=aiohttp.ClientTimeout(total=60.0)
    )
    client = SkilljarClient(
        KEY, base_url=base_url, rate_limits=RateLimits.unlimited(), max_retries=0
    )
    traced = SkilljarClient(
        KEY, base_url=base_url, rate_limits=RateLimits.unlimited(), max_retries=0
    )
    if OTEL_CLIENT in CLIENTS:
        traced._observer.otel = sdk_telemetry()

    async def raw_call() -> None:
        async with raw.get(ping, headers=headers) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"raw ping: HTTP {resp.status}")

    async def client_call() -> None:
        await client.request("GET", "/ping")

    async def traced_call() -> None:
        await traced.request("GET", "/ping")

    async def close() -> None:
        await client.aclose()
        await traced.aclose()
        await raw.close()

    calls = dict(zip(CLIENTS, (raw_call, client_call, traced_call), strict=False))
    return calls, close


def sdk_telemetry() -> Any:
    """The client's telemetry on an SDK: spans to a dropping exporter, metrics in memory.

    The span processor is the synchronous one: a batch processor's export thread
    would run during the other clients' turns and bill them for its work.
    """
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

    from skilljar_async import _otel

    class Drop(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(Drop()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    return _otel.Telemetry(lambda: tracer_provider, lambda: meter_provider)


async def bench_throughput(base_url: str, cfg: Config) -> dict[tuple[str, int], list[Run]]:
    calls, close = make_calls(base_url)
    runs: dict[tuple[str, int], list[Run]] = {}
    try:
        for conc in CONCURRENCIES:  # warm-up: connections, caches, code paths
            for call in calls.values():
                await drive(call, cfg.warmup, conc)
        for conc in CONCURRENCIES:
            for rep in range(cfg.repeats):
                order = list(calls) if rep % 2 == 0 else list(reversed(calls))
                for name in order:
                    run = await drive(calls[name], cfg.requests, conc)
                    runs.setdefault((name, conc), []).append(run)
    finally:
        await close()
    return runs


# --------------------------------------------------------------------------- instructions

INSTR_COUNTS = (200, 1200)  # requests per valgrind run; the difference cancels start-up


async def drive_only(name: str, total: int, concurrency: int, base_url: str) -> None:
    """What one valgrind run executes: a warm-up, then `total` calls of one client."""
    calls, close = make_calls(base_url)
    try:
        await drive(calls[name], 100, concurrency)
        await drive(calls[name], total, concurrency)
    finally:
        await close()


def count_instructions(name: str, total: int, concurrency: int, base_url: str) -> int:
    """User-space instructions of one `drive_only` process, counted by valgrind."""
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    cmd += [sys.executable, __file__, "--drive", name, str(total), str(concurrency), base_url]
    cmd += ["--otel", "installed" if OTEL_CLIENT in CLIENTS else "absent"]
    env = dict(os.environ, PYTHONHASHSEED="0")  # the same dict layouts in every run
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stderr
    for line in out.splitlines():
        if "I" in line and "refs:" in line:
            return int(line.rsplit(":", 1)[1].replace(",", "").strip())
    raise RuntimeError(f"no instruction count in valgrind's output:\n{out}")


def bench_instructions() -> str:
    """Instructions per request of each client: load-independent, unlike CPU time."""
    small, large = INSTR_COUNTS
    hdr = ["instructions per GET /ping (valgrind)", "conc", "instr/req", "ratio"]
    rows = []
    with fast_server() as (base_url, _):
        for conc in CONCURRENCIES:
            per = {}
            for name in CLIENTS:
                a = count_instructions(name, small, conc, base_url)
                b = count_instructions(name, large, conc, base_url)
                per[name] = (b - a) / (large - small)
            for name in CLIENTS:
                ratio = f"{per[name] / per[CLIENTS[0]]:.3f}x" if name != CLIENTS[0] else ""
                rows.append([name, str(conc), f"{per[name]:,.0f}", ratio])
    note = (
        f"(valgrind --tool=cachegrind, user-space instructions of the client process; "
        f"({large:,} - {small:,} requests) runs\n differenced so start-up cancels; "
        "PYTHONHASHSEED=0; the minimal server in its own process, not counted)"
    )
    return table(hdr, rows) + "\n" + note


# --------------------------------------------------------------------------- paging


async def bench_paging(base_url: str, cfg: Config) -> dict[bool, list[Scan]]:
    """One `Scan` per repeat, keyed by read-ahead on/off."""
    client = SkilljarClient(
        KEY, base_url=base_url, rate_limits=RateLimits.unlimited(), max_retries=0
    )

    async def scan(read_ahead: bool) -> Scan:
        paginator = client._paginate(
            "/users",
            parse=lambda row: row,
            page_size=PAGE_SIZE,
            max_items=PAGE_SIZE * PAGES,
            read_ahead=read_ahead,
        )
        pages = items = 0
        waits: list[float] = []  # the consumer waiting for each page
        consumes: list[float] = []  # the consumer's own time per page
        gc.collect()
        t0 = mark = time.perf_counter()
        async for page in paginator.pages():
            now = time.perf_counter()
            waits.append(now - mark)
            pages += 1
            items += len(page.items)
            await asyncio.sleep(CONSUME_S)  # the consumer's work on this page
            mark = time.perf_counter()
            consumes.append(mark - now)
        wall = time.perf_counter() - t0
        if pages != PAGES or items != PAGE_SIZE * PAGES:
            raise RuntimeError(f"expected {PAGES} pages, got {pages} ({items} items)")
        return Scan(pages / wall, statistics.median(waits), statistics.median(consumes))

    out: dict[bool, list[Scan]] = {True: [], False: []}
    try:
        await scan(True)  # warm-up
        await scan(False)
        for rep in range(cfg.page_repeats):
            for read_ahead in (True, False) if rep % 2 == 0 else (False, True):
                out[read_ahead].append(await scan(read_ahead))
    finally:
        await client.aclose()
    return out


# --------------------------------------------------------------------------- report


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(r) for r in rows)])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def paired(a: list[float], b: list[float]) -> float:
    """Median of the per-repeat ratios a[i] / b[i] (runs i ran back to back)."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def report(
    cfg: Config,
    tp: dict[tuple[str, int], list[Run]],
    pg: dict[bool, list[Scan]] | None,
    server: str,
) -> str:
    lines = []
    hdr = [f"throughput (GET /ping, {server} server)", "conc", "req/s", "min..max", "CPU µs/req"]
    hdr += ["CPU ratio", "ratio", "ratio min..max", "target", "result"]
    rows = []
    for conc in CONCURRENCIES:
        rps = {name: [cfg.requests / r.wall for r in tp[(name, conc)]] for name in CLIENTS}
        for name in CLIENTS:
            cpu = statistics.median(r.cpu / cfg.requests * 1e6 for r in tp[(name, conc)])
            med = statistics.median(rps[name])
            row = [name, str(conc), f"{med:,.0f}", f"{min(rps[name]):,.0f}..{max(rps[name]):,.0f}"]
            row.append(f"{cpu:,.0f}")
            if name == "raw aiohttp":
                row += ["", "", "", "", ""]
            else:
                raw = tp[(CLIENTS[0], conc)]
                cpus = [a.cpu / b.cpu for a, b in zip(tp[(name, conc)], raw, strict=True)]
                row.append(f"{statistics.median(cpus):.3f}x")
                each = [x / y for x, y in zip(rps[name], rps["raw aiohttp"], strict=True)]
                ratio = statistics.median(each)
                ok = ratio >= THROUGHPUT_TARGET
                row += [f"{ratio:.3f}x", f"{min(each):.2f}..{max(each):.2f}"]
                if name == OTEL_CLIENT:  # what tracing costs; no target
                    row += ["", ""]
                else:
                    row += [f">= {THROUGHPUT_TARGET:.2f}x", verdict(ok)]
            rows.append(row)
    lines.append(table(hdr, rows))
    if OTEL_CLIENT in CLIENTS:
        costs = []
        for conc in CONCURRENCIES:
            plain, traced = tp[(CLIENTS[1], conc)], tp[(OTEL_CLIENT, conc)]
            extra = statistics.median(
                (t.cpu - p.cpu) / cfg.requests * 1e6 for p, t in zip(plain, traced, strict=True)
            )
            rps = paired(
                [cfg.requests / t.wall for t in traced], [cfg.requests / p.wall for p in plain]
            )
            costs.append(f"conc {conc}: +{extra:,.0f} µs CPU/req, {rps:.3f}x req/s")
        lines.append(
            "OpenTelemetry SDK configured vs installed but unconfigured (paired medians): "
            + "; ".join(costs)
        )
    lines.append(
        f"({cfg.requests:,} requests per run; medians of {cfg.repeats} repeats, the two clients "
        "back to back in alternating order;\n ratio = median over repeats of client req/s / raw "
        "req/s of the same repeat; CPU = time.process_time of the client process only,\n"
        " CPU ratio = median over repeats of client CPU / raw CPU of the same repeat)"
    )
    if pg is None:
        return "\n".join(lines)
    lines.append("")
    hdr = [f"paging (/users, {PAGES} x {PAGE_SIZE} rows)", "pages/s", "min..max", "s per scan"]
    hdr += ["wait ms/pg", "speed-up", "ideal~", "target", "result"]
    rows = []
    rate = {ra: [s.pages_per_s for s in pg[ra]] for ra in (False, True)}
    for read_ahead, label in ((False, "read_ahead=False"), (True, "read-ahead (default)")):
        med = statistics.median(rate[read_ahead])
        wait = statistics.median(s.wait for s in pg[read_ahead]) * 1000
        row = [label, f"{med:.1f}", f"{min(rate[read_ahead]):.1f}..{max(rate[read_ahead]):.1f}"]
        row += [f"{PAGES / med:.3f}", f"{wait:.1f}"]
        if read_ahead:
            up = paired(rate[True], rate[False])
            # Perfect overlap of fetch F (the wait without read-ahead) and consumer C: the
            # first fetch and the last consume cannot overlap anything.
            f = statistics.median(s.wait for s in pg[False])
            c = statistics.median(s.consume for s in pg[False] + pg[True])
            ideal = PAGES * (f + c) / (f + (PAGES - 1) * max(f, c) + c)
            ok = up >= READ_AHEAD_TARGET
            row += [f"{up:.3f}x", f"{ideal:.2f}x", f">= {READ_AHEAD_TARGET:.2f}x", verdict(ok)]
        else:
            row += ["", "", "", ""]
        rows.append(row)
    lines.append(table(hdr, rows))
    f = statistics.median(s.wait for s in pg[False]) * 1000
    c = statistics.median(s.consume for s in pg[False] + pg[True]) * 1000
    lines.append(
        f"(--latency-ms {LATENCY_MS:g}, consumer asyncio.sleep({CONSUME_S:g}) per page; "
        f"medians of {cfg.page_repeats} repeats, modes back to back in alternating order;\n"
        f" speed-up = median of paired ratios; measured fetch F = {f:.1f} ms, consume C = "
        f"{c:.1f} ms; ideal~ = {PAGES}(F+C) / (F + {PAGES - 1}·max(F,C) + C),\n the speed-up "
        "of a perfect overlap (an estimate from those medians: the first fetch and the last "
        "consume overlap nothing))"
    )
    return "\n".join(lines)


async def main_async(cfg: Config, server: str, paging: bool) -> str:
    noise = []
    start = fast_server() if server == "fast" else emulator(users=0, latency_ms=0.0)
    with start as (base_url, pid):
        foreign = Foreign(pid)
        tp = await bench_throughput(base_url, cfg)
        noise.append(("throughput", foreign.cores()))
    pg: dict[bool, list[Scan]] | None = None
    if paging:
        with emulator(users=USERS, latency_ms=LATENCY_MS) as (base_url, pid):
            foreign = Foreign(pid)
            pg = await bench_paging(base_url, cfg)
            noise.append(("paging", foreign.cores()))
    out = report(cfg, tp, pg, server)
    busy = ", ".join(f"{name} {c:.2f}" if c is not None else f"{name} n/a" for name, c in noise)
    n_cpu = os.cpu_count()
    return f"{out}\n\nother processes kept busy (cores of {n_cpu}, mean): {busy}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer requests and repeats")
    parser.add_argument(
        "--server",
        choices=("fast", "emulator"),
        default="fast",
        help="throughput against the minimal server (default) or the emulator",
    )
    parser.add_argument("--no-paging", action="store_true", help="throughput only")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per request under valgrind instead (slow, load-independent)",
    )
    parser.add_argument(
        "--otel",
        choices=("installed", "absent"),
        default="installed",
        help="absent: hide opentelemetry as if not installed (no traced client then)",
    )
    parser.add_argument("--serve-fast", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--drive", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global CLIENTS
    if args.otel == "absent":
        sys.modules["opentelemetry"] = None  # type: ignore[assignment]
    else:
        try:
            import opentelemetry.sdk  # noqa: F401
        except ImportError:
            pass
        else:
            CLIENTS = (*CLIENTS, OTEL_CLIENT)
    if args.serve_fast:
        serve_fast()
        return 0
    if args.drive:
        name, total, conc, url = args.drive
        asyncio.run(drive_only(name, int(total), int(conc), url))
        return 0
    cfg = QUICK if args.quick else FULL
    command = ".venv/bin/python benchmarks/bench_client.py" + " ".join(
        [""] + (argv if argv is not None else sys.argv[1:])
    )
    print(f"command: {command}")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"aiohttp {aiohttp.__version__}, {platform.system()} {platform.machine()}"
    )
    t0 = time.perf_counter()
    if args.instructions:
        print(f"\n{bench_instructions()}\n\ntotal {time.perf_counter() - t0:.1f} s")
        return 0
    out = asyncio.run(main_async(cfg, args.server, not args.no_paging))
    print()
    print(out)
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
