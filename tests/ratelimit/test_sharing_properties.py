"""Property tests of the shared budget (reserve, wait deadlines) with hypothesis on virtual time.

Scenarios reuse the virtual-time kit of `test_properties`: every instant is a multiple of
``UNIT``, so deadlines, expiries and pauses compare exactly.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from skilljar_async import BudgetExhaustedError
from skilljar_async.ratelimit import (
    CallType,
    RateLimits,
    SlidingLog,
    SlidingWindowScheduler,
    Window,
)
from skilljar_async.ratelimit._share import background_limit, effective_limit

from .test_properties import (
    HORIZON,
    PROPERTY,
    UNIT,
    Pause,
    brute_eta,
    eta_windows_st,
    paused_at,
    run_virtual,
    sleep_until,
    vloop,
    windows_st,
)

CALL_TYPES = (CallType.READ, CallType.MODIFY)
RESERVES = (0.0, 0.2, 0.25, 0.5)


@dataclass(frozen=True)
class Call:
    """One `slot()` user with an optional deadline."""

    arrival: int  # units
    hold: int  # units
    priority: int
    call_type: CallType
    max_wait: int | None = None  # units
    cancel_at: int | None = None  # units
    cancel_on_grant: bool = False


@dataclass(frozen=True)
class Scenario:
    windows: tuple[Window, ...]
    reserve: float
    calls: tuple[Call, ...]
    pauses: tuple[Pause, ...] = ()

    def limits(self) -> RateLimits:
        return RateLimits.uniform(*self.windows, reserve=self.reserve)

    def share(self, window: Window, priority: int) -> int:
        return background_limit(window.limit, self.reserve) if priority < 0 else window.limit


@dataclass
class Rec:
    call: Call
    seq: int | None = None
    arrived: float | None = None
    grant: float | None = None
    exit: float | None = None
    refused: float | None = None  # when BudgetExhaustedError was raised
    error: BudgetExhaustedError | None = None
    queued: int = 0  # live waiters of its call type when it arrived


@st.composite
def scenarios(
    draw: st.DrawFn, *, max_calls: int = 20, cancels: bool = False, deadlines: bool = True
) -> Scenario:
    windows = draw(windows_st)
    calls = []
    for _ in range(draw(st.integers(1, max_calls))):
        calls.append(
            Call(
                arrival=draw(st.integers(0, 32)),
                hold=draw(st.just(0) | st.integers(0, 12)),
                priority=draw(st.integers(-2, 1)),
                call_type=draw(st.sampled_from(CALL_TYPES)),
                max_wait=draw(st.none() | st.integers(0, 24)) if deadlines else None,
                cancel_at=draw(st.none() | st.integers(0, 48)) if cancels else None,
                cancel_on_grant=draw(st.booleans()) if cancels else False,
            )
        )
    pauses = draw(
        st.lists(
            st.builds(
                Pause,
                at=st.integers(0, 32),
                seconds=st.integers(0, 16),
                call_type=st.sampled_from(CALL_TYPES),
            ),
            max_size=2,
        )
    )
    return Scenario(windows, draw(st.sampled_from(RESERVES)), tuple(calls), tuple(pauses))


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
        rec.queued = s.snapshot()[call.call_type].queued
        if call.cancel_on_grant:
            loop.armed.add(task)
        max_wait = None if call.max_wait is None else call.max_wait * UNIT
        try:
            async with s.slot(call.call_type, priority=call.priority, max_wait=max_wait):
                loop.armed.discard(task)
                rec.grant = loop.time()
                try:
                    if call.hold:
                        await asyncio.sleep(call.hold * UNIT)
                finally:
                    rec.exit = loop.time()
        except BudgetExhaustedError as exc:
            loop.armed.discard(task)
            rec.refused = loop.time()
            rec.error = exc

    async def pauser(pause: Pause) -> None:
        await sleep_until(pause.at * UNIT)
        s.pause(pause.call_type, pause.seconds * UNIT)

    tasks = [asyncio.create_task(one(rec)) for rec in recs]
    for rec, task in zip(recs, tasks, strict=True):
        if rec.call.cancel_at is not None:
            loop.call_at(rec.call.cancel_at * UNIT, task.cancel)
    pausers = [asyncio.create_task(pauser(p)) for p in scenario.pauses]
    _, pending = await asyncio.wait([*tasks, *pausers], timeout=HORIZON)
    assert not pending, "a waiter was never granted nor refused"
    return recs, tasks


def run(scenario: Scenario) -> list[Rec]:
    async def main() -> list[Rec]:
        recs, _ = await drive(SlidingWindowScheduler(scenario.limits()), scenario)
        return recs

    return run_virtual(main)


def granted(recs: Sequence[Rec], call_type: CallType) -> list[Rec]:
    return [r for r in recs if r.call.call_type is call_type and r.grant is not None]


def exit_of(rec: Rec) -> float:
    assert rec.exit is not None, f"granted but never exited: {rec}"
    return rec.exit


def used_at(recs: Sequence[Rec], t: float, period: float, *, before: bool = False) -> int:
    """Held slots plus stamps in ``(t - period, t]`` once every event of instant `t` happened.

    With `before`, only slots granted strictly before `t` count.
    """
    return sum(
        1
        for r in recs
        if r.grant is not None
        and (r.grant < t if before else r.grant <= t)
        and exit_of(r) > t - period
    )


def check_shares(recs: Sequence[Rec], scenario: Scenario) -> None:
    """No window is ever exceeded, and background grants never go past their share."""
    for call_type in CALL_TYPES:
        mine = granted(recs, call_type)
        background = [r for r in mine if r.call.priority < 0]
        for rec in mine:
            assert rec.grant is not None
            for w in scenario.windows:
                used = used_at(mine, rec.grant, w.period)
                assert used <= w.limit, f"{used} in {w} at {rec.grant}"
                if rec.call.priority < 0:
                    # Foreground grants later in the same instant may add to `used`; count
                    # only what background grants hold against their own share.
                    held_bg = used_at(background, rec.grant, w.period)
                    assert held_bg <= scenario.share(w, -1), f"background over its share: {rec}"


# --------------------------------------------------------------------------- properties


@PROPERTY
@given(scenarios(max_calls=24))
def test_no_window_exceeded_and_background_within_its_share(scenario: Scenario) -> None:
    """With reserves and deadlines, windows hold and background stays within its share."""
    check_shares(run(scenario), scenario)


@PROPERTY
@given(scenarios(max_calls=24, deadlines=False))
def test_background_share_counts_every_call(scenario: Scenario) -> None:
    """A background grant needs room under its share counting foreground calls too."""
    recs = run(scenario)
    for call_type in CALL_TYPES:
        mine = granted(recs, call_type)
        for rec in mine:
            if rec.call.priority >= 0:
                continue
            assert rec.grant is not None
            for w in scenario.windows:
                # Grants of the same instant only add, so this is a lower bound.
                used = used_at(mine, rec.grant, w.period, before=True)
                assert used < scenario.share(w, -1), f"{rec}: {used} already in {w}"


@PROPERTY
@given(scenarios(max_calls=24, deadlines=False))
def test_waiters_wait_only_while_their_share_is_full(scenario: Scenario) -> None:
    """No waiter is left waiting at the end of an instant while its own share has room.

    For a foreground waiter that means: never kept waiting by background holders or
    waiters while the reserve has room.
    """
    recs = run(scenario)
    periods = {w.period for w in scenario.windows}
    for call_type in CALL_TYPES:
        mine = granted(recs, call_type)
        ends = {(p.at + p.seconds) * UNIT for p in scenario.pauses if p.call_type is call_type}
        for rec in mine:
            assert rec.grant is not None
            assert rec.arrived is not None
            if rec.grant == rec.arrived:
                continue
            candidates = {rec.arrived} | ends | {exit_of(o) + p for o in mine for p in periods}
            for t in sorted(c for c in candidates if rec.arrived <= c < rec.grant):
                if paused_at(scenario.pauses, call_type, t):
                    continue
                full = [
                    w
                    for w in scenario.windows
                    if used_at(mine, t, w.period) >= scenario.share(w, rec.call.priority)
                ]
                assert full, f"{rec} still waiting at t={t} while its share had room"


@PROPERTY
@given(scenarios(max_calls=24))
def test_deadlines_are_kept_and_refusals_are_immediate(scenario: Scenario) -> None:
    """A waiter with max_wait is granted within it, or refused at once, or at its deadline."""
    recs = run(scenario)
    for rec in recs:
        call = rec.call
        assert rec.arrived is not None
        if call.max_wait is None:
            assert rec.error is None
            continue
        max_wait = call.max_wait * UNIT
        if rec.grant is not None:
            assert rec.grant - rec.arrived <= max_wait, rec
            continue
        assert rec.error is not None
        assert rec.error.call_type is call.call_type
        assert rec.error.max_wait == max_wait
        assert rec.error.retry_after >= 0
        if rec.refused == rec.arrived:  # refused at once: the earliest grant is too late
            assert rec.error.retry_after > max_wait, rec
            waiting = rec.queued > 0
            paused = paused_at(scenario.pauses, call.call_type, rec.arrived)
            mine = granted(recs, call.call_type)
            full = any(
                used_at(mine, rec.arrived, w.period) >= scenario.share(w, call.priority)
                for w in scenario.windows
            )
            assert waiting or paused or full, f"{rec} refused with room and nobody ahead"
        else:
            assert rec.refused == rec.arrived + max_wait, rec


@PROPERTY
@given(scenarios(max_calls=24, cancels=True))
def test_no_slot_lost_with_deadlines_and_cancellation(scenario: Scenario) -> None:
    """After refusals, expiries and cancellations at any moment, the whole budget comes back."""

    async def main() -> None:
        loop = vloop()
        s = SlidingWindowScheduler(scenario.limits())
        recs, tasks = await drive(s, scenario)
        for rec, task in zip(recs, tasks, strict=True):
            targeted = rec.call.cancel_at is not None or rec.call.cancel_on_grant
            assert targeted or not task.cancelled(), f"{rec} cancelled out of the blue"
            if not task.cancelled():
                task.result()
                assert (rec.grant is None) != (rec.error is None), rec
        check_shares(recs, scenario)
        for call_type in CALL_TYPES:
            snap = s.snapshot()[call_type]
            assert (snap.held, snap.queued) == (0, 0), snap
        last_pause = max(((p.at + p.seconds) * UNIT for p in scenario.pauses), default=0.0)
        quiet = max(loop.time(), last_pause) + max(w.period for w in scenario.windows)
        await sleep_until(quiet)
        capacity = min(w.limit for w in scenario.windows)
        for call_type in CALL_TYPES:
            assert s.snapshot()[call_type].remaining == capacity
            assert s.eta(call_type, capacity) == 0.0
        grants: list[float] = []

        async def take(call_type: CallType) -> None:
            async with s.slot(call_type, max_wait=0.0):
                grants.append(loop.time())

        await asyncio.gather(*(take(ct) for ct in CALL_TYPES for _ in range(capacity)))
        assert grants == [quiet] * (capacity * len(CALL_TYPES))

    run_virtual(main)


@settings(max_examples=300, deadline=None)
@given(
    windows=eta_windows_st,
    reserve=st.sampled_from(RESERVES),
    outside=st.lists(st.integers(0, 8), min_size=3, max_size=3),
    stamps=st.lists(st.integers(0, 40), max_size=30),
    held=st.integers(0, 6),
    background=st.booleans(),
    n=st.integers(1, 40),
)
def test_log_eta_within_a_share_matches_brute_force(
    windows: tuple[Window, ...],
    reserve: float,
    outside: list[int],
    stamps: list[int],
    held: int,
    background: bool,
    n: int,
) -> None:
    """`SlidingLog.eta` with a reserve and outside estimates equals a greedy simulation."""
    log = SlidingLog(windows, reserve)
    for w in range(len(windows)):
        log.set_outside(w, outside[w])
    for t in sorted(stamps):
        log.acquire()
        log.release(t * UNIT)
    log.held = held
    now = 40 * UNIT
    shares = []
    for w, window in enumerate(windows):
        limit = effective_limit(window.limit, outside[w])
        if background:
            limit = background_limit(limit, reserve)
        shares.append(Window(limit, window.period))
    expected = brute_eta([t * UNIT for t in stamps], held, shares, now, n, now)
    got = log.eta(now, n, background=background)
    assert math.isclose(got, expected, rel_tol=0.0, abs_tol=1e-9), (got, expected)


# -- learning what others spend: the log under any sequence of events ------------------------

event_st = st.one_of(
    st.tuples(st.just("grant"), st.booleans()),  # background or not
    st.tuples(st.just("release"), st.booleans()),  # stamped or not
    st.tuples(st.just("throttled"), st.sampled_from((None, 1.0, 2.0, 60.0))),
    st.tuples(st.just("succeeded"), st.integers(1, 300)),  # that many successes
)


learning_windows_st = st.lists(
    st.builds(
        Window,
        limit=st.sampled_from((1, 3, 6, 20, 50, 120)),
        period=st.integers(1, 16).map(lambda u: u * UNIT),
    ),
    min_size=1,
    max_size=3,
)


@PROPERTY
@given(
    windows=learning_windows_st,
    reserve=st.sampled_from(RESERVES),
    events=st.lists(st.tuples(st.integers(0, 8), event_st), max_size=150),
)
def test_learning_never_exceeds_a_window_and_probes_one_call_at_a_time(
    windows: tuple[Window, ...], reserve: float, events: list[tuple[int, tuple[str, object]]]
) -> None:
    """Whatever 429s and successes say: no grant takes a window past its limit or share, the
    estimate stays between 0 and the limit less the floor, and while another call is in
    flight no grant goes above the proven level."""
    log = SlidingLog(windows, reserve)
    now = 0.0
    for step, (kind, arg) in events:
        now += step * UNIT
        if kind == "grant":
            background = bool(arg)
            if log.ready_at(now, background) > now:
                continue
            was_held = log.held
            log.acquire()
            used = log.used(now)
            shares = log.bg if background else log.fg
            for w, (limit, _) in enumerate(windows_limits(windows)):
                assert used[w] <= shares[w][0] <= limit
                if was_held:
                    assert used[w] <= log.proven[w]
        elif kind == "release":
            if log.held:
                log.release(now, stamp=bool(arg))
        elif kind == "throttled":
            log.throttled(now, arg if isinstance(arg, float) else None)
        else:
            for _ in range(int(str(arg))):
                log.succeeded(now)
        for w, (limit, _) in enumerate(windows_limits(windows)):
            assert 0 <= log.outside[w] <= limit - max(1, math.ceil(limit / 10))
            assert 0 <= log.proven[w] <= log.fg[w][0] <= limit


def windows_limits(windows: Sequence[Window]) -> list[tuple[int, float]]:
    return [(w.limit, w.period) for w in windows]
