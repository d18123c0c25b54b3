"""Small objects nested inside several resource families: people, course summaries, prices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from .._fields import extra_field

__all__ = ["CourseSummary", "Offer", "Price", "User"]


@attrs.frozen(kw_only=True)
class User:
    """A learner as nested in other objects (spec `User`, `ReadOnlyUser`, `UserUpdate`).

    Only ``id`` is always present; the read-only id-lookup form used in enrollments may
    omit the rest. ``full_name`` and ``inactive_at`` appear on some endpoints only.
    """

    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    inactive_at: dt.datetime | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class CourseSummary:
    """A course as nested in publications and progress (`CourseSummary`, `CourseDetail`).

    The descriptions are filled only by the single published-course view.
    """

    id: str
    title: str | None = None
    lesson_count: int | None = None
    required_lesson_count: int | None = None
    short_description: str | None = None
    long_description_html: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class Price:
    """An amount of money: a decimal amount (sent as a string) and an ISO currency code."""

    amount: Decimal | None = None
    currency_code: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class Offer:
    """How a published course or path is sold: open registration and its price."""

    id: str | None = None
    registration_open: bool | None = None
    registration_url: str | None = None
    price: Price | None = None
    extra: Mapping[str, Any] = extra_field()
