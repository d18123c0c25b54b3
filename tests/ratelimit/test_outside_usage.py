"""The outside-usage estimate against a simulated Skilljar server on virtual time.

The server keeps a true sliding log of every call it accepts, ours and another
integration's, and answers 429 with the seconds until its oldest call in a full window
expires. The other integration sends 3 calls a second (30% of 600 per minute) and retries a
throttled call up to four times, a second apart. Our side is a bulk job: 8 workers at
priority -1 that report every 429 and success the way the client does.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import math
from dataclasses import dataclass, field

import pytest

from skilljar_async.ratelimit import (
    CallType,
    RateLimits,
    SlidingLog,
    SlidingWindowScheduler,
    Window,
)

from .test_properties import run_virtual

READ = CallType.READ
WINDOW = Window(600, 60.0)
OUTSIDE_RATE = 3.0  # calls per second: 180 of every 600
VANISH = 900.0  # when the other integration stops
END = VANISH + 25 * 60.0


class Server:
    """Accepts a call while every window holds fewer than its limit; else says how long to wait."""

    def __init__(self, window: Window) -> None:
        self.window = window
        self.accepted: collections.deque[float] = collections.deque()

    def hit(self, t: float) -> float | None:
        """None when accepted, else the Retry-After in seconds."""
        accepted = self.accepted
        while accepted and accepted[0] <= t - self.window.period:
            accepted.popleft()
        if len(accepted) < self.window.limit:
            accepted.append(t)
            return None
        return accepted[len(accepted) - self.window.limit] + self.window.period - t


@dataclass
class Minute:
    ours: int = 0
    throttled: int = 0
    outside: int = 0


@dataclass
class Run:
    minutes: dict[int, Minute] = field(default_factory=lambda: collections.defaultdict(Minute))
    estimate_at_vanish: int = 0
    estimate_at_end: int = 0

    def rate(self, start: float, stop: float) -> float:
        """Our 429s per 100 of our calls in [start, stop)."""
        picked = [m for k, m in self.minutes.items() if start <= k * WINDOW.period < stop]
        return 100 * sum(m.throttled for m in picked) / sum(m.ours for m in picked)


@functools.cache
def simulate(*, learn: bool = True) -> Run:
    """Run the bulk job against the server for 40 virtual minutes (the other side for 15)."""
    out = Run()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        s = SlidingWindowScheduler(RateLimits.uniform(WINDOW, reserve=0.1))
        server = Server(WINDOW)

        def minute(t: float) -> Minute:
            return out.minutes[int(t // WINDOW.period)]

        def attempt(tries: int) -> None:
            t = loop.time()
            if server.hit(t) is None:
                minute(t).outside += 1
            elif tries < 4:
                loop.call_later(1.0, attempt, tries + 1)

        async def outside() -> None:
            while loop.time() < VANISH:
                attempt(0)
                await asyncio.sleep(1 / OUTSIDE_RATE)
            out.estimate_at_vanish = s.snapshot()[READ].windows[0].outside

        async def worker() -> None:
            while loop.time() < END:
                async with s.slot(READ, priority=-1):
                    await asyncio.sleep(0.02)
                    t = loop.time()
                    retry_after = server.hit(t)
                    await asyncio.sleep(0.02)
                minute(t).ours += 1
                if retry_after is None:
                    s.succeeded(READ)
                    continue
                minute(t).throttled += 1
                if learn:
                    s.throttled(READ, retry_after)
                s.pause(READ, retry_after, probe=True)

        await asyncio.gather(outside(), *(worker() for _ in range(8)))
        out.estimate_at_end = s.snapshot()[READ].windows[0].outside

    run_virtual(main)
    return out


def test_without_learning_the_other_side_costs_429s_every_window() -> None:
    """The baseline: a scheduler that learns nothing meets 429s each window, over 1 per 100."""
    run = simulate(learn=False)
    assert run.rate(WINDOW.period, VANISH) > 1.5
    assert max(run.minutes[m].outside for m in range(5, 14)) < 100  # and it starves the other


def test_estimate_converges_under_a_steady_outside_consumer() -> None:
    """After the first window, at most 1 x 429 per 100 calls, and the other gets its 30%."""
    run = simulate()
    assert run.rate(WINDOW.period, VANISH) <= 1.0
    assert run.rate(5 * WINDOW.period, VANISH) <= 0.5
    assert 120 <= run.estimate_at_vanish <= 300
    for m in range(5, 15):
        assert run.minutes[m].outside >= 170, (m, run.minutes[m])


def test_estimate_decays_after_the_outside_consumer_vanishes() -> None:
    """Once the other side stops, throughput comes back to 90% of the background share."""
    run = simulate()
    assert run.rate(VANISH, END) == 0.0
    assert run.estimate_at_end <= 12
    last = int(END // WINDOW.period) - 1
    assert run.minutes[last].ours >= 0.9 * 540


# -- two windows: a short one and a long one the other side fills --------------------------

SHORT, LONG = Window(20, 1.0), Window(100, 10.0)
LATENCY = 0.015  # seconds to the server and back, each half one way


class TwoWindowServer:
    """Accepts a call while both windows have room; a 429 says the seconds to wait, rounded up."""

    def __init__(self) -> None:
        self.accepted: collections.deque[float] = collections.deque()

    def hit(self, t: float) -> int | None:
        accepted = self.accepted
        while accepted and accepted[0] <= t - LONG.period:
            accepted.popleft()
        wait = 0.0
        for w in (SHORT, LONG):
            inside = [a for a in accepted if a > t - w.period]
            if len(inside) >= w.limit:
                wait = max(wait, inside[len(inside) - w.limit] + w.period - t)
        if wait:
            return max(1, math.ceil(wait - 1e-9))
        accepted.append(t)
        return None


@dataclass
class Job:
    makespan: float = 0.0
    calls: list[tuple[float, bool]] = field(default_factory=list)  # (time from start, throttled)

    def rate_after(self, start: float) -> float:
        """Our 429s per 100 of our calls from `start` on."""
        later = [throttled for t, throttled in self.calls if t >= start]
        return 100 * sum(later) / len(later)


@functools.cache
def two_windows(items: int, *, polite: bool, share: float = 0.3) -> Job:
    """A 32-worker job beside another integration steadily spending `share` of the long window."""
    job = Job()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        s = SlidingWindowScheduler(RateLimits(read=(SHORT, LONG), modify=(), remove=()))
        server = TwoWindowServer()
        done = asyncio.Event()

        async def outside() -> None:
            while not done.is_set():
                retry_after = server.hit(loop.time())
                if retry_after is not None and polite:
                    await asyncio.sleep(retry_after)
                    continue
                await asyncio.sleep(LONG.period / (share * LONG.limit))

        consumer = asyncio.create_task(outside())
        await asyncio.sleep(LONG.period)  # steady: its share of every long window is spent
        start = loop.time()
        left = [items]

        async def worker() -> None:
            while left[0] > 0:
                left[0] -= 1
                while True:
                    async with s.slot(READ):
                        await asyncio.sleep(LATENCY / 2)
                        t = loop.time()
                        retry_after = server.hit(t)
                        await asyncio.sleep(LATENCY / 2)
                    job.calls.append((t - start, retry_after is not None))
                    if retry_after is None:
                        s.succeeded(READ)
                        break
                    s.throttled(READ, retry_after)
                    s.pause(READ, retry_after, probe=True)

        await asyncio.gather(*(worker() for _ in range(32)))
        job.makespan = loop.time() - start
        done.set()
        await consumer

    run_virtual(main)
    return job


@pytest.mark.parametrize("polite", [True, False], ids=["polite", "steady"])
@pytest.mark.parametrize("items", [270, 1500])
def test_a_steady_consumer_of_the_long_window_costs_under_one_429_per_100(
    items: int, polite: bool
) -> None:
    """After the first long window, <= 1 x 429 per 100 calls; the job within 1.15x the rest."""
    job = two_windows(items, polite=polite)
    assert job.rate_after(LONG.period) <= 1.0
    left_over = SlidingLog((Window(17, 1.0), Window(70, 10.0))).eta(0.0, items)
    assert job.makespan <= 1.15 * left_over


@pytest.mark.parametrize("share", [0.1, 0.5])
def test_a_smaller_or_larger_consumer_costs_as_little(share: float) -> None:
    """10% or 50% of the long window: the same bounds against what that consumer leaves."""
    job = two_windows(600, polite=True, share=share)
    assert job.rate_after(LONG.period) <= 1.0
    other = round(share * LONG.limit)
    left = (
        Window(SHORT.limit - math.ceil(other / LONG.period), 1.0),
        Window(LONG.limit - other, 10.0),
    )
    assert job.makespan <= 1.15 * SlidingLog(left).eta(0.0, 600)
