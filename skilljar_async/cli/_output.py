"""What the command line prints: a job's summary."""

from __future__ import annotations

from .. import bulk
from ..ratelimit import CallType, RateLimits

__all__ = ["CALL_NAMES", "print_summary"]

CALL_NAMES = {CallType.READ: "read", CallType.MODIFY: "modification", CallType.REMOVE: "removal"}


def print_summary(summary: bulk.BulkSummary, limits: RateLimits, makespan: float) -> None:
    """Counts by outcome, calls by type, the makespan against the minimum, first failures."""
    print(
        f"done in {bulk.format_duration(makespan)}: {summary.done + summary.skipped:,} items — "
        f"{summary.succeeded:,} succeeded, {summary.existed:,} already existed, "
        f"{summary.failed:,} failed, {summary.skipped:,} done by an earlier run"
    )
    calls = ", ".join(f"{n:,} {CALL_NAMES[ct]}" for ct, n in summary.calls.items())
    print(f"calls: {calls}; 429 responses: {summary.throttled}")
    minimum = bulk.plan(0, {}, limits, extra_calls=summary.calls).minimum_seconds
    if minimum > 0:
        print(
            f"makespan {bulk.format_duration(makespan)} vs the exact minimum the limits allow "
            f"{bulk.format_duration(minimum)} ({makespan / minimum:.2f}x)"
        )
    for failure in summary.failures[:10]:
        print(f"  failed {failure.key}: {type(failure.error).__name__}: {failure.error}")
