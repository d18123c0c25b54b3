"""What the command line prints: a job's summary, and any outside text made safe for a terminal."""

from __future__ import annotations

import os
import re
import sys

from .. import bulk
from ..ratelimit import CallType, RateLimits

__all__ = ["CALL_NAMES", "clean", "print_summary", "silence_stdout"]

CALL_NAMES = {CallType.READ: "read", CallType.MODIFY: "modification", CallType.REMOVE: "removal"}

#: C0 and C1 controls, DEL, and the bidirectional overrides that reorder what is shown.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_EXAMPLES = 3


def clean(text: object) -> str:
    """`text` as one terminal line: control characters (escape sequences) replaced by ``?``.

    Every message that carries outside data (server ``detail`` text, CSV values,
    file names) goes through this before it is printed, so a learner's name
    cannot move the cursor, retitle the window or rewrite earlier output.
    """
    return _CONTROLS.sub("?", str(text))


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
    if summary.failed:
        print(f"failures by error ({summary.failed:,} items):")
    for kind, count in sorted(summary.failure_kinds.items(), key=lambda kv: -kv[1]):
        examples = summary.failure_examples.get(kind, [])
        keys = ", ".join(clean(e.key) for e in examples[:_EXAMPLES])
        more = ", …" if count > len(examples) else ""
        print(f"  {count:,}: {clean(kind)} (e.g. {keys}{more})")
        if examples and examples[0].error is not None:
            print(f"      {clean(examples[0].error)[:300]}")


def silence_stdout() -> None:
    """Point stdout at /dev/null once its reader is gone (``| head``): the last flush is quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
