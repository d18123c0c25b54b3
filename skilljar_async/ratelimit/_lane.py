"""One call type's budget and, per event loop, its queue: waiter heap and timers.

A `Budget` is the window state of one call type (the `SlidingLog`, the pause
and the probe flag), one per scheduler, shared by every event loop and thread
that uses the scheduler and guarded by one lock. Waiting belongs to a loop:
each loop that uses the budget gets a `Lane` (its waiter heap, grant timer,
deadline heap and deadline timer). A lane grants only its own waiters; when a
release, a pause or a success in one loop could let another loop's waiters go,
that loop's lane is told with ``call_soon_threadsafe``. Priorities and arrival
order hold within a loop; across loops the first to ask once a slot frees wins.

Clocks. The log's stamps are on one clock per budget; a lane converts its
loop's ``loop.time()`` with a fixed offset chosen when the lane is made: the
clock of the loop made before it (live or closed) continues, so stamps keep
their age when a script runs one ``asyncio.run()`` after another or a thread
starts its own loop. Two loops both running on ``time.monotonic`` (asyncio's
loops) need no conversion at all (offset 0), and a lone virtual-time loop
(looptime) is its own clock, so virtual-time tests see exact times. Two
virtual-time loops at once are not supported (their clocks drift apart).

Waiters sit in one heap per lane ordered by (higher priority first, then
arrival), and one timer is armed for the exact moment the head can be granted.
Foreground waiters (priority >= 0) always sort before background ones and
background shares are never larger than foreground ones, so a head that cannot
be granted means nobody behind it in that loop can: serving the head alone is
never unfair.

Waiters with a `max_wait` also sit in a deadline heap with a second timer; when
a deadline passes the waiter fails with `BudgetExhaustedError`, holding nothing.
Both heaps drop cancelled, granted and expired waiters lazily.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import math
import threading
import time
from collections.abc import Awaitable, Sequence
from threading import get_ident
from types import TracebackType

from .._errors import BudgetExhaustedError
from ._limits import CallType, Window
from ._log import SlidingLog

__all__: list[str] = []

_Waiter = tuple[int, int, "asyncio.Future[None]"]  # (-priority, seq, future)
# (at, seq, priority, max_wait, future)
_Deadline = tuple[float, int, int, float, "asyncio.Future[None]"]


class Slot:
    """The async context manager `slot()` returns; stateless, so it can be shared."""

    __slots__ = ("_background", "_budget", "_max_wait", "_priority")

    def __init__(self, budget: Budget, priority: int, max_wait: float | None = None) -> None:
        self._budget = budget
        self._priority = priority
        self._background = priority < 0
        self._max_wait = max_wait

    def __aenter__(self) -> Awaitable[None]:
        budget = self._budget
        lane = budget.lane
        # get_running_loop() makes a getpid() system call on Python 3.11. The last
        # lane's loop, when it runs on this very thread, is the running loop: ask
        # only when that cannot be told (another loop, or one without `_thread_id`).
        if lane is None or getattr(lane.loop, "_thread_id", None) != get_ident():
            lane = budget.lane_here()
        if not lane.live and not budget.probe:
            log = budget.log
            with budget.lock:
                least = log.min_bg if self._background else log.min_limit
                if log.held + log.count < least and not budget.paused:
                    log.held += 1  # room in every window whatever the time: no clock read
                    return lane.done
                now = lane.loop.time() + lane.offset
                if log.ready_at(now, self._background) <= now and budget.pause_until <= now:
                    log.held += 1
                    return lane.done
        if self._max_wait is not None:
            lane.refuse_if_late(self._priority, self._max_wait)
        return lane.wait(self._priority, self._max_wait)

    def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Awaitable[None]:
        budget = self._budget
        lane = budget.lane
        several = len(budget.lanes) > 1
        if several or lane is None:  # the one lane is the one entered: no need to ask
            lane = budget.lane_here()
        with budget.lock:
            budget.log.release(lane.loop.time() + lane.offset)
        if lane.live:
            lane.dispatch()
        if several:
            budget.wake(lane)
        return lane.done


class Budget:
    """One call type's window state, shared by every loop and thread; a lane per loop."""

    __slots__ = (
        "call_type",
        "default_slot",
        "lane",
        "lanes",
        "lock",
        "log",
        "pause_until",
        "paused",
        "probe",
        "ref",
    )

    def __init__(self, call_type: CallType, windows: Sequence[Window], reserve: float) -> None:
        self.call_type = call_type
        self.log = SlidingLog(windows, reserve)
        self.lock = threading.Lock()  # guards the log, the pause and the lanes dict; never nested
        self.default_slot = Slot(self, 0)
        self.lanes: dict[asyncio.AbstractEventLoop, Lane] = {}
        self.lane: Lane | None = None  # the lane used last: the fast path's guess
        self.ref: Lane | None = None  # the lane made last: its clock is the budget's
        self.pause_until = -math.inf
        self.paused = False  # pause() was ever called: the clock must be read
        self.probe = False

    def lane_here(self) -> Lane:
        """The running loop's lane, made (and its clock offset fixed) on first use."""
        loop = asyncio.get_running_loop()
        lane = self.lanes.get(loop)
        if lane is None:
            with self.lock:
                lane = self.lanes.get(loop)
                if lane is None:
                    for old in [lp for lp in self.lanes if lp.is_closed()]:
                        del self.lanes[old]
                    lane = Lane(self, loop, _offset(loop, self.ref))
                    self.lanes[loop] = lane
                    self.ref = lane
        self.lane = lane
        return lane

    def now(self) -> float:
        """The budget's clock: the running loop's, else the last lane's, else monotonic."""
        try:
            return self.lane_here().now()
        except RuntimeError:
            ref = self.ref
            return time.monotonic() if ref is None else ref.now()

    def peek(self) -> float:
        """The budget's clock, like `now()`, without giving the running loop a lane."""
        try:
            lane = self.lanes.get(asyncio.get_running_loop())
        except RuntimeError:
            lane = None
        lane = lane or self.ref
        return time.monotonic() if lane is None else lane.now()

    def queued(self) -> int:
        """Waiters queued in every live loop (a closed loop's are gone)."""
        return sum(lane.live for lane in list(self.lanes.values()) if not lane.loop.is_closed())

    def wake(self, source: Lane | None = None) -> None:
        """Let every lane with waiters (but `source`) dispatch, each in its own loop."""
        for lane in list(self.lanes.values()):
            if lane is source or not lane.live:
                continue
            loop = lane.loop
            if getattr(loop, "_thread_id", None) == get_ident():
                lane.dispatch()
                continue
            with contextlib.suppress(RuntimeError):  # closed meanwhile: no waiters left
                loop.call_soon_threadsafe(lane.dispatch)


def _offset(loop: asyncio.AbstractEventLoop, ref: Lane | None) -> float:
    """The offset turning `loop`'s time into the budget's clock (see the module docstring)."""
    if ref is None:
        return 0.0
    if _monotonic(loop) and _monotonic(ref.loop):
        return ref.offset
    return ref.now() - loop.time()


def _monotonic(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether `loop`'s clock reads `time.monotonic` (asyncio's own loops do)."""
    before = time.monotonic()
    at = loop.time()
    return before <= at <= time.monotonic()


class Lane:
    """One loop's waiter heap, deadlines and timers for a shared `Budget`."""

    __slots__ = (
        "budget",
        "dead",
        "deadline_at",
        "deadline_timer",
        "deadlines",
        "done",
        "heap",
        "live",
        "loop",
        "offset",
        "seq",
        "timer",
        "timer_at",
        "waiting",
    )

    def __init__(self, budget: Budget, loop: asyncio.AbstractEventLoop, offset: float) -> None:
        self.budget = budget
        self.loop = loop
        self.offset = offset  # budget clock = loop.time() + offset
        # One finished future per loop: awaiting it returns at once, in C.
        self.done: asyncio.Future[None] = loop.create_future()
        self.done.set_result(None)
        self.heap: list[_Waiter] = []
        self.live = 0  # queued waiters not cancelled
        self.dead = 0  # cancelled waiters still in the heap
        self.waiting: dict[int, int] = {}  # priority -> live waiters
        self.seq = 0
        self.timer: asyncio.TimerHandle | None = None
        self.timer_at = math.inf
        self.deadlines: list[_Deadline] = []
        self.deadline_timer: asyncio.TimerHandle | None = None
        self.deadline_at = math.inf

    def now(self) -> float:
        """This loop's time on the budget's clock."""
        return self.loop.time() + self.offset

    def earliest(self, priority: int, now: float, seq: int | None = None) -> float:
        """The earliest time a waiter of `priority` could be granted, never overstated.

        Counts the live waiters ahead of it in this loop (all of `priority` or
        higher for a new arrival, or those ahead of `seq` in the heap) and
        respects a pause; held slots are taken as released now and every call as
        instant, so a refusal is never wrong. Exact for the log when nothing is
        held; for a background waiter behind foreground ones, the later of two
        lower bounds. Call it holding the budget's lock.
        """
        if seq is None:
            ahead = sum(n for p, n in self.waiting.items() if p >= priority)
            fg = sum(n for p, n in self.waiting.items() if p >= 0 and p >= priority)
        else:
            mine = (-priority, seq)
            found = [-e[0] for e in self.heap if e[:2] < mine and not e[2].done()]
            ahead = len(found)
            fg = sum(1 for p in found if p >= 0)
        budget = self.budget
        log = budget.log
        floor = max(now, budget.pause_until)
        at = log.eta(now, ahead + 1, floor)  # foreground shares: a lower bound for anyone
        if priority < 0:  # its own share, after the background waiters ahead of it
            at = max(at, log.eta(now, ahead - fg + 1, floor, background=True))
        return at

    def refuse_if_late(self, priority: int, max_wait: float) -> None:
        """Raise `BudgetExhaustedError` now if no grant can come within `max_wait`."""
        with self.budget.lock:
            now = self.now()
            wait = self.earliest(priority, now) - now
        if wait > max_wait:
            raise BudgetExhaustedError(self.budget.call_type, wait, max_wait)

    async def wait(self, priority: int, max_wait: float | None) -> None:
        """Queue until granted; on cancellation or expiry consume nothing, lose nothing."""
        fut: asyncio.Future[None] = self.loop.create_future()
        self.seq += 1
        heapq.heappush(self.heap, (-priority, self.seq, fut))
        self.live += 1
        self.waiting[priority] = self.waiting.get(priority, 0) + 1
        if max_wait is not None:
            self._add_deadline((self.now() + max_wait, self.seq, priority, max_wait, fut))
        self.dispatch()
        try:
            await fut
        except asyncio.CancelledError:
            if fut.cancelled():  # still queued: the heap entry is dropped lazily
                self._forget(priority)
            elif fut.exception() is None:  # granted but cancelled before resuming
                budget = self.budget
                with budget.lock:
                    budget.log.release(0.0, stamp=False)  # pass the grant on
                if len(budget.lanes) > 1:
                    budget.wake(self)
            self.dispatch()
            raise

    def _forget(self, priority: int) -> None:
        """A queued waiter left (cancelled or expired): its heap entry is now dead."""
        self.live -= 1
        self.dead += 1
        self.waiting[priority] -= 1
        if self.dead > 64 and self.dead > self.live:
            self._sweep()

    def dispatch(self, fired_at: float = -math.inf) -> None:
        """Grant every waiter that can be granted now; arm the timer for the next.

        Runs in this lane's loop only (other loops ask with ``call_soon_threadsafe``).
        `fired_at` is the budget time a timer was armed for: converting it to the
        loop's time and back may round below it, and a timer must never re-arm
        for the instant it fired at.
        """
        heap = self.heap
        if not heap:
            self._disarm()
            return
        budget = self.budget
        log = budget.log
        with budget.lock:
            now = max(self.now(), fired_at)
            while heap:
                neg, _, fut = heap[0]
                if fut.done():  # cancelled or expired while queued
                    heapq.heappop(heap)
                    self.dead -= 1
                    continue
                if budget.probe and log.held:  # one probe at a time; its release dispatches
                    self._disarm()
                    return
                at = log.ready_at(now, neg > 0)
                if at < budget.pause_until:
                    at = budget.pause_until
                if at > now:
                    self._arm(at)
                    return
                heapq.heappop(heap)
                log.held += 1
                self.live -= 1
                self.waiting[-neg] -= 1
                fut.set_result(None)
        self._disarm()

    def _arm(self, at: float) -> None:
        if at == math.inf:  # only a release can free a slot, and it dispatches
            self._disarm()
        elif self.timer is None or at != self.timer_at:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = self.loop.call_at(at - self.offset, self._on_timer)
            self.timer_at = at

    def _disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
            self.timer_at = math.inf

    def _on_timer(self) -> None:
        fired_at = self.timer_at
        self.timer = None
        self.timer_at = math.inf
        self.dispatch(fired_at)

    def _add_deadline(self, entry: _Deadline) -> None:
        deadlines = self.deadlines
        if len(deadlines) > 64 and len(deadlines) > 2 * self.live:
            # Granted waiters leave their deadlines behind: sweep them like dead waiters.
            self.deadlines = deadlines = [d for d in deadlines if not d[4].done()]
            heapq.heapify(deadlines)
        heapq.heappush(deadlines, entry)
        self._arm_deadline()

    def _arm_deadline(self) -> None:
        """Keep the deadline timer armed for the earliest deadline still pending."""
        deadlines = self.deadlines
        while deadlines and deadlines[0][4].done():
            heapq.heappop(deadlines)
        at = deadlines[0][0] if deadlines else math.inf
        if at == self.deadline_at:
            return
        if self.deadline_timer is not None:
            self.deadline_timer.cancel()
            self.deadline_timer = None
        self.deadline_at = at
        if deadlines:
            self.deadline_timer = self.loop.call_at(at - self.offset, self._on_deadline)

    def _on_deadline(self) -> None:
        """Fail every waiter whose deadline has come and that is still queued."""
        fired_at = self.deadline_at
        self.deadline_timer = None
        self.deadline_at = math.inf
        self.dispatch(fired_at)  # a grant due at this very instant wins over the deadline
        budget = self.budget
        deadlines = self.deadlines
        with budget.lock:
            now = max(self.now(), fired_at)
            while deadlines and deadlines[0][0] <= now:
                _, seq, priority, max_wait, fut = heapq.heappop(deadlines)
                if not fut.done():  # still queued: fail it, holding nothing
                    wait = max(0.0, self.earliest(priority, now, seq) - now)
                    self._forget(priority)
                    fut.set_exception(BudgetExhaustedError(budget.call_type, wait, max_wait))
        self._arm_deadline()
        self.dispatch()

    def _sweep(self) -> None:
        self.heap = [entry for entry in self.heap if not entry[2].done()]
        heapq.heapify(self.heap)
        self.dead = 0
