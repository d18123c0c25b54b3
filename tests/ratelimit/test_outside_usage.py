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
from dataclasses import dataclass, field

from skilljar_async.ratelimit import CallType, RateLimits, SlidingWindowScheduler, Window

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
