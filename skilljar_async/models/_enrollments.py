"""Enrollments of learners in published courses and published paths."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

import attrs

from .._fields import extra_field
from ._common import Price, User

__all__ = ["Enrollment", "EnrollmentPurchase", "PaymentProcessor", "PurchaseState"]


class PurchaseState(enum.StrEnum):
    """Lifecycle state of a purchase (`PurchaseStateEnum`)."""

    CREATED = "CREATED"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"
    CANCELLED = "CANCELLED"
    FLAGGED = "FLAGGED"
    PENDING = "PENDING"


class PaymentProcessor(enum.StrEnum):
    """Who processed a payment (`PaymentProcessorEnum`)."""

    NONE = "NONE"
    STRIPE = "STRIPE"
    STRIPE_BTC = "STRIPE_BTC"
    PAYPAL = "PAYPAL"
    PAYFLOW = "PAYFLOW"
    CYBERSRC = "CYBERSRC"
    MES = "MES"
    EXTERNAL = "EXTERNAL"


@attrs.frozen(kw_only=True)
class EnrollmentPurchase:
    """The purchase behind a paid enrollment (`EnrollmentPurchase`).

    When passed to an enrollment ``create``, only ``purchase_price``,
    ``purchase_state``, ``purchased_at`` and ``tax_price_cents`` are sent.
    """

    order_id: str | None = None
    offer_price: Price | None = None
    purchase_price: Price | None = None
    quantity: int | None = None
    purchase_state: PurchaseState | str | None = None
    payment_processor: PaymentProcessor | str | None = None
    purchase_id: str | None = None
    purchased_at: dt.datetime | None = None
    tax_price_cents: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class Enrollment:
    """A learner's enrollment in a published course or path.

    One shape for course enrollments (`Enrollment`, `CreateEnrollment`,
    `UpdateEnrollment`) and path enrollments (`PublishedPathEnrollment` and variants);
    ``rating`` and ``feedback`` exist for course enrollments only.
    """

    id: str
    user: User
    enrolled_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    active: bool | None = None
    purchase: EnrollmentPurchase | None = None
    rating: int | None = None
    feedback: str | None = None
    extra: Mapping[str, Any] = extra_field()
