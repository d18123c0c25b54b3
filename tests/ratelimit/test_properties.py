"""Property tests of the sliding-window scheduler, run with hypothesis on looptime's virtual clock.

Every instant and duration in the scheduler scenarios is a multiple of ``UNIT`` (a power of
two), so sums such as ``stamp + period`` are exact both in floats and in looptime's integer
microsecond clock, and the checks below can compare instants with ``==`` and ``<``.

Hypothesis cannot wrap ``async def`` tests, so each property is a sync ``@given`` test that
runs one coroutine per example on a fresh looptime loop (``run_virtual``).
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import looptime
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from skilljar_async.ratelimit import (
    CallType,
    RateLimits,
    SlidingLog,
    SlidingWindowScheduler,
    Window,
)

T = TypeVar("T")

UNIT = 1 / 16  # seconds; exact in binary floats and in looptime's 1 µs resolution
HORIZON = 100_000.0  # virtual seconds after which a task still waiting counts as never granted
CALL_TYPES = tuple(CallType)
READ = CallType.READ

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- virtual time


class _CancelOnGrant(asyncio.Future[Any]):
    """A waiter future that cancels its task the moment a result is set, before it resumes."""

    def __init__(self, loop: _VirtualLoop, owner: asyncio.Task[Any]) -> None:
        super().__init__(loop=loop)
        self._vloop = loop
        self._owner = owner

    def set_result(self, result: Any) -> None:
        super().set_result(result)
        self._owner.cancel()
        self._vloop.cancelled_on_grant += 1


class _VirtualLoop(looptime.LoopTimeEventLoop, asyncio.SelectorEventLoop):
    """A looptime loop (time starts at 0) that can cancel armed tasks right at their grant.

    A task in ``armed`` gets a `_CancelOnGrant` as the next future it creates: inside
    ``slot()`` that is the scheduler's waiter future, so the task is cancelled after the
    grant was handed to it but before it resumes.
    """

    def __init__(self) -> None:
        super().__init__()
        self.armed: set[asyncio.Task[Any]] = set()
        self.cancelled_on_grant = 0

    def create_future(self) -> asyncio.Future[Any]:
        task = asyncio.current_task(self)
        if task is not None and task in self.armed:
            self.armed.discard(task)
            return _CancelOnGrant(self, task)
        return super().create_future()


def run_virtual(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `main()` to completion on a fresh virtual-time loop.

    A deadlock (a waiter nobody will ever wake) would leave the loop with no timer, and
    looptime would then block in real time; the virtual-time timeout turns it into an error.
    """

    async def guarded() -> T:
        async with asyncio.timeout(10 * HORIZON):
            return await main()

    with asyncio.Runner(loop_factory=_VirtualLoop) as runner:
        return runner.run(guarded())


def vloop() -> _VirtualLoop:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, _VirtualLoop)
    return loop


async def sleep_until(at: float) -> None:
    delay = at - asyncio.get_running_loop().time()
    if delay > 0:
        await asyncio.sleep(delay)


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Call:
    """One `slot()` user: arrives, holds the slot (or is cancelled), leaves."""

    arrival: int  # units
    hold: int  # units the block lasts; 0 = the block never yields
    priority: int
    call_type: CallType
    d1: int = 0  # units from grant to the server seeing the call (<= hold)
    cancel_at: int | None = None  # units: task.cancel() via loop.call_at
    cancel_on_grant: bool = False  # cancel right after a queued grant, before resuming


@dataclass(frozen=True)
class Pause:
    at: int  # units
    seconds: int  # units
    call_type: CallType


@dataclass(frozen=True)
class Scenario:
    windows: tuple[Window, ...]
    calls: tuple[Call, ...]
    pauses: tuple[Pause, ...] = ()


@dataclass
class Rec:
    """What happened to one call, in loop time."""

    call: Call
    seq: int | None = None  # order in which it entered slot()
    arrived: float | None = None
    grant: float | None = None
    served: float | None = None  # when the simulated server counted it
    exit: float | None = None


windows_st = st.lists(
    st.builds(
        Window,
        limit=st.integers(1, 6),
        period=st.integers(1, 16).map(lambda u: u * UNIT),
    ),
    min_size=1,
    max_size=3,
).map(tuple)


@st.composite
def scenarios(
    draw: st.DrawFn,
    *,
    max_calls: int = 16,
    cancels: bool = False,
    latency: bool = False,
    pauses: bool = False,
    call_types: Sequence[CallType] = CALL_TYPES,
) -> Scenario:
    windows = draw(windows_st)
    calls = []
    for _ in range(draw(st.integers(1, max_calls))):
        if latency:
            d1, d2 = draw(st.integers(0, 8)), draw(st.integers(0, 8))
            hold = d1 + d2
        else:
            d1, hold = 0, draw(st.just(0) | st.integers(0, 12))
        calls.append(
            Call(
                arrival=draw(st.integers(0, 32)),
                hold=hold,
                priority=draw(st.integers(-1, 1)),
                call_type=draw(st.sampled_from(call_types)),
                d1=d1,
                cancel_at=draw(st.none() | st.integers(0, 48)) if cancels else None,
                cancel_on_grant=draw(st.booleans()) if cancels else False,
            )
        )
    pause_list: list[Pause] = []
    if pauses:
        pause_list = draw(
            st.lists(
                st.builds(
                    Pause,
                    at=st.integers(0, 32),
                    seconds=st.integers(0, 16),
                    call_type=st.sampled_from(call_types),
                ),
                max_size=2,
            )
        )
    return Scenario(windows, tuple(calls), tuple(pause_list))


async def drive(
    s: SlidingWindowScheduler, scenario: Scenario
) -> tuple[list[Rec], list[asyncio.Task[None]]]:
    """Run every call and pause of `scenario` on `s`; return records and the call tasks."""
    loop = vloop()
    counter = itertools.count()
    recs = [Rec(call) for call in scenario.calls]

    async def one(rec: Rec) -> None:
        call = rec.call
        await sleep_until(call.arrival * UNIT)
        task = asyncio.current_task()
        assert task is not None
        rec.seq = next(counter)
        rec.arrived = loop.time()
        if call.cancel_on_grant:
            loop.armed.add(task)
        async with s.slot(call.call_type, priority=call.priority):
            loop.armed.discard(task)  # granted on the fast path: no waiter future
            rec.grant = loop.time()
            try:
                if call.d1:
                    await asyncio.sleep(call.d1 * UNIT)
                rec.served = loop.time()
                if call.hold > call.d1:
                    await asyncio.sleep((call.hold - call.d1) * UNIT)
            finally:
                rec.exit = loop.time()  # __aexit__ stamps at this same instant

    async def pauser(pause: Pause) -> None:
        await sleep_until(pause.at * UNIT)
        s.pause(pause.call_type, pause.seconds * UNIT)

    tasks = [asyncio.create_task(one(rec)) for rec in recs]
    for rec, task in zip(recs, tasks, strict=True):
        if rec.call.cancel_at is not None:
            loop.call_at(rec.call.cancel_at * UNIT, task.cancel)
    pausers = [asyncio.create_task(pauser(p)) for p in scenario.pauses]
    _, pending = await asyncio.wait([*tasks, *pausers], timeout=HORIZON)
    stuck = [rec for rec, task in zip(recs, tasks, strict=True) if task in pending]
    assert not stuck, f"never granted: {stuck}"
    return recs, tasks


def scheduler_for(scenario: Scenario) -> SlidingWindowScheduler:
    return SlidingWindowScheduler(RateLimits.uniform(*scenario.windows))


def run_scenario(scenario: Scenario) -> list[Rec]:
    async def main() -> list[Rec]:
        recs, _ = await drive(scheduler_for(scenario), scenario)
        return recs

    return run_virtual(main)


# --------------------------------------------------------------------------- checks


def granted(recs: Sequence[Rec], call_type: CallType) -> list[Rec]:
    return [r for r in recs if r.call.call_type is call_type and r.grant is not None]


def used_at(recs: Sequence[Rec], t: float, period: float) -> int:
    """Held slots plus stamps in ``(t - period, t]`` once every event of instant `t` happened.

    A slot counts iff it was granted at or before `t` and has not exited by ``t - period``:
    held if ``exit > t``, a stamp inside the window otherwise.
    """
    return sum(1 for r in recs if r.grant is not None and r.grant <= t and exit_of(r) > t - period)


def exit_of(rec: Rec) -> float:
    assert rec.exit is not None, f"granted but never exited: {rec}"
    return rec.exit


def check_safety(recs: Sequence[Rec], windows: Sequence[Window]) -> None:
    """Held + stamps never exceed a limit; checked at grants, the only instants counts rise."""
    for call_type in CALL_TYPES:
        mine = granted(recs, call_type)
        for rec in mine:
            assert rec.grant is not None
            for w in windows:
                used = used_at(mine, rec.grant, w.period)
                assert used <= w.limit, (
                    f"{call_type}: {used} slots in {w} at t={rec.grant} (grant of {rec})"
                )


def paused_at(pauses: Sequence[Pause], call_type: CallType, t: float) -> bool:
    return any(
        p.call_type is call_type and p.at * UNIT <= t < (p.at + p.seconds) * UNIT for p in pauses
    )


# --------------------------------------------------------------------------- 1. safety


@PROPERTY
@given(scenarios(max_calls=24, pauses=True))
def test_safety_no_window_ever_exceeded(scenario: Scenario) -> None:
    """At every grant instant, held slots plus exits in (t - period, t] stay within every limit."""
    recs = run_scenario(scenario)
    assert all(r.grant is not None for r in recs)
    check_safety(recs, scenario.windows)


# --------------------------------------------------------------------------- 2. work-conserving


@PROPERTY
@given(scenarios(max_calls=24, pauses=True))
def test_work_conserving_no_wait_while_a_slot_is_free(scenario: Scenario) -> None:
    """No waiter is still waiting at the end of an instant when its lane has room and no pause."""
    # The lane's use is counted after *every* event of the instant, grants to other (possibly
    # later, higher-priority) waiters included. That is sound with priorities: if a slot is still
    # free then, the head of the queue could have had it, so nobody may be left waiting. The use
    # only drops at expiries (exit + period) and pauses only end at their end, so it suffices to
    # check the arrival and every expiry or pause end in [arrival, grant).
    recs = run_scenario(scenario)
    periods = {w.period for w in scenario.windows}
    for call_type in CALL_TYPES:
        mine = granted(recs, call_type)
        for rec in mine:
            assert rec.grant is not None
            assert rec.arrived is not None
            if rec.grant == rec.arrived:
                continue
            candidates = {rec.arrived}
            candidates |= {exit_of(o) + p for o in mine for p in periods}
            candidates |= {
                (p.at + p.seconds) * UNIT for p in scenario.pauses if p.call_type is call_type
            }
            for t in sorted(c for c in candidates if rec.arrived <= c < rec.grant):
                if paused_at(scenario.pauses, call_type, t):
                    continue
                full = [w for w in scenario.windows if used_at(mine, t, w.period) >= w.limit]
                assert full, f"{rec} still waiting at t={t} while every window had room"


# --------------------------------------------------------------------------- 3. FIFO


@PROPERTY
@given(scenarios(max_calls=24, pauses=True))
def test_fifo_within_a_priority(scenario: Scenario) -> None:
    """Among waiters of one call type and priority, an earlier arrival is never granted later."""
    recs = run_scenario(scenario)
    for call_type in CALL_TYPES:
        mine = granted(recs, call_type)
        for a, b in itertools.permutations(mine, 2):
            if a.call.priority != b.call.priority:
                continue
            assert a.seq is not None
            assert b.seq is not None
            assert a.grant is not None
            assert b.grant is not None
            if a.seq < b.seq:
                assert a.grant <= b.grant, f"{a} entered before {b} but was granted later"


# --------------------------------------------------------------------------- 4. cancellation


@PROPERTY
@given(scenarios(max_calls=24, cancels=True, pauses=True))
def test_no_slot_lost_after_any_cancellation(scenario: Scenario) -> None:
    """After cancellations at any moment (even between grant and resume), no slot is lost."""

    async def main() -> None:
        loop = vloop()
        s = scheduler_for(scenario)
        recs, tasks = await drive(s, scenario)
        for rec, task in zip(recs, tasks, strict=True):
            targeted = rec.call.cancel_at is not None or rec.call.cancel_on_grant
            assert targeted or not task.cancelled(), f"{rec} cancelled out of the blue"
            if not task.cancelled():
                task.result()
                assert rec.grant is not None, rec
                assert rec.exit is not None, rec
        check_safety(recs, scenario.windows)
        snap = s.snapshot()
        for call_type in CALL_TYPES:
            assert snap[call_type].held == 0, snap[call_type]
            assert snap[call_type].queued == 0, snap[call_type]

        # Wait out every window and pause: the full capacity must be grantable at once.
        last_pause = max(((p.at + p.seconds) * UNIT for p in scenario.pauses), default=0.0)
        quiet = max(loop.time(), last_pause) + max(w.period for w in scenario.windows)
        await sleep_until(quiet)
        capacity = min(w.limit for w in scenario.windows)
        for call_type in CALL_TYPES:
            assert s.snapshot()[call_type].remaining == capacity
            assert s.eta(call_type, capacity) == 0.0
        grants: list[float] = []

        async def take(call_type: CallType) -> None:
            async with s.slot(call_type):
                grants.append(loop.time())
                await asyncio.sleep(UNIT)

        await asyncio.gather(*(take(ct) for ct in CALL_TYPES for _ in range(capacity)))
        assert grants == [quiet] * (capacity * len(CALL_TYPES))

    run_virtual(main)


def test_cancel_on_grant_hook_passes_the_grant_on() -> None:
    """A waiter cancelled between its grant and its resumption hands the slot to the next one."""

    async def main() -> None:
        loop = vloop()
        s = SlidingWindowScheduler(RateLimits.uniform(Window(1, 1.0)))
        grants: dict[str, float] = {}

        async def user(name: str, hold: float, cancel_on_grant: bool = False) -> None:
            task = asyncio.current_task()
            assert task is not None
            if cancel_on_grant:
                loop.armed.add(task)
            async with s.slot(READ):
                grants[name] = loop.time()
                await asyncio.sleep(hold)

        a = asyncio.create_task(user("a", 0.5))
        await asyncio.sleep(0)
        b = asyncio.create_task(user("b", 0.0, cancel_on_grant=True))
        await asyncio.sleep(0)
        c = asyncio.create_task(user("c", 0.0))
        await asyncio.gather(a, b, c, return_exceptions=True)
        assert b.cancelled()
        assert loop.cancelled_on_grant == 1  # the hook really hit the granted-not-resumed path
        assert grants == {"a": 0.0, "c": 1.5}  # b's grant at 1.5 went to c at once
        assert s.snapshot()[READ].held == 0

    run_virtual(main)


# --------------------------------------------------------------------------- 5. latency


@PROPERTY
@given(scenarios(max_calls=24, latency=True))
def test_server_never_sees_more_than_the_limit(scenario: Scenario) -> None:
    """A server counting each call at grant + d1 (reply at + d2) never sees a window overflow."""
    recs = run_scenario(scenario)
    for call_type in CALL_TYPES:
        seen = [r.served for r in granted(recs, call_type) if r.served is not None]
        for t in seen:
            for w in scenario.windows:
                count = sum(1 for a in seen if t - w.period < a <= t)
                assert count <= w.limit, f"{call_type}: server saw {count} in {w} at t={t}"


# --------------------------------------------------------------------------- 6. eta


def brute_eta(
    stamps: Sequence[float],
    held: int,
    windows: Sequence[Window],
    now: float,
    n: int,
    floor: float,
) -> float:
    """Grant `n` instant calls one by one, each at the earliest time every window allows.

    Held slots count as stamps at `now`. At a candidate time, a window blocks while it holds
    `limit` events newer than ``t - period``; then jump to the expiry of its oldest such event.
    """
    events = sorted(stamps) + [now] * held
    t = floor
    for _ in range(n):
        blocked = True
        while blocked:
            blocked = False
            for w in windows:
                inside = []
                for e in reversed(events):  # newest first
                    if e + w.period <= t:
                        break
                    inside.append(e)
                if len(inside) >= w.limit:
                    t = min(e + w.period for e in inside)
                    blocked = True
        events.append(t)
    return t


eta_windows_st = windows_st | st.lists(
    st.builds(
        Window,
        limit=st.integers(1, 6),
        period=st.floats(0.05, 10.0, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=3,
).map(tuple)
gap_st = st.integers(0, 24).map(lambda u: u * UNIT) | st.floats(
    0.0, 3.0, allow_nan=False, allow_infinity=False
)
ops_st = st.lists(st.tuples(gap_st, st.sampled_from(["acquire", "release", "drop"])), max_size=40)


@settings(max_examples=400, deadline=None)
@given(
    windows=eta_windows_st,
    ops=ops_st,
    idle=gap_st,
    not_before=st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False),
    n=st.integers(1, 30) | st.integers(30, 200),
)
@example(
    windows=(Window(3, 1.0), Window(7, 5.0)),
    ops=[(0.1, "acquire"), (0.2, "release"), (0.3, "acquire")],
    idle=0.0,
    not_before=0.0,
    n=200,
)
@example(windows=(Window(3, 1.0), Window(7, 5.0)), ops=[], idle=0.0, not_before=0.0, n=200)
def test_log_eta_matches_brute_force(
    windows: tuple[Window, ...],
    ops: list[tuple[float, str]],
    idle: float,
    not_before: float,
    n: int,
) -> None:
    """`SlidingLog.eta` equals a one-by-one greedy simulation over the full list of stamps."""
    log = SlidingLog(windows)
    stamps: list[float] = []
    held = 0
    t = 0.0
    for gap, op in ops:
        t += gap
        if op == "acquire" and log.ready_at(t) <= t:
            log.acquire()
            held += 1
        elif op in ("release", "drop") and held:
            log.release(t, stamp=op == "release")
            held -= 1
            if op == "release":
                stamps.append(t)
    now = t + idle
    floor = max(now, now + not_before)
    expected = brute_eta(stamps, held, windows, now, n, floor)
    got = log.eta(now, n, now + not_before)
    assert math.isclose(got, expected, rel_tol=0.0, abs_tol=1e-9), (got, expected)


@PROPERTY
@given(
    scenario=scenarios(max_calls=16, pauses=True, call_types=(READ,)),
    holders=st.integers(0, 6),
    idle=st.integers(0, 24),
    pause=st.none() | st.integers(0, 24),
    n=st.integers(1, 40),
)
def test_scheduler_eta_is_when_the_nth_call_is_granted(
    scenario: Scenario, holders: int, idle: int, pause: int | None, n: int
) -> None:
    """`eta(ct, n)` is exactly when the last of n zero-hold calls started now gets its slot."""
    holders = min(holders, min(w.limit for w in scenario.windows))

    async def main() -> None:
        loop = vloop()
        s = scheduler_for(scenario)
        release = asyncio.Event()
        holding = [asyncio.Event() for _ in range(holders)]

        async def holder(i: int) -> None:
            async with s.slot(READ):
                holding[i].set()
                await release.wait()

        await drive(s, scenario)
        held_tasks = [asyncio.create_task(holder(i)) for i in range(holders)]
        for event in holding:
            await event.wait()
        await asyncio.sleep(idle * UNIT)
        if pause is not None:
            s.pause(READ, pause * UNIT)
        start = loop.time()
        assert s.snapshot()[READ].held == holders
        eta = s.eta(READ, n)
        release.set()  # held slots are released now, as eta assumes
        grants: list[float] = []

        async def take() -> None:
            async with s.slot(READ):
                grants.append(loop.time())

        await asyncio.gather(*(take() for _ in range(n)), *held_tasks)
        assert len(grants) == n
        assert math.isclose(max(grants) - start, eta, rel_tol=0.0, abs_tol=1e-9), (
            max(grants) - start,
            eta,
        )

    run_virtual(main)
