"""One lane on virtual time: the reserve, wait deadlines and the outside estimate."""

import asyncio

import pytest

from skilljar_async import BudgetExhaustedError, SkilljarError
from skilljar_async.ratelimit import (
    BudgetScheduler,
    CallType,
    RateLimits,
    Scheduler,
    SlidingWindowScheduler,
    Window,
)
from skilljar_async.ratelimit._lane import Lane

READ = CallType.READ
pytestmark = pytest.mark.looptime


def now() -> float:
    return asyncio.get_running_loop().time()


async def hold(s: SlidingWindowScheduler, seconds: float, priority: int = 0) -> None:
    async with s.slot(READ, priority=priority):
        await asyncio.sleep(seconds)


async def take(
    s: SlidingWindowScheduler, priority: int = 0, max_wait: float | None = None
) -> float:
    async with s.slot(READ, priority=priority, max_wait=max_wait):
        return now()


async def test_background_stops_at_its_share_and_foreground_goes_on() -> None:
    """With 10 per 10 s and reserve 0.2, the 9th background call waits; a foreground one doesn't."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(10, 10.0), reserve=0.2))
    assert [await take(s, priority=-1) for _ in range(8)] == [0.0] * 8
    late = asyncio.create_task(take(s, priority=-1))
    await asyncio.sleep(1)
    assert not late.done()
    assert await take(s) == 1.0  # the reserve serves foreground calls at once
    assert await take(s) == 1.0
    assert await late == 10.0  # the first background stamp expired
    snap = s.snapshot()[READ].windows[0]
    assert (snap.limit, snap.effective_limit, snap.background_limit) == (10, 10, 8)


async def test_foreground_passes_a_blocked_background_queue() -> None:
    """Queued background waiters that cannot be granted do not hold up a foreground one."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(4, 10.0), reserve=0.5))
    await asyncio.gather(take(s, priority=-1), take(s, priority=-1))
    waiting = [asyncio.create_task(take(s, priority=-1)) for _ in range(3)]
    await asyncio.sleep(0)
    assert s.snapshot()[READ].queued == 3
    assert await take(s) == 0.0
    assert await take(s, priority=5) == 0.0
    assert sorted(await asyncio.gather(*waiting)) == [10.0, 10.0, 20.0]


async def test_refused_at_once_with_the_exact_retry_after() -> None:
    """A full window refuses a waiter that would wait longer than max_wait, with no await."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(2, 10.0)))
    await take(s)
    await asyncio.sleep(3)
    await take(s)
    cm = s.slot(READ, max_wait=6.5)
    with pytest.raises(BudgetExhaustedError) as info:
        cm.__aenter__()  # raises before returning anything to await
    err = info.value
    assert isinstance(err, SkilljarError)
    assert (err.call_type, err.retry_after, err.max_wait) == (READ, 7.0, 6.5)
    assert "read" in str(err)
    assert s.snapshot()[READ].held == 0
    assert s.snapshot()[READ].queued == 0
    assert await take(s, max_wait=7.0) == 10.0  # exactly at the deadline is in time


async def test_refusal_counts_the_waiters_ahead() -> None:
    """Two waiters ahead in a 1-per-second lane make the third one's earliest grant 3 s away."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 1.0)))
    await take(s)
    ahead = [asyncio.create_task(take(s)) for _ in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(BudgetExhaustedError) as info:
        await take(s, max_wait=2.5)
    assert info.value.retry_after == 3.0
    assert await take(s, max_wait=3.0) == 3.0
    assert await asyncio.gather(*ahead) == [1.0, 2.0]


async def test_background_refusal_uses_its_share() -> None:
    """A background waiter is refused where a foreground one would be granted at once."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(10, 5.0), reserve=0.5))
    for _ in range(5):
        await take(s)
    with pytest.raises(BudgetExhaustedError) as info:
        await take(s, priority=-1, max_wait=1.0)
    assert info.value.retry_after == 5.0
    assert await take(s, max_wait=0.0) == 0.0


async def test_pause_counts_towards_the_deadline() -> None:
    """A 429 pause in force makes a short max_wait fail at once."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(10, 1.0)))
    await take(s)
    s.pause(READ, 30.0)
    with pytest.raises(BudgetExhaustedError) as info:
        await take(s, max_wait=10.0)
    assert info.value.retry_after == 30.0


async def test_deadline_passes_while_queued() -> None:
    """A higher-priority arrival pushes a queued waiter past its deadline: it fails then."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 4.0)))
    await take(s)
    low = asyncio.create_task(take(s, max_wait=5.0))  # due at 4.0, deadline 5.0
    await asyncio.sleep(1)
    high = asyncio.create_task(take(s, priority=1))
    with pytest.raises(BudgetExhaustedError) as info:
        await low
    assert now() == 5.0
    assert info.value.retry_after == 3.0  # behind the high one: 8.0
    assert await high == 4.0
    snap = s.snapshot()[READ]
    assert (snap.held, snap.queued) == (0, 0)
    assert await take(s) == 8.0  # the expired waiter took nothing


async def test_deadline_expiry_then_cancel_loses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A task cancelled after its deadline failed it, before it resumed, releases nothing."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 4.0)))
    on_deadline = Lane._on_deadline

    def fail_then_cancel(lane: Lane) -> None:
        on_deadline(lane)
        waiter.cancel()  # the waiter's future already holds the error

    monkeypatch.setattr(Lane, "_on_deadline", fail_then_cancel)
    await take(s)
    waiter = asyncio.create_task(take(s, max_wait=4.5))
    await asyncio.sleep(1)
    high = asyncio.create_task(take(s, priority=1))  # pushes the waiter to 8.0
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert now() == 4.5
    assert await high == 4.0
    assert s.snapshot()[READ].held == 0
    assert await take(s) == 8.0


async def test_many_granted_deadlines_are_swept() -> None:
    """Deadlines of waiters granted long before them do not pile up."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 0.001)))
    for _ in range(500):
        await take(s, max_wait=1000.0)
    lane = s._budgets[READ].lane
    assert lane is not None
    assert len(lane.deadlines) <= 130


def test_max_wait_is_validated() -> None:
    """A negative or non-number max_wait is a ValueError before anything waits."""
    s = SlidingWindowScheduler()
    for bad in (-1.0, float("nan"), True):
        with pytest.raises(ValueError, match="max_wait"):
            s.slot(READ, max_wait=bad)


async def test_eta_uses_the_callers_share() -> None:
    """`eta(priority=-1)` waits out the reserve; the default priority does not."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(10, 5.0), reserve=0.5))
    assert s.eta(READ, 10) == 0.0
    assert s.eta(READ, 10, priority=-1) == 5.0
    assert s.eta(READ, 6, priority=-1) == 5.0
    assert s.eta(READ, 5, priority=-1) == 0.0


async def test_throttled_learns_and_succeeded_decays() -> None:
    """An unexpected 429 shrinks the effective limit; a window of successes halves it back."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(10, 5.0)))
    for _ in range(3):
        await take(s)
    assert s.throttled(READ, 4.0) is True  # 3 of 10 used: others spent at least 8, + 1
    assert s.throttled(READ, 4.0) is False  # now explained by the estimate
    window = s.snapshot()[READ].windows[0]
    assert (window.outside, window.effective_limit, window.remaining) == (9, 1, 0)
    for _ in range(200):  # 100 x the first patience, in a window this side fills
        s.succeeded(READ)
    assert s.snapshot()[READ].windows[0].outside == 4


async def test_decay_wakes_waiters() -> None:
    """When decay raises the effective limit, waiters blocked by the estimate go on."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(10, 50.0)))
    await take(s)
    s.throttled(READ)  # proves 10 - 1 + 1 = 10, capped at 9: effective limit 1
    waiter = asyncio.create_task(take(s))
    await asyncio.sleep(1)
    assert not waiter.done()
    for _ in range(200):
        s.succeeded(READ)
    assert await waiter == 1.0


async def test_succeeded_ends_probing() -> None:
    """`succeeded()` ends probing like `recover()` does."""
    s = SlidingWindowScheduler(RateLimits.uniform(Window(10, 1.0)))
    s.pause(READ, 0.0, probe=True)
    assert s.probing(READ)
    s.succeeded(READ)
    assert not s.probing(READ)


def test_budget_scheduler_protocol() -> None:
    """The in-memory scheduler is a BudgetScheduler; the plain Scheduler protocol still fits it."""
    s = SlidingWindowScheduler()
    assert isinstance(s, BudgetScheduler)
    plain: Scheduler = s
    budget: BudgetScheduler = s
    assert plain is budget
