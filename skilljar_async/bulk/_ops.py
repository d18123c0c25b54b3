"""Ready-made bulk operations: enroll learners, add domain users, update enrollments."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from .._client import SkilljarClient
from .._errors import NotFoundError
from .._types import NOT_GIVEN, NotGiven
from ..ratelimit import CallType
from ._journal import Journal
from ._runner import (
    BulkJob,
    BulkSummary,
    ItemResult,
    ItemStatus,
    JobStoppedError,
    Outcome,
    Progress,
)

__all__ = [
    "add_domain_users",
    "deactivate_enrollments",
    "enroll",
    "row_key",
    "run",
    "update_enrollments",
]

T = TypeVar("T")
Row = Mapping[str, str]
Rows = Iterable[Row] | AsyncIterable[Row]

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def row_key(row: Row) -> str:
    """The journal key of a learner row: its user id, else its email (lower case)."""
    user_id = (row.get("user_id") or "").strip()
    if user_id:
        return f"id:{user_id}"
    email = (row.get("email") or "").strip().lower()
    if email:
        return email
    return f"line:{row.get('_line', '?')}"


def _email_of(row: Row) -> str:
    email = (row.get("email") or "").strip().lower()
    if not _EMAIL.match(email):
        raise ValueError(f"not a valid email address: {email!r}")
    return email


async def run(
    client: SkilljarClient,
    items: Iterable[T] | AsyncIterable[T],
    fn: Callable[[T], Awaitable[Any]],
    *,
    key: Callable[[T], str],
    journal: str | None = None,
    job: Mapping[str, Any] | None = None,
    calls_per_item: Mapping[CallType, float] | None = None,
    **options: Any,
) -> BulkSummary:
    """Run `fn` over `items` (any client call); returns the summary.

    `fn` may return an `Outcome` (status and id) or anything else (success,
    with its ``id`` attribute if it has one). `options` go to `BulkJob`.
    """
    log = await _open_journal(journal, job or {"op": "run"}, {})
    try:
        runner: BulkJob[T] = BulkJob(client, journal=log, calls_per_item=calls_per_item, **options)
        return await runner.run(items, fn, key=key)
    finally:
        if log is not None:
            await log.aclose()


async def _open_journal(
    path: str | None, job: Mapping[str, Any], meta: Mapping[str, Any]
) -> Journal | None:
    if path is None:
        return None
    log = Journal(path, job=job)
    await log.aopen(meta)
    return log


async def _members(client: SkilljarClient, domain: str) -> dict[str, str]:
    """Email → user id of the domain's current members (reads only)."""
    out: dict[str, str] = {}
    try:
        async for member in client.domains.users.list(domain, page_size=1000):
            if member.user.email:
                out[member.user.email.lower()] = member.user.id
    except NotFoundError as exc:  # an unknown domain: every item would fail the same way
        raise JobStoppedError(exc) from exc
    return out


async def _add_member(client: SkilljarClient, domain: str, email: str, row: Row) -> str:
    """Add a learner to the domain (the API returns an existing one); their user id."""
    try:
        member = await client.domains.users.create(
            domain,
            email=email,
            first_name=(row.get("first_name") or "").strip() or NOT_GIVEN,
            last_name=(row.get("last_name") or "").strip() or NOT_GIVEN,
        )
    except NotFoundError as exc:  # the domain is the only path parameter: it is gone
        raise JobStoppedError(exc) from exc
    return member.user.id


class _Enroller:
    """Enroll one learner row, adding them to the domain first when only an email is known."""

    def __init__(
        self,
        client: SkilljarClient,
        domain: str,
        target: tuple[str, str],
        enrolled_at: dt.datetime,
        members: dict[str, str],
        enrolled: set[str],
    ) -> None:
        self.client = client
        self.domain = domain
        self.kind, self.target_id = target
        self.enrolled_at = enrolled_at
        self.members = members
        self.enrolled = enrolled

    async def __call__(self, row: Row) -> Outcome:
        user_id = (row.get("user_id") or "").strip() or await self._member(row)
        if user_id in self.enrolled:
            return Outcome(ItemStatus.EXISTED, user_id)
        domains = self.client.domains
        if self.kind == "course":
            enrollment = await domains.published_courses.enrollments.create(
                self.domain, self.target_id, user_id=user_id, enrolled_at=self.enrolled_at
            )
        else:
            enrollment = await domains.published_paths.published_path_enrollments.create(
                self.domain, self.target_id, user_id=user_id, enrolled_at=self.enrolled_at
            )
        return Outcome(ItemStatus.SUCCEEDED, enrollment.id)

    async def _member(self, row: Row) -> str:
        email = _email_of(row)
        known = self.members.get(email)
        if known is not None:
            return known
        return await _add_member(self.client, self.domain, email, row)


async def _enrolled_users(client: SkilljarClient, domain: str, target: tuple[str, str]) -> set[str]:
    kind, target_id = target
    domains = client.domains
    if kind == "course":
        rows = domains.published_courses.enrollments.list(domain, target_id, page_size=1000)
    else:
        rows = domains.published_paths.published_path_enrollments.list(
            domain, target_id, page_size=1000
        )
    try:
        return {e.user.id async for e in rows if e.active is not False}
    except NotFoundError as exc:  # an unknown course or path: every item would fail
        raise JobStoppedError(exc) from exc


async def enroll(
    client: SkilljarClient,
    rows: Rows,
    *,
    domain: str,
    published_course_id: str | None = None,
    published_path_id: str | None = None,
    journal: str | None = None,
    skip_existing: bool = True,
    total: int | None = None,
    concurrency: int = 16,
    on_progress: Callable[[Progress], None] | None = None,
    on_result: Callable[[ItemResult[Row]], None] | None = None,
) -> BulkSummary:
    """Enroll learner rows (``email``/``first_name``/``last_name`` or ``user_id``).

    A learner known only by email is added to the domain first (safe to repeat:
    the API returns the existing learner). With `skip_existing`, the domain's
    members and the course's enrollments are read first (reads have their own
    budget), so known learners cost no extra write and enrolled ones count as
    "existed". Every enrollment of the job carries the same ``enrolled_at``,
    kept in the journal, so retries, restarts and rows repeated in the input
    never enroll anyone twice (the API returns the enrollment it has). Memory
    does not grow with the input: only the up-front reads are kept.
    """
    if (published_course_id is None) == (published_path_id is None):
        raise ValueError("give exactly one of published_course_id and published_path_id")
    target: tuple[str, str] = (
        ("course", published_course_id)
        if published_course_id is not None
        else ("path", str(published_path_id))
    )
    job = {"op": "enroll", "domain": domain, target[0]: target[1]}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    log = await _open_journal(journal, job, {"enrolled_at": now})
    try:
        enrolled_at = dt.datetime.fromisoformat(log.meta["enrolled_at"] if log else now)
        members = await _members(client, domain) if skip_existing else {}
        enrolled = await _enrolled_users(client, domain, target) if skip_existing else set()
        enroller = _Enroller(client, domain, target, enrolled_at, members, enrolled)
        runner: BulkJob[Row] = BulkJob(
            client,
            journal=log,
            total=total,
            concurrency=concurrency,
            on_progress=on_progress,
            on_result=on_result,
            calls_per_item={CallType.MODIFY: 2.0},
        )
        return await runner.run(rows, enroller, key=row_key)
    finally:
        if log is not None:
            await log.aclose()


async def add_domain_users(
    client: SkilljarClient,
    rows: Rows,
    *,
    domain: str,
    journal: str | None = None,
    skip_existing: bool = True,
    **options: Any,
) -> BulkSummary:
    """Add learner rows (``email``, ``first_name``, ``last_name``) to a domain."""
    members = await _members(client, domain) if skip_existing else {}

    async def add(row: Row) -> Outcome:
        email = _email_of(row)
        if email in members:
            return Outcome(ItemStatus.EXISTED, members[email])
        return Outcome(ItemStatus.SUCCEEDED, await _add_member(client, domain, email, row))

    job = {"op": "domain-users-add", "domain": domain}
    return await run(client, rows, add, key=row_key, journal=journal, job=job, **options)


async def update_enrollments(
    client: SkilljarClient,
    rows: Rows,
    *,
    domain: str,
    published_course_id: str,
    active: bool | NotGiven = NOT_GIVEN,
    expires_at: dt.datetime | NotGiven | None = NOT_GIVEN,
    journal: str | None = None,
    **options: Any,
) -> BulkSummary:
    """Change ``active`` and/or ``expires_at`` of enrollment rows (``enrollment_id``)."""
    enrollments = client.domains.published_courses.enrollments

    async def change(row: Row) -> Outcome:
        enrollment_id = (row.get("enrollment_id") or "").strip()
        updated = await enrollments.partial_update(
            domain, published_course_id, enrollment_id, active=active, expires_at=expires_at
        )
        return Outcome(ItemStatus.SUCCEEDED, updated.id)

    # Everything that changes what the job writes is part of its identity, so a journal
    # of a deactivate run is never taken for a reactivate run's.
    job: dict[str, Any] = {
        "op": "enrollments-update",
        "domain": domain,
        "course": published_course_id,
    }
    if not isinstance(active, NotGiven):
        job["active"] = active
    if not isinstance(expires_at, NotGiven):
        job["expires_at"] = None if expires_at is None else expires_at.isoformat()
    return await run(
        client,
        rows,
        change,
        key=lambda row: row.get("enrollment_id") or row_key(row),
        journal=journal,
        job=job,
        **options,
    )


async def deactivate_enrollments(
    client: SkilljarClient, rows: Rows, *, domain: str, published_course_id: str, **options: Any
) -> BulkSummary:
    """Set ``active=False`` on enrollment rows (``enrollment_id``); the API never deletes them."""
    return await update_enrollments(
        client,
        rows,
        domain=domain,
        published_course_id=published_course_id,
        active=False,
        **options,
    )
