"""The wake-up channel: releases published by any process wake this process's lanes.

A release that could shorten somebody's wait is published by the Lua step on
the budget's channel, naming its call type. One listener task per scheduler
relays those messages to the lanes, and only while some lane has waiters. A
lost channel costs latency, never correctness: soft waits re-check on their own.
In a Redis Cluster the channel is subscribed on the node of its hash tag's slot
(the same as the budget's keys); redis-py before 8 has no asyncio cluster
pub/sub, and then soft waits rely on the re-check alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from ._wire import log

if TYPE_CHECKING:
    from redis.asyncio import Redis, RedisCluster
    from redis.asyncio.client import PubSub

__all__ = ["Wakeable", "listen"]


class Wakeable(Protocol):
    """What the listener needs of a lane: whether it has waiters, and a way to wake it."""

    @property
    def live(self) -> int:
        """Waiters queued and not cancelled."""
        ...

    def notify(self) -> None:
        """A slot may have been freed: re-check now."""
        ...


async def listen(
    redis: Redis | RedisCluster,
    channel: str,
    lanes: Mapping[str, Wakeable],
    ended: Callable[[], None],
) -> None:
    """Relay `channel` to `lanes` (by call type name); call `ended` once it stops."""
    from redis.exceptions import RedisError

    if not hasattr(redis, "pubsub"):  # an asyncio RedisCluster before redis-py 8
        log.debug("no pub/sub on %r: soft waits re-check every recheck seconds", redis)
        ended()
        return
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(channel)
        await _relay(pubsub, lanes)
    except (TimeoutError, RedisError, OSError) as exc:
        log.debug("rate scheduler wake-up channel lost (waits re-check): %s", exc)
    finally:
        ended()  # before closing: a waiter arriving meanwhile starts a new listener
        with contextlib.suppress(Exception):
            await pubsub.aclose()  # type: ignore[no-untyped-call]


async def _relay(pubsub: PubSub, lanes: Mapping[str, Wakeable]) -> None:
    """Wake the lane each message names, until no lane has waiters."""
    for lane in lanes.values():  # a release may have come before we listened
        lane.notify()
    while any(lane.live for lane in lanes.values()):
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
        if message is None:
            continue
        data = message.get("data")
        name = data.decode() if isinstance(data, bytes) else str(data)
        woken = lanes.get(name)
        if woken is not None:
            woken.notify()
