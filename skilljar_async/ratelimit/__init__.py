"""The sliding-window rate scheduler: exact, fair, and free of any HTTP code.

``SlidingWindowScheduler`` keeps every call type inside all of its windows;
``SlidingLog`` is the same math without an event loop.
"""

from ._limits import CallType as CallType
from ._limits import RateLimits as RateLimits
from ._limits import Window as Window
from ._log import SlidingLog as SlidingLog
from ._scheduler import Scheduler as Scheduler
from ._scheduler import SlidingWindowScheduler as SlidingWindowScheduler
from ._snapshot import LaneSnapshot as LaneSnapshot
from ._snapshot import SchedulerSnapshot as SchedulerSnapshot
from ._snapshot import WindowSnapshot as WindowSnapshot

__all__ = [
    "CallType",
    "LaneSnapshot",
    "RateLimits",
    "Scheduler",
    "SchedulerSnapshot",
    "SlidingLog",
    "SlidingWindowScheduler",
    "Window",
    "WindowSnapshot",
]
