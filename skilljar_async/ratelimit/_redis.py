"""`RedisScheduler`: one organization's sliding-window budget shared by many processes.

The window math is the in-memory scheduler's (see `SlidingLog` for why holding a
slot and stamping it at release is safe under any latency), moved into one Lua
script (`_redis_lua.STEP`) so that every check of every window and the grants it
allows are one atomic step on the Redis server, on the server's clock (``TIME``):
host clocks, skewed or not, are never read for the budget.

Per process, per call type, a *lane* keeps a local queue (higher priority first,
FIFO within) and one pump task, the only thing that talks to Redis for that
lane. The pump sends pending releases, pause/recover operations and a request
for up to ``batch`` grants for the queue's head in one script call, hands the
grants out in queue order, and, when the script says "not before X", sleeps
until exactly X. A release that could shorten somebody's wait (one that frees
a window held slots alone were filling, ends a probe, or returns an unused
grant) is published on a channel, which wakes the pumps of every process; such
"soft" waits are also re-checked every ``recheck`` seconds in case a
notification is lost. Nothing busy-polls.

Priorities and FIFO order hold within a process; across processes, grants go to
whichever process's pump asks first once a slot frees.

Held slots are entries of a sorted set scored by their lease expiry. A process
that dies holding slots leaks nothing for good: at lease expiry each held slot
becomes a stamp at that instant, exactly as if the call had ended then.

The redis package is optional: this module imports it only when a scheduler is
built (``pip install 'skilljar-async[redis]'``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import heapq
import logging
import math
import os
import time
import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from .._errors import APIConnectionError
from ._limits import CallType, RateLimits, Window
from ._log import SlidingLog
from ._redis_lua import STEP
from ._scheduler import Scheduler
from ._snapshot import LaneSnapshot, SchedulerSnapshot, WindowSnapshot, window_snapshots

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

__all__ = ["RedisScheduler", "SchedulerUnavailableError"]

_log = logging.getLogger(__name__)

_SKILLJAR = RateLimits.skilljar()
_API_KEY_ENV: Final = "SKILLJAR_API_KEY"
_US = 1_000_000
_MAX_SLEEP = 30.0  # a bound on any one sleep, so a lost state (Redis restarted) heals
_HEADER = 11  # fixed fields before the per-window pairs in a step's reply
_MAX_PAUSE = 10 * 365 * 86400.0  # "forever", as far as a pause key's expiry goes
_BREAK = 1.0  # after Redis failed, go straight to the fallback for this long


class SchedulerUnavailableError(APIConnectionError):
    """The shared scheduler's Redis could not be reached, so no slot was granted.

    Never silently unlimited: without Redis there is no shared budget. Pass
    ``fallback=`` to `RedisScheduler` to fall back to a local scheduler instead.
    """


class _State:
    """The last-known state of one call type, as a step returned it."""

    __slots__ = (
        "held",
        "lease_min",
        "local_at",
        "now",
        "pause_until",
        "probing",
        "stamps",
        "windows",
    )

    def __init__(self, reply: Sequence[int], local_at: float, nw: int, full: bool) -> None:
        self.now = reply[0] / _US  # Redis server time, seconds since the epoch
        self.local_at = local_at  # loop time matching `now`
        self.held = int(reply[4])
        self.pause_until = reply[5] / _US
        self.probing = bool(reply[6])
        self.lease_min = reply[8] / _US if reply[8] >= 0 else math.inf
        self.windows = [
            (int(reply[_HEADER + 2 * w]), reply[_HEADER + 2 * w + 1] / _US) for w in range(nw)
        ]
        self.stamps: list[float] | None = None
        if full:
            at = _HEADER + 2 * nw
            self.stamps = [s / _US for s in reply[at + 1 : at + 1 + int(reply[at])]]


class RedisScheduler:
    """Grants slots so that no window is exceeded by all processes together.

    ``RedisScheduler("redis://localhost:6379/0", RateLimits.skilljar(), api_key=key)``
    is a drop-in `Scheduler` for ``SkilljarClient(key, scheduler=...)``: every
    process (and every host) that builds one for the same API key shares one
    budget. Semantics follow `SlidingWindowScheduler`: ``slot()`` waits, holds
    and stamps at exit even on an exception or cancellation; ``pause()`` after a
    429 stops the call type for every process (``probe=True``: at most one slot
    held at a time across all processes until ``recover()``).

    Time is the Redis server's clock, so host clock skew cannot over-grant.
    Held slots carry a `lease`: a process that dies holding slots frees them at
    lease expiry, when they count as stamped. Keep the lease above the
    client's request timeout (a slot held past its lease counts as stamped at
    lease expiry, which is early for a request still in flight).

    `snapshot()` and `eta()` are synchronous, so they report the last-known
    state, refreshed by every step this process makes; ``await
    fetch_snapshot()`` and ``await fetch_eta()`` ask Redis for the current one.

    If Redis cannot be reached, `slot()` raises `SchedulerUnavailableError`
    (an `APIConnectionError`), unless `fallback` is a local scheduler to use
    meanwhile (give it this process's share of the limits).

    A scheduler belongs to the first event loop that uses it. Close it with
    ``await scheduler.aclose()`` (or ``async with``) to flush pending releases
    and, for a URL, close the connection pool it created.
    """

    def __init__(
        self,
        redis: Redis | str,
        limits: RateLimits = _SKILLJAR,
        *,
        namespace: str = "skilljar-async",
        api_key: str | None = None,
        key_hash: str | None = None,
        lease: float = 75.0,
        recheck: float = 1.0,
        batch: int = 64,
        fallback: Scheduler | None = None,
    ) -> None:
        if not isinstance(limits, RateLimits):
            raise TypeError(f"limits must be a RateLimits, got {limits!r}")
        if not (isinstance(lease, int | float) and math.isfinite(lease) and lease > 0):
            raise ValueError(f"lease must be a finite number of seconds > 0, got {lease!r}")
        if not (isinstance(recheck, int | float) and math.isfinite(recheck) and recheck > 0):
            raise ValueError(f"recheck must be a finite number of seconds > 0, got {recheck!r}")
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise ValueError(f"batch must be an int >= 1, got {batch!r}")
        if not namespace or any(c in namespace for c in "{}"):
            raise ValueError(f"namespace must be non-empty without braces, got {namespace!r}")
        try:
            import redis.asyncio as redis_asyncio
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError(
                "RedisScheduler needs the redis package: pip install 'skilljar-async[redis]'"
            ) from None
        self.limits = limits
        self.lease = float(lease)
        self.recheck = float(recheck)
        self.batch = batch
        self.fallback = fallback
        self.key_hash = _key_hash(api_key, key_hash)
        self.namespace = namespace
        self._base = f"{namespace}:{{{self.key_hash}}}"
        self._channel = f"{self._base}:wake"
        self._url: str | None = None
        self._factory = redis_asyncio.Redis.from_url
        self._owned = False
        self._redis: Redis | None = None
        self._script: AsyncScript | None = None
        if isinstance(redis, str):
            self._url = redis
        elif isinstance(redis, redis_asyncio.Redis):
            self._redis = redis
            self._script = redis.register_script(STEP)
        else:
            raise TypeError(f"redis must be a redis.asyncio.Redis or a URL, got {redis!r}")
        max_period = max((w.period for ct in CallType for w in limits.for_call_type(ct)), default=0)
        self._ttl_ms = math.ceil((max_period + self.lease) * 1000) + 1000
        self._lease_us = math.ceil(self.lease * _US)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lanes = {ct: _Lane(self, ct, limits.for_call_type(ct)) for ct in CallType}
        self._by_name = {ct.value: lane for ct, lane in self._lanes.items()}
        self._listener: asyncio.Task[None] | None = None
        self._prefix = uuid.uuid4().hex[:16]
        self._seq = 0
        self._outage = False
        self._down_until = -math.inf

    def __repr__(self) -> str:
        return f"<RedisScheduler {self._base} {self.limits!r}>"

    # -- the Scheduler protocol ------------------------------------------------------

    def slot(self, call_type: CallType, *, priority: int = 0) -> _RedisSlot:
        """An async context manager that waits for, holds and then stamps one slot.

        Higher `priority` waiters of this process are served first; equal
        priorities in arrival order. Raises `SchedulerUnavailableError` when
        Redis cannot be reached (and no `fallback` is set).
        """
        return _RedisSlot(self._lanes[call_type], priority)

    def pause(self, call_type: CallType, seconds: float, *, probe: bool = False) -> None:
        """Grant nothing of `call_type` to any process for `seconds` (e.g. after a 429).

        The pause ends `seconds` after Redis receives it, on Redis's clock, and
        only ever extends. With ``probe=True`` all processes together then hold
        at most one slot of the call type at a time until `recover()`.
        """
        if not seconds >= 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        if self.fallback is not None:
            self.fallback.pause(call_type, seconds, probe=probe)
        self._bound_loop()
        us = math.ceil(min(seconds, _MAX_PAUSE) * _US)
        self._lanes[call_type].enqueue_op("P" if probe else "p", us)

    def recover(self, call_type: CallType) -> None:
        """Leave probing mode for `call_type` in every process (a call succeeded)."""
        if self.fallback is not None:
            self.fallback.recover(call_type)
        lane = self._lanes[call_type]
        try:
            self._bound_loop()
        except RuntimeError:  # no running loop: nothing can be sent
            return
        lane.enqueue_op("r", 0)

    def eta(self, call_type: CallType, n: int = 1) -> float:
        """Seconds until `n` more calls could all have been granted, from the last-known state.

        For ``n == 1`` exact as of this process's last step; for more, exact as
        of the last `fetch_snapshot()` / `fetch_eta()` and a lower bound after
        later steps. ``await fetch_eta()`` is always exact.
        """
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n!r}")
        lane = self._lanes[call_type]
        state = lane.state
        if state is None:
            return SlidingLog(lane.windows).eta(0.0, n)
        now = self._server_now(state)
        return max(0.0, lane.eta_at(state, now, n) - now)

    def snapshot(self) -> SchedulerSnapshot:
        """Every call type's last-known state; `at` is the Redis server's time (epoch s).

        Held slots and window use are as of this process's last step for that
        call type (all processes' slots); queued waiters are this process's.
        ``await fetch_snapshot()`` returns the current state.
        """
        states = [lane.state for lane in self._lanes.values() if lane.state is not None]
        latest = max(states, key=lambda s: s.local_at, default=None)
        at = time.time() if latest is None else self._server_now(latest)
        lanes = {ct: lane.snapshot(at) for ct, lane in self._lanes.items()}
        return SchedulerSnapshot(at=at, lanes=lanes)

    # -- async extras ----------------------------------------------------------------

    async def fetch_snapshot(self) -> SchedulerSnapshot:
        """Ask Redis for every call type's current state (one script call each)."""
        self._bound_loop()
        await asyncio.gather(*(lane.fetch() for lane in self._lanes.values()))
        return self.snapshot()

    async def fetch_eta(self, call_type: CallType, n: int = 1) -> float:
        """Exact seconds until `n` more calls could all have been granted, from Redis now."""
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n!r}")
        self._bound_loop()
        lane = self._lanes[call_type]
        await lane.fetch()
        return self.eta(call_type, n)

    async def flush(self) -> None:
        """Wait until every release, pause and recover made so far has reached Redis."""
        self._bound_loop()
        await asyncio.gather(*(lane.flush() for lane in self._lanes.values()))

    async def aclose(self) -> None:
        """Flush pending releases, stop background tasks and close a pool made from a URL."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(SchedulerUnavailableError):
            await asyncio.wait_for(self.flush(), 10.0)
        tasks = [lane.pump for lane in self._lanes.values() if lane.pump is not None]
        if self._listener is not None:
            tasks.append(self._listener)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for lane in self._lanes.values():
            lane.fail(SchedulerUnavailableError("the RedisScheduler was closed"), [])
        if self._owned and self._redis is not None:
            await self._redis.aclose()
            self._redis = None
            self._script = None

    async def __aenter__(self) -> RedisScheduler:
        self._bound_loop()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def key(self, call_type: CallType, name: str) -> str:
        """The Redis key of one part of a call type's state (``stamps``, ``held``, ...)."""
        return f"{self._base}:{call_type.value}:{name}"

    # -- internals -------------------------------------------------------------------

    def _bound_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._bind(loop)
        return loop

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        old = self._loop
        if old is not None and not old.is_closed():
            raise RuntimeError(
                f"this RedisScheduler is bound to event loop {old!r} and cannot be used "
                f"from event loop {loop!r}; create one scheduler per event loop"
            )
        self._loop = loop
        if self._url is not None:
            self._redis = self._factory(self._url, socket_connect_timeout=5.0, socket_timeout=10.0)
            self._owned = True
            self._script = self._redis.register_script(STEP)
        self._listener = None
        for lane in self._lanes.values():
            lane.rebind()

    def _server_now(self, state: _State) -> float:
        loop = self._loop
        local = loop.time() if loop is not None else state.local_at
        return state.now + max(0.0, local - state.local_at)

    async def _call(self, lane: _Lane, args: list[str | int]) -> list[int]:
        script = self._script
        if script is None:
            raise SchedulerUnavailableError("the RedisScheduler was closed")
        from redis.exceptions import RedisError

        try:
            raw = await script(keys=lane.keys, args=args)
        except (TimeoutError, RedisError, OSError) as exc:
            if not self._outage:
                self._outage = True
                _log.warning("Redis for the rate scheduler is unavailable: %s", exc)
            where = self._url or repr(self._redis)
            raise SchedulerUnavailableError(
                f"the shared rate scheduler's Redis ({_redact(where)}) is unavailable: {exc}"
            ) from exc
        if self._outage:
            self._outage = False
            _log.warning("Redis for the rate scheduler is reachable again")
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        return [int(x) for x in text.split()]

    def _next_prefix(self) -> str:
        self._seq += 1
        return f"{self._prefix}:{self._seq}"

    def _listen(self) -> None:
        """Make sure a task listens for releases while any lane has waiters."""
        if self._listener is None and self._redis is not None and self._loop is not None:
            self._listener = self._loop.create_task(self._listen_loop())

    async def _listen_loop(self) -> None:
        redis = self._redis
        assert redis is not None
        from redis.exceptions import RedisError

        pubsub = redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            for lane in self._lanes.values():  # a release may have come before we listened
                lane.notify()
            while any(lane.live for lane in self._lanes.values()):
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is None:
                    continue
                data = message.get("data")
                name = data.decode() if isinstance(data, bytes) else str(data)
                woken = self._by_name.get(name)
                if woken is not None:
                    woken.notify()
        except (TimeoutError, RedisError, OSError) as exc:
            _log.debug("rate scheduler wake-up channel lost (waits re-check): %s", exc)
        finally:
            if self._listener is asyncio.current_task():
                self._listener = None
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]


class _RedisSlot:
    """What `RedisScheduler.slot()` returns: reusable, one token per entered block."""

    __slots__ = ("_fallbacks", "_lane", "_priority", "_tokens", "granted_at", "released_at")

    def __init__(self, lane: _Lane, priority: int) -> None:
        self._lane = lane
        self._priority = priority
        self._tokens: list[str] = []
        self._fallbacks: list[Any] = []
        self.granted_at: float | None = None  #: Redis time of the last grant (epoch s)
        self.released_at: float | None = None  #: Redis time of the last stamp (epoch s)

    async def __aenter__(self) -> None:
        lane = self._lane
        sched = lane.sched
        loop = sched._bound_loop()
        fallback = sched.fallback
        if fallback is None or loop.time() >= sched._down_until:
            try:
                token, at = await lane.acquire(self._priority)
            except SchedulerUnavailableError:
                if fallback is None:
                    raise
                sched._down_until = loop.time() + _BREAK
            else:
                self.granted_at = at
                self._tokens.append(token)
                return
        cm = fallback.slot(lane.call_type, priority=self._priority)
        await cm.__aenter__()
        self._tokens.append("")
        self._fallbacks.append(cm)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        token = self._tokens.pop()
        if token:
            self._lane.release(token, True, self)
        else:
            await self._fallbacks.pop().__aexit__(exc_type, exc, tb)


_Waiter = tuple[int, int, "asyncio.Future[tuple[str, float]]"]
_Release = tuple[str, bool, "_RedisSlot | None"]


class _Lane:
    """One call type in one process: the local queue, its pump and the last-known state."""

    __slots__ = (
        "call_type",
        "config",
        "dead",
        "done_gen",
        "flushers",
        "gen",
        "heap",
        "keys",
        "live",
        "notified",
        "ops",
        "pump",
        "releases",
        "retry_at",
        "sched",
        "seq",
        "state",
        "timer",
        "wake_fut",
        "windows",
    )

    def __init__(self, sched: RedisScheduler, call_type: CallType, windows: Sequence[Window]):
        self.sched = sched
        self.call_type = call_type
        self.windows: tuple[Window, ...] = tuple(windows)
        self.keys = [sched.key(call_type, part) for part in ("stamps", "held", "pause", "probe")]
        config = [sched._lease_us, sched._ttl_ms, sched._channel, call_type.value, len(windows)]
        for w in self.windows:
            config += [w.limit, round(w.period * _US)]
        self.config = " ".join(map(str, config))
        self.heap: list[_Waiter] = []
        self.live = 0  # queued waiters not cancelled
        self.dead = 0  # cancelled waiters still in the heap
        self.seq = 0
        self.releases: list[_Release] = []
        self.ops: list[tuple[str, int]] = []
        self.gen = 0  # releases and operations enqueued so far
        self.done_gen = 0  # ... and sent to Redis (or given up)
        self.flushers: list[tuple[int, asyncio.Future[None]]] = []
        self.pump: asyncio.Task[None] | None = None
        self.wake_fut: asyncio.Future[None] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.retry_at = -math.inf
        self.notified = False
        self.state: _State | None = None

    def rebind(self) -> None:
        self.heap.clear()
        self.live = self.dead = 0
        self.releases.clear()
        self.ops.clear()
        self.flushers.clear()
        self.done_gen = self.gen
        self.pump = None
        self.wake_fut = None
        self.timer = None
        self.retry_at = -math.inf

    # -- what slots, pause and recover call --------------------------------------

    async def acquire(self, priority: int) -> tuple[str, float]:
        """Queue until granted; on cancellation consume nothing and lose nothing."""
        loop = self.sched._loop
        assert loop is not None
        fut: asyncio.Future[tuple[str, float]] = loop.create_future()
        self.seq += 1
        heapq.heappush(self.heap, (-priority, self.seq, fut))
        self.live += 1
        self.kick()
        try:
            return await fut
        except asyncio.CancelledError:
            if fut.cancelled():  # still queued: the heap entry is dropped lazily
                self.live -= 1
                self.dead += 1
                if self.dead > 64 and self.dead > self.live:
                    self.heap = [e for e in self.heap if not e[2].done()]
                    heapq.heapify(self.heap)
                    self.dead = 0
                if not self.live:
                    self.wake()  # let an idle pump end
            elif fut.exception() is None:  # granted but cancelled before resuming
                self.release(fut.result()[0], False, None)
            raise

    def release(self, token: str, stamp: bool, slot: _RedisSlot | None) -> None:
        self.releases.append((token, stamp, slot))
        self.gen += 1
        self.kick()

    def enqueue_op(self, kind: str, us: int) -> None:
        self.ops.append((kind, us))
        self.gen += 1
        self.kick()

    async def flush(self) -> None:
        if self.done_gen >= self.gen:
            return
        loop = self.sched._loop
        assert loop is not None
        fut: asyncio.Future[None] = loop.create_future()
        self.flushers.append((self.gen, fut))
        self.kick()
        await fut

    async def fetch(self) -> None:
        args = self._args(0, "-", True, [], [])
        reply = await self.sched._call(self, args)
        self._record(reply, True)

    def notify(self) -> None:
        """Another process (or a lease expiry) may have freed a slot: re-check now."""
        if self.live:
            self.notified = True
            self.wake()

    # -- the pump ----------------------------------------------------------------------

    def kick(self) -> None:
        if self.pump is None:
            loop = self.sched._loop
            assert loop is not None
            self.pump = loop.create_task(self._pump())
        else:
            self.wake()

    def wake(self) -> None:
        fut = self.wake_fut
        if fut is not None and not fut.done():
            fut.set_result(None)

    def _on_timer(self) -> None:
        self.timer = None
        self.retry_at = -math.inf
        self.wake()

    async def _pump(self) -> None:
        sched = self.sched
        loop = sched._loop
        assert loop is not None
        try:
            while True:
                want = 0
                if self.live and (
                    self.releases or self.ops or self.notified or loop.time() >= self.retry_at
                ):
                    want = min(self.live, sched.batch)
                releases, ops = self.releases, self.ops
                if not (releases or ops or want):
                    if not self.live and not self.flushers:
                        return
                    await self._sleep(loop)
                    continue
                self.releases, self.ops = [], []
                gen = self.gen
                self.notified = False
                prefix = sched._next_prefix() if want else "-"
                args = self._args(want, prefix, False, releases, ops)
                sent = loop.time()
                try:
                    reply = await sched._call(self, args)
                except SchedulerUnavailableError as exc:
                    releases += self.releases  # all that is pending is lost with Redis
                    self.releases, self.ops = [], []
                    self.fail(exc, releases)
                    self._flushed(self.gen)
                    return
                mid = (sent + loop.time()) / 2
                if reply[9]:
                    _log.warning(
                        "%d %s slot(s) released after their lease (%g s) ran out, so they "
                        "counted as done too early; set lease= above the request timeout",
                        reply[9],
                        self.call_type.value,
                        sched.lease,
                    )
                self._record(reply, False, mid)
                self._flushed(gen)
                now = reply[0] / _US
                for _token, stamp, slot in releases:
                    if stamp and slot is not None:
                        slot.released_at = now
                self._grant(reply, want, prefix, mid)
        except Exception as exc:  # a bug must not leave waiters hanging
            _log.exception("the %s lane of the rate scheduler failed", self.call_type.value)
            error = SchedulerUnavailableError(f"the shared rate scheduler failed: {exc!r}")
            error.__cause__ = exc
            lost, self.releases, self.ops = self.releases, [], []
            self.fail(error, lost)
            self._flushed(self.gen)
        finally:
            if self.pump is asyncio.current_task():
                self.pump = None
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None

    async def _sleep(self, loop: asyncio.AbstractEventLoop) -> None:
        fut: asyncio.Future[None] = loop.create_future()
        self.wake_fut = fut
        if self.live and self.retry_at < math.inf:
            self.timer = loop.call_at(self.retry_at, self._on_timer)
        try:
            await fut
        finally:
            self.wake_fut = None
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None

    def _args(
        self,
        want: int,
        prefix: str,
        full: bool,
        releases: list[_Release],
        ops: list[tuple[str, int]],
    ) -> list[str | int]:
        return [
            self.config,
            want,
            prefix,
            1 if full else 0,
            " ".join(f"{kind} {us}" for kind, us in ops),
            " ".join(f"{token} {1 if stamp else 0}" for token, stamp, _ in releases),
        ]

    def _record(self, reply: list[int], full: bool, local_at: float | None = None) -> None:
        loop = self.sched._loop
        at = local_at if local_at is not None else (loop.time() if loop is not None else 0.0)
        self.state = _State(reply, at, len(self.windows), full)

    def _grant(self, reply: list[int], want: int, prefix: str, mid: float) -> None:
        granted = int(reply[1])
        at = reply[0] / _US
        heap = self.heap
        for j in range(1, granted + 1):
            token = f"{prefix}:{j}"
            while heap and heap[0][2].done():  # cancelled while queued
                heapq.heappop(heap)
                self.dead -= 1
            if not heap:  # its waiter was cancelled during the step: give it back
                self.releases.append((token, False, None))
                self.gen += 1
                continue
            fut = heapq.heappop(heap)[2]
            self.live -= 1
            fut.set_result((token, at))
        if granted < want:
            wait = reply[2] / _US
            cap = self.sched.recheck if reply[3] else _MAX_SLEEP
            self.retry_at = mid + min(wait, cap)
            self.sched._listen()
        else:
            self.retry_at = -math.inf

    def _flushed(self, gen: int) -> None:
        self.done_gen = gen
        if self.flushers:
            keep = []
            for target, fut in self.flushers:
                if target <= gen:
                    if not fut.done():
                        fut.set_result(None)
                else:
                    keep.append((target, fut))
            self.flushers = keep

    def fail(self, exc: SchedulerUnavailableError, releases: list[_Release]) -> None:
        """Redis failed: every queued waiter gets the error; lost releases age out by lease."""
        if releases:
            _log.warning(
                "%d %s release(s) could not reach Redis; they count as held until their "
                "lease (%.0f s) expires",
                len(releases),
                self.call_type.value,
                self.sched.lease,
            )
        for _, _, fut in self.heap:
            if not fut.done():
                fut.set_exception(exc)
        self.heap.clear()
        self.live = self.dead = 0
        self.retry_at = -math.inf

    # -- last-known state --------------------------------------------------------------

    def eta_at(self, state: _State, now: float, n: int) -> float:
        pause = state.pause_until
        if not self.windows:
            return max(now, pause)
        log = SlidingLog(self.windows)
        if state.stamps is not None:
            for s in state.stamps:
                log.held += 1
                log.release(s)
        log.held = state.held
        at = log.eta(now, n, pause)
        if state.stamps is None:  # counts only: the next slot is exact, later ones a bound
            at = max(at, self._next_free(state, now))
        return at

    def _next_free(self, state: _State, now: float) -> float:
        at = max(now, state.pause_until)
        for w, (count, free_at) in zip(self.windows, state.windows, strict=True):
            if state.held + count >= w.limit:
                at = max(at, state.lease_min if w.limit <= state.held else free_at)
        if state.probing and state.held:
            at = max(at, state.lease_min)
        return at

    def snapshot(self, now: float) -> LaneSnapshot:
        state = self.state
        windows: tuple[WindowSnapshot, ...]
        if state is None:
            windows = window_snapshots(SlidingLog(self.windows), now)
            held, paused_for, probing = 0, 0.0, False
        else:
            held = state.held
            paused_for = max(0.0, state.pause_until - now)
            probing = state.probing
            if state.stamps is not None:
                log = SlidingLog(self.windows)
                for s in state.stamps:
                    log.held += 1
                    log.release(s)
                log.held = held
                windows = window_snapshots(log, now)
            else:
                windows = tuple(
                    _window(w, held, count, free_at, now)
                    for w, (count, free_at) in zip(self.windows, state.windows, strict=True)
                )
        return LaneSnapshot(
            call_type=self.call_type,
            windows=windows,
            held=held,
            queued=self.live,
            probing=probing,
            paused_for=paused_for,
        )


def _window(w: Window, held: int, count: int, free_at: float, now: float) -> WindowSnapshot:
    used = held + count
    if used < w.limit:
        free_in = 0.0
    elif w.limit <= held:
        free_in = math.inf
    else:
        free_in = max(0.0, free_at - now)
    return WindowSnapshot(
        limit=w.limit,
        period=w.period,
        used=used,
        remaining=max(0, w.limit - used),
        next_free_in=free_in,
    )


def _key_hash(api_key: str | None, key_hash: str | None) -> str:
    if key_hash is not None:
        if api_key is not None:
            raise ValueError("pass either api_key= or key_hash=, not both")
        if not key_hash or any(c in key_hash for c in "{}: "):
            raise ValueError(
                f"key_hash must be non-empty, without braces, colons or spaces: {key_hash!r}"
            )
        return key_hash
    key = api_key if api_key is not None else os.environ.get(_API_KEY_ENV)
    if not key:
        raise ValueError(
            f"pass api_key= (or key_hash=), or set {_API_KEY_ENV}: the shared budget is per API key"
        )
    return hashlib.sha256(f"skilljar-async\0{key}".encode()).hexdigest()[:32]


def _redact(where: str) -> str:
    """A URL without its password."""
    scheme, sep, rest = where.partition("://")
    if sep and "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.partition(":")[0]
        return f"{scheme}://{user + ':***' if user else '***'}@{host}"
    return where


if TYPE_CHECKING:

    def _is_a_scheduler(scheduler: RedisScheduler) -> Scheduler:
        return scheduler
