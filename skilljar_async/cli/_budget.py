"""``skilljar-async budget``: the shared budget of every process, read from Redis.

A fresh process has used nothing, so without ``--redis`` there is no history to
show: the command says so and prints the limits. With ``--redis URL`` it reads
each call type's state from the `RedisScheduler` keys of the API key's budget
(the key is hashed, never sent) and prints a table; ``--watch`` redraws it.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
from typing import TYPE_CHECKING, TextIO

from ..ratelimit import RateLimits, SchedulerSnapshot
from ._output import CALL_NAMES

if TYPE_CHECKING:
    from rich.table import Table

__all__ = ["show_budget"]


async def show_budget(args: argparse.Namespace, limits: RateLimits) -> int:
    """Print the budget once, or redraw it every ``--interval`` s with ``--watch``."""
    if not args.redis:
        _no_history(limits, sys.stdout)
        return 0
    key = os.environ.get(args.api_key_env)
    if not key:  # bad input: `main` prints it on one line, exit code 2
        raise ValueError(
            f"set the API key in ${args.api_key_env}: the shared budget is found by its hash"
        )
    from ..ratelimit import RedisScheduler

    async with RedisScheduler(args.redis, limits, api_key=key, namespace=args.namespace) as shared:
        if not args.watch:
            render(await shared.fetch_snapshot(), limits, sys.stdout)
            return 0
        if not sys.stdout.isatty():  # plain text: one table per interval, a blank line between
            while True:
                render(await shared.fetch_snapshot(), limits, sys.stdout)
                sys.stdout.write("\n")
                sys.stdout.flush()
                await asyncio.sleep(args.interval)
        from rich.live import Live

        from ._console import console

        out = console(sys.stdout)
        with Live(table(await shared.fetch_snapshot(), limits), console=out) as live:
            while True:
                await asyncio.sleep(args.interval)
                live.update(table(await shared.fetch_snapshot(), limits))


def _no_history(limits: RateLimits, out: TextIO) -> None:
    out.write(
        "no history to show: a fresh process has used none of the budget, and each process "
        "keeps its own unless they share one through Redis (RedisScheduler).\n"
        "pass --redis URL to see the budget every process shares. The limits:\n"
    )
    for ct in CALL_NAMES:
        windows = ", ".join(f"{w.limit} per {w.period:g}s" for w in limits.for_call_type(ct))
        out.write(f"{CALL_NAMES[ct]:>12}: {windows or 'unlimited'}\n")
    out.write(f"     reserve: {limits.reserve:.0%} of each window kept for foreground calls\n")


def rows(snapshot: SchedulerSnapshot, limits: RateLimits) -> list[list[str]]:
    """One row per window of each call type: the budget table's cells."""
    out = []
    for ct, lane in snapshot.lanes.items():
        state = f"paused {lane.paused_for:.1f}s" if lane.paused_for else ""
        if lane.probing:
            state = (state + " probing").strip()
        for w in lane.windows:
            free = "now" if w.next_free_in == 0 else _seconds(w.next_free_in)
            reserve = w.effective_limit - w.background_limit or math.ceil(w.limit * limits.reserve)
            out.append(
                [
                    CALL_NAMES[ct],
                    f"{w.period:g}s",
                    f"{w.used}/{w.limit}",
                    str(w.remaining),
                    free,
                    str(reserve),
                    str(w.outside),
                    str(lane.held),
                    str(lane.queued),
                    state or "-",
                ]
            )
    return out


HEADERS = (
    "calls",
    "window",
    "used",
    "remaining",
    "next free",
    "reserve",
    "outside",
    "held",
    "queued",
    "state",
)


def table(snapshot: SchedulerSnapshot, limits: RateLimits) -> Table:
    """The budget as a rich table."""
    from rich.table import Table

    grid = Table(title="shared budget (all processes)", caption=_CAPTION)
    for header in HEADERS:
        grid.add_column(header, justify="left" if header in ("calls", "state") else "right")
    for row in rows(snapshot, limits):
        grid.add_row(*row)
    return grid


_CAPTION = (
    "held: slots every process holds now; queued: this process's waiters; "
    "outside: calls per window others are estimated to spend"
)


def render(snapshot: SchedulerSnapshot, limits: RateLimits, out: TextIO) -> None:
    """The table on a terminal; tab-separated plain text otherwise."""
    if out.isatty():
        from ._console import console

        console(out).print(table(snapshot, limits))
        return
    out.write("\t".join(HEADERS) + "\n")
    for row in rows(snapshot, limits):
        out.write("\t".join(row) + "\n")


def _seconds(value: float) -> str:
    return "never" if math.isinf(value) else f"{value:.1f}s"
