"""`RedisSlot`: what `RedisScheduler.slot()` returns, with the opt-in local fallback."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any, Final

from ..._errors import BudgetExhaustedError
from .._scheduler import BudgetScheduler, Scheduler
from ._errors import SchedulerUnavailableError
from ._lane import Lane
from ._wire import log

__all__ = ["RedisSlot"]

# After Redis failed, go straight to the fallback for this long, so that a
# burst of calls does not each wait out a connection timeout first.
_BREAK: Final = 1.0


class RedisSlot:
    """What `RedisScheduler.slot()` returns: reusable, one token per entered block."""

    __slots__ = (
        "_fallback",
        "_fallbacks",
        "_lane",
        "_max_wait",
        "_priority",
        "_tokens",
        "granted_at",
        "released_at",
    )

    def __init__(
        self,
        lane: Lane,
        priority: int,
        fallback: Scheduler | None,
        max_wait: float | None = None,
    ) -> None:
        self._lane = lane
        self._priority = priority
        self._max_wait = max_wait
        self._fallback = fallback
        self._tokens: list[str] = []  # "" marks a block entered through the fallback
        self._fallbacks: list[Any] = []
        self.granted_at: float | None = None  #: Redis time of the last grant (epoch s)
        self.released_at: float | None = None  #: Redis time of the last stamp (epoch s)

    async def __aenter__(self) -> None:
        link = self._lane.link
        loop = link.bound_loop()
        fallback = self._fallback
        shared = fallback is None or loop.time() >= link.down_until
        if shared and self._max_wait is not None:
            # Refused at once when the last-known state says no grant comes in time.
            wait = self._lane.earliest(self._priority < 0)
            if wait > self._max_wait:
                raise BudgetExhaustedError(self._lane.call_type, wait, self._max_wait)
        if shared and await self._enter_shared(loop, fallback):
            return
        assert fallback is not None  # only a fallback lets the shared slot be skipped
        await self._enter_fallback(fallback)

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

    async def _enter_shared(
        self, loop: asyncio.AbstractEventLoop, fallback: Scheduler | None
    ) -> bool:
        """Wait for a grant from Redis; False if Redis is down and `fallback` can serve."""
        lane = self._lane
        try:
            token, at = await lane.acquire(self._priority, self._max_wait)
        except SchedulerUnavailableError:
            if fallback is None:
                raise
            link = lane.link
            link.down_until = loop.time() + _BREAK
            if not link.fallback_logged:
                link.fallback_logged = True
                log.warning("the rate scheduler uses its local fallback until Redis is back")
            return False
        self.granted_at = at
        self._tokens.append(token)
        return True

    async def _enter_fallback(self, fallback: Scheduler) -> None:
        """Hold a slot of the local `fallback` scheduler instead of a shared one."""
        call_type, max_wait = self._lane.call_type, self._max_wait
        if max_wait is not None and isinstance(fallback, BudgetScheduler):
            cm = fallback.slot(call_type, priority=self._priority, max_wait=max_wait)
        else:
            cm = fallback.slot(call_type, priority=self._priority)
        await cm.__aenter__()
        self._tokens.append("")
        self._fallbacks.append(cm)
