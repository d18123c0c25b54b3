"""The client at saturation against the emulator: exact limits, no 429s, near-optimal makespan."""

import asyncio

import pytest

from skilljar_async import CallType, RateLimits, SkilljarClient, Window
from skilljar_async.ratelimit import SlidingLog
from skilljar_async.testing import SkilljarEmulator

pytestmark = pytest.mark.looptime


def optimum(limits: RateLimits, counts: dict[CallType, int]) -> float:
    """The exact minimum makespan: the slowest call type's greedy schedule from empty."""
    return max(SlidingLog(limits.for_call_type(ct)).eta(0.0, n) for ct, n in counts.items() if n)


async def test_scaled_limits_mixed_calls_no_429_near_optimum() -> None:
    """1,000 mixed calls at 20/1 s + 50/5 s: zero 429s, makespan within 10% of the optimum."""
    limits = RateLimits.uniform(Window(20, 1.0), Window(50, 5.0))
    async with SkilljarEmulator(limits=limits) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url, rate_limits=limits) as client:
            hooks = [
                (await client.webhooks.create(target_url=f"https://hooks.example.com/{i}")).id
                for i in range(50)
            ]
            await asyncio.sleep(10)  # let the set-up calls age out of every window
            emu.clear_requests()
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            calls = [client.ping.retrieve() for _ in range(600)]
            calls += [
                client.webhooks.create(target_url=f"https://hooks.example.com/n{i}")
                for i in range(350)
            ]
            calls += [client.webhooks.destroy(h) for h in hooks]
            await asyncio.gather(*calls)
            makespan = loop.time() - t0
    counts = {CallType.READ: 600, CallType.MODIFY: 350, CallType.REMOVE: 50}
    best = optimum(limits, counts)
    assert emu.count_429 == 0
    assert len(emu.requests) == 1000
    assert best <= makespan <= best * 1.10


async def test_real_limits_on_virtual_time() -> None:
    """At Skilljar's real limits, 5,200 reads take exactly the hour the budget allows."""
    limits = RateLimits.skilljar()
    async with SkilljarEmulator(limits=limits) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url) as client:
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            await asyncio.gather(*(client.request("GET", "/ping") for _ in range(5200)))
            makespan = loop.time() - t0
    assert emu.count_429 == 0
    best = optimum(limits, {CallType.READ: 5200})
    assert best == 3600.0
    assert best <= makespan <= best * 1.01
