"""The async scheduler on virtual time: grants, pauses, eta, snapshots, cancellation."""

import asyncio
import gc
import math
import threading

import pytest

from skilljar_async import BudgetExhaustedError
from skilljar_async.ratelimit import CallType, RateLimits, SlidingWindowScheduler, Window
from skilljar_async.ratelimit._lane import Lane

READ = CallType.READ
pytestmark = pytest.mark.looptime


def now() -> float:
    return asyncio.get_running_loop().time()


async def take(s: SlidingWindowScheduler, ct: CallType = READ, priority: int = 0) -> float:
    async with s.slot(ct, priority=priority):
        return now()


async def start_in_order(coros: list) -> list[asyncio.Task]:  # type: ignore[type-arg]
    """Start tasks one by one so each reaches the scheduler in list order."""
    tasks = []
    for coro in coros:
        tasks.append(asyncio.ensure_future(coro))
        await asyncio.sleep(0)
    return tasks


async def test_vendor_hourly_example() -> None:
    """1 call at 12:00, 4,999 at 12:59: one more at 13:00, then nothing until 13:59."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(5000, 3600.0)))
    t0 = now()
    assert await take(s) - t0 == 0.0
    await asyncio.sleep(3540)
    grants = await asyncio.gather(*(take(s) for _ in range(4999 + 3)))
    rel = sorted(g - t0 for g in grants)
    assert rel[:4999] == [3540.0] * 4999
    assert rel[4999] == 3600.0  # 13:00: the 12:00 call expired
    assert rel[5000] == rel[5001] == 7140.0  # 13:59: the 12:59 burst expired


async def test_vendor_example_at_both_real_limits() -> None:
    """With 600/min also in force, a spent hour still frees exactly when its stamps expire."""
    s = SlidingWindowScheduler()
    t0 = now()
    await take(s)
    await asyncio.sleep(3060)  # 12:51
    grants = sorted(g - t0 for g in await asyncio.gather(*(take(s) for _ in range(5001))))
    minutes = [3060.0 + 60 * k for k in range(9)]
    expected = [m for m in minutes[:8] for _ in range(600)] + [3540.0] * 199
    assert grants[:4999] == expected
    assert grants[4999] == 3600.0  # 13:00 frees the 12:00 call
    assert grants[5000] == 3060.0 + 3600.0  # then nothing until the 12:51 burst expires


async def test_stamp_is_exit_time() -> None:
    """A slot counts from its exit, not its grant: a long call delays the next."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 10.0)))
    t0 = now()
    async with s.slot(READ):
        await asyncio.sleep(5)
    assert await take(s) - t0 == 15.0


async def test_block_that_raises_is_still_stamped() -> None:
    """An exception inside the block still spends the slot (the request may have gone out)."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 10.0)))
    t0 = now()
    with pytest.raises(KeyError):
        async with s.slot(READ):
            raise KeyError
    assert await take(s) - t0 == 10.0


async def test_cancelled_block_is_still_stamped() -> None:
    """Cancelling a task inside its block releases and stamps the slot."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 10.0)))
    t0 = now()

    async def hold() -> None:
        async with s.slot(READ):
            await asyncio.sleep(100)

    task = asyncio.ensure_future(hold())
    await asyncio.sleep(3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert s.snapshot()[READ].held == 0
    assert await take(s) - t0 == 13.0


async def test_cancelled_waiter_consumes_nothing() -> None:
    """A waiter cancelled in the queue spends no slot; the one behind it gets the next."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 10.0)))
    t0 = now()
    await take(s)
    first, second = await start_in_order([take(s), take(s)])
    assert s.snapshot()[READ].queued == 2
    first.cancel()
    await asyncio.sleep(0)
    assert s.snapshot()[READ].queued == 1
    assert await second - t0 == 10.0
    assert first.cancelled()
    assert s.snapshot()[READ].windows[0].used == 1


async def test_grant_to_cancelled_waiter_is_passed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """A waiter cancelled after its grant but before resuming hands the slot on."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 10.0)))
    t0 = now()
    await take(s)
    first, second = await start_in_order([take(s), take(s)])
    dispatch = Lane.dispatch

    def dispatch_then_cancel(lane: Lane, *fired_at: float) -> None:
        dispatch(lane, *fired_at)
        if now() >= t0 + 10.0 and not first.done():  # granted, not yet resumed
            first.cancel()

    monkeypatch.setattr(Lane, "dispatch", dispatch_then_cancel)
    assert await asyncio.wait_for(second, 60) - t0 == 10.0  # a lost grant times out
    assert first.cancelled()
    snap = s.snapshot()[READ]
    assert (snap.held, snap.queued, snap.windows[0].used) == (0, 0, 1)


async def test_priority_then_fifo() -> None:
    """Higher priority first; equal priorities in arrival order."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 1.0)))
    await take(s)
    order: list[str] = []

    async def named(name: str, priority: int) -> None:
        async with s.slot(READ, priority=priority):
            order.append(name)

    tasks = await start_in_order(
        [named("low1", -1), named("a", 0), named("high", 5), named("b", 0), named("low2", -1)]
    )
    await asyncio.gather(*tasks)
    assert order == ["high", "a", "b", "low1", "low2"]


async def test_call_types_are_independent() -> None:
    """A full read lane does not hold up modifications or removals."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 60.0)))
    t0 = now()
    await take(s, CallType.READ)
    assert await take(s, CallType.MODIFY) == t0
    assert await take(s, CallType.REMOVE) == t0
    assert await take(s, CallType.READ) == t0 + 60.0


async def test_pause_blocks_then_resumes() -> None:
    """No grants during a pause; queued waiters go as soon as it ends."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(100, 1.0)))
    t0 = now()
    s.pause(READ, 30.0)
    assert s.snapshot()[READ].paused_for == 30.0
    assert s.eta(READ) == 30.0
    grants = await asyncio.gather(*(take(s) for _ in range(3)))
    assert grants == [t0 + 30.0] * 3
    assert await take(s, CallType.MODIFY) == t0 + 30.0  # other lanes never paused


async def test_pause_only_extends() -> None:
    """A shorter pause never cuts a longer one short."""
    s = SlidingWindowScheduler()
    t0 = now()
    s.pause(READ, 10.0)
    s.pause(READ, 2.0)
    assert await take(s) == t0 + 10.0


def test_pause_rejects_negative() -> None:
    """A negative or NaN pause is a ValueError."""
    s = SlidingWindowScheduler()
    for bad in (-1.0, math.nan):
        with pytest.raises(ValueError, match="seconds"):
            s.pause(READ, bad)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 20])
async def test_eta_matches_actual_grants(n: int) -> None:
    """eta(n) is exactly when the n-th of n simultaneous calls is granted."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(2, 1.0), Window(5, 10.0)))
    for _ in range(3):
        await take(s)
    await asyncio.sleep(0.5)
    t = now()
    predicted = s.eta(READ, n)
    grants = await asyncio.gather(*(take(s) for _ in range(n)))
    assert max(grants) - t == pytest.approx(predicted, abs=1e-9)


async def test_snapshot_reports_use() -> None:
    """The snapshot shows used, remaining and when the next slot frees, per window."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(2, 10.0), Window(3, 100.0)))
    await take(s)
    await asyncio.sleep(4)
    async with s.slot(READ):
        snap = s.snapshot()[READ]
        assert snap.held == 1
        w10, w100 = snap.windows
        assert (w10.used, w10.remaining, w10.next_free_in) == (2, 0, 6.0)
        assert (w100.used, w100.remaining, w100.next_free_in) == (2, 1, 0.0)
        assert snap.remaining == 0


async def test_one_timer_per_call_type() -> None:
    """A thousand queued waiters arm one timer, not a thousand."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(10, 1.0)))
    loop = asyncio.get_running_loop()
    before = len(loop._scheduled)  # type: ignore[attr-defined]
    tasks = [asyncio.ensure_future(take(s)) for _ in range(1000)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    armed = [h for h in loop._scheduled if not h.cancelled()]  # type: ignore[attr-defined]
    assert len(armed) - before == 1
    await asyncio.gather(*tasks)


async def test_memory_does_not_grow_with_calls() -> None:
    """Ten thousand calls leave no more state than the largest limit."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(50, 1.0)))
    for _ in range(10_000):
        await take(s)
    budget = s._budgets[READ]
    assert len(budget.log._buf) == 50
    assert budget.lane is not None
    assert budget.lane.heap == []


async def test_sweeps_cancelled_waiters() -> None:
    """Dead waiters never pile up: once they outnumber live ones the heap is swept."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 1000.0)))
    await take(s)
    tasks = [asyncio.ensure_future(take(s)) for _ in range(1000)]
    await asyncio.sleep(0)
    for task in tasks[1:]:
        task.cancel()
    await asyncio.gather(*tasks[1:], return_exceptions=True)
    lane = s._budgets[READ].lane
    assert lane is not None
    assert len(lane.heap) < 100
    tasks[0].cancel()
    await asyncio.gather(tasks[0], return_exceptions=True)


def test_a_thread_with_its_own_loop_shares_the_budget() -> None:
    """A loop in another thread, while the first is live, sees the calls made in the first."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(3, 3600.0)))
    loop_a = asyncio.new_event_loop()
    try:
        for _ in range(2):
            loop_a.run_until_complete(take(s))
        seen: list[int] = []
        errors: list[BaseException] = []

        def other() -> None:
            async def run() -> None:
                await take(s)
                seen.append(s.snapshot()[READ].windows[0].used)
                with pytest.raises(BudgetExhaustedError):
                    async with s.slot(READ, max_wait=1.0):
                        pass

            try:
                asyncio.run(run())
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert errors == []
        assert seen == [3]
    finally:
        loop_a.close()
        gc.collect()


def test_a_release_in_one_loop_wakes_a_waiter_in_another() -> None:
    """A waiter queued in a thread's loop is granted when the other loop releases."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 0.05)))
    loop_a = asyncio.new_event_loop()
    thread = threading.Thread(target=loop_a.run_forever)
    thread.start()
    try:
        released = threading.Event()

        async def hold() -> None:
            async with s.slot(READ):
                await asyncio.sleep(0.2)

        held = asyncio.run_coroutine_threadsafe(hold(), loop_a)

        async def wait_here() -> float:
            await asyncio.sleep(0.05)  # the other loop holds the only slot by now
            async with s.slot(READ):
                released.set()
                return s.snapshot()[READ].windows[0].used

        assert asyncio.run(wait_here()) == 1
        held.result(timeout=10)
        assert released.is_set()
    finally:
        loop_a.call_soon_threadsafe(loop_a.stop)
        thread.join()
        loop_a.close()
        gc.collect()


def test_sequential_loops_keep_the_window() -> None:
    """A second asyncio.run() batch waits for the window the first one filled."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(2, 3600.0)))

    async def batch() -> bool:
        try:
            for _ in range(2):
                async with s.slot(READ, max_wait=1.0):
                    pass
        except BudgetExhaustedError:
            return False
        return True

    assert asyncio.run(batch())
    assert not asyncio.run(batch())


def test_closed_loop_frees_the_scheduler() -> None:
    """After its loop is closed, a scheduler may be used from a new loop."""
    s = SlidingWindowScheduler()
    asyncio.run(take(s))
    asyncio.run(take(s))
    assert s.snapshot()[READ].held == 0


async def test_probe_mode_grants_one_at_a_time_until_recovered() -> None:
    """After a 429-style pause with probe=True only one slot is held until recover()."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(100, 1.0)))
    t0 = now()
    s.pause(READ, 5.0, probe=True)
    starts: list[float] = []

    async def call() -> None:
        async with s.slot(READ):
            starts.append(now() - t0)
            await asyncio.sleep(1)

    tasks = [asyncio.ensure_future(call()) for _ in range(5)]
    await asyncio.sleep(7.5)
    assert starts == [5.0, 6.0, 7.0]  # probes, one after another
    assert s.snapshot()[READ].probing
    s.recover(READ)
    await asyncio.gather(*tasks)
    assert starts == [5.0, 6.0, 7.0, 7.5, 7.5]  # the rest go at once
    assert not s.snapshot()[READ].probing


async def test_idle_once_every_window_is_empty() -> None:
    """A scheduler is idle until used, then again once its stamps leave every window."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(5, 1.0), Window(10, 4.0)))
    assert s.idle()
    await take(s)
    assert not s.idle()
    await asyncio.sleep(1.5)
    assert not s.idle()  # still inside the 4 s window
    s.pause(READ, 10.0)
    await asyncio.sleep(3.0)
    assert not s.idle()  # paused
    await asyncio.sleep(7.0)
    assert s.idle()
