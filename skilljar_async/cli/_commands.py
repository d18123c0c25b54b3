"""The commands: ping, dry runs, bulk jobs, export and budget, each on one client."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator
from typing import Any, TextIO

import anyio.to_thread

from .. import bulk
from .._client import SkilljarClient
from ..ratelimit import CallType, RateLimits
from ._budget import show_budget
from ._output import print_summary, write_rows
from ._progress import ProgressPrinter

__all__ = ["UsageError", "run"]


class UsageError(Exception):
    """Bad input that stops the command before any work: one line, exit code 2."""


async def run(args: argparse.Namespace) -> int:
    """Run the parsed command; returns the exit code (errors propagate to `main`)."""
    limits = RateLimits.parse(args.limits)
    if args.command in ("enroll", "domain-users") and args.dry_run:
        return _dry_run(args, limits)
    if args.command == "budget":
        return await show_budget(args, limits)
    key = os.environ.get(args.api_key_env)
    if not key:
        raise UsageError(f"set the API key in the environment variable ${args.api_key_env}")
    async with SkilljarClient(key, base_url=args.base_url, rate_limits=limits) as client:
        if args.command == "ping":
            await client.ping()
            print(f"ok: {args.base_url} accepted the key")
            return 0
        if args.command == "export":
            return await _export(client, args)
        return await _job(client, args, limits)


def _dry_run(args: argparse.Namespace, limits: RateLimits) -> int:
    bulk.check_csv(args.csv)
    rows = bulk.count_rows(args.csv)
    per_item = 2.0 if args.command == "enroll" else 1.0
    worst = bulk.plan(rows, {CallType.MODIFY: per_item}, limits)
    print(f"dry run: {worst} (worst case: every learner new to the domain)")
    if per_item > 1:
        best = bulk.plan(rows, {CallType.MODIFY: 1.0}, limits)
        print(f"         {best} (every learner already in the domain)")
    return 0


async def _job(client: SkilljarClient, args: argparse.Namespace, limits: RateLimits) -> int:
    rows = bulk.read_rows(args.csv)  # checks the file and its header before any call
    total = await anyio.to_thread.run_sync(bulk.count_rows, args.csv)
    printer = ProgressPrinter(sys.stderr)
    loop = asyncio.get_running_loop()
    started = loop.time()
    before = dict(client.stats.requests)
    throttled_before = client.stats.throttled
    try:
        if args.command == "enroll":
            summary = await bulk.enroll(
                client,
                rows,
                domain=args.domain,
                published_course_id=args.published_course,
                published_path_id=args.published_path,
                journal=args.journal,
                total=total,
                concurrency=args.concurrency,
                on_progress=printer,
            )
        else:
            summary = await bulk.add_domain_users(
                client,
                rows,
                domain=args.domain,
                journal=args.journal,
                total=total,
                concurrency=args.concurrency,
                on_progress=printer,
            )
    except asyncio.CancelledError:
        printer.finish()
        hint = f" (journal {args.journal})" if args.journal else " (add --journal FILE to resume)"
        print(
            f"interrupted: finished items are recorded{hint}; run the same command to resume",
            file=sys.stderr,
        )
        raise KeyboardInterrupt("resumable") from None
    printer.finish()
    # Count every call of the command, the job's up-front reads included.
    summary.calls = {ct: n - before[ct] for ct, n in client.stats.requests.items()}
    summary.throttled = client.stats.throttled - throttled_before
    print_summary(summary, limits, loop.time() - started)
    return 1 if summary.failed else 0


async def _export(client: SkilljarClient, args: argparse.Namespace) -> int:
    rows = _export_rows(client, args)
    # A local file opened once for a streaming export; the loop has nothing else to do.
    out: TextIO = (
        open(args.out, "w", newline="", encoding="utf-8")  # noqa: ASYNC230, SIM115
        if args.out
        else sys.stdout
    )
    try:
        count = await write_rows(rows, out, args.format)
    finally:
        if args.out:
            out.close()
    print(f"exported {count:,} rows", file=sys.stderr)
    return 0


def _export_rows(client: SkilljarClient, args: argparse.Namespace) -> AsyncIterator[Any]:
    if args.what == "users":
        return aiter(client.users.list(page_size=1000))
    if not args.domain:
        raise UsageError(f"export {args.what} needs --domain")
    if args.what == "domain-users":
        return aiter(client.domains.users.list(args.domain, page_size=1000))
    if not args.published_course:
        raise UsageError("export enrollments needs --published-course")
    enrollments = client.domains.published_courses.enrollments
    return aiter(enrollments.list(args.domain, args.published_course, page_size=1000))
