"""``export progress``: the progress report as CSV or JSON lines, live progress, resumable.

With ``--state`` a stopped run (Ctrl-C, SIGTERM, an error) keeps what it wrote: the
``--out`` file then holds every row of the learners its journal records, and the
run that resumes appends the rest to it without a second header (a learner whose
rows were being written when the run stopped is written again in full, so its
first rows may appear twice). Without ``--state`` a stopped run leaves ``--out``
as it was. On standard output a resumed run writes its own part, header included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import json
import signal
import sys
from typing import IO, Any

import anyio.to_thread

from .. import reports
from .._client import SkilljarClient
from .._files import AtomicFile
from ..bulk import Progress
from ..ratelimit import CallType
from ._output import clean, silence_stdout
from ._progress import ProgressPrinter

__all__ = ["export_progress"]


class _UsageError(ValueError):
    """A bad option value (exit code 2)."""


async def export_progress(client: SkilljarClient, args: argparse.Namespace) -> int:
    """Run ``export progress``; returns the exit code."""
    options = _options(args)
    if args.dry_run:
        plan = await reports.plan_progress(client, **options)
        print(f"dry run: {plan}")
        return 0
    if hasattr(args, "report_concurrency"):  # else the report's own default
        options["concurrency"] = args.report_concurrency
    report = reports.progress(client, **options)
    resuming = args.state is not None and reports.resumes(args.state)
    out = AtomicFile(args.out, keep=resuming) if args.out else None
    handle: IO[str] = out.handle if out is not None else sys.stdout
    header = out is None or out.handle.tell() == 0  # a resumed file already has one
    printer = ProgressPrinter(sys.stderr)
    live = _Live(report, client, printer)
    shower = asyncio.create_task(live.show())
    try:
        count = await _write(report, handle, args.format, raw=args.raw, header=header)
        if out is None:
            sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        return 128 + signal.SIGPIPE
    except BaseException as exc:
        _stopped(out, args, printer, shower, exc)
        raise
    finally:
        shower.cancel()
    printer(live.event())
    printer.finish()
    if out is not None:
        await anyio.to_thread.run_sync(out.commit)
    stats = report.stats
    print(
        f"exported {count:,} rows: {stats.learners_read:,} learners read, "
        f"{stats.learners_skipped:,} done by an earlier run, {stats.users_listed:,} listed",
        file=sys.stderr,
    )
    return 0


def _options(args: argparse.Namespace) -> dict[str, Any]:
    since = None
    if args.since:
        try:
            since = dt.datetime.fromisoformat(args.since)
        except ValueError:
            raise _UsageError(f"--since: not an ISO 8601 date-time: {args.since!r}") from None
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
    options: dict[str, Any] = {
        "domain": args.domain,
        "published_course_ids": args.published_course or None,
        "since": since,
        "state": args.state,
    }
    if args.overlap is not None:
        if args.overlap < 0:
            raise _UsageError("--overlap must be >= 0 seconds")
        options["overlap"] = dt.timedelta(seconds=args.overlap)
    return options


async def _write(
    report: reports.ProgressReport, out: IO[str], fmt: str, *, raw: bool, header: bool
) -> int:
    count = 0
    writer = csv.writer(out)
    if fmt == "csv" and header:
        writer.writerow(reports.csv_columns())
    async with contextlib.aclosing(aiter(report)) as rows:
        async for row in rows:
            if fmt == "csv":
                writer.writerow(reports.csv_cells(row, neutralise=not raw))
            else:
                out.write(json.dumps(reports.json_record(row), default=str) + "\n")
            count += 1
    return count


def _stopped(
    out: AtomicFile | None,
    args: argparse.Namespace,
    printer: ProgressPrinter,
    shower: asyncio.Task[None],
    exc: BaseException,
) -> None:
    """Keep a resumable run's partial file, and say how to resume."""
    shower.cancel()
    printer.finish()
    if out is not None:
        if args.state is not None:
            out.commit()  # its rows belong to the learners the journal records as done
        else:
            out.discard()
    if not isinstance(exc, asyncio.CancelledError | KeyboardInterrupt):
        return
    if args.state is None:
        hint = "add --state FILE to make the report resumable"
    else:
        kept = f"; rows so far are in {clean(args.out)}, the rerun appends" if args.out else ""
        hint = f"finished learners are recorded beside {clean(args.state)}{kept}"
    print(f"interrupted: {hint}; run the same command to resume", file=sys.stderr)
    if isinstance(exc, asyncio.CancelledError):
        raise KeyboardInterrupt("resumable") from None


class _Live:
    """The report's live progress, drawn as a job's: learners read, ETA of the reads left."""

    def __init__(
        self, report: reports.ProgressReport, client: SkilljarClient, printer: ProgressPrinter
    ) -> None:
        self.report = report
        self.client = client
        self.printer = printer
        self.started = asyncio.get_running_loop().time()

    async def show(self) -> None:
        """Draw the progress every half second until cancelled."""
        while True:
            await asyncio.sleep(0.5)
            self.printer(self.event())

    def event(self) -> Progress:
        """The progress now; the ETA is the scheduler's exact one for the reads left."""
        stats = self.report.stats
        left = max(0, stats.learners_selected - stats.learners_skipped - stats.learners_read)
        elapsed = asyncio.get_running_loop().time() - self.started
        return Progress(
            done=stats.learners_read,
            succeeded=stats.learners_read,
            existed=0,
            failed=0,
            skipped=stats.learners_skipped,
            total=stats.learners_selected or None,
            elapsed=elapsed,
            rate=stats.learners_read / elapsed if elapsed > 0 else 0.0,
            eta=self.client.scheduler.eta(CallType.READ, left) if left else 0.0,
        )
