"""The bulk runner on its own: results, back-pressure, progress, priorities, plan."""

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from skilljar_async import CallType, RateLimits, SkilljarClient, Window
from skilljar_async.bulk import BulkJob, ItemStatus, Outcome, Progress, format_duration, plan

pytestmark = pytest.mark.looptime


async def test_one_result_per_item_and_failures_do_not_stop_the_job() -> None:
    """Every item gets a result; a raising item is a failure, the rest go on."""

    async def fn(n: int) -> Outcome:
        if n % 10 == 3:
            raise ValueError(f"bad {n}")
        return Outcome(ItemStatus.EXISTED if n % 10 == 5 else ItemStatus.SUCCEEDED, str(n))

    async with SkilljarClient("k") as client:
        summary = await BulkJob(client, concurrency=4).run(range(100), fn, key=str)
    assert (summary.succeeded, summary.existed, summary.failed) == (80, 10, 10)
    assert [str(f.error) for f in summary.failures][:2] == ["bad 3", "bad 13"]


async def test_intake_is_bounded() -> None:
    """A huge input is pulled lazily: never more than concurrency x 3 items in flight."""
    pulled = 0
    finished = 0
    worst = 0

    def items() -> Iterator[int]:
        nonlocal pulled
        for n in range(10_000):
            pulled += 1
            yield n

    async def fn(n: int) -> None:
        nonlocal finished, worst
        worst = max(worst, pulled - finished)
        await asyncio.sleep(0.01)
        finished += 1

    async with SkilljarClient("k") as client:
        summary = await BulkJob(client, concurrency=8).run(items(), fn, key=str)
    assert summary.succeeded == 10_000
    assert worst <= 8 * 3 + 1


async def test_async_iterable_input_and_progress_events() -> None:
    """Async iterables stream in; events() reports rising counts down to zero remaining."""

    async def items() -> AsyncIterator[int]:
        for n in range(50):
            yield n

    async def fn(n: int) -> None:
        await asyncio.sleep(0.1)

    async with SkilljarClient("k") as client:
        job: BulkJob[int] = BulkJob(client, concurrency=5, total=50, progress_interval=0)
        seen: list[Progress] = []

        async def watch() -> None:
            async for event in job.events():
                seen.append(event)

        watcher = asyncio.ensure_future(watch())
        await asyncio.sleep(0)
        await job.run(items(), fn, key=str)
        await watcher
    assert len(seen) > 10  # one event per finished item (interval 0) plus the last
    assert seen[-1].done == 50
    assert seen[-1].remaining == 0
    assert seen[-1].eta == 0.0
    dones = [e.done for e in seen]
    assert dones == sorted(dones)
    assert all(e.remaining == 50 - e.done for e in seen if e.remaining is not None)


async def test_eta_comes_from_the_budget() -> None:
    """With 40 writes left at 10/s, the ETA is the scheduler's exact 3 s, not a guess."""
    limits = RateLimits.uniform(Window(10, 1.0))
    async with SkilljarClient("k", rate_limits=limits) as client:
        job: BulkJob[int] = BulkJob(client, total=40, calls_per_item={CallType.MODIFY: 1})
        job._start = asyncio.get_running_loop().time()
        assert job.progress().eta == 3.0


async def test_eta_is_for_the_jobs_share() -> None:
    """Half of 10/s in reserve: a background job's 40 writes take 7 s, a foreground one's 3 s."""
    limits = RateLimits.uniform(Window(10, 1.0), reserve=0.5)
    async with SkilljarClient("k-share", rate_limits=limits) as client:
        for priority, eta in ((-1, 7.0), (0, 3.0)):
            job: BulkJob[int] = BulkJob(
                client, total=40, calls_per_item={CallType.MODIFY: 1}, priority=priority
            )
            job._start = asyncio.get_running_loop().time()
            assert job.progress().eta == eta


async def test_bulk_calls_run_below_ordinary_priority() -> None:
    """Bulk work queues behind an app's ordinary calls for the same budget."""
    limits = RateLimits.uniform(Window(1, 1.0))
    order: list[str] = []
    async with SkilljarClient("k", rate_limits=limits) as client:
        scheduler = client.scheduler

        async def bulk_item(n: int) -> None:
            async with scheduler.slot(CallType.READ, priority=-1):
                order.append(f"bulk{n}")

        async def app_call() -> None:
            async with scheduler.slot(CallType.READ, priority=0):
                order.append("app")

        async with scheduler.slot(CallType.READ):
            job = asyncio.ensure_future(
                BulkJob(client, concurrency=3).run(range(3), bulk_item, key=str)
            )
            await asyncio.sleep(0.1)
            app = asyncio.ensure_future(app_call())
            await asyncio.sleep(0)
        await asyncio.gather(job, app)
    assert order[0] == "app"


def test_plan_counts_calls_and_minimum_time() -> None:
    """12,000 enrollments of known learners need 12,000 writes and just over two hours."""
    result = plan(12_000, {CallType.MODIFY: 1.0})
    assert result.calls[CallType.MODIFY] == 12_000
    assert result.calls[CallType.READ] == 0
    # A job's share keeps the 10% reserve: 4,500 an hour in bursts of 540 a minute,
    # so 4,500 in the first hour, 4,500 in the second, the last 3,000 in six bursts.
    assert result.minimum_seconds == 2 * 3600 + 300
    assert "12,000 modification calls" in str(result)
    assert "2 h 5 min at a background job's share" in str(result)


def test_plan_for_the_whole_budget() -> None:
    """At priority 0 the whole budget counts: 5,000 an hour in bursts of 600."""
    result = plan(12_000, {CallType.MODIFY: 1.0}, priority=0)
    assert result.minimum_seconds == 2 * 3600 + 180
    assert "2 h 3 min" in str(result)
    assert "share" not in str(result)


@pytest.mark.parametrize(
    ("seconds", "text"), [(12.5, "12.5 s"), (250, "4 min 10 s"), (7380, "2 h 3 min")]
)
def test_format_duration(seconds: float, text: str) -> None:
    """Durations read naturally."""
    assert format_duration(seconds) == text


async def test_job_outcome_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """A finished job logs its counts at INFO on skilljar_async.bulk."""
    import logging

    async def fn(n: int) -> Outcome:
        if n == 2:
            raise ValueError("bad")
        return Outcome(ItemStatus.SUCCEEDED, str(n))

    caplog.set_level(logging.INFO, "skilljar_async.bulk")
    async with SkilljarClient("k") as client:
        await BulkJob(client, concurrency=2).run(range(5), fn, key=str)
    [record] = [r for r in caplog.records if r.name == "skilljar_async.bulk"]
    message = record.getMessage()
    assert message.startswith("bulk job done in ")
    assert "4 succeeded, 0 existed, 1 failed, 0 done earlier" in message
