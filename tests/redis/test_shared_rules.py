"""The Lua step follows the in-memory estimator's rules: one process, the same calls.

A `RedisScheduler` and a `SlidingLog` are driven through the same random run of
calls that succeed, calls that get a 429 and reports of successes; after every
call both must agree on the outside estimates, the proven levels, each window's
use and which 429s were unexpected. Windows are 30 minutes and an hour long, so
nothing expires during a run: no timing involved.

Successes reach Redis with the next step, i.e. just before the next grant, so
the in-memory log takes them in at the same point (before its next call).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable

import pytest

redis_asyncio = pytest.importorskip("redis.asyncio")

from skilljar_async.ratelimit import CallType, RateLimits, RedisScheduler, Window  # noqa: E402
from skilljar_async.ratelimit._log import SlidingLog  # noqa: E402

pytestmark = pytest.mark.redis
READ = CallType.READ
WINDOWS = (Window(60, 1800.0), Window(200, 3600.0))
Make = Callable[..., RedisScheduler]


@pytest.fixture
async def make(redis_url: str, ns: str) -> AsyncIterator[Make]:
    made: list[RedisScheduler] = []

    def build() -> RedisScheduler:
        limits = RateLimits.uniform(*WINDOWS)
        sched = RedisScheduler(redis_url, limits, namespace=ns, api_key="test-key")
        made.append(sched)
        return sched

    yield build
    for sched in made:
        await sched.aclose()


async def call(s: RedisScheduler) -> None:
    async with s.slot(READ):
        pass
    await s.flush()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_redis_and_in_memory_learn_the_same_estimates(make: Make, seed: int) -> None:
    """35% reports of 1 to 250 successes, 3% calls that get a 429, the rest calls that
    succeed (a call only when the log has room: the step that carries the reports
    grants it)."""
    rng = random.Random(seed)
    redis = make()
    log = SlidingLog(WINDOWS)
    now = 1000.0
    pending = 0  # successes reported, not yet taken in (Redis: not yet sent)
    calls = decays = rises = unexpected = 0
    outside, proven = list(log.outside), list(log.proven)  # as of the last comparison
    for _ in range(600):
        now += 0.001
        for _ in range(pending):
            log.succeeded(now)
        pending = 0
        op = rng.random()
        if op < 0.35 or log.ready_at(now) > now:  # a report of many successes
            k = rng.randint(1, 250)
            for _ in range(k):
                redis.succeeded(READ)
            pending = k if log.estimating else 0
            continue
        log.acquire()
        await asyncio.wait_for(call(redis), 10.0)  # granted by the step carrying `pending`
        log.release(now)
        calls += 1
        if op < 0.38:  # a 429
            expected = log.throttled(now)
            got = redis.throttled(READ)
            assert got == expected
            unexpected += got
            await redis.flush()  # sends what was learned
            await redis.fetch_snapshot()
        else:
            redis.succeeded(READ)
            pending = 1 if log.estimating else 0
        reply = redis._lanes[READ].state.reply  # type: ignore[union-attr]
        assert reply.outside == tuple(log.outside)
        assert reply.proven == tuple(log.proven)
        assert [reply.held + count for count, _ in reply.windows] == log.used(now)
        decays += any(o < b for o, b in zip(log.outside, outside, strict=True))
        rises += any(g > b for g, b in zip(log.proven, proven, strict=True))
        outside, proven = list(log.outside), list(log.proven)
    # the run went through every rule at least once
    assert calls > 40
    assert unexpected > 0
    assert decays > 0
    assert rises > 0
