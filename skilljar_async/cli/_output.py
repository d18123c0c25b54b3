"""What the command line prints: a job's summary, and exported rows as CSV or JSON lines."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from typing import Any, TextIO

from .. import bulk
from .._convert import unstructure
from ..ratelimit import CallType, RateLimits

__all__ = ["CALL_NAMES", "print_summary", "write_rows"]

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
    best = bulk.plan(0, {}, limits, extra_calls=summary.calls)  # at the job's share
    minimum = best.minimum_seconds
    if minimum > 0:
        share = " a background job" if best.background else ""
        print(
            f"makespan {bulk.format_duration(makespan)} vs the exact minimum the limits allow"
            f"{share} {bulk.format_duration(minimum)} ({makespan / minimum:.2f}x)"
        )
    for failure in summary.failures[:10]:
        print(f"  failed {failure.key}: {type(failure.error).__name__}: {failure.error}")


async def write_rows(rows: AsyncIterator[Any], out: TextIO, fmt: str) -> int:
    """Write each model as a JSON line or a CSV row (columns from the first); returns the count."""
    writer: csv.DictWriter[str] | None = None
    count = 0
    async for row in rows:
        record = _flat(unstructure(row))
        if fmt == "jsonl":
            out.write(json.dumps(record, default=str) + "\n")
        else:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(record), extrasaction="ignore")
                writer.writeheader()
            writer.writerow(record)
        count += 1
    return count


def _flat(record: Any, prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted columns (``user.email``); lists as JSON text."""
    out: dict[str, Any] = {}
    for key, value in (record or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, name + "."))
        elif isinstance(value, list):
            out[name] = json.dumps(value, default=str)
        else:
            out[name] = value
    return out
