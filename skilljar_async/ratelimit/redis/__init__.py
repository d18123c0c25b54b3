"""One organization's rate budget shared by many processes through Redis.

Needs the optional ``redis`` extra (``pip install 'skilljar-async[redis]'``),
imported only when a `RedisScheduler` is built.
"""

from ._errors import LimitsMismatchError as LimitsMismatchError
from ._errors import SchedulerUnavailableError as SchedulerUnavailableError
from ._scheduler import RedisScheduler as RedisScheduler

__all__ = ["LimitsMismatchError", "RedisScheduler", "SchedulerUnavailableError"]
