"""The bulk job commands: enroll and domain-users add, with progress, summary and failures."""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from collections.abc import Mapping
from typing import Any

import anyio.to_thread

from .. import bulk
from .._client import SkilljarClient
from .._files import AtomicFile
from ..ratelimit import RateLimits
from ._output import clean, print_summary
from ._progress import ProgressPrinter

__all__ = ["JobStopped", "run_job"]


class JobStopped(Exception):
    """A job stopped by a systemic error: the one-line message for exit code 2."""


class _FailureFile:
    """Failed rows in the input's own columns, ready to run again (replaced when the job ends)."""

    def __init__(self, path: str, columns: tuple[str, ...]) -> None:
        self.file = AtomicFile(path)
        self.writer = csv.DictWriter(self.file.handle, fieldnames=columns, extrasaction="ignore")
        self.writer.writeheader()

    def __call__(self, result: bulk.ItemResult[Mapping[str, str]]) -> None:
        if result.status is bulk.ItemStatus.FAILED and result.item is not None:
            self.writer.writerow(result.item)


async def run_job(client: SkilljarClient, args: argparse.Namespace, limits: RateLimits) -> int:
    """Run the job over the CSV file; returns the exit code."""
    # The whole file's structure is checked before any call, so a bad record cannot stop
    # the job part way through.
    await anyio.to_thread.run_sync(bulk.check_csv, args.csv)
    rows = bulk.read_rows(args.csv)
    total = await anyio.to_thread.run_sync(bulk.count_rows, args.csv)
    failures = _FailureFile(args.failures, rows.columns) if args.failures else None
    printer = ProgressPrinter(sys.stderr)
    loop = asyncio.get_running_loop()
    started = loop.time()
    before = dict(client.stats.requests)
    throttled_before = client.stats.throttled
    options: dict[str, Any] = {
        "domain": args.domain,
        "journal": args.journal,
        "total": total,
        "concurrency": args.concurrency,
        "on_progress": printer,
        "on_result": failures,
    }
    try:
        summary, stopped = await _run(client, args, rows, options)
    except asyncio.CancelledError:
        printer.finish()
        print(f"interrupted: {_resume_hint(args)}", file=sys.stderr)
        raise KeyboardInterrupt("resumable") from None
    finally:
        rows.close()
        if failures is not None:  # the rows that failed so far are real, however it ended
            await anyio.to_thread.run_sync(failures.file.commit)
    printer.finish()
    # Count every call of the command, the job's up-front reads included.
    summary.calls = {ct: n - before[ct] for ct, n in client.stats.requests.items()}
    summary.throttled = client.stats.throttled - throttled_before
    print_summary(summary, limits, loop.time() - started)
    if failures is not None and summary.failed:
        print(f"failed rows written to {clean(args.failures)}")
    if stopped is not None:
        cause = f"{type(stopped).__name__}: {stopped}"
        raise JobStopped(f"stopped, nothing more sent: {clean(cause)}; {_resume_hint(args)}")
    return 1 if summary.failed else 0


async def _run(
    client: SkilljarClient, args: argparse.Namespace, rows: bulk.CsvRows, options: dict[str, Any]
) -> tuple[bulk.BulkSummary, BaseException | None]:
    """The job's summary, and the systemic error that stopped it (or None)."""
    try:
        if args.command == "enroll":
            summary = await bulk.enroll(
                client,
                rows,
                published_course_id=args.published_course,
                published_path_id=args.published_path,
                **options,
            )
        else:
            summary = await bulk.add_domain_users(client, rows, **options)
    except bulk.JobStoppedError as exc:
        return exc.summary, exc.cause
    return summary, None


def _resume_hint(args: argparse.Namespace) -> str:
    where = (
        f" (journal {clean(args.journal)})" if args.journal else " (add --journal FILE to resume)"
    )
    return f"finished items are recorded{where}; run the same command to resume"
