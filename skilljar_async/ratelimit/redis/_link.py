"""`Link`: one scheduler's tie to Redis, shared by its lanes.

It holds the client and the registered script, the event loop the scheduler
is bound to, whether Redis is in an outage (logged once, not once per call),
the grant-token prefixes, the fallback breaker and the wake-up listener.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from ._errors import SchedulerUnavailableError
from ._script import STEP
from ._wake import Wakeable, listen
from ._wire import Reply, decode_reply, log

if TYPE_CHECKING:
    from redis.asyncio import Redis
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

    def __init__(self, redis: Redis | str, client_type: type[Redis], channel: str) -> None:
        self._channel = channel
        self._factory = client_type.from_url
        self._owned = False
        self._url: str | None = None
        self._redis: Redis | None = None
        self._script: AsyncScript | None = None
        self._use(redis, client_type)
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

    async def call(self, keys: Sequence[str], args: Sequence[str | int]) -> Reply:
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

    def _use(self, redis: Redis | str, client_type: type[Redis]) -> None:
        """Keep a URL to connect to once bound to a loop, or a client to use as given."""
        if isinstance(redis, str):
            self._url = redis
        elif isinstance(redis, client_type):
            self._redis = redis
            self._script = redis.register_script(STEP)
        else:
            raise TypeError(f"redis must be a redis.asyncio.Redis or a URL, got {redis!r}")

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
            self._redis = self._factory(self._url, socket_connect_timeout=5.0, socket_timeout=10.0)
            self._owned = True
            self._script = self._redis.register_script(STEP)
        self._listener = None
        for lane in self._lanes.values():
            lane.rebind()

    def _unavailable(self, exc: Exception) -> SchedulerUnavailableError:
        """The error for a failed call; an outage is logged once, not once per call."""
        if not self._outage:
            self._outage = True
            log.warning("Redis for the rate scheduler is unavailable: %s", exc)
        where = self._url or repr(self._redis)
        return SchedulerUnavailableError(
            f"the shared rate scheduler's Redis ({_redact(where)}) is unavailable: {exc}"
        )

    def _listener_ended(self) -> None:
        if self._listener is asyncio.current_task():
            self._listener = None


def _redact(where: str) -> str:
    """A URL without its password."""
    scheme, sep, rest = where.partition("://")
    if sep and "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.partition(":")[0]
        return f"{scheme}://{user + ':***' if user else '***'}@{host}"
    return where
