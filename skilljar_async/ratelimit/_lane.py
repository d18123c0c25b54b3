"""One call type's queue: the waiter heap, its grant timer and its deadline timer.

Waiters sit in one heap ordered by (higher priority first, then arrival), and
one timer is armed for the exact moment the head can be granted. Foreground
waiters (priority >= 0) always sort before background ones and background
shares are never larger than foreground ones, so a head that cannot be granted
means nobody behind it can: serving the head alone is never unfair.

Waiters with a `max_wait` also sit in a deadline heap with a second timer; when
a deadline passes the waiter fails with `BudgetExhaustedError`, holding nothing.
Both heaps drop cancelled, granted and expired waiters lazily.
"""

from __future__ import annotations

import asyncio
import heapq
import math
from collections.abc import Awaitable, Callable, Sequence
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

    __slots__ = ("_background", "_lane", "_max_wait", "_priority")

    def __init__(self, lane: Lane, priority: int, max_wait: float | None = None) -> None:
        self._lane = lane
        self._priority = priority
        self._background = priority < 0
        self._max_wait = max_wait

    def __aenter__(self) -> Awaitable[None]:
        lane = self._lane
        loop = lane.loop
        # get_running_loop() makes a getpid() system call on Python 3.11. The bound
        # loop, when it runs on this very thread, is the running loop: ask only when
        # that cannot be told (another loop, or one without a `_thread_id`).
        if loop is None or getattr(loop, "_thread_id", None) != get_ident():
            loop = asyncio.get_running_loop()
            if loop is not lane.loop:
                lane.bind(loop)
        if not lane.live and not lane.probe:
            log = lane.log
            least = log.min_bg if self._background else log.min_limit
            if log.held + log.count < least and not lane.paused:
                log.held += 1  # room in every window whatever the time: no clock read
                return lane.done
            now = loop.time()
            if log.ready_at(now, self._background) <= now and lane.pause_until <= now:
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
        lane = self._lane
        lane.log.release(lane.loop.time())  # type: ignore[union-attr]
        if lane.live:
            lane.dispatch()
        return lane.done


class Lane:
    """One call type's log, waiter heap, deadlines and timers."""

    __slots__ = (
        "bind",
        "call_type",
        "dead",
        "deadline_at",
        "deadline_timer",
        "deadlines",
        "default_slot",
        "done",
        "heap",
        "live",
        "log",
        "loop",
        "pause_until",
        "paused",
        "probe",
        "seq",
        "timer",
        "timer_at",
        "waiting",
    )

    done: asyncio.Future[None]  #: set when the lane binds to a loop, before any use

    def __init__(
        self,
        bind: Callable[[asyncio.AbstractEventLoop], None],
        call_type: CallType,
        windows: Sequence[Window],
        reserve: float,
    ) -> None:
        self.bind = bind  # binds the owning scheduler (every lane) to a new loop
        self.call_type = call_type
        self.log = SlidingLog(windows, reserve)
        self.default_slot = Slot(self, 0)
        self.loop: asyncio.AbstractEventLoop | None = None
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
        self.deadlines.clear()
        self.waiting.clear()
        self.live = self.dead = 0
        self.timer = self.deadline_timer = None
        self.timer_at = self.deadline_at = math.inf

    def earliest(self, priority: int, now: float, seq: int | None = None) -> float:
        """The earliest time a waiter of `priority` could be granted, never overstated.

        Counts the live waiters ahead of it (all of `priority` or higher for a new
        arrival, or those ahead of `seq` in the heap) and respects a pause; held
        slots are taken as released now and every call as instant, so a refusal
        is never wrong. Exact for the log when nothing is held; for a background
        waiter behind foreground ones, the later of two lower bounds.
        """
        if seq is None:
            ahead = sum(n for p, n in self.waiting.items() if p >= priority)
            fg = sum(n for p, n in self.waiting.items() if p >= 0 and p >= priority)
        else:
            mine = (-priority, seq)
            found = [-e[0] for e in self.heap if e[:2] < mine and not e[2].done()]
            ahead = len(found)
            fg = sum(1 for p in found if p >= 0)
        log = self.log
        floor = max(now, self.pause_until)
        at = log.eta(now, ahead + 1, floor)  # foreground shares: a lower bound for anyone
        if priority < 0:  # its own share, after the background waiters ahead of it
            at = max(at, log.eta(now, ahead - fg + 1, floor, background=True))
        return at

    def refuse_if_late(self, priority: int, max_wait: float) -> None:
        """Raise `BudgetExhaustedError` now if no grant can come within `max_wait`."""
        now = self.loop.time()  # type: ignore[union-attr]
        wait = self.earliest(priority, now) - now
        if wait > max_wait:
            raise BudgetExhaustedError(self.call_type, wait, max_wait)

    async def wait(self, priority: int, max_wait: float | None) -> None:
        """Queue until granted; on cancellation or expiry consume nothing, lose nothing."""
        loop = self.loop
        fut: asyncio.Future[None] = loop.create_future()  # type: ignore[union-attr]
        self.seq += 1
        heapq.heappush(self.heap, (-priority, self.seq, fut))
        self.live += 1
        self.waiting[priority] = self.waiting.get(priority, 0) + 1
        if max_wait is not None:
            at = loop.time() + max_wait  # type: ignore[union-attr]
            self._add_deadline((at, self.seq, priority, max_wait, fut))
        self.dispatch()
        try:
            await fut
        except asyncio.CancelledError:
            if fut.cancelled():  # still queued: the heap entry is dropped lazily
                self._forget(priority)
            elif fut.exception() is None:  # granted but cancelled before resuming
                self.log.release(0.0, stamp=False)  # pass the grant on
            self.dispatch()
            raise

    def _forget(self, priority: int) -> None:
        """A queued waiter left (cancelled or expired): its heap entry is now dead."""
        self.live -= 1
        self.dead += 1
        self.waiting[priority] -= 1
        if self.dead > 64 and self.dead > self.live:
            self._sweep()

    def dispatch(self) -> None:
        """Grant every waiter that can be granted now; arm the timer for the next."""
        heap = self.heap
        if not heap:
            self._disarm()
            return
        now = self.loop.time()  # type: ignore[union-attr]
        log = self.log
        while heap:
            neg, _, fut = heap[0]
            if fut.done():  # cancelled or expired while queued
                heapq.heappop(heap)
                self.dead -= 1
                continue
            if self.probe and log.held:  # one probe at a time; its release dispatches
                self._disarm()
                return
            at = log.ready_at(now, neg > 0)
            if at < self.pause_until:
                at = self.pause_until
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
            loop = self.loop
            self.deadline_timer = loop.call_at(at, self._on_deadline)  # type: ignore[union-attr]

    def _on_deadline(self) -> None:
        """Fail every waiter whose deadline has come and that is still queued."""
        self.deadline_timer = None
        self.deadline_at = math.inf
        self.dispatch()  # a grant due at this very instant wins over the deadline
        now = self.loop.time()  # type: ignore[union-attr]
        deadlines = self.deadlines
        while deadlines and deadlines[0][0] <= now:
            _, seq, priority, max_wait, fut = heapq.heappop(deadlines)
            if not fut.done():  # still queued: fail it, holding nothing
                wait = max(0.0, self.earliest(priority, now, seq) - now)
                self._forget(priority)
                fut.set_exception(BudgetExhaustedError(self.call_type, wait, max_wait))
        self._arm_deadline()
        self.dispatch()

    def _sweep(self) -> None:
        self.heap = [entry for entry in self.heap if not entry[2].done()]
        heapq.heapify(self.heap)
        self.dead = 0
