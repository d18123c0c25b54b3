"""RedisScheduler as a BudgetScheduler: the reserve, max_wait and the shared outside estimate.

Two schedulers on one namespace stand for two processes sharing one budget.
Windows are an hour long, so nothing frees during a test: no timing involved.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

redis_asyncio = pytest.importorskip("redis.asyncio")

from skilljar_async import BudgetExhaustedError  # noqa: E402
from skilljar_async.ratelimit import (  # noqa: E402
    BudgetScheduler,
    CallType,
    RateLimits,
    RedisScheduler,
    Window,
)

pytestmark = pytest.mark.redis
READ = CallType.READ
HOUR = 3600.0
Make = Callable[..., RedisScheduler]


@pytest.fixture
async def make(redis_url: str, ns: str) -> AsyncIterator[Make]:
    """Build schedulers sharing this test's namespace (like separate processes would)."""
    made: list[RedisScheduler] = []

    def build(*windows: Window, reserve: float = 0.0) -> RedisScheduler:
        limits = RateLimits.uniform(*windows, reserve=reserve)
        sched = RedisScheduler(redis_url, limits, namespace=ns, api_key="test-key")
        made.append(sched)
        return sched

    yield build
    for sched in made:
        await sched.aclose()


async def take(s: RedisScheduler, n: int = 1, priority: int = 0) -> None:
    """`n` zero-hold calls, one after another."""
    for _ in range(n):
        async with s.slot(READ, priority=priority):
            pass
    await s.flush()


def test_redis_scheduler_is_a_budget_scheduler(redis_url: str) -> None:
    """The client passes max_wait and reports 429s only to a BudgetScheduler."""
    s = RedisScheduler(redis_url, api_key="k")
    assert isinstance(s, BudgetScheduler)


async def test_background_stops_at_its_share_while_foreground_still_gets_slots(
    make: Make,
) -> None:
    """10 per hour with a 30% reserve: 7 background grants across both processes, then
    only foreground ones, up to the full 10."""
    a = make(Window(10, HOUR), reserve=0.3)
    b = make(Window(10, HOUR), reserve=0.3)
    await take(a, 4, priority=-1)
    await take(b, 3, priority=-1)
    await b.fetch_snapshot()
    with pytest.raises(BudgetExhaustedError) as refused:
        async with b.slot(READ, priority=-1, max_wait=60):
            pass
    assert refused.value.retry_after > HOUR - 60

    # A queued background waiter is not granted, while foreground calls go past it.
    waiter = asyncio.create_task(take(a, priority=-5))
    await asyncio.sleep(0)  # let it queue (it does so before its first await)
    assert a._lanes[READ].live == 1
    await take(a, 2)
    await take(b, 1)
    assert not waiter.done()
    snap = (await b.fetch_snapshot())[READ].windows[0]
    assert (snap.used, snap.effective_limit, snap.background_limit) == (10, 10, 7)
    assert snap.remaining == 0
    with pytest.raises(BudgetExhaustedError):
        async with b.slot(READ, max_wait=1):
            pass
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await a.flush()
    assert (await a.fetch_snapshot())[READ].windows[0].used == 10  # nothing more was spent


async def test_max_wait_refusal_is_immediate_and_spends_nothing(make: Make) -> None:
    """With the window full as last seen, entering refuses at once: no step, no slot."""
    s = make(Window(2, HOUR))
    await take(s, 2)
    await s.fetch_snapshot()
    lane = s._lanes[READ]
    steps = lane.state.reply.seq if lane.state is not None else -1
    started = time.monotonic()
    for _ in range(20):
        with pytest.raises(BudgetExhaustedError) as refused:
            async with s.slot(READ, max_wait=30.0):
                raise AssertionError("granted")
    assert time.monotonic() - started < 1.0
    assert refused.value.call_type is READ
    assert refused.value.max_wait == 30.0
    assert HOUR - 60 < refused.value.retry_after <= HOUR
    assert lane.live == 0
    snap = await s.fetch_snapshot()
    assert lane.state is not None
    assert lane.state.reply.seq == steps + 1  # only the fetch stepped
    assert (snap[READ].held, snap[READ].windows[0].used) == (0, 2)
    with pytest.raises(ValueError, match="max_wait"):
        s.slot(READ, max_wait=-1)


async def test_a_deadline_passing_in_the_queue_fails_the_waiter_holding_nothing(
    make: Make,
) -> None:
    """A process that knows nothing yet queues; its deadline ends the wait, nothing lost."""
    full = make(Window(1, HOUR))
    await take(full)
    fresh = make(Window(1, HOUR))  # no last-known state: it must ask Redis
    with pytest.raises(BudgetExhaustedError) as expired:
        async with fresh.slot(READ, max_wait=0.2):
            raise AssertionError("granted")
    assert expired.value.retry_after > HOUR - 60  # learned from the step it queued for
    lane = fresh._lanes[READ]
    assert lane.live == 0
    snap = await fresh.fetch_snapshot()
    assert (snap[READ].held, snap[READ].windows[0].used) == (0, 1)


async def test_an_unexpected_429_in_one_process_lowers_the_limit_another_sees(
    make: Make,
) -> None:
    """A 429 with room left in the window is blamed on others; the estimate is shared."""
    a = make(Window(100, HOUR), reserve=0.5)
    b = make(Window(100, HOUR), reserve=0.5)
    await take(a, 5)
    assert a.throttled(READ, None) is True
    await a.flush()
    snap = (await b.fetch_snapshot())[READ].windows[0]
    assert snap.outside == 90  # the proof (96) capped so the floor (10) stays ours
    assert (snap.effective_limit, snap.background_limit) == (10, 5)
    assert snap.remaining == 5
    await take(b, 5)
    with pytest.raises(BudgetExhaustedError):
        async with b.slot(READ, max_wait=1):
            pass
    assert a.eta(READ) == 0.0  # a has not stepped since: its last-known state is older
    await a.fetch_snapshot()
    assert a.eta(READ) > HOUR - 60


async def test_successes_decay_the_shared_estimate(make: Make) -> None:
    """After limit x patience successes, sent with the next step, the estimate halves."""
    a = make(Window(100, HOUR))
    b = make(Window(100, HOUR))
    await take(a)
    assert a.throttled(READ, None) is True
    await a.flush()
    await b.fetch_snapshot()
    assert b.snapshot()[READ].windows[0].outside == 90
    for _ in range(99):
        b.succeeded(READ)
    await take(b)  # the step carries the 99: not yet enough
    assert b.snapshot()[READ].windows[0].outside == 90
    b.succeeded(READ)
    await take(b)
    assert b.snapshot()[READ].windows[0].outside == 45
    assert (await a.fetch_snapshot())[READ].windows[0].outside == 45


async def test_a_429_known_usage_explains_is_expected_and_learns_nothing(make: Make) -> None:
    """Unexpected-ness comes from the last-known use and the shared estimate (`_share.blame`)."""
    a = make(Window(100, HOUR))
    b = make(Window(100, HOUR))
    await take(a, 50)
    await b.fetch_snapshot()
    assert b.throttled(READ, None) is True  # 50 used, none estimated: others took 51
    await b.flush()
    await a.fetch_snapshot()
    assert a.snapshot()[READ].windows[0].outside == 51
    assert a.throttled(READ, None) is False  # 50 used + 51 outside explain it
    await a.flush()
    assert (await b.fetch_snapshot())[READ].windows[0].outside == 51
