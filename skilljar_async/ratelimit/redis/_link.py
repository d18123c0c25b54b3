"""`Link`: one scheduler's tie to Redis, shared by its lanes.

It holds the client and the registered script, the event loop the scheduler
is bound to, whether Redis is in an outage (logged once, not once per call),
the grant-token prefixes, the fallback breaker and the wake-up listener.

A URL whose scheme ends in ``+cluster`` (``redis+cluster://``,
``rediss+cluster://``) connects a `RedisCluster` through the nodes it names;
any other URL a `Redis`. The first successful step also checks, where the
server allows ``CONFIG GET``, that Redis never evicts the budget's keys.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qs, urlsplit

from ._errors import SchedulerUnavailableError
from ._script import STEP
from ._wake import Wakeable, listen
from ._wire import Mismatch, Reply, decode_reply, log

if TYPE_CHECKING:
    from redis.asyncio import Redis, RedisCluster
    from redis.commands.core import AsyncScript

__all__ = ["Link", "Member"]


class Member(Wakeable, Protocol):
    """What the link needs of a lane: the listener's needs, and a reset on a new loop."""

    def rebind(self) -> None:
        """Forget everything tied to the previous event loop."""
        ...


class Link:
    """The Redis client, event loop and background listener behind one scheduler."""

    __slots__ = (
        "_channel",
        "_checked",
        "_factory",
        "_lanes",
        "_listener",
        "_loop",
        "_outage",
        "_owned",
        "_prefix",
        "_redis",
        "_script",
        "_seq",
        "_url",
        "down_until",
        "fallback_logged",
    )

    def __init__(
        self,
        redis: Redis | RedisCluster | str,
        client_types: tuple[type[Redis], type[RedisCluster]],
        channel: str,
    ) -> None:
        self._channel = channel
        self._factory = client_types
        self._owned = False
        self._checked = False
        self._url: str | None = None
        self._redis: Redis | RedisCluster | None = None
        self._script: AsyncScript | None = None
        self._use(redis, client_types)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lanes: Mapping[str, Member] = {}
        self._listener: asyncio.Task[None] | None = None
        self._prefix = uuid.uuid4().hex[:16]  # grant tokens unique across processes
        self._seq = 0
        self._outage = False
        #: Loop time until which slots go straight to the fallback after a failure.
        self.down_until = -math.inf
        #: Whether this outage's switch to the fallback was logged (once per outage).
        self.fallback_logged = False

    def watch(self, lanes: Mapping[str, Member]) -> None:
        """Serve `lanes` (by call type name): reset them on a new loop, relay wake-ups."""
        self._lanes = lanes

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop bound to, if any yet."""
        return self._loop

    @property
    def listener(self) -> asyncio.Task[None] | None:
        """The wake-up listener task, while one runs."""
        return self._listener

    def bound_loop(self) -> asyncio.AbstractEventLoop:
        """The running loop, bound to on first use; another open loop is an error."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._bind(loop)
        return loop

    async def call(self, keys: Sequence[str], args: Sequence[str | int]) -> Reply | Mismatch:
        """Run one step; any Redis failure is a `SchedulerUnavailableError`."""
        script = self._script
        if script is None:
            raise SchedulerUnavailableError("the RedisScheduler was closed")
        from redis.exceptions import RedisError

        try:
            raw = await script(keys=keys, args=args)
        except (TimeoutError, RedisError, OSError) as exc:
            raise self._unavailable(exc) from exc
        if self._outage:
            self._outage = False
            self.fallback_logged = False
            log.warning("Redis for the rate scheduler is reachable again")
        if not self._checked:
            self._checked = True
            await self._check_policy()
        return decode_reply(raw)

    def next_prefix(self) -> str:
        """A grant-token prefix no other step of any process uses."""
        self._seq += 1
        return f"{self._prefix}:{self._seq}"

    def listen(self) -> None:
        """Make sure a task listens for releases while any lane has waiters."""
        if self._listener is None and self._redis is not None and self._loop is not None:
            listener = listen(self._redis, self._channel, self._lanes, self._listener_ended)
            self._listener = self._loop.create_task(listener)

    async def aclose(self) -> None:
        """Close the connection pool, if it was made here from a URL."""
        if self._owned and self._redis is not None:
            await self._redis.aclose()
            self._redis = None
            self._script = None

    # -- internals -------------------------------------------------------------------

    def _use(
        self,
        redis: Redis | RedisCluster | str,
        client_types: tuple[type[Redis], type[RedisCluster]],
    ) -> None:
        """Keep a URL to connect to once bound to a loop, or a client to use as given."""
        if isinstance(redis, str):
            scheme, sep, _ = redis.partition("://")
            if not sep or scheme not in _SCHEMES:
                raise ValueError(
                    f"redis URL scheme must be one of {', '.join(sorted(_SCHEMES))}: "
                    f"{_redact(redis)!r}"
                )
            self._url = redis
        elif isinstance(redis, client_types):
            self._redis = redis
            self._script = redis.register_script(STEP)
        else:
            raise TypeError(
                "redis must be a redis.asyncio.Redis, a redis.asyncio.RedisCluster or a URL, "
                f"got {redis!r}"
            )

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Adopt `loop` (the old one must be closed): connect, and reset every lane."""
        old = self._loop
        if old is not None and not old.is_closed():
            raise RuntimeError(
                f"this RedisScheduler is bound to event loop {old!r} and cannot be used "
                f"from event loop {loop!r}; create one scheduler per event loop"
            )
        self._loop = loop
        if self._url is not None:
            scheme, _, rest = self._url.partition("://")
            single, cluster = self._factory
            if scheme.endswith("+cluster"):
                url = f"{scheme.removesuffix('+cluster')}://{rest}"
                self._redis = cluster.from_url(url, socket_connect_timeout=5.0, socket_timeout=10.0)
            else:
                self._redis = single.from_url(
                    self._url, socket_connect_timeout=5.0, socket_timeout=10.0
                )
            self._owned = True
            self._script = self._redis.register_script(STEP)
        self._listener = None
        for lane in self._lanes.values():
            lane.rebind()

    async def _check_policy(self) -> None:
        """Warn unless Redis runs with ``maxmemory-policy noeviction`` (if it tells)."""
        from redis.exceptions import RedisError

        redis = self._redis
        if redis is None:
            return
        try:
            found = await redis.config_get("maxmemory-policy")
        except (TimeoutError, RedisError, OSError) as exc:  # e.g. a managed Redis
            log.debug("could not read Redis's maxmemory-policy: %s", exc)
            return
        policies = set(_policies(found))
        if policies and policies != {"noeviction"}:
            log.warning(
                "Redis for the rate scheduler runs with maxmemory-policy %s: an eviction "
                "loses the shared budget (the call type then pauses to stay safe); "
                "set maxmemory-policy noeviction",
                "/".join(sorted(policies)),
            )

    def _unavailable(self, exc: Exception) -> SchedulerUnavailableError:
        """The error for a failed call; an outage is logged once, not once per call."""
        if not self._outage:
            self._outage = True
            log.warning("Redis for the rate scheduler is unavailable: %s", exc)
        where = _redact(self._url) if self._url else "a Redis client passed in"
        return SchedulerUnavailableError(
            f"the shared rate scheduler's Redis ({where}) is unavailable: {exc}"
        )

    def _listener_ended(self) -> None:
        if self._listener is asyncio.current_task():
            self._listener = None


_SCHEMES = frozenset({"redis", "rediss", "unix", "redis+cluster", "rediss+cluster"})


def _policies(found: object) -> list[str]:
    """The maxmemory-policy values in a CONFIG GET reply (one node's, or one per node)."""
    if not isinstance(found, dict):
        return []
    out = []
    for key, value in found.items():
        if isinstance(value, dict):  # a cluster's reply: one mapping per node
            out += _policies(value)
        elif (key.decode() if isinstance(key, bytes) else str(key)) == "maxmemory-policy":
            out.append(value.decode() if isinstance(value, bytes) else str(value))
    return out


def _redact(where: str) -> str:
    """A Redis URL as scheme, host, port and database only: never a user or a password.

    Credentials hide in the user-info part (``redis://user:pass@h``) and in the query
    (``?password=...``), so the URL is rebuilt from the safe parts rather than scrubbed.
    """
    parts = urlsplit(where)
    if not parts.scheme:
        return "<redis>"  # not a URL (a client's repr): show nothing that might leak
    query = parse_qs(parts.query)
    db = query.get("db", [""])[0]
    if parts.scheme == "unix":
        return f"unix://{parts.path}?db={db if db.isdigit() else 0}"
    if not db:
        db = parts.path.lstrip("/") or "0"
    try:
        port = parts.port or 6379
    except ValueError:
        port = 6379
    host = parts.hostname or "localhost"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}:{port}/{db if db.isdigit() else 0}"
