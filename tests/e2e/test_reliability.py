"""Paging, throttling, faults, read-only keys and cancellation against the emulator."""

import asyncio

import pytest

from skilljar_async import (
    CallType,
    PermissionDeniedError,
    RateLimits,
    SkilljarClient,
    SlidingWindowScheduler,
    Window,
)
from skilljar_async.testing import SkilljarEmulator


async def test_page_10000_users_by_cursor_and_by_page() -> None:
    """Both paging modes of /v1/users deliver each of 10,000 learners exactly once."""
    async with SkilljarEmulator(users=10_000, limits=None) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url) as client:
            by_cursor = [row.user.id async for row in client.users.list(page_size=1000)]
            pages = client.paginate("/users", params={"page": 1}, page_size=1000)
            first = await pages
            by_page = [row["user"]["id"] async for row in pages]
    cursor_pages = [r.query for r in emu.requests[:10]]
    page_pages = [r.query for r in emu.requests[10:]]
    assert all("cursor" in q for q in cursor_pages[1:])
    assert all("page" in q and "cursor" not in q for q in page_pages)
    assert first.total == 10_000
    assert len(by_cursor) == len(set(by_cursor)) == 10_000
    assert sorted(by_page) == sorted(by_cursor)


@pytest.mark.looptime  # backoff waits run on virtual time
async def test_faults_while_paging_lose_and_repeat_nothing() -> None:
    """With 10% 502s and 3% dropped connections, 5,000 rows arrive exactly once each."""
    async with SkilljarEmulator(
        users=5_000, limits=None, error_rate=0.10, drop_rate=0.03, seed=7
    ) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url, max_retries=8) as client:
            ids = [row.user.id async for row in client.users.list(page_size=50)]
    assert len(ids) == len(set(ids)) == 5_000
    faults = {r.fault for r in emu.requests}
    assert {"error", "drop_before", "drop_after"} <= faults


@pytest.mark.looptime
async def test_429_recovery_with_a_foreign_consumer() -> None:
    """Another integration spending the budget causes few 429s and every call completes."""
    limits = RateLimits.uniform(Window(20, 1.0))
    async with SkilljarEmulator(limits=limits) as emu:
        emu.foreign_consumer(CallType.READ, rate_per_s=8)
        async with SkilljarClient(emu.api_key, base_url=emu.base_url, rate_limits=limits) as c:
            results = await asyncio.gather(*(c.request("GET", "/ping") for _ in range(400)))
    assert results == [None] * 400
    ours = [r for r in emu.requests if r.key == emu.api_key]
    assert sum(1 for r in ours if r.status == 200) == 400
    assert 0 < emu.count_429 <= 60  # one probe at a time after each 429, not a storm


async def test_read_only_key_reads_but_cannot_write() -> None:
    """A read-only key lists fine; a write is a 403 that says why."""
    async with SkilljarEmulator(users=3, limits=None) as emu:
        async with SkilljarClient(emu.read_only_key, base_url=emu.base_url) as client:
            assert len([u async for u in client.users.list()]) == 3
            with pytest.raises(PermissionDeniedError, match="read-only") as info:
                await client.webhooks.create(target_url="https://hooks.example.com/x")
    assert info.value.status == 403
    assert info.value.body == {"detail": "You do not have permission to perform this action."}


async def test_read_only_client_sends_no_write() -> None:
    """With read_only=True a write never reaches the server."""
    async with SkilljarEmulator(limits=None) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url, read_only=True) as client:
            with pytest.raises(PermissionDeniedError):
                await client.courses.destroy("abc123")
    assert emu.requests == []


@pytest.mark.looptime
async def test_cancelled_while_queued_sends_nothing() -> None:
    """A call cancelled while it waits for a slot never reaches the server."""
    limits = RateLimits.uniform(Window(1, 60.0))
    async with SkilljarEmulator(limits=limits) as emu:
        scheduler = SlidingWindowScheduler(limits)
        async with SkilljarClient(emu.api_key, base_url=emu.base_url, scheduler=scheduler) as c:
            await c.ping()
            waiting = asyncio.ensure_future(c.ping())
            await asyncio.sleep(5)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            assert scheduler.snapshot()[CallType.READ].queued == 0
    assert len(emu.requests) == 1


@pytest.mark.looptime
async def test_cancelled_in_flight_counts_and_releases_the_connection() -> None:
    """A call cancelled mid-flight keeps its slot stamped and frees its connection."""
    limits = RateLimits.uniform(Window(5, 60.0))
    async with SkilljarEmulator(limits=limits, latency=2.0) as emu:
        scheduler = SlidingWindowScheduler(limits)
        async with SkilljarClient(emu.api_key, base_url=emu.base_url, scheduler=scheduler) as c:
            flying = asyncio.ensure_future(c.ping())
            await asyncio.sleep(1.5)  # past the emulator's arrival stamp, before the answer
            flying.cancel()
            with pytest.raises(asyncio.CancelledError):
                await flying
            snap = scheduler.snapshot()[CallType.READ]
            assert (snap.held, snap.windows[0].used) == (0, 1)
            assert await c.ping() is None  # the session still works
    assert len(emu.requests) >= 1
