"""`Lane`: one call type in one process, its local queue and the pump that serves it.

Waiters queue locally (higher priority first, FIFO within). One pump task per
lane is the only thing that calls Redis for it: each step sends the pending
releases and pause/recover operations and asks for up to ``batch`` grants for
the queue's head, then hands the grants out in queue order. When the script
says "not before X" the pump sleeps until X (capped, see `_MAX_SLEEP` and
``recheck``), or until a release, an operation or a wake-up message arrives.

While this process holds slots the pump also renews their leases: once a slot
has been held for a third of the lease, the next step renews it together with
every other slot of the lane held for a sixth of the lease or more, so a
request that runs long is never counted as finished early while its process
lives, and renewals cost about one script call per lane per third of a lease.

Classes. Background waiters (priority < 0) queue behind foreground ones, so a
step asks for the head's class only: for as many foreground waiters as are
queued, or, with none left, for background ones, which the script grants only
within their share (the reserve). A waiter with a deadline that passes while it
queues fails with `BudgetExhaustedError`, holding nothing. Learned outside usage
and successes ride along with the next step, which applies them atomically.

Refused calls. A call the server refused with a 429 was not counted by it,
though its slot is stamped like any other. Each process reports its 429s with
its next step, and Redis keeps them beside the stamps (for the longest period),
so every process's proofs and the proven levels count only the calls the server
counted, whichever process made them. The reports this process has queued or
has in the step under way are counted too (`refusals_pending`).
"""

from __future__ import annotations

import asyncio
import heapq
import math
from typing import Final, Protocol

import attrs

from ..._errors import BudgetExhaustedError, SkilljarError
from .._limits import CallType, Window
from .._snapshot import LaneSnapshot
from ._errors import LimitsMismatchError, SchedulerUnavailableError
from ._link import Link
from ._state import State, lane_snapshot
from ._wire import REFUSED, Mismatch, Op, Reply, encode_config, log, step_args

__all__ = ["Lane", "LaneConfig", "Stamped"]

# A bound on any one sleep, so that a lost state (Redis restarted) heals.
_MAX_SLEEP: Final = 30.0
# Cancelled waiters stay in the heap until they reach its top; past this many
# (and more than the live ones) the heap is rebuilt, so they cannot pile up.
_COMPACT_AFTER: Final = 64
# A slot held this fraction of its lease is renewed, along with every slot of
# the lane held for `_RENEW_ALONG` of it (so renewals come in batches).
_RENEW_AT: Final = 1 / 3
_RENEW_ALONG: Final = 1 / 6
# Retrying an unreachable Redis (``retry_for``): first and longest pause between tries.
_BACKOFF_MIN: Final = 0.05
_BACKOFF_MAX: Final = 1.0

_Waiter = tuple[int, int, "asyncio.Future[tuple[str, float]]"]


@attrs.frozen(kw_only=True)
class LaneConfig:
    """What one lane is told when its scheduler is built; none of it ever changes."""

    call_type: CallType
    windows: tuple[Window, ...]
    keys: tuple[str, ...]  #: the Redis keys: stamps, held, pause, probe, meta
    channel: str  #: the wake-up channel
    lease: float  #: seconds a grant is held at most
    ttl_ms: int  #: expiry of the Redis keys, refreshed by every step
    recheck: float  #: the longest a soft wait trusts the channel to end it
    batch: int  #: the most grants one step asks for
    digest: str  #: of the limits (windows and reserve) every process must agree on
    replace: bool  #: this process deliberately replaces the budget's limits
    retry_for: float  #: how long an unreachable Redis is retried before waiters fail
    reserve: float = 0.0  #: the share of every window background calls leave alone


class Stamped(Protocol):
    """Who learns the Redis time a release was stamped at (a slot)."""

    released_at: float | None


#: A grant token on its way back to Redis: stamp it (True) or drop it, and who
#: (if anyone) wants to learn the stamp's time.
Release = tuple[str, bool, Stamped | None]


class Lane:
    """One call type in one process: the local queue, its pump and the last-known state."""

    __slots__ = (
        "argv",
        "call_type",
        "config",
        "dead",
        "done_gen",
        "down_since",
        "flushers",
        "gen",
        "heap",
        "held",
        "horizon",
        "learned",
        "link",
        "live",
        "live_bg",
        "notified",
        "ops",
        "pump",
        "releases",
        "renew_at",
        "renew_timer",
        "retry_at",
        "sending",
        "sending_ops",
        "seq",
        "state",
        "successes",
        "timer",
        "tries_at",
        "wake_fut",
        "windows",
    )

    def __init__(self, config: LaneConfig, link: Link) -> None:
        self.config = config
        self.link = link
        self.call_type = config.call_type
        self.windows = config.windows
        self.argv = encode_config(  # ARGV[1], the same for every step
            lease=config.lease,
            ttl_ms=config.ttl_ms,
            channel=config.channel,
            name=config.call_type.value,
            windows=config.windows,
            digest=config.digest,
            replace=config.replace,
        )
        self.heap: list[_Waiter] = []
        self.live = 0  # queued waiters not cancelled
        self.dead = 0  # cancelled waiters still in the heap
        self.live_bg = 0  # ... of which background (priority < 0)
        self.seq = 0
        self.successes = 0  # successes not yet sent (they decay the outside estimate)
        # estimates to raise: (window, calls, the proven level's new ceiling)
        self.learned: list[tuple[int, int, int]] = []
        self.releases: list[Release] = []
        self.sending: list[Release] = []  # releases of the step under way
        self.sending_ops: list[Op] = []  # ... and its operations
        self.ops: list[Op] = []
        self.gen = 0  # releases and operations enqueued so far
        self.done_gen = 0  # ... and sent to Redis (or given up)
        self.flushers: list[tuple[int, asyncio.Future[None]]] = []
        self.pump: asyncio.Task[None] | None = None
        self.wake_fut: asyncio.Future[None] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.retry_at = -math.inf
        self.notified = False
        self.state: State | None = None
        # Grant tokens this process holds -> loop time of their grant or last renewal.
        self.held: dict[str, float] = {}
        # One timer per lane wakes the pump when the oldest held slot needs renewing.
        self.renew_timer: asyncio.TimerHandle | None = None
        self.renew_at = math.inf  # loop time the oldest held slot is due (inf: none)
        # How long what a step showed can matter: the longest window plus a lease.
        self.horizon = max((w.period for w in config.windows), default=0.0) + config.lease
        self.down_since: float | None = None  # loop time Redis first failed, in an outage
        self.tries_at = -math.inf  # in an outage: no step before this loop time

    def rebind(self) -> None:
        """Forget everything tied to the previous event loop (its futures and tasks)."""
        self.heap.clear()
        self.live = self.dead = self.live_bg = 0
        self.successes = 0
        self.learned.clear()
        self.releases.clear()
        self.sending = []
        self.ops.clear()
        self.flushers.clear()
        self.done_gen = self.gen
        self.pump = None
        self.wake_fut = None
        self.timer = None
        self.retry_at = -math.inf
        self.held.clear()
        self.renew_timer = None  # (the old loop's timers died with it)
        self.renew_at = math.inf
        self.down_since = None
        self.tries_at = -math.inf

    # -- what slots, pause and recover call --------------------------------------

    async def acquire(self, priority: int, max_wait: float | None = None) -> tuple[str, float]:
        """Queue until granted; on cancellation or a passed deadline (`max_wait` seconds,
        then `BudgetExhaustedError`) consume nothing and lose nothing."""
        loop = self._loop()
        fut: asyncio.Future[tuple[str, float]] = loop.create_future()
        self.seq += 1
        heapq.heappush(self.heap, (-priority, self.seq, fut))
        self.live += 1
        background = priority < 0
        if background:
            self.live_bg += 1
        elif self.live - self.live_bg == 1 and self.live_bg:
            self.retry_at = -math.inf  # the wait was the background share's: ask again
        deadline = None
        if max_wait is not None:
            deadline = loop.call_later(max_wait, self._expire, fut, background, max_wait)
        self.kick()
        try:
            return await fut
        except asyncio.CancelledError:
            self._cancelled(fut, background)
            raise
        finally:
            if deadline is not None:
                deadline.cancel()

    def _expire(
        self, fut: asyncio.Future[tuple[str, float]], background: bool, max_wait: float
    ) -> None:
        """A queued waiter's deadline passed: it fails, and its heap entry is dropped lazily."""
        if fut.done():
            return
        fut.set_exception(BudgetExhaustedError(self.call_type, self.earliest(background), max_wait))
        self.live -= 1
        self.dead += 1
        if background:
            self.live_bg -= 1
        if not self.live:
            self.wake()

    def earliest(self, background: bool) -> float:
        """Seconds until a grant of the class could come, as far as the last-known state says.

        From the stamps and the pause of the latest step (held slots taken as
        released now): 0 when nothing is known yet.
        """
        state = self.state
        if state is None:
            return 0.0
        loop = self.link.loop
        elapsed = 0.0 if loop is None else loop.time() - state.local_at
        hard = state.reply.hard[1 if background else 0]
        return max(0.0, hard - (state.reply.now + elapsed))

    def ended(self) -> list[Release]:
        """Releases not in the last-known state yet: queued, or in the step under way."""
        return self.releases + self.sending

    def refuse(self) -> None:
        """Report a 429 of this process with the next step: the server did not count it."""
        self.enqueue_op(REFUSED)

    def refusals_pending(self) -> int:
        """429s this process reported that the last-known state does not show yet."""
        return self.ops.count(REFUSED) + self.sending_ops.count(REFUSED)

    def learn(self, window: int, calls: int, proven: int) -> None:
        """Raise window `window`'s shared outside estimate to at least `calls` and cap
        its proven level at `proven` (next step)."""
        self.learned.append((window, calls, proven))
        self.gen += 1
        self.kick()

    def release(self, token: str, stamp: bool, slot: Stamped | None) -> None:
        """Queue a grant's return: stamped (the call ran) or not (it never started)."""
        self.held.pop(token, None)
        self.releases.append((token, stamp, slot))
        self.gen += 1
        self.kick()

    def enqueue_op(self, op: Op) -> None:
        """Queue a pause or recover (see `pause_op`, `RECOVER`) for the next step."""
        self.ops.append(op)
        self.gen += 1
        self.kick()

    async def flush(self) -> None:
        """Wait until every release and operation queued so far was sent (or given up)."""
        if self.done_gen >= self.gen:
            return
        fut: asyncio.Future[None] = self._loop().create_future()
        self.flushers.append((self.gen, fut))
        self.kick()
        await fut

    async def fetch(self) -> None:
        """Refresh the last-known state, stamps included, without granting anything."""
        loop = self._loop()
        args = step_args(
            self.argv, 0, "-", True, [], [], (), self._seen(loop), reserve=self.config.reserve
        )
        reply = self._checked(await self.link.call(self.config.keys, args))
        self._record(reply)
        if reply.lost:
            self._lost()

    def notify(self) -> None:
        """Another process (or a lease expiry) may have freed a slot: re-check now."""
        if self.live:
            self.notified = True
            self.wake()

    def snapshot(self, now: float) -> LaneSnapshot:
        """This call type at server time `now`, from the last-known state."""
        reply = None if self.state is None else self.state.reply
        return lane_snapshot(
            self.call_type, self.windows, reply, self.live, now, self.config.reserve
        )

    # -- the queue -----------------------------------------------------------------

    def _cancelled(self, fut: asyncio.Future[tuple[str, float]], background: bool) -> None:
        """A waiter was cancelled: forget it, or give back the grant it did not use."""
        if fut.cancelled():  # still queued: the heap entry is dropped lazily
            self.live -= 1
            self.dead += 1
            if background:
                self.live_bg -= 1
            if self.dead > _COMPACT_AFTER and self.dead > self.live:
                self._compact()
            if not self.live:
                self.wake()  # let an idle pump end
        elif fut.exception() is None:  # granted but cancelled before resuming
            self.release(fut.result()[0], False, None)

    def _compact(self) -> None:
        """Rebuild the heap without its cancelled waiters."""
        self.heap = [e for e in self.heap if not e[2].done()]
        heapq.heapify(self.heap)
        self.dead = 0

    def _grant(self, reply: Reply, want: int, prefix: str, mid: float, background: bool) -> None:
        """Hand a step's grants to the queue's head, then plan the next step."""
        for j in range(1, reply.granted + 1):
            self._hand_out(f"{prefix}:{j}", reply.now, mid, background)
        if reply.granted and self.renew_timer is None:
            self._plan_renewal()
        if reply.granted < want:
            self._retry_after(reply, mid)
        else:
            self.retry_at = -math.inf

    def _hand_out(self, token: str, at: float, local_at: float, background: bool) -> None:
        """Give one grant to the first live waiter, or back to Redis if none is left.

        `at` is the grant's Redis time, `local_at` the loop time it maps to. A
        grant made for a foreground waiter never goes to a background one (it
        may be beyond their share): it goes back too.
        """
        heap = self.heap
        while heap and heap[0][2].done():  # cancelled while queued
            heapq.heappop(heap)
            self.dead -= 1
        if not heap or (not background and heap[0][0] > 0):
            self.releases.append((token, False, None))  # its waiter left during the step
            self.gen += 1
            return
        neg_priority, _, fut = heapq.heappop(heap)
        self.live -= 1
        if neg_priority > 0:
            self.live_bg -= 1
        self.held[token] = local_at
        fut.set_result((token, at))

    def _retry_after(self, reply: Reply, mid: float) -> None:
        """Waiters are left: step again when the script says a grant becomes possible."""
        # A soft wait ends early if a release is published; the recheck covers a lost one.
        cap = self.config.recheck if reply.soft else _MAX_SLEEP
        self.retry_at = mid + min(reply.wait, cap)
        self.link.listen()

    def fail(self, exc: SkilljarError, releases: list[Release]) -> None:
        """Redis failed: every queued waiter gets the error; lost releases age out by lease."""
        if releases:
            log.warning(
                "%d %s release(s) could not reach Redis; they count as held until their "
                "lease (%.0f s) expires",
                len(releases),
                self.call_type.value,
                self.config.lease,
            )
        for _, _, fut in self.heap:
            if not fut.done():
                fut.set_exception(exc)
        self.heap.clear()
        self.live = self.dead = self.live_bg = 0
        self.retry_at = -math.inf

    # -- the pump ----------------------------------------------------------------------

    def kick(self) -> None:
        """Start the pump, or wake it if it sleeps: there is something to send or serve."""
        if self.pump is None:
            self.pump = self._loop().create_task(self._pump())
        else:
            self.wake()

    def wake(self) -> None:
        """End the pump's current sleep, if it is sleeping."""
        fut = self.wake_fut
        if fut is not None and not fut.done():
            fut.set_result(None)

    def _loop(self) -> asyncio.AbstractEventLoop:
        loop = self.link.loop
        assert loop is not None  # a lane is only used after the scheduler was bound
        return loop

    async def _pump(self) -> None:
        """Step until nothing is queued or pending; the lane's only caller of Redis."""
        loop = self._loop()
        try:
            while await self._turn(loop):
                pass
        except Exception as exc:  # a bug must not leave waiters hanging
            log.exception("the %s lane of the rate scheduler failed", self.call_type.value)
            error = SchedulerUnavailableError(f"the shared rate scheduler failed: {exc!r}")
            error.__cause__ = exc
            self._give_up(error, [])
        finally:
            if self.pump is asyncio.current_task():
                self.pump = None
            self._cancel_timer()

    async def _turn(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Step if there is anything to do, else sleep; False once the pump should end."""
        now = loop.time()
        if now < self.tries_at:  # Redis is down: wait before trying again
            await self._sleep(loop, self.tries_at)
            return True
        want = self._want(loop)
        renewals = self._renewals(now) if now >= self.renew_at else []
        if self.releases or self.ops or self.learned or want or renewals:
            return await self._step(loop, want, renewals)
        if not self.live and not self.flushers:
            return False
        await self._sleep(loop, self.retry_at if self.live else math.inf)
        return True

    def _renewals(self, now: float) -> list[str]:
        """The held slots to renew now: none unless one is due, then all that are close."""
        lease = self.config.lease
        if self.held and now - min(self.held.values()) >= lease * _RENEW_AT:
            self.renew_at = -math.inf  # look again at every step until one carries them
            return [t for t, at in self.held.items() if now - at >= lease * _RENEW_ALONG]
        self.renew_at = math.inf
        self._plan_renewal()
        return []

    def _plan_renewal(self) -> None:
        """Wake the pump when the oldest held slot is due for renewal (once per lane)."""
        if self.renew_timer is not None or not self.held:
            return
        self.renew_at = min(self.held.values()) + self.config.lease * _RENEW_AT
        self.renew_timer = self._loop().call_at(self.renew_at, self._on_renew)

    def _on_renew(self) -> None:
        self.renew_timer = None
        self.renew_at = -math.inf
        if self.held:
            self.kick()

    def close(self) -> None:
        """Stop renewing (the scheduler is closing)."""
        if self.renew_timer is not None:
            self.renew_timer.cancel()
            self.renew_timer = None
        self.renew_at = math.inf

    def _seen(self, loop: asyncio.AbstractEventLoop) -> tuple[int, int] | None:
        """The epoch and sequence last seen, while recent enough that a loss must be caught.

        Older than the longest window plus a lease, nothing this process knows of
        the budget can still matter, so it claims no history.
        """
        state = self.state
        if state is None:
            return None
        if loop.time() - state.local_at > self.horizon:
            return None
        return state.reply.epoch, state.reply.seq

    def _want(self, loop: asyncio.AbstractEventLoop) -> int:
        """How many grants to ask for: none unless a step now could grant any.

        Only for the head's class: every queued foreground waiter, or (none
        left) the background ones.
        """
        if self.live and (
            self.releases
            or self.ops
            or self.learned
            or self.notified
            or loop.time() >= self.retry_at
        ):
            foreground = self.live - self.live_bg
            return min(foreground or self.live, self.config.batch)
        return 0

    async def _step(self, loop: asyncio.AbstractEventLoop, want: int, renewals: list[str]) -> bool:
        """One script call: send what is pending and ask for `want` grants; False if it failed."""
        releases, ops, learned, successes = self.releases, self.ops, self.learned, self.successes
        self.releases, self.ops, self.learned, self.successes = [], [], [], 0
        gen = self.gen
        self.notified = False
        background = self.live == self.live_bg > 0
        prefix = self.link.next_prefix() if want else "-"
        args = step_args(
            self.argv,
            want,
            prefix,
            False,
            releases,
            ops,
            renewals,
            self._seen(loop),
            reserve=self.config.reserve,
            background=background,
            successes=successes,
            learned=learned,
        )
        sent = loop.time()
        self.sending, self.sending_ops = releases, ops
        try:
            reply = self._checked(await self.link.call(self.config.keys, args))
        except SchedulerUnavailableError as exc:
            self.sending, self.sending_ops = [], []
            if self._retry(loop, sent, releases, ops):
                self.learned[:0] = learned
                self.successes += successes
                return True
            self._give_up(exc, releases)
            return False
        except LimitsMismatchError as exc:
            self.sending, self.sending_ops = [], []
            self._give_up(exc, releases)
            return False
        self.sending, self.sending_ops = [], []  # the reply shows them now
        self.down_since = None
        # The loop time at which Redis most likely read its clock, to map one onto the other.
        mid = (sent + loop.time()) / 2
        for token in renewals:
            if token in self.held:
                self.held[token] = sent
        if renewals:
            self._plan_renewal()
        self._stepped(reply, gen, releases, mid)
        self._grant(reply, want, prefix, mid, background)
        return True

    def _checked(self, reply: Reply | Mismatch) -> Reply:
        """A step's reply, or the error saying the budget is kept under other limits."""
        if isinstance(reply, Mismatch):
            raise LimitsMismatchError(self.call_type, self.windows, reply.windows)
        return reply

    def _retry(
        self, loop: asyncio.AbstractEventLoop, now: float, releases: list[Release], ops: list[Op]
    ) -> bool:
        """Within ``retry_for`` of an outage's start: keep what was pending and try again later."""
        if self.down_since is None:
            self.down_since = now
        down_for = now - self.down_since
        if down_for >= self.config.retry_for:
            self.down_since = None
            return False
        self.releases[:0] = releases
        self.ops[:0] = ops
        self.tries_at = now + min(_BACKOFF_MAX, max(_BACKOFF_MIN, down_for / 2))
        self.retry_at = -math.inf  # step as soon as Redis answers again
        return True

    def _lost(self) -> None:
        """Redis lost this call type's state: renew every held slot now, so they count again."""
        log.warning(
            "the shared rate budget's %s state was lost in Redis (a restart without "
            "persistence, an eviction or a failover to a replica behind its primary); "
            "no %s slot is granted to any process until every lost one has run out",
            self.call_type.value,
            self.call_type.value,
        )
        for token in self.held:
            self.held[token] = -math.inf
        if self.held:
            self.renew_at = -math.inf  # renew them at the next step, which starts now
            self.kick()

    def _stepped(self, reply: Reply, gen: int, releases: list[Release], mid: float) -> None:
        """Take in a step's reply: record the state, settle flushes, tell slots their stamp."""
        if reply.lost:
            self._lost()
        if reply.late:
            log.warning(
                "%d %s slot(s) released after their lease (%g s) ran out unrenewed (the "
                "event loop was blocked, or Redis unreachable, that long), so they "
                "counted as done too early",
                reply.late,
                self.call_type.value,
                self.config.lease,
            )
        self._record(reply, mid)
        self._flushed(gen)
        for _token, stamp, slot in releases:
            if stamp and slot is not None:
                slot.released_at = reply.now

    def _give_up(self, exc: SkilljarError, releases: list[Release]) -> None:
        """The pump is ending on `exc`: fail the waiters; all that is pending is lost."""
        lost = releases + self.releases
        self.releases, self.ops, self.learned = [], [], []
        self.fail(exc, lost)
        self._flushed(self.gen)

    async def _sleep(self, loop: asyncio.AbstractEventLoop, until: float) -> None:
        """Wait for `wake()`, or until loop time `until`."""
        fut: asyncio.Future[None] = loop.create_future()
        self.wake_fut = fut
        if until < math.inf:
            self.timer = loop.call_at(until, self._on_timer)
        try:
            await fut
        finally:
            self.wake_fut = None
            self._cancel_timer()

    def _on_timer(self) -> None:
        self.timer = None
        self.retry_at = -math.inf
        self.wake()

    def _cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _record(self, reply: Reply, local_at: float | None = None) -> None:
        """Keep a step's reply as the last-known state, stamped with loop time `local_at`."""
        loop = self.link.loop
        at = local_at if local_at is not None else (loop.time() if loop is not None else 0.0)
        self.state = State(reply, at)

    def _flushed(self, gen: int) -> None:
        """Everything queued up to generation `gen` was sent: resolve the flushes waiting on it."""
        self.done_gen = gen
        if self.flushers:
            keep = []
            for target, fut in self.flushers:
                if target > gen:
                    keep.append((target, fut))
                elif not fut.done():
                    fut.set_result(None)
            self.flushers = keep
