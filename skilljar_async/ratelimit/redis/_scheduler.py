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

Sharing the budget (the rules of `_share`) works across processes too: every
step says whether it asks for foreground or background waiters (priority < 0),
and the script grants background ones only within their share, so the limits'
reserve is kept for every process's foreground calls. An unexpected 429
reported to `throttled()` raises the blamed window's outside estimate in the
budget's meta hash (never lowering it), so one process's 429 teaches all; the
script then grants against ``max(floor, limit - estimate)``. Each window also
keeps its *proven* level in the meta hash: above it, a grant is made only while
no process holds a slot of the call type, so a lowered estimate that was too low
costs one 429 for all processes together. `succeeded()` counts successes
locally and the next step adds them up in Redis: they raise the proven levels
and, in a window this side fills, halve an estimate after a patient enough run.
A 429 is judged on what the server counted: every process reports its refused
calls, which Redis keeps beside the stamps, and they are left out of the use
(see `_lane`). ``slot(..., max_wait=)`` refuses at once
from the last-known state (stamps and pause of the latest step), or when the
deadline passes in the local queue.

Held slots are entries of a sorted set scored by their lease expiry. A process
that dies holding slots leaks nothing for good: at lease expiry each held slot
becomes a stamp at that instant, exactly as if the call had ended then.

Every process must count the budget under the same limits. The limits' digest
(each call type's windows and the limits' ``reserve``, if any) is kept with the
budget; a process whose limits differ gets `LimitsMismatchError` at its first
step and is granted nothing. ``replace_limits=True`` changes them deliberately:
the new limits are stored, and the old windows stay enforced as well (every
window of both must have room) until the longest of them and a lease have
passed, so the change itself cannot over-grant. Such a process makes its limits
win whenever they differ: it is for the change, not for every deployment.

Lost state. Redis can lose the budget: a restart without persistence, an
eviction, a failover to a replica that had not received the last writes. The
budget then looks emptier than it is, and granting against it could put up to
twice the limit in one window. So each call type's state carries an *epoch*
(when it was created) and a *sequence* (steps made on it). Every process that
has stepped within its longest window plus a lease sends the epoch and sequence
it last saw; a different epoch or a lower sequence means stamps were lost. The
step that finds it pauses the call type, for every process, until every lost
stamp and held lease could have run out: ``lease + longest period`` after the
state was recreated (or after the rollback was found), e.g. 75 s + 3,600 s with
Skilljar's limits. Processes re-add the slots they hold (a lease renewal) and
stamp the releases Redis no longer knew, so in-flight calls count again.
Worst case, stated as a number: with every process that used the budget in the
last ``longest period + lease`` still stepping, **0** grants beyond any window,
since the first step after the loss is one of theirs and it grants nothing.
Processes with no such history (started after the loss) can be granted up to
one full window (``limit`` calls, i.e. 2x the limit in that window) before the
first process with history steps; a replica missing the last writes of one
process is found when that process steps next, and until then the others may
be granted at most the lost writes' grants (bounded by ``batch`` per lost
step). Keeping the pause short is what persistence (AOF) is for; the Redis
instance must run with ``maxmemory-policy noeviction``, which is checked (with
a warning) at the first step where the server allows ``CONFIG GET``.

Leases are renewed while a slot is held (see `_lane`), so the lease only
matters when a process dies. ``retry_for`` keeps retrying an unreachable Redis
(a restart, a Sentinel or Cluster failover) for that long before waiters fail.

A `redis.asyncio.RedisCluster` (or a ``redis+cluster://`` URL) works as is:
every key of one budget carries the same ``{hash tag}``, so it lives in one
slot, and the wake-up channel is subscribed on that slot's node. A Sentinel
master is a plain client: ``Sentinel([...]).master_for("name")``.

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
from .. import _share
from .._limits import CallType, RateLimits
from .._log import SlidingLog
from .._scheduler import BudgetScheduler, Scheduler
from .._snapshot import SchedulerSnapshot
from ._errors import LimitsMismatchError, SchedulerUnavailableError
from ._lane import Lane, LaneConfig
from ._link import Link
from ._slot import RedisSlot
from ._state import State, estimating, eta_at, share_windows
from ._wire import RECOVER, US, limits_digest, pause_op

if TYPE_CHECKING:
    from redis.asyncio import Redis, RedisCluster

__all__ = ["LimitsMismatchError", "RedisScheduler", "SchedulerUnavailableError"]

_SKILLJAR = RateLimits.skilljar()
_MAX_PAUSE: Final = 10 * 365 * 86400.0  # "forever", as far as a pause key's expiry goes
_MAX_NAMESPACE: Final = 200  # characters
_MAX_BATCH: Final = 10_000
_MAX_LIMIT: Final = 10**12


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
    lease expiry, when they count as stamped. A living process renews the
    leases of the slots it holds, so a long request is never counted early.

    Every process of one budget must use the same limits; one that does not
    gets `LimitsMismatchError`. Pass ``replace_limits=True`` to change them
    deliberately (the old windows stay enforced until they have run out). If
    Redis loses the budget's state (restart, eviction, failover), the call type
    pauses until every lost grant has run out, instead of over-granting. See
    the module documentation for the deployment requirements and worst cases.

    `redis` is a URL (``redis://``, ``rediss://``, ``unix://``, or
    ``redis+cluster://`` / ``rediss+cluster://`` for a Redis Cluster), a
    `redis.asyncio.Redis` (a Sentinel's ``master_for(...)`` included) or a
    `redis.asyncio.RedisCluster`. `retry_for` seconds of an unreachable Redis
    (a restart, a failover) are retried before waiters fail.

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
        redis: Redis | RedisCluster | str,
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
        replace_limits: bool = False,
        retry_for: float = 0.0,
    ) -> None:
        _check_settings(limits, lease, recheck, batch, namespace, fallback)
        if not isinstance(replace_limits, bool):
            raise TypeError(f"replace_limits must be a bool, got {replace_limits!r}")
        if not (
            isinstance(retry_for, int | float)
            and not isinstance(retry_for, bool)
            and 0 <= retry_for < math.inf
        ):
            raise ValueError(
                f"retry_for must be a finite number of seconds >= 0, got {retry_for!r}"
            )
        client_types = _redis_client_types()
        self.limits = limits
        self.lease = float(lease)
        self.recheck = float(recheck)
        self.batch = batch
        self.fallback = fallback
        self.replace_limits = replace_limits
        self.retry_for = float(retry_for)
        self.key_hash = _key_hash_of(api_key, key_hash, organization)
        self.namespace = namespace
        self._base = f"{namespace}:{{{self.key_hash}}}"
        channel = f"{self._base}:wake"
        self._link = Link(redis, client_types, channel)
        # Keys outlive every window and lease, so an idle budget cleans itself up.
        ttl_ms = math.ceil((_max_period(limits) + self.lease) * 1000) + 1000
        self._lanes = {
            ct: Lane(self._lane_config(ct, channel, ttl_ms), self._link) for ct in CallType
        }
        self._link.watch({ct.value: lane for ct, lane in self._lanes.items()})

    def __repr__(self) -> str:
        return f"<RedisScheduler {self._base} {self.limits!r}>"

    # -- the Scheduler protocol ------------------------------------------------------

    def slot(
        self, call_type: CallType, *, priority: int = 0, max_wait: float | None = None
    ) -> RedisSlot:
        """An async context manager that waits for, holds and then stamps one slot.

        Higher `priority` waiters of this process are served first; equal
        priorities in arrival order. Background calls (priority < 0) are granted
        only within their share, leaving the limits' reserve to foreground calls
        of every process. With `max_wait` (seconds), entering raises
        `BudgetExhaustedError` at once when the last-known state says no grant
        can come within it, or when the deadline passes in the queue; nothing is
        held then. Raises `SchedulerUnavailableError` when Redis cannot be
        reached (and no `fallback` is set).
        """
        if max_wait is not None:
            if isinstance(max_wait, bool) or not max_wait >= 0:
                raise ValueError(f"max_wait must be None or >= 0 seconds, got {max_wait!r}")
            max_wait = float(max_wait)
        return RedisSlot(self._lanes[call_type], priority, self.fallback, max_wait)

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

    def throttled(self, call_type: CallType, retry_after: float | None = None) -> bool:
        """Learn from a 429 of `call_type`; True when it was unexpected.

        Unexpected means the last-known use of every window plus the shared
        outside estimate left room: others are spending the budget. Use counts
        what the server counted: all processes' held slots and stamps, less the
        calls any process reported refused (429s). The blamed window's estimate then
        rises in Redis, for every process, at the next step (see `_share`). Call
        it after the throttled call's slot is released; it pauses nothing.
        """
        lane = self._lanes[call_type]
        windows = [(w.limit, w.period) for w in lane.windows]
        if not windows:
            return True
        self._bound_loop()
        state = lane.state
        if state is None:  # nothing known: the throttled call is all this side used
            used, held, outside = [1] * len(windows), 0, [0] * len(windows)
            proven = [limit for limit, _ in windows]
        else:
            reply = state.reply
            # Releases the reply does not show yet (the throttled call's among them)
            # count as held in it, though those calls are over; unused grants never
            # arrived.
            ended = lane.ended()
            held = max(0, reply.held - len(ended))
            unused = sum(1 for _, stamp, _ in ended if not stamp)
            # Refusals of every process the reply shows, and this one's not yet sent.
            pending = lane.refusals_pending()
            refused = reply.refused or (0,) * len(windows)
            used = [
                reply.held + count - unused - r - pending
                for (count, _), r in zip(reply.windows, refused, strict=True)
            ]
            outside = list(reply.outside or (0,) * len(windows))
            proven = list(reply.proven or [limit for limit, _ in windows])
        for v, calls, ceiling in lane.learned:  # learned here, not sent yet
            outside[v] = max(outside[v], calls)
            proven[v] = min(proven[v], ceiling)
        lane.refuse()
        w = _share.blame(windows, used, outside, retry_after)
        if w < 0:
            return False
        lane.learn(
            w,
            _share.learned(windows[w][0], used[w], outside[w]),
            _share.proven_after_429(proven[w], used[w], held),
        )
        return True

    def succeeded(self, call_type: CallType) -> None:
        """Report a call of `call_type` that succeeded (any status below 400).

        Ends probing like `recover()`, and (sent with this process's next step)
        raises the shared proven levels and counts towards decaying the shared
        outside estimate.
        """
        lane = self._lanes[call_type]
        state = lane.state
        if state is None:
            return
        if state.reply.probing:
            self.recover(call_type)
        if estimating(lane.windows, state.reply):
            lane.successes += 1

    def eta(self, call_type: CallType, n: int = 1, *, priority: int = 0) -> float:
        """Seconds until `n` more calls could all have been granted, from the last-known state.

        For ``n == 1`` exact as of this process's last step; for more, exact as
        of the last `fetch_snapshot()` / `fetch_eta()` and a lower bound after
        later steps. ``await fetch_eta()`` is always exact.
        """
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n!r}")
        lane = self._lanes[call_type]
        state = lane.state
        reply = None if state is None else state.reply
        windows = share_windows(lane.windows, reply, lane.config.reserve, priority < 0)
        if state is None:
            return SlidingLog(windows).eta(0.0, n)
        now = self._server_now(state)
        return max(0.0, eta_at(windows, state.reply, now, n) - now)

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
            lane.close()
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
            keys=tuple(self.key(call_type, part) for part in _PARTS),
            channel=channel,
            lease=self.lease,
            ttl_ms=ttl_ms,
            recheck=self.recheck,
            batch=self.batch,
            digest=limits_digest(
                self.limits.for_call_type(call_type), getattr(self.limits, "reserve", 0.0)
            ),
            replace=self.replace_limits,
            retry_for=self.retry_for,
            reserve=float(getattr(self.limits, "reserve", 0.0)),
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


#: The keys of one call type, in the order the script's KEYS expect them.
_PARTS: Final = ("stamps", "held", "pause", "probe", "meta", "refused")


def _check_settings(
    limits: RateLimits,
    lease: float,
    recheck: float,
    batch: int,
    namespace: str,
    fallback: Scheduler | None,
) -> None:
    """Reject settings that cannot work, before anything is built."""
    if not isinstance(limits, RateLimits):
        raise TypeError(f"limits must be a RateLimits, got {limits!r}")
    for ct in CallType:
        for w in limits.for_call_type(ct):
            if w.limit > _MAX_LIMIT or round(w.period * US) < 1 or w.period > _MAX_PAUSE:
                raise ValueError(
                    f"{ct.value} window {w.limit}/{w.period:g}s is out of range: limits up "
                    f"to {_MAX_LIMIT}, periods from 1 µs to ten years"
                )
    _check_seconds("lease", lease)
    _check_seconds("recheck", recheck)
    if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= _MAX_BATCH:
        raise ValueError(f"batch must be an int from 1 to {_MAX_BATCH}, got {batch!r}")
    _check_name("namespace", namespace)
    if fallback is not None and not all(
        callable(getattr(fallback, m, None)) for m in ("slot", "pause", "recover")
    ):
        raise TypeError(f"fallback must be a Scheduler (or None), got {fallback!r}")


def _check_name(what: str, name: object) -> None:
    """A namespace or key hash: part of every key name, so printable, no spaces or braces."""
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, got {name!r}")
    if not name or len(name) > _MAX_NAMESPACE:
        raise ValueError(f"{what} must be 1 to {_MAX_NAMESPACE} characters, got {name!r}")
    bad = sorted({c for c in name if c.isspace() or not c.isprintable() or c in "{}"})
    if bad:
        raise ValueError(
            f"{what} must be printable without whitespace or braces, got {name!r} "
            f"(bad characters: {''.join(bad)!r})"
        )


def _check_seconds(name: str, value: float) -> None:
    if not (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 < value <= _MAX_PAUSE
    ):
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
        _check_name("key_hash", key_hash)
        if ":" in key_hash:
            raise ValueError(f"key_hash must not contain colons, got {key_hash!r}")
        return key_hash
    key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    if not key:
        raise ValueError(
            f"pass api_key= (or key_hash=), or set {API_KEY_ENV}: the shared budget is per API key"
        )
    return budget_hash(key)


def _redis_client_types() -> tuple[type[Redis], type[RedisCluster]]:
    """The redis package's asyncio clients, imported only now that a scheduler is built."""
    try:
        from redis.asyncio import Redis, RedisCluster
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "RedisScheduler needs the redis package: pip install 'skilljar-async[redis]'"
        ) from None
    return Redis, RedisCluster


def _max_period(limits: RateLimits) -> float:
    return max((w.period for ct in CallType for w in limits.for_call_type(ct)), default=0)


if TYPE_CHECKING:

    def _is_a_scheduler(scheduler: RedisScheduler) -> BudgetScheduler:
        return scheduler
