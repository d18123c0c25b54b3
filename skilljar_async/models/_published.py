"""Courses and learning paths as published on a domain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from .._fields import extra_field
from ._common import CourseSummary, Offer

__all__ = ["Path", "PublishedCourse", "PublishedPath"]


@attrs.frozen(kw_only=True)
class PublishedCourse:
    """A course published on a domain (`PublishedCourse`, `…Detail`, `…Create`).

    ``course`` is a summary; the single-item view adds its descriptions. Fields that
    ``include_searchable_content=true`` adds to list rows (``lesson_list``, ``tags``,
    ``search_keywords``, ...) are undocumented in shape and land in ``extra``.
    """

    id: str
    course: CourseSummary | None = None
    slug: str | None = None
    course_url: str | None = None
    hidden: bool | None = None
    strict_enforce_group_visibility: bool | None = None
    registration_required: bool | None = None
    registration_starts_at: dt.datetime | None = None
    registration_ends_at: dt.datetime | None = None
    restrict_access_start_end_dates: bool | None = None
    allow_self_service_reenroll: bool | None = None
    unique_progress_per_enrollment: bool | None = None
    require_all_prerequisites: bool | None = None
    timezone: str | None = None
    offer: Offer | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class Path:
    """A learning path definition as nested in a published path (`Path`, `CreatePath`)."""

    id: str
    title: str | None = None
    promo_image_url: str | None = None
    short_description: str | None = None
    long_description_html: str | None = None
    header_html: str | None = None
    course_name_singular: str | None = None
    course_name_plural: str | None = None
    path_item_count: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class PublishedPath:
    """A learning path published on a domain (`PublishedPath`, `UpdatePublishedPath`)."""

    id: str
    slug: str | None = None
    path: Path | None = None
    path_url: str | None = None
    hidden: bool | None = None
    strict_enforce_group_visibility: bool | None = None
    offer: Offer | None = None
    unique_progress_per_enrollment: bool | None = None
    created_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    extra: Mapping[str, Any] = extra_field()
