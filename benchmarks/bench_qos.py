"""Sharing one organization's budget: foreground latency, deadlines, outside usage, many keys.

    .venv/bin/python benchmarks/bench_qos.py [--items N]

Every scenario runs on real time against the emulator over loopback, with
modification limits of 20 per 1 s and 100 per 10 s and 10-20 ms of latency
(10 ms in the emulator, 0-10 ms of seeded jitter in the transport):

a. A background job (priority -1, 32 workers) writes at full speed while a
   foreground write arrives every 1.5 s. Foreground wait for a slot (p50, p99,
   max; target p99 <= 50 ms, max <= 100 ms) and the job's makespan against the
   exact optimum for its share (target <= 1.05), with the default reserve
   (0.1) and with reserve 0 beside it. The foreground calls count in every
   window the job is checked against, so the optimum is the exact greedy
   schedule of the job's share beside the foreground calls actually made;
   the share's optimum with no foreground call is printed too.
b. Deadline: the window spent, 200 calls with ``max_queue_wait=0.2``: time to
   raise `BudgetExhaustedError` (target <= 2 ms) and requests the server saw.
c. An outside consumer steadily spends 30% of the long window (3 writes a
   second), polite (honouring Retry-After) and not; the client starts once it
   is steady.
   429s per 100 calls after the first long window (target <= 1) and makespan
   against the exact time the budget left over (17 per 1 s, 70 per 10 s)
   allows (target <= 1.15).
d. Two keys naming one organization, 20 calls each against a 20-call window:
   429s (target 0), beside the same keys without the organization.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from skilljar_async import BudgetExhaustedError, CallType, RateLimits, SkilljarClient, Window
from skilljar_async._client import request_priority
from skilljar_async.ratelimit import SlidingLog
from skilljar_async.testing import SkilljarEmulator
from skilljar_async.transport import AiohttpTransport, Request, Response

WINDOWS = (Window(20, 1.0), Window(100, 10.0))
LATENCY = 0.010
JITTER = 0.010
WORKERS = 32  # more than a 1 s window's 20: the job never waits on its own workers

#: set by a foreground call: the transport appends the loop time its request left the queue
SENT: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar("sent", default=None)


def limits(reserve: float) -> RateLimits:
    return RateLimits(read=(), modify=WINDOWS, remove=(), reserve=reserve)


class Jittered:
    """The aiohttp transport with 0-10 ms of seeded extra latency; marks foreground sends."""

    def __init__(self, seed: int) -> None:
        self.inner = AiohttpTransport(timeout=30.0)
        self.rng = random.Random(seed)

    async def handle(self, request: Request) -> Response:
        sent = SENT.get()
        if sent is not None:
            sent.append(asyncio.get_running_loop().time())
        await asyncio.sleep(self.rng.uniform(0.0, JITTER))
        return await self.inner.handle(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def client_for(emu: SkilljarEmulator, reserve: float, **kwargs: Any) -> SkilljarClient:
    return SkilljarClient(
        kwargs.pop("key", emu.api_key),
        base_url=emu.base_url,
        rate_limits=limits(reserve),
        transport=Jittered(kwargs.pop("seed", 0)),
        **kwargs,
    )


async def write(client: SkilljarClient, i: int) -> None:
    await client.request("POST", "/webhooks", json={"target_url": f"https://h.example.com/{i}"})


async def close(client: SkilljarClient) -> None:
    transport = client._transport
    await client.aclose()
    await transport.aclose()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# -- a. background job + foreground writes ------------------------------------------


async def background_and_foreground(reserve: float, items: int) -> dict[str, float]:
    async with SkilljarEmulator(limits=limits(0.0), latency=LATENCY) as emu:
        client = client_for(emu, reserve, organization=f"qos-a-{reserve}")
        loop = asyncio.get_running_loop()
        queue = list(range(items))
        waits: list[float] = []

        async def worker() -> None:
            request_priority.set(-1)
            while queue:
                await write(client, queue.pop())

        fg_sent: list[float] = []

        async def foreground(i: int) -> None:
            sent: list[float] = []
            SENT.set(sent)
            start = loop.time()
            await write(client, 10_000 + i)
            waits.append(sent[0] - start)
            fg_sent.append(sent[0] - t0)

        t0 = loop.time()
        job = asyncio.gather(*(asyncio.create_task(worker()) for _ in range(WORKERS)))
        fg: list[asyncio.Task[None]] = []
        while not job.done():
            fg.append(asyncio.create_task(foreground(len(fg))))
            await asyncio.wait([job], timeout=1.5)
        makespan = loop.time() - t0
        await asyncio.gather(*fg)
        throttled = client.stats.throttled
        await close(client)
    alone = SlidingLog(WINDOWS, reserve).eta(0.0, items, background=True)
    optimum = optimum_beside(sorted(fg_sent), items, reserve)
    return {
        "alone": alone,
        "n_fg": len(waits),
        "p50_ms": 1000 * statistics.median(waits),
        "p99_ms": 1000 * pct(waits, 0.99),
        "max_ms": 1000 * max(waits),
        "makespan": makespan,
        "optimum": optimum,
        "ratio": makespan / optimum,
        "429s": throttled,
    }


def optimum_beside(foreground: list[float], items: int, reserve: float) -> float:
    """The exact greedy makespan of `items` instant background calls beside `foreground` ones.

    Foreground calls count in the windows a background call is checked against,
    so they take from the job's share; this is the least time that share allows
    given the foreground calls that were made (at the times they left the queue).
    """
    log = SlidingLog(WINDOWS, reserve)
    at, fg, done = 0.0, 0, 0
    while done < items:
        ready = log.ready_at(at, background=True)
        if fg < len(foreground) and foreground[fg] <= ready:
            at = max(at, foreground[fg])
            fg += 1
        else:
            at = ready
            done += 1
        log.acquire()
        log.release(at)
    return at


# -- b. deadline ----------------------------------------------------------------------


async def deadline(calls: int = 200) -> dict[str, float]:
    async with SkilljarEmulator(limits=limits(0.0), latency=LATENCY) as emu:
        client = client_for(emu, 0.0, organization="qos-b", max_queue_wait=0.2)
        await asyncio.gather(*(write(client, i) for i in range(20)))  # the 1 s window is spent
        result = await refusals(emu, client, calls)
        await close(client)
    return result


async def refusals(emu: SkilljarEmulator, client: SkilljarClient, calls: int) -> dict[str, float]:
    """`calls` writes that should each raise `BudgetExhaustedError`: how fast, and what was sent."""
    seen = len(emu.requests)
    times: list[float] = []
    for i in range(calls):
        start = time.perf_counter()
        try:
            await write(client, 100 + i)
        except BudgetExhaustedError:
            times.append(time.perf_counter() - start)
    nan = float("nan")
    return {
        "raised": len(times),
        "median_ms": 1000 * statistics.median(times) if times else nan,
        "p99_ms": 1000 * pct(times, 0.99) if times else nan,
        "max_ms": 1000 * max(times) if times else nan,
        "sent": len(emu.requests) - seen,
    }


# -- c. an outside consumer --------------------------------------------------------------


async def outside(items: int, polite: bool = True) -> dict[str, float]:
    async with SkilljarEmulator(limits=limits(0.0), latency=LATENCY) as emu:
        consumer = emu.foreign_consumer(CallType.MODIFY, 3.0, polite=polite)
        await asyncio.sleep(10.0)  # steady: 30 of every 10 s window are the consumer's
        client = client_for(emu, 0.0, organization="qos-c")
        loop = asyncio.get_running_loop()
        queue = list(range(items))

        async def worker() -> None:
            while queue:
                await write(client, queue.pop())

        t0 = loop.time()
        await asyncio.gather(*(worker() for _ in range(WORKERS)))
        makespan = loop.time() - t0
        later = [r for r in emu.requests if r.at >= t0 + 10.0]
        late_429 = sum(1 for r in later if r.throttled)
        consumer_throttled = consumer.throttled
        stats = client.stats
        await close(client)
        await consumer.wait_stopped()
    left_over = SlidingLog((Window(17, 1.0), Window(70, 10.0))).eta(0.0, items)
    return {
        "calls": len(emu.requests),
        "429s": stats.throttled,
        "unexpected": stats.throttled_unexpected,
        "late_429_per_100": 100 * late_429 / max(1, len(later)),
        "consumer_429s": consumer_throttled,
        "makespan": makespan,
        "left_over": left_over,
        "ratio": makespan / left_over,
    }


# -- d. two keys, one organization ----------------------------------------------------


async def two_keys(organization: str | None) -> int:
    window = RateLimits(read=(), modify=(Window(20, 10.0),), remove=())
    async with SkilljarEmulator(api_keys=("k1", "k2"), limits=window, latency=LATENCY) as emu:
        clients = [
            SkilljarClient(
                key,
                base_url=emu.base_url,
                rate_limits=window,
                organization=organization,
                transport=Jittered(i),
                max_rate_limit_wait=60.0,
            )
            for i, key in enumerate(("k1", "k2"))
        ]
        await asyncio.gather(*(write(c, i) for c in clients for i in range(20)))
        for c in clients:
            await close(c)
        return emu.count_429


def run(coro: Callable[[], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        return await coro()

    return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=270, help="writes in (a) and (c)")
    args = parser.parse_args()
    print("Sharing the budget: modification limits 20/1 s + 100/10 s, 10-20 ms latency\n")

    print("a. background job at full speed + a foreground write every 1.5 s")
    print(f"  {'reserve':>7} {'fg n':>5} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
          f"{'makespan s':>10} {'alone s':>8} {'optimum s':>9} {'ratio':>6} "
          f"{'429s':>5}")  # fmt: skip
    for reserve in (0.1, 0.0):
        r = run(lambda reserve=reserve: background_and_foreground(reserve, args.items))
        print(f"  {reserve:>7} {r['n_fg']:>5} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
              f"{r['max_ms']:>7.1f} {r['makespan']:>10.2f} {r['alone']:>8.2f} {r['optimum']:>9.2f} "
              f"{r['ratio']:>6.3f} {r['429s']:>5}")  # fmt: skip
    print("  alone: the job's share with no foreground call; optimum: that share beside the")
    print("  foreground calls made (they count in the windows the job is checked against)")
    print("  targets (reserve 0.1): p99 <= 50 ms, max <= 100 ms, makespan <= 1.05 x optimum\n")

    print("b. deadline: the window spent, max_queue_wait=0.2")
    r = run(deadline)
    print(f"  raised {r['raised']} of 200; time to raise median {r['median_ms']:.3f} ms, "
          f"p99 {r['p99_ms']:.3f} ms, max {r['max_ms']:.3f} ms; requests the server saw: "
          f"{r['sent']}")  # fmt: skip
    print("  targets: raises in <= 2 ms, the server sees nothing\n")

    print("c. an outside consumer spending 30% of the long window")
    for polite in (True, False):
        r = run(lambda polite=polite: outside(args.items, polite))
        kind = "polite (honours Retry-After)" if polite else "steady (ignores 429s)"
        print(f"  {kind}: calls {r['calls']}, 429s {r['429s']} ({r['unexpected']} unexpected), "
              f"429s per 100 calls after the first long window {r['late_429_per_100']:.2f}, "
              f"consumer's 429s {r['consumer_429s']}")  # fmt: skip
        print(f"    makespan {r['makespan']:.2f} s vs {r['left_over']:.2f} s the budget left "
              f"over allows: {r['ratio']:.3f}x")  # fmt: skip
    print("  targets: <= 1 x 429 per 100 calls after the first long window, <= 1.15x\n")

    print("d. two keys, 20 calls each, against a 20-call window")
    with_org = run(lambda: two_keys("qos-d"))
    without = run(lambda: two_keys(None))
    print(f"  naming one organization: {with_org} x 429; without it: {without} x 429")
    print("  target: 0 x 429")


if __name__ == "__main__":
    main()
