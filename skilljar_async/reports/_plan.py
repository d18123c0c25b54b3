"""`plan_progress()`: what a progress report would cost, without reading any progress."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path

import attrs

from .._client import SkilljarClient, request_priority
from ..bulk import Journal, JournalMismatchError, format_duration
from ..ratelimit import CallType
from ._progress import journal_job, journal_path, stale_journal, starting_point
from ._select import DEFAULT_OVERLAP, Selection
from ._state import StateMismatchError

__all__ = ["ProgressPlan", "plan_progress"]


@attrs.frozen(kw_only=True)
class ProgressPlan:
    """The reads a progress report needs and the least time the read budget allows."""

    since: dt.datetime | None  #: the checkpoint or `since` the run would start from
    threshold: dt.datetime | None  #: learners active at or after this are read
    user_pages: int  #: ``/v1/users`` pages (listed now, and again by the run)
    users_listed: int
    learners_selected: int
    learners_done: int  #: selected but finished by a stopped run (not read again)
    read_calls: int  #: user pages + learners to read
    minimum_seconds: float  #: scheduler.eta() for `read_calls` from now

    @property
    def learners_to_read(self) -> int:
        """Progress reads the run would make."""
        return self.learners_selected - self.learners_done

    def __str__(self) -> str:
        pages = f"{self.user_pages:,} user page{'' if self.user_pages == 1 else 's'}"
        return (
            f"{self.users_listed:,} learners listed, {self.learners_to_read:,} need a progress "
            f"read: {self.read_calls:,} read calls ({pages}); the read budget allows that in "
            f"at least {format_duration(self.minimum_seconds)}"
        )


async def plan_progress(
    client: SkilljarClient,
    *,
    domain: str | None = None,
    published_course_ids: Iterable[str] | None = None,
    since: dt.datetime | None = None,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    state: str | os.PathLike[str] | None = None,
    page_size: int = 1000,
    priority: int = -1,
) -> ProgressPlan:
    """List the learners (spending the user pages) and count what `progress` would read.

    Takes the same arguments as `progress`, with the same meaning; reads no
    progress and writes nothing. The minimum time is the scheduler's exact
    ``eta`` for all of the run's reads, from the budget as it is now.
    """
    selection = Selection.build(
        domain=domain, published_course_ids=published_course_ids, since=since, overlap=overlap
    )
    path = None if state is None else Path(state)
    selection, saved = starting_point(selection, path, explicit_since=since is not None)
    stale = path is not None and stale_journal(path, saved)
    done = frozenset() if stale else _finished_learners(path, selection)
    token = request_priority.set(priority)
    try:
        pages = listed = selected = already = 0
        async for page in client.users.list(page_size=page_size).pages():
            pages += 1
            listed += len(page.items)
            for overview in page.items:
                if selection.wants_learner(overview):
                    selected += 1
                    already += overview.user.id in done
    finally:
        request_priority.reset(token)
    calls = pages + selected - already
    return ProgressPlan(
        since=selection.since,
        threshold=selection.threshold,
        user_pages=pages,
        users_listed=listed,
        learners_selected=selected,
        learners_done=already,
        read_calls=calls,
        minimum_seconds=client.scheduler.eta(CallType.READ, calls),
    )


def _finished_learners(state: Path | None, selection: Selection) -> frozenset[str]:
    """Learners a stopped run of this report finished, from its journal (read only)."""
    if state is None or not journal_path(state).exists():
        return frozenset()
    path = journal_path(state)
    try:
        return Journal.read_done(path, job=journal_job(selection))
    except JournalMismatchError as exc:
        raise StateMismatchError(str(exc)) from None
