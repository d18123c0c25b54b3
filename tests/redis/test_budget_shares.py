"""RedisScheduler as a BudgetScheduler: the reserve, max_wait and the shared outside estimate.

Two schedulers on one namespace stand for two processes sharing one budget.
Windows are an hour long, so nothing frees during a test: no timing involved.
The numbers follow `_share`: a learned estimate is the proof ``limit - used + 1``
plus 5% (at least 1); a first one is at least a tenth of the limit; every
estimate leaves this side the floor (a tenth of the limit).
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
    LimitsMismatchError,
    RateLimits,
    RedisScheduler,
    Window,
)
from skilljar_async.ratelimit.redis import _wire  # noqa: E402
from skilljar_async.ratelimit.redis._wire import Reply  # noqa: E402

pytestmark = pytest.mark.redis
READ = CallType.READ
HOUR = 3600.0
Make = Callable[..., RedisScheduler]


@pytest.fixture
async def make(redis_url: str, ns: str) -> AsyncIterator[Make]:
    """Build schedulers sharing this test's namespace (like separate processes would)."""
    made: list[RedisScheduler] = []

    def build(*windows: Window, reserve: float = 0.0, recheck: float = 1.0) -> RedisScheduler:
        limits = RateLimits.uniform(*windows, reserve=reserve)
        sched = RedisScheduler(redis_url, limits, namespace=ns, api_key="test-key", recheck=recheck)
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


def last(s: RedisScheduler) -> Reply:
    """The reply of `s`'s latest step for READ."""
    state = s._lanes[READ].state
    assert state is not None
    return state.reply


def succeed(s: RedisScheduler, n: int) -> None:
    """Report `n` successes (sent with `s`'s next step)."""
    for _ in range(n):
        s.succeeded(READ)


async def until(done: Callable[[], bool]) -> None:
    """Wait (on other tasks, not on a rate) until `done()`; fail after 10 s."""
    deadline = time.monotonic() + 10.0
    while not done():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


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
    # 5 used, none held: the proof is 96, plus 5 = 101, capped at 90 so the floor (10)
    # stays ours
    assert snap.outside == 90
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
    """Successes in a window this side fills, sent with the next step, halve the estimate
    once max(limit, 100) x patience (2 for a fresh estimate) = 200 of them came in."""
    a = make(Window(100, HOUR))
    b = make(Window(100, HOUR))
    await take(a)
    assert a.throttled(READ, None) is True
    await a.flush()
    await take(b, 8)  # 9 stamps in all, a's refused: 8 counted, under a tenth of the share
    assert last(b).outside == (90,)  # 1 used: proof 100, plus 5, capped at 90
    assert last(b).refused == (1,)
    succeed(b, 200)
    await take(b)  # the step carries the 200, counted with 8 of 9: not full enough
    assert b.snapshot()[READ].windows[0].outside == 90
    succeed(b, 200)  # now 10 stamps, 9 counted: within a tenth of the share (10)
    # The step halves the estimate (cap 55) before it grants, so the 11th call goes
    # through although 10 stamps filled the old cap.
    await take(b)
    assert b.snapshot()[READ].windows[0].outside == 45
    assert (await a.fetch_snapshot())[READ].windows[0].outside == 45
    assert last(a).windows[0][0] == 11


async def test_successes_in_a_half_empty_window_do_not_decay_the_estimate(make: Make) -> None:
    """Only a success in a window this side fills says anything about the others."""
    a = make(Window(100, HOUR))
    b = make(Window(100, HOUR))
    await take(a)
    assert a.throttled(READ, None) is True  # estimate 90: the cap is 10
    await a.flush()
    await b.fetch_snapshot()
    succeed(b, 200)
    await take(b)  # counted with 0 of 1 stamp (a's call was refused): says nothing
    assert last(b).outside == (90,)
    await take(b, 7)  # 9 stamps, 8 counted: still more than a tenth (1) below the share
    succeed(b, 200)
    await take(b)  # counted with 8: nothing yet (400 successes sent so far, none counted)
    assert last(b).outside == (90,)
    succeed(b, 200)
    await take(b)  # counted with 9 of 10 stamps: near full, the run of 200 is complete
    assert last(b).outside == (45,)


async def test_a_429_known_usage_explains_is_expected_and_learns_nothing(make: Make) -> None:
    """Unexpected-ness comes from the last-known use and the shared estimate (`_share.blame`)."""
    a = make(Window(100, HOUR))
    b = make(Window(100, HOUR))
    await take(a, 50)
    await b.fetch_snapshot()
    assert b.throttled(READ, None) is True  # 50 used, none estimated: others took 51
    await b.flush()
    await a.fetch_snapshot()
    # the proof (51) plus 5% (3): 54, more than the tenth of the limit a first one needs
    assert a.snapshot()[READ].windows[0].outside == 54
    assert a.throttled(READ, None) is False  # 50 used + 54 outside explain it
    await a.flush()
    assert (await b.fetch_snapshot())[READ].windows[0].outside == 54


async def test_refused_calls_do_not_count_as_used_so_the_proof_is_exact(make: Make) -> None:
    """The last 5 of 80 calls got a 429, reported after all were released: others spent 25.

    Each report leaves the calls reported before it out of this side's use (the
    server did not count them), so the proof grows by one per report and the last
    one is exact: 100 - 75 = 25. Counting them would keep every proof at 21.
    """
    a = make(Window(100, HOUR))
    await take(a, 80)
    reports = []
    for _ in range(5):
        reports.append(a.throttled(READ, None))
        await a.flush()  # sends what was learned, so the next report sees it
    # 1st: used 80, proof 21, +2 = 23 (over the tenth of the limit a first one needs);
    # 2nd and 3rd: used 79, 78, proofs 22, 23: the estimate covers them (expected);
    # 4th: used 77, proof 24 > 23: raised to 24 + 2 = 26; 5th: proof 25 <= 26
    assert reports == [True, False, False, True, False]
    assert (await a.fetch_snapshot())[READ].windows[0].outside == 26


async def test_a_429_burst_in_flight_learns_the_proof_and_reprobes_the_rest(make: Make) -> None:
    """75 calls succeeded, then 5 in flight at once all got a 429: others spent 25.

    The proof grows by one per refusal reported before it (refused calls are not
    this side's usage); the proven level drops to the 75 calls known to have
    counted, so the calls above it go one at a time again.
    """
    a = make(Window(100, HOUR))
    await take(a, 75)
    gates = [asyncio.Event() for _ in range(5)]
    inside = []

    async def call(i: int) -> None:
        async with a.slot(READ):
            inside.append(i)
            await gates[i].wait()

    tasks = [asyncio.create_task(call(i)) for i in range(5)]
    await until(lambda: len(inside) == 5)
    reports = []
    for i in range(5):
        gates[i].set()
        await tasks[i]
        reports.append(a.throttled(READ, None))
        await a.flush()
    # 1st: used 80 (4 still held): proof 21, +2 = 23 (more than the first tenth, 10),
    # proven level 80 - 4 - 1 = 75; 2nd, 3rd: proofs 22, 23 (expected); 4th: proof 24,
    # + 2 = 26, so the effective limit and the proven level are 74; 5th: proof 25 (expected)
    assert reports == [True, False, False, True, False]
    snap = (await a.fetch_snapshot())[READ]
    assert (snap.windows[0].outside, snap.held, snap.windows[0].used) == (26, 0, 80)
    assert a._lanes[READ].state.reply.proven == (74,)  # type: ignore[union-attr]


async def open_zone(make: Make) -> tuple[RedisScheduler, RedisScheduler]:
    """Two processes on 100 per hour after a 429 and a decay: estimate 45 (cap 55), proven
    level 9 (the old cap's 10 stamps less a's refused call), 11 stamps in the window.

    A soft wait is re-checked only after a minute, so only a published release ends it.
    """
    a = make(Window(100, HOUR), recheck=60.0)
    b = make(Window(100, HOUR), recheck=60.0)
    await take(a)
    assert a.throttled(READ, None) is True  # estimate 90: cap 10, proven level 10
    await a.flush()
    await take(b, 9)  # 10 stamps: the cap is full
    succeed(b, 200)
    await take(b)  # the step halves the estimate, then grants an 11th call (nothing held)
    reply = last(b)
    assert (reply.outside, reply.proven, reply.windows[0][0]) == ((45,), (9,), 11)
    return a, b


async def test_above_the_proven_level_one_slot_is_held_at_a_time_across_processes(
    make: Make,
) -> None:
    """Between the proven level (9) and the cap (55) a grant needs nothing held, in any
    process; each release that leaves nothing held wakes the others."""
    a, b = await open_zone(make)
    gate = asyncio.Event()
    inside, most, done = [0], [0], [0]

    async def call(s: RedisScheduler) -> None:
        async with s.slot(READ):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            await gate.wait()
            inside[0] -= 1
        done[0] += 1

    # Three waiters per process: each pump asks for 3 in one step; with nothing held the
    # first grant may go to the cap, any other only to the proven level (11 stamps > 9).
    tasks = [asyncio.create_task(call(s)) for s in (b, b, b, a, a, a)]
    await until(lambda: inside[0] == 1)
    snap = await a.fetch_snapshot()
    assert snap[READ].held == 1
    assert {last(a).granted, last(b).granted} <= {0, 1}
    # The wait is soft (a release ends it), and by stamps alone a grant could come now
    # (the cap has room): a max_wait is not refused at once.
    assert last(a).soft
    assert last(a).hard[0] == last(a).now
    gate.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 20)
    assert (most[0], done[0]) == (1, 6)
    await asyncio.gather(a.flush(), b.flush())
    snap = await b.fetch_snapshot()
    assert (snap[READ].held, snap[READ].windows[0].used) == (0, 17)
    assert last(b).proven == (9,)  # no success reported: the level stays


async def test_successes_raise_the_proven_level(make: Make) -> None:
    """A success proves the calls the server counted: stamps less every process's 429s."""
    a, b = await open_zone(make)
    await take(b, 4)  # one at a time, each with nothing held: 15 stamps, level still 9
    assert last(b).proven == (9,)
    succeed(b, 1)
    await take(b)  # counted with 15 stamps less a's refused call: level 14
    assert last(b).proven == (14,)
    succeed(a, 1)
    await take(a)  # 16 stamps less the one refused: 15
    assert last(a).proven == (15,)
    succeed(b, 1)
    await take(b)  # 17 stamps: level 16
    assert last(b).proven == (16,)
    assert last(b).outside == (45,)  # 16 of 55: too empty for the successes to decay it


async def test_a_process_on_older_sharing_rules_is_refused(
    make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules' version is part of the limits' digest: old and new never mix."""
    monkeypatch.setattr(_wire, "RULES", _wire.RULES - 1)
    old = make(Window(10, HOUR))
    monkeypatch.undo()
    new = make(Window(10, HOUR))
    await take(old)
    with pytest.raises(LimitsMismatchError):
        await take(new)
    await take(old)  # the budget goes on under the rules it was made with
    assert (await old.fetch_snapshot())[READ].windows[0].used == 2


async def test_refusals_of_one_process_count_in_another_s_proofs(make: Make) -> None:
    """A 429 another process reported was not counted by the server: it is not used."""
    a = make(Window(100, HOUR))
    b = make(Window(100, HOUR))
    await take(a, 60)
    assert a.throttled(READ, None) is True  # 60 used: proves 41, + 3 = 44
    # three more of a's calls refused: used 59, 58, 57 prove 42..44, which 44 explains
    assert [a.throttled(READ, None) for _ in range(3)] == [False, False, False]
    await a.flush()
    await b.fetch_snapshot()
    assert last(b).refused == (4,)
    # b's 429 with a's four refusals left out: 56 used, proves 45 > 44 (counting them as
    # used it would prove 41 and be called expected); 45 + 3 = 48
    assert b.throttled(READ, None) is True
    await b.flush()
    assert (await a.fetch_snapshot())[READ].windows[0].outside == 48
