"""The ``skilljar-async`` command line: ping, bulk enroll, add domain users, export, budget.

The API key is read from an environment variable (``--api-key-env``, default
``SKILLJAR_API_KEY``), never from an argument, so it never shows up in ``ps``.
Exit codes: 0 done, 1 some items failed, 2 bad input / key / network, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any, TextIO

from . import bulk
from ._client import DEFAULT_BASE_URL, SkilljarClient
from ._convert import unstructure
from ._errors import APIConnectionError, AuthenticationError, SkilljarError
from ._progress import ProgressPrinter
from .ratelimit import CallType, RateLimits, SlidingWindowScheduler

__all__ = ["main"]

_CALL_NAMES = {CallType.READ: "read", CallType.MODIFY: "modification", CallType.REMOVE: "removal"}


class UsageError(Exception):
    """Bad input that stops the command before any work: one line, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skilljar-async", description=__doc__.splitlines()[0], allow_abbrev=False
    )
    parser.add_argument("--base-url", default=os.environ.get("SKILLJAR_BASE_URL", DEFAULT_BASE_URL))
    parser.add_argument("--api-key-env", default="SKILLJAR_API_KEY", metavar="NAME")
    parser.add_argument(
        "--limits", default="skilljar", help="skilljar, off, or e.g. 600/60,5000/3600"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("ping", help="check the key and the connection")
    enroll = commands.add_parser("enroll", help="enroll learners from a CSV file")
    _job_options(enroll)
    target = enroll.add_mutually_exclusive_group(required=True)
    target.add_argument("--published-course", metavar="ID")
    target.add_argument("--published-path", metavar="ID")
    users = commands.add_parser("domain-users", help="domain memberships")
    users_add = users.add_subparsers(dest="action", required=True).add_parser("add")
    _job_options(users_add)
    export = commands.add_parser("export", help="stream a list to CSV or JSON lines")
    export.add_argument("what", choices=["users", "domain-users", "enrollments"])
    export.add_argument("--domain")
    export.add_argument("--published-course", metavar="ID")
    export.add_argument("--format", choices=["csv", "jsonl"], default="jsonl")
    export.add_argument("--out", metavar="FILE")
    commands.add_parser("budget", help="show the rate scheduler's snapshot")
    commands.add_parser("emulator", help="run the local Skilljar emulator", add_help=False)
    return parser


def _job_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--csv", required=True, metavar="FILE")
    command.add_argument("--domain", required=True)
    command.add_argument("--journal", metavar="FILE", help="resume file (JSON lines)")
    command.add_argument(
        "--dry-run", action="store_true", help="count calls and time; send nothing"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["emulator"]:  # everything after it is the emulator's own options
        from .testing.__main__ import main as emulator_main

        return emulator_main(args_list[1:]) or 0
    args = _parser().parse_args(args_list)
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt as exc:
        if not exc.args:  # a job already said what was kept and how to resume
            print("\ninterrupted", file=sys.stderr)
        return 130
    except (UsageError, bulk.CsvError, bulk.JournalMismatchError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AuthenticationError:
        print(f"error: the API key in ${args.api_key_env} was rejected (401)", file=sys.stderr)
        return 2
    except APIConnectionError as exc:
        print(f"error: cannot reach {args.base_url}: {exc.message}", file=sys.stderr)
        return 2
    except SkilljarError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


async def _run(args: argparse.Namespace) -> int:
    limits = RateLimits.parse(args.limits)
    if args.command in ("enroll", "domain-users") and args.dry_run:
        return _dry_run(args, limits)
    if args.command == "budget":
        return _budget(limits)
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


def _budget(limits: RateLimits) -> int:
    snapshot = SlidingWindowScheduler(limits).snapshot()
    print("this process's budget (each process starts empty; see RedisScheduler to share one):")
    for ct, lane in snapshot.lanes.items():
        windows = ", ".join(
            f"{w.used}/{w.limit} per {w.period:g}s (next free in {w.next_free_in:.1f}s)"
            for w in lane.windows
        )
        state = f"held {lane.held}, queued {lane.queued}"
        print(f"{_CALL_NAMES[ct]:>12}: {windows or 'unlimited'}; {state}")
    return 0


async def _job(client: SkilljarClient, args: argparse.Namespace, limits: RateLimits) -> int:
    rows = bulk.read_rows(args.csv)  # checks the file and its header before any call
    total = bulk.count_rows(args.csv)
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
    _print_summary(summary, limits, loop.time() - started)
    return 1 if summary.failed else 0


def _print_summary(summary: bulk.BulkSummary, limits: RateLimits, makespan: float) -> None:
    print(
        f"done in {bulk.format_duration(makespan)}: {summary.done + summary.skipped:,} items — "
        f"{summary.succeeded:,} succeeded, {summary.existed:,} already existed, "
        f"{summary.failed:,} failed, {summary.skipped:,} done by an earlier run"
    )
    calls = ", ".join(f"{n:,} {_CALL_NAMES[ct]}" for ct, n in summary.calls.items())
    print(f"calls: {calls}; 429 responses: {summary.throttled}")
    minimum = bulk.plan(0, {}, limits, extra_calls=summary.calls).minimum_seconds
    if minimum > 0:
        print(
            f"makespan {bulk.format_duration(makespan)} vs the exact minimum the limits allow "
            f"{bulk.format_duration(minimum)} ({makespan / minimum:.2f}x)"
        )
    for failure in summary.failures[:10]:
        print(f"  failed {failure.key}: {type(failure.error).__name__}: {failure.error}")


async def _export(client: SkilljarClient, args: argparse.Namespace) -> int:
    rows = _export_rows(client, args)
    # A local file opened once for a streaming export; the loop has nothing else to do.
    out: TextIO = (
        open(args.out, "w", newline="", encoding="utf-8")  # noqa: ASYNC230, SIM115
        if args.out
        else sys.stdout
    )
    try:
        count = await _write_rows(rows, out, args.format)
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


async def _write_rows(rows: AsyncIterator[Any], out: TextIO, fmt: str) -> int:
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
