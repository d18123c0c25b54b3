"""The sliding-window rate scheduler: exact, fair, and free of any HTTP code.

``SlidingWindowScheduler`` keeps every call type inside all of its windows;
``SlidingLog`` is the same math without an event loop. ``RedisScheduler`` shares
one budget between processes through Redis (the optional ``redis`` extra); it is
imported on first use, so this package never needs the redis package itself.
"""

from typing import TYPE_CHECKING, Any

from ._limits import CallType as CallType
from ._limits import RateLimits as RateLimits
from ._limits import Window as Window
from ._log import SlidingLog as SlidingLog
from ._scheduler import BudgetScheduler as BudgetScheduler
from ._scheduler import Scheduler as Scheduler
from ._scheduler import SlidingWindowScheduler as SlidingWindowScheduler
from ._snapshot import LaneSnapshot as LaneSnapshot
from ._snapshot import SchedulerSnapshot as SchedulerSnapshot
from ._snapshot import WindowSnapshot as WindowSnapshot

if TYPE_CHECKING:
    from .redis import LimitsMismatchError as LimitsMismatchError
    from .redis import RedisScheduler as RedisScheduler
    from .redis import SchedulerUnavailableError as SchedulerUnavailableError

__all__ = [
    "BudgetScheduler",
    "CallType",
    "LaneSnapshot",
    "LimitsMismatchError",
    "RateLimits",
    "RedisScheduler",
    "Scheduler",
    "SchedulerSnapshot",
    "SchedulerUnavailableError",
    "SlidingLog",
    "SlidingWindowScheduler",
    "Window",
    "WindowSnapshot",
]

_LAZY = frozenset({"LimitsMismatchError", "RedisScheduler", "SchedulerUnavailableError"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import redis

        return getattr(redis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
