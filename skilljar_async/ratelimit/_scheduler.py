"""The in-memory sliding-window scheduler: waiters, one timer per call type.

Each call type has a lane (`_lane`): a `SlidingLog` (the window math), a heap of
waiters ordered by (higher priority first, then arrival), and at most one timer
armed for the exact moment the head waiter can be granted. Nothing polls; only
the head of the queue is ever looked at, so a thousand waiters cost one wake-up
each, not a thundering herd.

Sharing the budget (rules in `_share`): background calls (priority < 0) leave
the limits' `reserve` to foreground ones; ``slot(..., max_wait=)`` fails fast
with `BudgetExhaustedError` instead of queueing past a deadline; and
`throttled()` / `succeeded()` learn how much of each window other integrations
spend, so this side runs on what is left instead of meeting 429s every window.

Cancellation is lazy: a waiter cancelled while queued just leaves a cancelled
future in the heap, skipped when it reaches the head (and swept when dead
entries outnumber live ones). A waiter cancelled after its grant was handed
over but before it resumed gives the grant back and the next waiter gets it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from types import TracebackType
from typing import Protocol, runtime_checkable

from ._lane import Budget, Slot
from ._limits import CallType, RateLimits
from ._snapshot import LaneSnapshot, SchedulerSnapshot, window_snapshots

__all__ = ["BudgetScheduler", "Scheduler", "SlidingWindowScheduler"]

_SKILLJAR = RateLimits.skilljar()


class Scheduler(Protocol):
    """What the client needs from a scheduler (in memory or shared across processes)."""

    def slot(
        self, call_type: CallType, *, priority: int = 0
    ) -> _AsyncContext:  # pragma: no cover - protocol
        """An async context manager holding one slot of `call_type`."""
        ...

    def pause(
        self, call_type: CallType, seconds: float, *, probe: bool = False
    ) -> None:  # pragma: no cover
        """Grant nothing of `call_type` for `seconds`; then one at a time if `probe`."""
        ...

    def recover(self, call_type: CallType) -> None:  # pragma: no cover
        """End probing: a call of `call_type` succeeded."""
        ...

    def probing(self, call_type: CallType) -> bool:  # pragma: no cover
        """Whether `call_type` is probing after a 429 (cheap: no I/O)."""
        ...

    def eta(self, call_type: CallType, n: int = 1) -> float:  # pragma: no cover
        """Seconds until `n` more calls could all have been granted."""
        ...

    def snapshot(self) -> SchedulerSnapshot:  # pragma: no cover
        """The state of every call type now."""
        ...


@runtime_checkable
class BudgetScheduler(Scheduler, Protocol):
    """A `Scheduler` that also fails fast and learns from 429s what others spend.

    ``isinstance(scheduler, BudgetScheduler)`` tells a client whether it may
    pass `max_wait` and report 429s and successes.
    """

    def slot(
        self, call_type: CallType, *, priority: int = 0, max_wait: float | None = None
    ) -> _AsyncContext:  # pragma: no cover - protocol
        """One slot of `call_type`; `BudgetExhaustedError` if none within `max_wait` s."""
        ...

    def throttled(
        self, call_type: CallType, retry_after: float | None = None
    ) -> bool:  # pragma: no cover
        """Report a 429; whether it was unexpected (evidence of outside usage)."""
        ...

    def succeeded(self, call_type: CallType) -> None:  # pragma: no cover
        """Report a successful call: ends probing and decays the outside estimate."""
        ...

    def eta(
        self, call_type: CallType, n: int = 1, *, priority: int = 0
    ) -> float:  # pragma: no cover
        """Seconds until `n` more calls of `priority` could all have been granted."""
        ...


class _AsyncContext(Protocol):
    def __aenter__(self) -> Awaitable[None]: ...  # pragma: no cover

    def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Awaitable[None]: ...  # pragma: no cover


class SlidingWindowScheduler:
    """Grants slots so that no window of any call type is ever exceeded.

    ``async with scheduler.slot(CallType.READ): ...`` waits for a slot, holds
    it while the block runs and stamps it with the time the block exits, even
    when the block raises or is cancelled (the request may have reached the
    server). See `SlidingLog` for why that is safe under any network latency.

    One scheduler is one budget for the whole process: any number of event
    loops, one after another (``asyncio.run()`` batches) or at once (threads),
    share its windows, held slots, pauses and outside estimate, guarded by a
    lock; each loop only waits in its own queue, and a release in one loop
    wakes the others' waiters. Time is the event loop's clock (``loop.time()``),
    so virtual-time loops such as looptime drive it; see `_lane` for how the
    clocks of several loops are joined into one.
    """

    __slots__ = ("_budgets", "limits")

    def __init__(self, limits: RateLimits = _SKILLJAR) -> None:
        if not isinstance(limits, RateLimits):
            raise TypeError(f"limits must be a RateLimits, got {limits!r}")
        self.limits = limits
        self._budgets = {
            ct: Budget(ct, limits.for_call_type(ct), limits.reserve) for ct in CallType
        }

    def __repr__(self) -> str:
        return f"<SlidingWindowScheduler {self.limits!r}>"

    def slot(
        self, call_type: CallType, *, priority: int = 0, max_wait: float | None = None
    ) -> Slot:
        """An async context manager that waits for, holds and then stamps one slot.

        Higher `priority` waiters are served first; equal priorities in arrival
        order. Background calls (priority < 0) leave the limits' reserve alone.
        With `max_wait` (seconds), entering raises `BudgetExhaustedError` at once
        when no grant can come within it, or when the deadline passes in the
        queue (a pause, higher-priority arrivals); nothing is held then.
        """
        budget = self._budgets[call_type]
        if max_wait is not None:
            if isinstance(max_wait, bool) or not max_wait >= 0:
                raise ValueError(f"max_wait must be None or >= 0 seconds, got {max_wait!r}")
            return Slot(budget, priority, float(max_wait))
        if priority == 0:
            return budget.default_slot
        return Slot(budget, priority)

    def pause(self, call_type: CallType, seconds: float, *, probe: bool = False) -> None:
        """Grant nothing of `call_type` for `seconds` from now (e.g. after a 429).

        With ``probe=True`` the call type then holds at most one slot at a time
        until `recover()` is called, so a queue of thousands sends one probe,
        not a storm, when the server may still be throttling.
        """
        if not seconds >= 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        budget = self._budgets[call_type]
        now = budget.now()  # outside the lock: it may make this loop's lane
        with budget.lock:
            until = now + seconds
            budget.probe = budget.probe or probe
            budget.paused = True
            if until > budget.pause_until:
                budget.pause_until = until
        budget.wake()

    def recover(self, call_type: CallType) -> None:
        """Leave probing mode for `call_type` (a call succeeded); queued waiters go on."""
        budget = self._budgets[call_type]
        if budget.probe:
            with budget.lock:
                budget.probe = False
            budget.wake()

    def probing(self, call_type: CallType) -> bool:
        """Whether `call_type` is probing (one slot at a time) after a 429."""
        return self._budgets[call_type].probe

    def throttled(self, call_type: CallType, retry_after: float | None = None) -> bool:
        """Learn from a 429 of `call_type`; True when it was unexpected.

        Unexpected means this side's own use plus the outside estimate left room
        in every window: others are spending the budget. The estimate of the
        window to blame then rises and this side runs on what is left. Call it
        after the throttled call's slot is released (it pauses nothing: call
        `pause()` as well); `retry_after` is the server's, in seconds, if any.
        """
        budget = self._budgets[call_type]
        now = budget.now()
        with budget.lock:
            return budget.log.throttled(now, retry_after)

    def succeeded(self, call_type: CallType) -> None:
        """Report a call of `call_type` that succeeded (any status below 400).

        Ends probing like `recover()`, and counts towards decaying the outside
        estimate, so throughput comes back when the other consumer goes away.
        """
        budget = self._budgets[call_type]
        if not budget.probe and not budget.log.estimating:
            return  # nothing to end or decay: the common case takes no lock
        now = budget.now()  # outside the lock: it may make this loop's lane
        with budget.lock:
            changed = budget.log.succeeded(now) or budget.probe
            budget.probe = False
        if changed:
            budget.wake()

    def eta(self, call_type: CallType, n: int = 1, *, priority: int = 0) -> float:
        """Seconds from now until `n` more calls of `priority` could all have been granted.

        Exact for the current log with no other demand, taking held slots as
        released now and the `n` calls as instant (the greedy schedule), within
        the share `priority` may use.
        """
        budget = self._budgets[call_type]
        now = budget.now()
        with budget.lock:
            return budget.log.eta(now, n, budget.pause_until, background=priority < 0) - now

    def snapshot(self) -> SchedulerSnapshot:
        """Per call type: each window's use, held slots, queued waiters and pause."""
        lanes = {}
        at = 0.0
        for ct, budget in self._budgets.items():
            at = now = budget.now()
            with budget.lock:
                lanes[ct] = LaneSnapshot(
                    call_type=ct,
                    windows=window_snapshots(budget.log, now),
                    held=budget.log.held,
                    queued=budget.queued(),
                    probing=budget.probe,
                    paused_for=max(0.0, budget.pause_until - now),
                )
        return SchedulerSnapshot(at=at, lanes=lanes)

    def idle(self) -> bool:
        """Whether forgetting this scheduler would lose nothing of the budget.

        True when no slot is held, nobody waits, no pause is in force and no
        stamp is inside any window.
        """
        for budget in self._budgets.values():
            now = budget.peek()
            with budget.lock:
                log = budget.log
                if log.held or budget.pause_until > now:
                    return False
                if budget.queued():
                    return False
                if any(log.in_window(now, period) for _, period in log.windows):
                    return False
        return True
