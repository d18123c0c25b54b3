"""Read-only views of a scheduler's state, for dashboards and logs."""

from __future__ import annotations

import math

import attrs

from . import _share
from ._limits import CallType
from ._log import SlidingLog

__all__ = ["LaneSnapshot", "SchedulerSnapshot", "WindowSnapshot"]


@attrs.frozen(kw_only=True)
class WindowSnapshot:
    """One window of one call type at one instant."""

    limit: int  #: the configured limit
    period: float
    used: int  #: held slots plus stamps still inside the window
    remaining: int  #: slots this window could grant foreground calls right now
    next_free_in: float  #: seconds until one more slot frees (0 if one is free; inf if held)
    #: calls per window others are estimated to spend (learned from unexpected 429s)
    outside: int = 0
    #: what this side may use: the limit less the outside estimate, never below its floor
    effective_limit: int = attrs.field(
        default=attrs.Factory(lambda self: self.limit, takes_self=True)
    )
    #: background calls' share (priority < 0): the effective limit less the reserve
    background_limit: int = attrs.field(
        default=attrs.Factory(lambda self: self.effective_limit, takes_self=True)
    )


@attrs.frozen(kw_only=True)
class LaneSnapshot:
    """Everything about one call type: its windows, held slots, queue and pause."""

    call_type: CallType
    windows: tuple[WindowSnapshot, ...]
    held: int
    queued: int
    paused_for: float  #: seconds left in a pause (0 when not paused)
    probing: bool = False  #: after a 429: one slot at a time until a call succeeds

    @property
    def remaining(self) -> int:
        """Slots grantable right now across all windows (ignoring a pause)."""
        return min((w.remaining for w in self.windows), default=2**31)

    def unexpected_429(self, retry_after: float | None = None) -> bool:
        """Whether a 429 now would be unexpected: known usage leaves room (see `_share.blame`)."""
        if not self.windows:
            return True
        windows = [(w.limit, w.period) for w in self.windows]
        used = [w.used for w in self.windows]
        outside = [w.outside for w in self.windows]
        return _share.blame(windows, used, outside, retry_after) >= 0


@attrs.frozen(kw_only=True)
class SchedulerSnapshot:
    """Every call type's state at one instant of the scheduler's clock."""

    at: float
    lanes: dict[CallType, LaneSnapshot]

    def __getitem__(self, call_type: CallType) -> LaneSnapshot:
        return self.lanes[call_type]


def window_snapshots(log: SlidingLog, now: float) -> tuple[WindowSnapshot, ...]:
    """Describe each window of `log` at `now`."""
    out = []
    shares = zip(log.windows, log.fg, log.bg, log.outside, strict=True)
    for (limit, period), (effective, _), (background, _), outside in shares:
        used = log.held + log.in_window(now, period)
        room = effective - log.held
        if used < effective:
            free_in = 0.0
        elif room <= 0:
            free_in = math.inf
        else:
            free_in = log.newest(room - 1) + period - now
        out.append(
            WindowSnapshot(
                limit=limit,
                period=period,
                used=used,
                remaining=max(0, effective - used),
                next_free_in=free_in,
                outside=outside,
                effective_limit=effective,
                background_limit=background,
            )
        )
    return tuple(out)
