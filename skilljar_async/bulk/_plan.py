"""Dry runs: how many calls a job needs and the least time the limits allow."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ..ratelimit import CallType, RateLimits, SlidingLog

__all__ = ["Plan", "format_duration", "plan"]

_NAMES = {CallType.READ: "read", CallType.MODIFY: "modification", CallType.REMOVE: "removal"}


@attrs.frozen(kw_only=True)
class Plan:
    """Calls by call type and the exact minimum duration the limits allow for them.

    The minimum is for the share of the budget the job's priority may use:
    background jobs (priority < 0, the default) leave the limits' reserve to
    foreground calls.
    """

    items: int
    calls: Mapping[CallType, int]
    minimum_seconds: float
    background: bool = False  #: the minimum is for the background share

    def __str__(self) -> str:
        parts = [f"{n:,} {_NAMES[ct]}" for ct, n in self.calls.items() if n]
        needed = ", ".join(parts) or "no"
        share = " at a background job's share" if self.background else ""
        return (
            f"{self.items:,} items need {needed} calls; the rate limits allow that in "
            f"at least {format_duration(self.minimum_seconds)}{share}"
        )


def plan(
    items: int,
    calls_per_item: Mapping[CallType, float],
    limits: RateLimits | None = None,
    *,
    extra_calls: Mapping[CallType, int] | None = None,
    priority: int = -1,
) -> Plan:
    """Count a job's calls and the least time its limits allow, from an empty budget.

    Call types run in parallel (each has its own windows), so the minimum is
    the slowest call type's exact greedy schedule (`SlidingLog.eta`), within
    the share `priority` may use: a job's default priority (-1) leaves the
    limits' reserve alone; pass ``priority=0`` for the whole budget.
    """
    limits = limits or RateLimits.skilljar()
    calls = {ct: round(items * calls_per_item.get(ct, 0.0)) for ct in CallType}
    for ct, n in (extra_calls or {}).items():
        calls[ct] += n
    background = priority < 0
    slowest = max(
        (
            SlidingLog(limits.for_call_type(ct), limits.reserve).eta(0.0, n, background=background)
            for ct, n in calls.items()
            if n
        ),
        default=0.0,
    )
    return Plan(
        items=items,
        calls=calls,
        minimum_seconds=slowest,
        background=background and limits.reserve > 0,
    )


def format_duration(seconds: float) -> str:
    """``2 h 3 min``, ``4 min 10 s`` or ``12.5 s``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s"
