"""The emulator's rate limiter on virtual time (looptime): exact sliding windows."""

from __future__ import annotations

import asyncio
import logging

import pytest

from skilljar_async.ratelimit import CallType, RateLimits, Window
from skilljar_async.testing import SkilljarEmulator

from ._helpers import Api, api_for

pytestmark = pytest.mark.looptime

FIVE_PER_SECOND = RateLimits.uniform(Window(5, 1.0))


def now() -> float:
    return asyncio.get_running_loop().time()


async def statuses(api: Api, n: int, method: str = "GET", path: str = "/ping") -> list[int]:
    return [(await api.call(method, path)).status for _ in range(n)]


async def test_sixth_call_in_a_second_is_429_with_retry_after() -> None:
    """Five calls pass; the sixth is 429 with an integer Retry-After and DRF's body fields."""
    async with SkilljarEmulator(limits=FIVE_PER_SECOND) as emu, api_for(emu) as api:
        t0 = now()
        assert await statuses(api, 5) == [200] * 5
        await asyncio.sleep(0.4)
        answer = await api.get("/ping")
        assert now() - t0 == pytest.approx(0.4)
        assert answer.status == 429
        assert answer.headers["Retry-After"] == "1"
        assert answer.json == {
            "detail": "Request was throttled. Expected available in 1 seconds.",
            "status_code": 429,
            "reason": "Too Many Requests",
        }
        assert emu.count_429 == 1
        assert emu.requests[-1].throttled
        assert not emu.requests[-1].counted


async def test_retry_after_is_the_ceiling_of_the_wait() -> None:
    """Retry-After rounds the exact wait up to whole seconds."""
    async with (
        SkilljarEmulator(limits=RateLimits.uniform(Window(2, 10.0))) as emu,
        api_for(emu) as api,
    ):
        assert await statuses(api, 2) == [200, 200]
        await asyncio.sleep(2.5)
        answer = await api.get("/ping")
        assert answer.status == 429
        assert answer.headers["Retry-After"] == "8"  # 7.5 s left
        assert "Expected available in 8 seconds." in answer.json["detail"]


async def test_window_slides_exactly_and_throttled_calls_are_not_counted() -> None:
    """Slots free exactly one period after each counted call; 429s never take a slot."""
    async with SkilljarEmulator(limits=FIVE_PER_SECOND) as emu, api_for(emu) as api:
        assert await statuses(api, 4) == [200] * 4  # t = 0
        await asyncio.sleep(0.5)
        assert await statuses(api, 3) == [200, 429, 429]  # t = 0.5
        await asyncio.sleep(0.499)
        assert await statuses(api, 1) == [429]  # t = 0.999: nothing expired yet
        await asyncio.sleep(0.001)
        # t = 1.0: the four t=0 calls expired; had the 429s counted, fewer would pass.
        assert await statuses(api, 5) == [200, 200, 200, 200, 429]
        await asyncio.sleep(0.5)
        assert await statuses(api, 2) == [200, 429]  # t = 1.5: the t=0.5 call expired
        assert emu.counted(CallType.READ) == 10
        assert emu.in_window(CallType.READ, 1.0) == 5


async def test_call_types_have_independent_budgets() -> None:
    """Exhausting reads leaves modifications and removals untouched, and vice versa."""
    async with SkilljarEmulator(limits=FIVE_PER_SECOND) as emu, api_for(emu) as api:
        assert await statuses(api, 6) == [200] * 5 + [429]
        assert await statuses(api, 6, "DELETE", "/webhooks/missing") == [404] * 5 + [429]
        assert await statuses(api, 6, "PATCH", "/webhooks/missing") == [404] * 5 + [429]
        assert (emu.counted("read"), emu.counted("modify"), emu.counted("remove")) == (5, 5, 5)


async def test_auth_failures_are_not_counted() -> None:
    """401 and 403 happen before throttling, so they neither count nor get 429."""
    async with SkilljarEmulator(limits=FIVE_PER_SECOND) as emu:
        async with api_for(emu, None) as anonymous:
            assert await statuses(anonymous, 8) == [401] * 8
        async with api_for(emu, emu.read_only_key) as read_only:
            assert await statuses(read_only, 8, "POST", "/webhooks") == [403] * 8
            assert await statuses(read_only, 6) == [200] * 5 + [429]
        assert emu.counted("read") == 5
        assert emu.counted("modify") == 0


async def test_foreign_spend_shares_the_org_budget() -> None:
    """Calls spent by another consumer of the org leave less for us."""
    async with SkilljarEmulator(limits=FIVE_PER_SECOND) as emu, api_for(emu) as api:
        assert emu.spend("read", 3) == 3
        assert await statuses(api, 3) == [200, 200, 429]
        assert emu.spend(CallType.READ, 2) == 0  # the foreign consumer is throttled too
        await asyncio.sleep(1.0)
        assert await statuses(api, 1) == [200]


async def test_foreign_consumer_spends_in_the_background() -> None:
    """A background consumer at 3 calls/s leaves 2 of 5 per second, and stops on request."""
    async with SkilljarEmulator(limits=FIVE_PER_SECOND) as emu, api_for(emu) as api:
        consumer = emu.foreign_consumer("read", 3.0)
        await asyncio.sleep(10.05)
        assert consumer.spent == 31  # at t = 0, 1/3, ..., 10
        assert await statuses(api, 3) == [200, 200, 429]
        consumer.stop()
        await asyncio.sleep(1.0)
        assert not consumer.running
        assert await statuses(api, 5) == [200] * 5


async def test_polite_consumer_waits_out_retry_after() -> None:
    """A polite consumer at 10/s against 5 per 1 s backs off after each 429; a rude one does not."""
    async with SkilljarEmulator(limits=FIVE_PER_SECOND) as emu:
        polite = emu.foreign_consumer("read", 10.0, polite=True)
        await asyncio.sleep(3.05)
        await polite.wait_stopped()
        # 5 counted at 0-0.4 s, refused at 0.5 s, waits 1 s; 5 more at 1.5-1.9 s,
        # refused at 2.0 s, waits 1 s; one more at 3.0 s.
        assert (polite.spent, polite.throttled) == (11, 2)
        rude = emu.foreign_consumer("read", 10.0)
        await asyncio.sleep(3.05)
        await rude.wait_stopped()
        assert rude.throttled > 10


async def test_unlimited_when_limits_is_none() -> None:
    """limits=None never throttles."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        assert await statuses(api, 50) == [200] * 50
        assert emu.count_429 == 0


async def test_429_is_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    """Each 429 the emulator answers is a DEBUG record of skilljar_async.testing."""
    caplog.set_level(logging.DEBUG, "skilljar_async.testing")
    async with SkilljarEmulator(limits=FIVE_PER_SECOND) as emu, api_for(emu) as api:
        assert await statuses(api, 6) == [200] * 5 + [429]
    [record] = [r for r in caplog.records if r.name == "skilljar_async.testing"]
    assert record.getMessage() == "emulator: 429 on GET /v1/ping, Retry-After 1"
