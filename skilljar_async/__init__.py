"""An asyncio client for the Skilljar REST API with an exact sliding-window rate scheduler."""

from ._version import __version__ as __version__
from .ratelimit import CallType as CallType
from .ratelimit import RateLimits as RateLimits
from .ratelimit import SlidingWindowScheduler as SlidingWindowScheduler
from .ratelimit import Window as Window

__all__ = [
    "CallType",
    "RateLimits",
    "SlidingWindowScheduler",
    "Window",
    "__version__",
]
