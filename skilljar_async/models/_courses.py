"""Courses (the content definitions, before publication on a domain)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

import attrs

from .._fields import extra_field

__all__ = ["Course", "CourseTimeFormat"]


class CourseTimeFormat(enum.StrEnum):
    """How course and lesson durations are displayed (`CourseAndLessonTimeFormatEnum`)."""

    HOURS_MINUTES_SECONDS = "HOURS_MINUTES_SECONDS"
    HOURS_MINUTES = "HOURS_MINUTES"
    HOURS_MINUTES_VERBOSE = "HOURS_MINUTES_VERBOSE"
    MINUTES_VERBOSE = "MINUTES_VERBOSE"


@attrs.frozen(kw_only=True)
class Course:
    """A course (`Course`); ``labels`` are label names, not ids."""

    id: str
    title: str | None = None
    short_description: str | None = None
    long_description_html: str | None = None
    enforce_sequential_navigation: bool | None = None
    labels: tuple[str, ...] = ()
    draft_origin_id: str | None = None
    promo_image_url: str | None = None
    display_course_and_lesson_time: bool | None = None
    manual_course_time: str | None = None
    display_manual_course_time: bool | None = None
    course_and_lesson_time_format: CourseTimeFormat | str | None = None
    course_time: str | None = None
    created_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    average_rating: float | None = None
    extra: Mapping[str, Any] = extra_field()
