"""`RedisScheduler`: one organization's sliding-window budget shared by many processes.

The window math is the in-memory scheduler's (see `SlidingLog` for why holding a
slot and stamping it at release is safe under any latency), moved into one Lua
script (`_script.STEP`) so that every check of every window and the grants it
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

The parts, each importing only those listed after it: this module holds the
scheduler (settings and the public methods); `_slot` the context manager
`slot()` returns; `_lane` the per-call-type queue and pump; `_link` the Redis
client, event-loop binding and listener; `_wake` the wake-up listener; `_state`
the last-known state behind `eta()` and `snapshot()`; `_wire` the encoding of
the script's arguments and the decoding of its reply; `_script` the script;
`_errors` the error.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
from types import TracebackType
from typing import TYPE_CHECKING, Final

from ..._budget import API_KEY_ENV, budget_hash, organization_hash
from .._limits import CallType, RateLimits
from .._log import SlidingLog
from .._scheduler import Scheduler
from .._snapshot import SchedulerSnapshot
from ._errors import SchedulerUnavailableError
from ._lane import Lane, LaneConfig
from ._link import Link
from ._slot import RedisSlot
from ._state import State, eta_at
from ._wire import RECOVER, pause_op

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisScheduler", "SchedulerUnavailableError"]

_SKILLJAR = RateLimits.skilljar()
_MAX_PAUSE: Final = 10 * 365 * 86400.0  # "forever", as far as a pause key's expiry goes


class RedisScheduler:
    """Grants slots so that no window is exceeded by all processes together.

    ``RedisScheduler("redis://localhost:6379/0", RateLimits.skilljar(), api_key=key)``
    is a drop-in `Scheduler` for ``SkilljarClient(key, scheduler=...)``: every
    process (and every host) that builds one for the same API key shares one
    budget; pass ``organization=`` instead when several keys of one
    organization share it (its keys are then named by a hash of the
    organization, and `api_key` is not needed). Semantics follow
    `SlidingWindowScheduler`: ``slot()`` waits, holds
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
        organization: str | None = None,
        lease: float = 75.0,
        recheck: float = 1.0,
        batch: int = 64,
        fallback: Scheduler | None = None,
    ) -> None:
        _check_settings(limits, lease, recheck, batch, namespace)
        client_type = _redis_client_type()
        self.limits = limits
        self.lease = float(lease)
        self.recheck = float(recheck)
        self.batch = batch
        self.fallback = fallback
        self.key_hash = _key_hash_of(api_key, key_hash, organization)
        self.namespace = namespace
        self._base = f"{namespace}:{{{self.key_hash}}}"
        channel = f"{self._base}:wake"
        self._link = Link(redis, client_type, channel)
        # Keys outlive every window and lease, so an idle budget cleans itself up.
        ttl_ms = math.ceil((_max_period(limits) + self.lease) * 1000) + 1000
        self._lanes = {
            ct: Lane(self._lane_config(ct, channel, ttl_ms), self._link) for ct in CallType
        }
        self._link.watch({ct.value: lane for ct, lane in self._lanes.items()})

    def __repr__(self) -> str:
        return f"<RedisScheduler {self._base} {self.limits!r}>"

    # -- the Scheduler protocol ------------------------------------------------------

    def slot(self, call_type: CallType, *, priority: int = 0) -> RedisSlot:
        """An async context manager that waits for, holds and then stamps one slot.

        Higher `priority` waiters of this process are served first; equal
        priorities in arrival order. Raises `SchedulerUnavailableError` when
        Redis cannot be reached (and no `fallback` is set).
        """
        return RedisSlot(self._lanes[call_type], priority, self.fallback)

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
        self._lanes[call_type].enqueue_op(pause_op(min(seconds, _MAX_PAUSE), probe=probe))

    def recover(self, call_type: CallType) -> None:
        """Leave probing mode for `call_type` in every process (a call succeeded)."""
        if self.fallback is not None:
            self.fallback.recover(call_type)
        lane = self._lanes[call_type]
        try:
            self._bound_loop()
        except RuntimeError:  # no running loop: nothing can be sent
            return
        lane.enqueue_op(RECOVER)

    def probing(self, call_type: CallType) -> bool:
        """Whether `call_type` was probing at this process's last step (no I/O)."""
        state = self._lanes[call_type].state
        return state is not None and state.reply.probing

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
        return max(0.0, eta_at(lane.windows, state.reply, now, n) - now)

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
        loop = self._link.loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(SchedulerUnavailableError):
            await asyncio.wait_for(self.flush(), 10.0)
        await self._stop_tasks()
        for lane in self._lanes.values():
            lane.fail(SchedulerUnavailableError("the RedisScheduler was closed"), [])
        await self._link.aclose()

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

    def _lane_config(self, call_type: CallType, channel: str, ttl_ms: int) -> LaneConfig:
        """What the lane of `call_type` needs to know, fixed from now on."""
        return LaneConfig(
            call_type=call_type,
            windows=tuple(self.limits.for_call_type(call_type)),
            keys=tuple(self.key(call_type, part) for part in ("stamps", "held", "pause", "probe")),
            channel=channel,
            lease=self.lease,
            ttl_ms=ttl_ms,
            recheck=self.recheck,
            batch=self.batch,
        )

    def _bound_loop(self) -> asyncio.AbstractEventLoop:
        return self._link.bound_loop()

    def _server_now(self, state: State) -> float:
        """Redis server time now, extrapolated from `state` along the loop's clock."""
        loop = self._link.loop
        local = loop.time() if loop is not None else state.local_at
        return state.now + max(0.0, local - state.local_at)

    async def _stop_tasks(self) -> None:
        """Cancel every pump and the listener, and wait for them to end."""
        tasks = [lane.pump for lane in self._lanes.values() if lane.pump is not None]
        if self._link.listener is not None:
            tasks.append(self._link.listener)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _check_settings(
    limits: RateLimits, lease: float, recheck: float, batch: int, namespace: str
) -> None:
    """Reject settings that cannot work, before anything is built."""
    if not isinstance(limits, RateLimits):
        raise TypeError(f"limits must be a RateLimits, got {limits!r}")
    _check_seconds("lease", lease)
    _check_seconds("recheck", recheck)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be an int >= 1, got {batch!r}")
    if not namespace or any(c in namespace for c in "{}"):
        raise ValueError(f"namespace must be non-empty without braces, got {namespace!r}")


def _check_seconds(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")


def _key_hash_of(api_key: str | None, key_hash: str | None, organization: str | None) -> str:
    """The hash tag naming one budget; neither the key nor the organization reaches Redis."""
    if organization is not None:
        if key_hash is not None:
            raise ValueError("pass either organization= or key_hash=, not both")
        return organization_hash(organization)
    if key_hash is not None:
        if api_key is not None:
            raise ValueError("pass either api_key= or key_hash=, not both")
        if not key_hash or any(c in key_hash for c in "{}: "):
            raise ValueError(
                f"key_hash must be non-empty, without braces, colons or spaces: {key_hash!r}"
            )
        return key_hash
    key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    if not key:
        raise ValueError(
            f"pass api_key= (or key_hash=), or set {API_KEY_ENV}: the shared budget is per API key"
        )
    return budget_hash(key)


def _redis_client_type() -> type[Redis]:
    """The redis package's asyncio client, imported only now that a scheduler is built."""
    try:
        from redis.asyncio import Redis
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "RedisScheduler needs the redis package: pip install 'skilljar-async[redis]'"
        ) from None
    return Redis


def _max_period(limits: RateLimits) -> float:
    return max((w.period for ct in CallType for w in limits.for_call_type(ct)), default=0)


if TYPE_CHECKING:

    def _is_a_scheduler(scheduler: RedisScheduler) -> Scheduler:
        return scheduler
