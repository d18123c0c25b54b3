"""Which learners a progress report reads, and what defines a report.

Skilljar v1 has no organization-wide progress list, so a report reads
``/v1/users/{id}/published-courses`` once per learner. The ``/v1/users`` rows
carry ``latest_activity``, so a run after a checkpoint reads only learners
whose activity is at or after ``checkpoint - overlap``.

Why the overlap: the checkpoint is an API timestamp compared, on the next run,
with timestamps that other API nodes write. Those nodes' clocks may differ by a
few seconds; activity may be recorded a while after it happened (progress from
a SCORM package or an import lands late, with the earlier time); and learners
can share the checkpoint's exact timestamp. Re-reading learners active in the
hour before the checkpoint costs a few reads and misses none of them.

The checkpoint a run leaves is the newest ``latest_activity`` it listed, but
never later than the time the run started (by this machine's clock): activity
recorded while the run was listing can carry an older timestamp than a learner
listed later, and those learners must be read again next time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from typing import Any, Final

import attrs

from ..models import UserOverview, UserPublishedCourseProgress

__all__ = ["DEFAULT_OVERLAP", "Clock", "Selection", "utc_now"]

#: How far before the checkpoint an incremental run starts reading (see the module doc).
DEFAULT_OVERLAP: Final = dt.timedelta(hours=1)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """`value` as an aware date-time; a naive one is taken as UTC (as the converter does)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 text, or None."""
    return None if value is None else value.isoformat()


@attrs.frozen(kw_only=True)
class Selection:
    """The parameters that define a report and the learners and rows it takes."""

    domain: str | None = None
    published_course_ids: frozenset[str] | None = None
    since: dt.datetime | None = None  #: learners active at or after this are read
    overlap: dt.timedelta = DEFAULT_OVERLAP

    @classmethod
    def build(
        cls,
        *,
        domain: str | None,
        published_course_ids: Iterable[str] | None,
        since: dt.datetime | None,
        overlap: dt.timedelta,
    ) -> Selection:
        """Check the arguments (before any call is made) and build the selection."""
        if overlap < dt.timedelta(0):
            raise ValueError(f"overlap must be >= 0, got {overlap!r}")
        if domain is not None and not domain:
            raise ValueError("domain must be a non-empty domain name or None")
        if isinstance(published_course_ids, str):
            raise TypeError("published_course_ids must be a collection of ids, not a string")
        ids = None if published_course_ids is None else frozenset(published_course_ids)
        start = None if since is None else as_utc(since)
        return cls(domain=domain, published_course_ids=ids, since=start, overlap=overlap)

    @property
    def threshold(self) -> dt.datetime | None:
        """The earliest `latest_activity` a learner needs to be read (None: every learner)."""
        return None if self.since is None else self.since - self.overlap

    def params(self) -> dict[str, Any]:
        """What defines the report's rows: a checkpoint is valid only for the same values."""
        ids = self.published_course_ids
        return {"domain": self.domain, "published_course_ids": None if ids is None else sorted(ids)}

    def with_since(self, since: dt.datetime | None) -> Selection:
        """The same report starting at `since`."""
        return attrs.evolve(self, since=since)

    def wants_learner(self, row: UserOverview) -> bool:
        """Whether the learner of this ``/v1/users`` row needs a progress read."""
        threshold = self.threshold
        if threshold is None:
            return True
        activity = row.latest_activity
        return activity is not None and activity >= threshold

    def wants(self, item: UserPublishedCourseProgress) -> bool:
        """Whether one element of a learner's published-courses array is in the report.

        The per-learner list is filtered here rather than fetching one course with
        the per-course endpoint, which resolves by the underlying course and may
        answer with another domain's publication.
        """
        if self.domain is not None and item.domain_name != self.domain:
            return False
        ids: Collection[str] | None = self.published_course_ids
        return ids is None or item.published_course_id in ids


def newest(*stamps: dt.datetime | None) -> dt.datetime | None:
    """The latest of the given date-times, ignoring None."""
    present = [s for s in stamps if s is not None]
    return max(present) if present else None


def next_checkpoint(
    *, listed: dt.datetime | None, since: dt.datetime | None, started: dt.datetime
) -> dt.datetime | None:
    """The checkpoint a completed run leaves (see the module doc for the cap)."""
    top = newest(listed, since)
    return None if top is None else min(top, started)
