"""`ProgressRow`: one learner in one published course, and its CSV / JSON lines forms.

A row copies named fields only, so nothing the API adds later (such as a
presigned download link) reaches a report unless it is added here on purpose.
The certificate's ``validate_url`` is kept: it is the public page that proves a
certificate, printed on the certificate itself.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from typing import Any

import attrs

from .._convert import unstructure
from ..models import UserOverview, UserPublishedCourseProgress

__all__ = [
    "CertificateInfo",
    "Learner",
    "ProgressRow",
    "csv_cells",
    "csv_columns",
    "json_record",
    "learner_of",
    "neutralise_cell",
    "row_from_progress",
]

#: A spreadsheet treats a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@attrs.frozen(kw_only=True)
class Learner:
    """The person a row is about."""

    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@attrs.frozen(kw_only=True)
class CertificateInfo:
    """The certificate earned in the course (v1 exposes certificates only here)."""

    code: str | None = None
    issued_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    validate_url: str | None = None


@attrs.frozen(kw_only=True)
class ProgressRow:
    """A learner's enrollment and progress in one published course."""

    learner: Learner
    domain: str | None
    published_course_id: str
    course_id: str | None = None
    course_title: str | None = None
    enrollment_id: str | None = None
    enrolled_at: dt.datetime | None = None
    completed_lesson_count: int | None = None
    lesson_count: int | None = None
    completed_required_lesson_count: int | None = None
    required_lesson_count: int | None = None
    completed_at: dt.datetime | None = None
    latest_activity: dt.datetime | None = None
    score: int | None = None
    max_score: int | None = None
    credits_earned: str | None = None
    success_status: str | None = None
    certificate: CertificateInfo | None = None


def row_from_progress(learner: Learner, item: UserPublishedCourseProgress) -> ProgressRow:
    """Build the report row of one element of a learner's published-courses array."""
    progress = item.course_progress
    course = item.course
    status = progress.success_status
    return ProgressRow(
        learner=learner,
        domain=item.domain_name,
        published_course_id=item.published_course_id,
        course_id=course.id if course else None,
        course_title=course.title if course else None,
        enrollment_id=item.enrollment_id,
        enrolled_at=item.enrolled_at,
        completed_lesson_count=progress.completed_lesson_count,
        lesson_count=course.lesson_count if course else None,
        completed_required_lesson_count=progress.completed_required_lesson_count,
        required_lesson_count=course.required_lesson_count if course else None,
        completed_at=progress.completed_at,
        latest_activity=progress.latest_activity,
        score=progress.score,
        max_score=progress.max_score,
        credits_earned=progress.credits_earned,
        success_status=None if status is None else str(status),
        certificate=_certificate(item),
    )


def _certificate(item: UserPublishedCourseProgress) -> CertificateInfo | None:
    cert = item.certificate
    if cert is None:
        return None
    return CertificateInfo(
        code=cert.code,
        issued_at=cert.issued_at,
        expires_at=cert.expires_at,
        validate_url=cert.validate_url,
    )


def learner_of(overview: UserOverview) -> Learner:
    """The `Learner` of a ``/v1/users`` row."""
    user = overview.user
    return Learner(
        id=user.id, email=user.email, first_name=user.first_name, last_name=user.last_name
    )


# -- flat and nested forms ---------------------------------------------------------


#: The nested parts of a row and their classes; every other field is a leaf.
_NESTED: dict[str, type[Any]] = {"learner": Learner, "certificate": CertificateInfo}


def _paths() -> Iterator[tuple[str, ...]]:
    for field in attrs.fields(ProgressRow):
        nested = _NESTED.get(field.name)
        if nested is None:
            yield (field.name,)
        else:
            yield from ((field.name, leaf.name) for leaf in attrs.fields(nested))


@functools.cache
def _column_paths() -> tuple[tuple[str, ...], ...]:
    return tuple(_paths())


def csv_columns() -> tuple[str, ...]:
    """The CSV header: every leaf field of `ProgressRow`, dotted (``learner.email``)."""
    return tuple(".".join(path) for path in _column_paths())


def csv_cells(row: ProgressRow, *, neutralise: bool = True) -> list[str]:
    """One CSV record in `csv_columns` order: ISO date-times, empty for None, neutralised.

    ``neutralise=False`` keeps cells that start like a formula as they are.
    """
    cells = []
    for path in _column_paths():
        value: Any = row
        for name in path:
            value = None if value is None else getattr(value, name)
        text = _text(value)
        cells.append(neutralise_cell(text) if neutralise else text)
    return cells


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def neutralise_cell(text: str) -> str:
    """Prefix a single quote to a cell a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def json_record(row: ProgressRow) -> dict[str, Any]:
    """The row as JSON-ready data, nesting kept (``{"learner": {...}, ...}``)."""
    record: dict[str, Any] = unstructure(row)
    return record
