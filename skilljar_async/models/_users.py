"""Learners: the `/v1/users` rows and a learner's per-course progress."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

import attrs

from .._fields import extra_field
from ._common import CourseSummary, User

__all__ = [
    "Certificate",
    "CourseProgress",
    "SuccessStatus",
    "UserEnrollment",
    "UserOverview",
    "UserPublishedCourseProgress",
]


class SuccessStatus(enum.StrEnum):
    """Pass/fail outcome of a course or lesson (`SuccessStatusEnum`)."""

    PASSED = "PASSED"
    FAILED = "FAILED"


@attrs.frozen(kw_only=True)
class UserOverview:
    """One learner with activity totals (`UserOverview`).

    Returned by the `/v1/users` listing, user retrieve and anonymize. The person is
    nested under ``user``: the row itself has no ``id``.
    """

    user: User
    registration_count: int | None = None
    completion_count: int | None = None
    signed_up_at: dt.datetime | None = None
    latest_activity: dt.datetime | None = None
    inactive_at: dt.datetime | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class CourseProgress:
    """A learner's progress through one course (`CourseProgress`)."""

    course_progress_id: str | None = None
    completed_lesson_count: int | None = None
    completed_required_lesson_count: int | None = None
    completed_at: dt.datetime | None = None
    latest_activity: dt.datetime | None = None
    score: int | None = None
    max_score: int | None = None
    credits_earned: str | None = None
    credit_unit_plural: str | None = None
    success_status: SuccessStatus | str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class Certificate:
    """A certificate earned in a course; the only place v1 exposes certificates."""

    code: str | None = None
    validate_url: str | None = None
    issued_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class UserEnrollment:
    """One entry of a learner's enrollment history in a course (`UserEnrollment`)."""

    enrollment_id: str
    course_progress_id: str | None = None
    active: bool | None = None
    expires_at: dt.datetime | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class UserPublishedCourseProgress:
    """A learner's enrollment and progress in one published course.

    One element of the bare array from `/v1/users/{user_id}/published-courses`
    (`UserPublishedCourseProgress`); ``all_enrollments`` holds re-enrollment history.
    """

    published_course_id: str
    course_progress: CourseProgress
    domain_name: str | None = None
    enrolled_at: dt.datetime | None = None
    enrollment_id: str | None = None
    course: CourseSummary | None = None
    certificate: Certificate | None = None
    all_enrollments: tuple[UserEnrollment, ...] = ()
    extra: Mapping[str, Any] = extra_field()
