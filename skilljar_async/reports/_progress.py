"""`progress()`: stream learners' course progress, incrementally, inside the read budget.

One task pages ``/v1/users`` and hands the learners who need a read to a
fixed pool of workers through a bounded queue; the workers read each learner's
``/v1/users/{id}/published-courses`` and hand their rows to the caller through
another bounded queue. Listing and reading overlap, every call runs at
background priority (ordinary calls on the same budget go first), and memory
stays flat however many learners the organization has.

With ``state=`` the run is incremental and resumable:

* The state file holds the checkpoint a completed run left and the report's
  parameters; the next run reads only learners active since then (see
  `Selection` for the overlap). It is written only when a run completes.
* A journal beside it (``<state>.journal``) records each learner whose rows
  were all emitted. A run that stops part way (cancelled, killed, failed)
  leaves the journal; the next run with the same parameters lists the
  learners again but reads only those not in it, then writes the state and
  removes the journal. So a resumed run emits the rows of every learner the
  stopped run had not finished; a learner whose rows were being emitted when
  the run stopped is emitted again in full, and nothing finished is read twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
from collections.abc import AsyncGenerator, Iterable
from pathlib import Path
from typing import Any

import attrs

from .._client import SkilljarClient, request_priority
from .._errors import NotFoundError
from .._pagination import AsyncPaginator
from ..bulk import Journal, JournalMismatchError
from ..models import UserOverview
from ._rows import Learner, ProgressRow, learner_of, row_from_progress
from ._select import (
    DEFAULT_OVERLAP,
    Clock,
    Selection,
    as_utc,
    iso,
    newest,
    next_checkpoint,
    utc_now,
)
from ._state import ReportState, StateFileError, StateMismatchError, read_state, write_state

__all__ = ["ProgressReport", "ProgressStats", "journal_path", "progress", "resumes"]

REPORT = "progress"
_DONE = "succeeded"


@attrs.define
class ProgressStats:
    """What a run has done so far; final once iteration ends."""

    user_pages: int = 0  #: ``/v1/users`` pages read
    users_listed: int = 0
    learners_selected: int = 0  #: active since the threshold (all learners on a full run)
    learners_skipped: int = 0  #: selected, but finished by an earlier, stopped run
    learners_read: int = 0  #: progress reads whose rows were all emitted
    rows: int = 0
    since: dt.datetime | None = None  #: the checkpoint or `since` this run started from
    checkpoint: dt.datetime | None = None  #: what the run left in the state file


def journal_path(state: str | os.PathLike[str]) -> Path:
    """Where the journal of a report with this state file lives."""
    path = Path(state)
    return path.with_name(path.name + ".journal")


def progress(
    client: SkilljarClient,
    *,
    domain: str | None = None,
    published_course_ids: Iterable[str] | None = None,
    since: dt.datetime | None = None,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    state: str | os.PathLike[str] | None = None,
    concurrency: int = 8,
    page_size: int = 1000,
    priority: int = -1,
    now: Clock = utc_now,
) -> ProgressReport:
    """Stream one `ProgressRow` per learner and published course.

    ``domain`` / ``published_course_ids`` keep only those rows. ``since`` reads
    only learners active at or after ``since - overlap``; without it, a
    ``state`` file's checkpoint is used, and without either every learner is
    read. Iterate the result with ``async for``; its ``stats`` count the calls.
    Arguments are checked here, before any call is made.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {concurrency!r}")
    selection = Selection.build(
        domain=domain, published_course_ids=published_course_ids, since=since, overlap=overlap
    )
    return ProgressReport(
        client,
        selection,
        state=None if state is None else Path(state),
        explicit_since=since is not None,
        concurrency=concurrency,
        users=client.users.list(page_size=page_size),  # checks page_size; sends nothing yet
        priority=priority,
        now=now,
    )


def starting_point(
    selection: Selection, state: Path | None, *, explicit_since: bool
) -> tuple[Selection, ReportState | None]:
    """The selection with ``since`` taken from the state file when not given, and the state."""
    saved = None if state is None else read_state(state)
    if saved is None:
        return selection, None
    if saved.report != REPORT or dict(saved.params) != selection.params():
        raise StateMismatchError(
            f"{state} holds the checkpoint of another report ({saved.report} "
            f"{dict(saved.params)}); use another state file for this one"
        )
    return (selection if explicit_since else selection.with_since(saved.checkpoint)), saved


def stale_journal(state: Path, saved: ReportState | None) -> bool:
    """Whether the journal beside `state` is left over from a run that completed.

    A run writes the state, then removes its journal; a crash between the two
    leaves a journal that started no later than the state's completion.
    """
    path = journal_path(state)
    if saved is None or not path.exists():
        return False
    with path.open(encoding="utf-8") as lines:
        try:
            started = json.loads(lines.readline())["meta"]["started_at"]
            return dt.datetime.fromisoformat(started) <= saved.completed_at
        except (ValueError, KeyError, TypeError):
            return False  # not a readable header: let the journal itself report it


def resumes(state: str | os.PathLike[str]) -> bool:
    """Whether a run with this state file would resume a stopped run (its journal is live)."""
    path = Path(state)
    return journal_path(path).exists() and not stale_journal(path, read_state(path))


def journal_job(selection: Selection) -> dict[str, Any]:
    """The journal header that ties a stopped run to the run that resumes it."""
    return {"report": REPORT, **selection.params(), "since": iso(selection.since)}


class ProgressReport:
    """An async iterable of `ProgressRow`; iterate it once.

    To stop early, close the iterator so its workers stop at once:
    ``async with contextlib.aclosing(aiter(report)) as rows: async for row in rows: ...``
    """

    def __init__(
        self,
        client: SkilljarClient,
        selection: Selection,
        *,
        state: Path | None,
        explicit_since: bool,
        concurrency: int,
        users: AsyncPaginator[UserOverview],
        priority: int,
        now: Clock,
    ) -> None:
        self.client = client
        self.selection = selection
        self.state = state
        self.concurrency = concurrency
        self.users = users
        self.priority = priority
        self.stats = ProgressStats()
        self._explicit_since = explicit_since
        self._now = now
        self._started = False

    def __repr__(self) -> str:
        return f"<ProgressReport {self.selection.params()} state={self.state}>"

    def __aiter__(self) -> AsyncGenerator[ProgressRow, None]:
        if self._started:
            raise RuntimeError("a ProgressReport can be iterated only once")
        self._started = True
        return self._rows()

    async def _rows(self) -> AsyncGenerator[ProgressRow, None]:
        state, explicit = self.state, self._explicit_since
        selection, saved = starting_point(self.selection, state, explicit_since=explicit)
        if state is not None and stale_journal(state, saved):
            journal_path(state).unlink()
        self.selection = selection
        self.stats.since = selection.since
        started = as_utc(self._now())
        journal = self._open_journal(selection, started)
        if journal is not None:  # a resumed run started when the stopped one did
            started = dt.datetime.fromisoformat(journal.meta["started_at"])
        try:
            run = _Run(self, journal)
            # aclosing: when the caller stops early, the workers stop now, not at collection.
            async with contextlib.aclosing(run.rows()) as rows:
                async for row in rows:
                    yield row
            self._finish(run.newest, started)
        finally:
            if journal is not None:
                journal.close()
        if journal is not None:
            journal.path.unlink(missing_ok=True)

    def _open_journal(self, selection: Selection, started: dt.datetime) -> Journal | None:
        if self.state is None:
            return None
        path = journal_path(self.state)
        if path.is_symlink():
            raise StateFileError(f"refusing to append through symbolic link {os.fspath(path)!r}")
        journal = Journal(path, job=journal_job(selection))
        try:
            journal.open({"started_at": started.isoformat()})
        except JournalMismatchError as exc:
            raise StateMismatchError(str(exc)) from None
        return journal

    def _finish(self, listed: dt.datetime | None, started: dt.datetime) -> None:
        checkpoint = next_checkpoint(listed=listed, since=self.selection.since, started=started)
        self.stats.checkpoint = checkpoint
        if self.state is not None:
            saved = ReportState(
                report=REPORT,
                params=self.selection.params(),
                checkpoint=checkpoint,
                completed_at=as_utc(self._now()),
            )
            write_state(self.state, saved)


#: A worker's result: a learner's rows, an error to raise, or None when the worker is done.
_Result = tuple[Learner, list[ProgressRow]] | BaseException | None


class _Run:
    """One run's tasks and queues."""

    def __init__(self, report: ProgressReport, journal: Journal | None) -> None:
        self.report = report
        self.journal = journal
        self.stats = report.stats
        size = 2 * report.concurrency
        self.learners: asyncio.Queue[Learner | None] = asyncio.Queue(size)
        self.results: asyncio.Queue[_Result] = asyncio.Queue(size)
        self.newest: dt.datetime | None = None

    async def rows(self) -> AsyncGenerator[ProgressRow, None]:
        """Start the lister and the workers; yield rows until every worker is done."""
        tasks = [asyncio.create_task(self._guard(self._list()))]
        workers = self.report.concurrency
        tasks += [asyncio.create_task(self._guard(self._work())) for _ in range(workers)]
        try:
            while workers:
                result = await self.results.get()
                if isinstance(result, BaseException):
                    raise result
                if result is None:
                    workers -= 1
                    continue
                learner, rows = result
                for row in rows:
                    yield row
                self._finished(learner, len(rows))
        finally:
            for task in tasks:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*tasks, return_exceptions=True)

    def _finished(self, learner: Learner, rows: int) -> None:
        self.stats.learners_read += 1
        self.stats.rows += rows
        if self.journal is not None:
            self.journal.record(learner.id, _DONE)

    async def _guard(self, job: Any) -> None:
        try:
            await job
        except Exception as exc:  # handed to the caller, who raises it
            await self.results.put(exc)

    async def _list(self) -> None:
        request_priority.set(self.report.priority)
        report, stats = self.report, self.stats
        selection = report.selection
        async for page in report.users.pages():
            stats.user_pages += 1
            for overview in page.items:
                stats.users_listed += 1
                self.newest = newest(self.newest, overview.latest_activity)
                if not selection.wants_learner(overview):
                    continue
                stats.learners_selected += 1
                learner = learner_of(overview)
                if self.journal is not None and self.journal.is_done(learner.id):
                    stats.learners_skipped += 1
                    continue
                await self.learners.put(learner)
        for _ in range(report.concurrency):
            await self.learners.put(None)

    async def _work(self) -> None:
        request_priority.set(self.report.priority)
        courses = self.report.client.users.published_courses
        wants = self.report.selection.wants
        while (learner := await self.learners.get()) is not None:
            try:
                items = [item async for item in courses.list(learner.id)]
            except NotFoundError:
                items = []  # removed since it was listed: nothing to report
            rows = [row_from_progress(learner, item) for item in items if wants(item)]
            await self.results.put((learner, rows))
        await self.results.put(None)
