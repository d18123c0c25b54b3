"""One organization's budget over real HTTP: across loops, threads, keys and deadlines."""

import asyncio
import threading
from collections.abc import Iterator

import pytest

from skilljar_async import BudgetExhaustedError, RateLimits, SkilljarClient, Window
from skilljar_async._client import request_priority
from skilljar_async.ratelimit import SlidingLog
from skilljar_async.testing import SkilljarEmulator


class ThreadedEmulator:
    """An emulator serving from its own thread and event loop (real time)."""

    def __init__(self, emulator: SkilljarEmulator) -> None:
        self.emulator = emulator
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> SkilljarEmulator:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.emulator.start(), self.loop).result(timeout=30)
        return self.emulator

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.emulator.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.loop.close()


@pytest.fixture
def served() -> Iterator[SkilljarEmulator]:
    limits = RateLimits.uniform(Window(20, 1.0))
    with ThreadedEmulator(SkilljarEmulator(limits=limits, latency=0.005)) as emulator:
        yield emulator


def batch(emulator: SkilljarEmulator, organization: str | None, calls: int = 15) -> None:
    """One `asyncio.run()` batch of reads through a fresh client."""

    async def run() -> None:
        async with SkilljarClient(
            emulator.api_key,
            base_url=emulator.base_url,
            organization=organization,
            rate_limits=RateLimits.uniform(Window(20, 1.0)),
        ) as client:
            await asyncio.gather(*(client.request("GET", "/ping") for _ in range(calls)))

    asyncio.run(run())


def test_sequential_runs_and_a_thread_share_one_budget(served: SkilljarEmulator) -> None:
    """Two asyncio.run() batches and a thread's loop, 15 calls each, one key, 20/1 s: no 429."""
    batch(served, None)
    thread = threading.Thread(target=batch, args=(served, None))
    thread.start()
    batch(served, None)
    thread.join()
    assert len(served.requests) == 45
    assert served.count_429 == 0


@pytest.mark.looptime
async def test_two_keys_of_one_organization_share_the_window() -> None:
    """Two keys naming one organization, 20 calls each against a 20-call window: no 429."""
    limits = RateLimits.uniform(Window(20, 60.0))
    async with SkilljarEmulator(api_keys=("k1", "k2"), limits=limits) as emu:

        async def spend(key: str, organization: str | None) -> None:
            async with SkilljarClient(
                key, base_url=emu.base_url, organization=organization, rate_limits=limits
            ) as client:
                await asyncio.gather(*(client.request("GET", "/ping") for _ in range(20)))

        loop = asyncio.get_running_loop()
        t0 = loop.time()
        await asyncio.gather(spend("k1", "acme-keys"), spend("k2", "acme-keys"))
        assert emu.count_429 == 0
        assert loop.time() - t0 == pytest.approx(60.0, abs=1.0)
        await asyncio.sleep(60)
        await asyncio.gather(spend("k1", None), spend("k2", None))  # each key alone: 429s
        assert emu.count_429 > 0


@pytest.mark.looptime
async def test_deadline_raises_with_nothing_sent() -> None:
    """With the window spent, max_queue_wait=0.2 raises at once and the server sees nothing."""
    limits = RateLimits.uniform(Window(5, 60.0))
    async with SkilljarEmulator(limits=limits) as emu:
        async with SkilljarClient(
            emu.api_key, base_url=emu.base_url, rate_limits=limits, max_queue_wait=0.2
        ) as client:
            for _ in range(5):
                await client.request("GET", "/ping")
            seen = len(emu.requests)
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            with pytest.raises(BudgetExhaustedError) as caught:
                await client.request("GET", "/ping")
            assert loop.time() == t0
            assert caught.value.retry_after > 0.2
            assert len(emu.requests) == seen
            assert emu.count_429 == 0


@pytest.mark.looptime
async def test_foreground_goes_first_beside_a_background_job() -> None:
    """A job at full speed and a write every 1.5 s: the writes never wait; the job is optimal."""
    windows = (Window(20, 1.0), Window(100, 10.0))
    limits = RateLimits(read=(), modify=windows, remove=(), reserve=0.1)
    latency = 0.015
    async with SkilljarEmulator(limits=limits, latency=latency) as emu:
        async with SkilljarClient(
            emu.api_key, base_url=emu.base_url, rate_limits=limits, organization="acme-qos"
        ) as client:
            loop = asyncio.get_running_loop()
            queue = list(range(200))
            started: dict[str, float] = {}

            async def write(url: str) -> None:
                await client.request("POST", "/webhooks", json={"target_url": url})

            async def worker() -> None:
                request_priority.set(-1)
                while queue:
                    await write(f"https://h.example.com/{queue.pop()}")

            async def foreground(i: int) -> None:
                url = f"https://fg.example.com/{i}"
                started[url] = loop.time()
                await write(url)

            t0 = loop.time()
            job = asyncio.gather(*(asyncio.create_task(worker()) for _ in range(32)))
            writes = []
            while not job.done():
                writes.append(asyncio.create_task(foreground(len(writes))))
                await asyncio.wait([job], timeout=1.5)
            makespan = loop.time() - t0
            await asyncio.gather(*writes)
    waits = [
        r.at - started[r.body["target_url"]] - latency / 2
        for r in emu.requests
        if r.body["target_url"] in started
    ]
    assert len(waits) == len(writes) >= 10
    assert max(waits) <= 0.001
    optimum = SlidingLog(windows, 0.1).eta(0.0, 200, background=True)
    assert emu.count_429 == 0
    assert optimum <= makespan <= optimum * 1.05
