"""The errors `RedisScheduler` raises: Redis unreachable, or limits the budget does not use.

They live apart from the scheduler so that the modules that raise and catch them
need not import the scheduler's module.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..._errors import APIConnectionError, SkilljarError
from .._limits import CallType, Window

__all__ = ["LimitsMismatchError", "SchedulerUnavailableError"]


class SchedulerUnavailableError(APIConnectionError):
    """The shared scheduler's Redis could not be reached, so no slot was granted.

    Never silently unlimited: without Redis there is no shared budget. Pass
    ``fallback=`` to `RedisScheduler` to fall back to a local scheduler instead.
    """


class LimitsMismatchError(SkilljarError):
    """This process's limits differ from those the shared budget is kept under.

    Raised at the first step instead of granting anything: processes that count
    one budget under different limits would over-grant. To change the limits
    deliberately, build the new processes' schedulers with
    ``RedisScheduler(..., replace_limits=True)``; the old windows stay enforced
    as well until the longest of them (and every lease) has run out. Never a
    fallback case: `fallback=` is not used for it.
    """

    call_type: CallType  #: the call type whose limits differ
    ours: tuple[Window, ...]  #: this process's windows
    theirs: tuple[Window, ...]  #: the windows the shared budget is kept under

    def __init__(
        self, call_type: CallType, ours: Sequence[Window], theirs: Sequence[Window]
    ) -> None:
        self.call_type = call_type
        self.ours = tuple(ours)
        self.theirs = tuple(theirs)
        what = "limits" if self.ours != self.theirs else "limits (same windows, other reserve)"
        super().__init__(
            f"this process's {call_type.value} {what} ({_show(self.ours)}) differ from "
            f"those of the shared budget in Redis ({_show(self.theirs)}); use the same "
            "limits in every process, or pass replace_limits=True to change them deliberately"
        )


def _show(windows: Sequence[Window]) -> str:
    return ", ".join(f"{w.limit}/{w.period:g}s" for w in windows) or "unlimited"
