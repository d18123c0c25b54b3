"""The error `RedisScheduler` raises when its Redis cannot be reached.

It lives apart from the scheduler so that the modules that raise and catch it
need not import the scheduler's module.
"""

from __future__ import annotations

from ..._errors import APIConnectionError

__all__ = ["SchedulerUnavailableError"]


class SchedulerUnavailableError(APIConnectionError):
    """The shared scheduler's Redis could not be reached, so no slot was granted.

    Never silently unlimited: without Redis there is no shared budget. Pass
    ``fallback=`` to `RedisScheduler` to fall back to a local scheduler instead.
    """
