"""The in-memory sliding-window scheduler: waiters, one timer per call type.

Each call type has a lane: a `SlidingLog` (the window math), a heap of waiters
ordered by (higher priority first, then arrival), and at most one timer armed
for the exact moment the head waiter can be granted. Nothing polls; only the
head of the queue is ever looked at, so a thousand waiters cost one wake-up
each, not a thundering herd.

Cancellation is lazy: a waiter cancelled while queued just leaves a cancelled
future in the heap, skipped when it reaches the head (and swept when dead
entries outnumber live ones). A waiter cancelled after its grant was handed
over but before it resumed gives the grant back and the next waiter gets it.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import time
from collections.abc import Awaitable, Sequence
from threading import get_ident
from types import TracebackType
from typing import Protocol

from ._limits import CallType, RateLimits, Window
from ._log import SlidingLog
from ._snapshot import LaneSnapshot, SchedulerSnapshot, window_snapshots

__all__ = ["Scheduler", "SlidingWindowScheduler"]

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

    Time is the running event loop's clock (``loop.time()``), so virtual-time
    loops such as looptime drive it. A scheduler belongs to the first event
    loop that uses it; using it from another running loop is an error.
    """

    __slots__ = ("_lanes", "_loop", "limits")

    def __init__(self, limits: RateLimits = _SKILLJAR) -> None:
        if not isinstance(limits, RateLimits):
            raise TypeError(f"limits must be a RateLimits, got {limits!r}")
        self.limits = limits
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lanes = {ct: _Lane(self, ct, limits.for_call_type(ct)) for ct in CallType}

    def __repr__(self) -> str:
        return f"<SlidingWindowScheduler {self.limits!r}>"

    def slot(self, call_type: CallType, *, priority: int = 0) -> _Slot:
        """An async context manager that waits for, holds and then stamps one slot.

        Higher `priority` waiters are served first; equal priorities in arrival order.
        """
        lane = self._lanes[call_type]
        if priority == 0:
            return lane.default_slot
        return _Slot(lane, priority)

    def pause(self, call_type: CallType, seconds: float, *, probe: bool = False) -> None:
        """Grant nothing of `call_type` for `seconds` from now (e.g. after a 429).

        With ``probe=True`` the call type then holds at most one slot at a time
        until `recover()` is called, so a queue of thousands sends one probe,
        not a storm, when the server may still be throttling.
        """
        if not seconds >= 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        loop = self._bound_loop()
        lane = self._lanes[call_type]
        until = loop.time() + seconds
        lane.probe = lane.probe or probe
        lane.paused = True
        if until > lane.pause_until:
            lane.pause_until = until
        lane.dispatch()

    def recover(self, call_type: CallType) -> None:
        """Leave probing mode for `call_type` (a call succeeded); queued waiters go on."""
        lane = self._lanes[call_type]
        if lane.probe:
            lane.probe = False
            if lane.loop is not None and not lane.loop.is_closed():
                lane.dispatch()

    def probing(self, call_type: CallType) -> bool:
        """Whether `call_type` is probing (one slot at a time) after a 429."""
        return self._lanes[call_type].probe

    def eta(self, call_type: CallType, n: int = 1) -> float:
        """Seconds from now until `n` more calls could all have been granted.

        Exact for the current log with no other demand, taking held slots as
        released now and the `n` calls as instant (the greedy schedule).
        """
        lane = self._lanes[call_type]
        now = self._now()
        return lane.log.eta(now, n, lane.pause_until) - now

    def snapshot(self) -> SchedulerSnapshot:
        """Per call type: each window's use, held slots, queued waiters and pause."""
        now = self._now()
        lanes = {
            ct: LaneSnapshot(
                call_type=ct,
                windows=window_snapshots(lane.log, now),
                held=lane.log.held,
                queued=lane.live,
                probing=lane.probe,
                paused_for=max(0.0, lane.pause_until - now),
            )
            for ct, lane in self._lanes.items()
        }
        return SchedulerSnapshot(at=now, lanes=lanes)

    def _now(self) -> float:
        try:
            return self._bound_loop().time()
        except RuntimeError:
            if self._loop is not None:  # outside the loop (or a closed one): its clock
                return self._loop.time()
            return time.monotonic()  # never used yet: the log is empty anyway

    def _bound_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._bind(loop)
        return loop

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        old = self._loop
        if old is not None and not old.is_closed():
            raise RuntimeError(
                f"this SlidingWindowScheduler is bound to event loop {old!r} and cannot "
                f"be used from event loop {loop!r}; create one scheduler per event loop"
            )
        self._loop = loop
        for lane in self._lanes.values():
            lane.rebind(loop)


class _Slot:
    """The async context manager `slot()` returns; stateless, so it can be shared."""

    __slots__ = ("_lane", "_priority")

    def __init__(self, lane: _Lane, priority: int) -> None:
        self._lane = lane
        self._priority = priority

    def __aenter__(self) -> Awaitable[None]:
        lane = self._lane
        loop = lane.loop
        # get_running_loop() makes a getpid() system call on Python 3.11. The bound
        # loop, when it runs on this very thread, is the running loop: ask only when
        # that cannot be told (another loop, or one without a `_thread_id`).
        if loop is None or getattr(loop, "_thread_id", None) != get_ident():
            loop = asyncio.get_running_loop()
            if loop is not lane.loop:
                lane.scheduler._bind(loop)
        if not lane.live and not lane.probe:
            log = lane.log
            if log.held + log.count < log.min_limit and not lane.paused:
                log.held += 1  # room in every window whatever the time: no clock read
                return lane.done
            now = loop.time()
            if log.ready_at(now) <= now and lane.pause_until <= now:
                log.held += 1
                return lane.done
        return lane.wait(self._priority)

    def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Awaitable[None]:
        lane = self._lane
        lane.log.release(lane.loop.time())  # type: ignore[union-attr]
        if lane.live:
            lane.dispatch()
        return lane.done


class _Lane:
    """One call type's log, waiter heap and timer."""

    __slots__ = (
        "call_type",
        "dead",
        "default_slot",
        "done",
        "heap",
        "live",
        "log",
        "loop",
        "pause_until",
        "paused",
        "probe",
        "scheduler",
        "seq",
        "timer",
        "timer_at",
    )

    done: asyncio.Future[None]  #: set when the lane binds to a loop, before any use

    def __init__(
        self, scheduler: SlidingWindowScheduler, call_type: CallType, windows: Sequence[Window]
    ) -> None:
        self.scheduler = scheduler
        self.call_type = call_type
        self.log = SlidingLog(windows)
        self.default_slot = _Slot(self, 0)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.heap: list[tuple[int, int, asyncio.Future[None]]] = []
        self.live = 0  # queued waiters not cancelled
        self.dead = 0  # cancelled waiters still in the heap
        self.seq = 0
        self.timer: asyncio.TimerHandle | None = None
        self.timer_at = math.inf
        self.pause_until = -math.inf
        self.paused = False  # pause() was ever called: the clock must be read
        self.probe = False

    def rebind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Move to a new loop; waiters and timers of a closed loop are gone."""
        self.loop = loop
        # One finished future per loop: awaiting it returns at once, in C.
        self.done = loop.create_future()
        self.done.set_result(None)
        self.heap.clear()
        self.live = self.dead = 0
        self.timer = None
        self.timer_at = math.inf

    async def wait(self, priority: int) -> None:
        """Queue until granted; on cancellation consume nothing and lose nothing."""
        fut: asyncio.Future[None] = self.loop.create_future()  # type: ignore[union-attr]
        self.seq += 1
        heapq.heappush(self.heap, (-priority, self.seq, fut))
        self.live += 1
        self.dispatch()
        try:
            await fut
        except asyncio.CancelledError:
            if fut.cancelled():  # still queued: the heap entry is dropped lazily
                self.live -= 1
                self.dead += 1
                if self.dead > 64 and self.dead > self.live:
                    self._sweep()
            else:  # granted but cancelled before resuming: pass the grant on
                self.log.release(0.0, stamp=False)
            self.dispatch()
            raise

    def dispatch(self) -> None:
        """Grant every waiter that can be granted now; arm the timer for the next."""
        heap = self.heap
        if not heap:
            self._disarm()
            return
        now = self.loop.time()  # type: ignore[union-attr]
        log = self.log
        while heap:
            fut = heap[0][2]
            if fut.done():  # cancelled while queued
                heapq.heappop(heap)
                self.dead -= 1
                continue
            if self.probe and log.held:  # one probe at a time; its release dispatches
                self._disarm()
                return
            at = log.ready_at(now)
            if at < self.pause_until:
                at = self.pause_until
            if at > now:
                self._arm(at)
                return
            heapq.heappop(heap)
            log.held += 1
            self.live -= 1
            fut.set_result(None)
        self._disarm()

    def _arm(self, at: float) -> None:
        if at == math.inf:  # only a release can free a slot, and it dispatches
            self._disarm()
        elif self.timer is None or at != self.timer_at:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = self.loop.call_at(at, self._on_timer)  # type: ignore[union-attr]
            self.timer_at = at

    def _disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
            self.timer_at = math.inf

    def _on_timer(self) -> None:
        self.timer = None
        self.timer_at = math.inf
        self.dispatch()

    def _sweep(self) -> None:
        self.heap = [entry for entry in self.heap if not entry[2].done()]
        heapq.heapify(self.heap)
        self.dead = 0
