"""Typed webhook event payloads and `parse_event` (no HTTP here; see `_receiver`).

Skilljar POSTs one JSON object per event. Every payload has ``event_type``,
``timestamp`` and ``user``; the rest depends on the type and is documented for a few
types only, so the models are lenient: every field is optional, undeclared keys land
in ``extra`` and an event type this version does not know parses as `UnknownEvent`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final, TypeAlias, TypeVar

import attrs
import cattrs

from .._convert import structure_strict
from .._fields import extra_field
from ..models import PaymentProcessor, PurchaseState, SignupFieldSummary, User

__all__ = [
    "CourseCompletionEvent",
    "CourseEnrollmentEvent",
    "DashboardTaskCreatedEvent",
    "DomainEnrollmentEvent",
    "EventCourse",
    "EventDomain",
    "EventPath",
    "EventPurchase",
    "EventSignupFieldValue",
    "LessonCompletionEvent",
    "PathCompletionEvent",
    "PathEnrollmentEvent",
    "PingEvent",
    "PurchaseFulfillmentEvent",
    "QuizCompletionEvent",
    "UnknownEvent",
    "ViltEventRegistrationEvent",
    "WebhookEvent",
    "parse_event",
]

E = TypeVar("E")


# --- objects nested in events ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class EventDomain:
    """The domain an event happened on."""

    id: str | None = None
    name: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class EventCourse:
    """The course of a course, lesson or quiz event; ``url`` is the published course's."""

    id: str | None = None
    title: str | None = None
    published_course_id: str | None = None
    url: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class EventPath:
    """The learning path of a path event; ``url`` is the published path's."""

    id: str | None = None
    title: str | None = None
    published_path_id: str | None = None
    url: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class EventPurchase:
    """The purchase behind an enrollment or a fulfilment; prices are decimal strings."""

    id: str | None = None
    order_id: str | None = None
    purchase_price: Decimal | None = None
    original_price: Decimal | None = None
    price_cents: int | None = None
    currency_code: str | None = None
    state: PurchaseState | str | None = None
    quantity: int | None = None
    purchased_at: dt.datetime | None = None
    payment_processor: PaymentProcessor | str | None = None
    payment_processor_order_id: str | None = None
    offer_sku: str | None = None
    promo_code_id: str | None = None
    promo_code: str | None = None
    promo_code_price_cents: int | None = None
    promo_code_percent_off: int | None = None
    promo_code_quantity: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class EventSignupFieldValue:
    """A learner's answer to one signup field, keyed by the field's id in the event."""

    value: str | None = None
    signup_field: SignupFieldSummary | None = None
    extra: Mapping[str, Any] = extra_field()


def _signup_fields() -> Any:
    """Declare the ``signup_fields`` mapping (field id -> answer)."""
    return attrs.field(factory=dict, hash=False)


# --- the events -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CourseCompletionEvent:
    """``COURSE_COMPLETION``: a learner completed a course."""

    event_type: str = "COURSE_COMPLETION"
    timestamp: dt.datetime | None = None
    user: User | None = None
    domain: EventDomain | None = None
    course: EventCourse | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class CourseEnrollmentEvent:
    """``COURSE_ENROLLMENT``: a learner enrolled in a course (``purchase`` when paid)."""

    event_type: str = "COURSE_ENROLLMENT"
    timestamp: dt.datetime | None = None
    user: User | None = None
    domain: EventDomain | None = None
    course: EventCourse | None = None
    purchase: EventPurchase | None = None
    domain_access_code: str | None = None
    signup_fields: Mapping[str, EventSignupFieldValue] = _signup_fields()
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class DomainEnrollmentEvent:
    """``DOMAIN_ENROLLMENT``: a learner joined a domain."""

    event_type: str = "DOMAIN_ENROLLMENT"
    timestamp: dt.datetime | None = None
    user: User | None = None
    domain: EventDomain | None = None
    domain_access_code: str | None = None
    signup_fields: Mapping[str, EventSignupFieldValue] = _signup_fields()
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class LessonCompletionEvent:
    """``LESSON_COMPLETION``: a learner completed a lesson (lesson fields land in ``extra``)."""

    event_type: str = "LESSON_COMPLETION"
    timestamp: dt.datetime | None = None
    user: User | None = None
    domain: EventDomain | None = None
    course: EventCourse | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class PathCompletionEvent:
    """``PATH_COMPLETION``: a learner completed a learning path."""

    event_type: str = "PATH_COMPLETION"
    timestamp: dt.datetime | None = None
    user: User | None = None
    domain: EventDomain | None = None
    path: EventPath | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class PathEnrollmentEvent:
    """``PATH_ENROLLMENT``: a learner enrolled in a learning path."""

    event_type: str = "PATH_ENROLLMENT"
    timestamp: dt.datetime | None = None
    user: User | None = None
    domain: EventDomain | None = None
    path: EventPath | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class PurchaseFulfillmentEvent:
    """``PURCHASE_FULFILLMENT``: a purchase was fulfilled."""

    event_type: str = "PURCHASE_FULFILLMENT"
    timestamp: dt.datetime | None = None
    user: User | None = None
    domain: EventDomain | None = None
    purchase: EventPurchase | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class QuizCompletionEvent:
    """``QUIZ_COMPLETION``: a learner finished a quiz (quiz fields land in ``extra``)."""

    event_type: str = "QUIZ_COMPLETION"
    timestamp: dt.datetime | None = None
    user: User | None = None
    domain: EventDomain | None = None
    course: EventCourse | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class ViltEventRegistrationEvent:
    """``VILT_EVENT_REGISTRATION``: a learner registered for a virtual ILT event."""

    event_type: str = "VILT_EVENT_REGISTRATION"
    timestamp: dt.datetime | None = None
    user: User | None = None
    domain: EventDomain | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class DashboardTaskCreatedEvent:
    """``DASHBOARD_TASK_CREATED``: a dashboard task was created (details in ``extra``)."""

    event_type: str = "DASHBOARD_TASK_CREATED"
    timestamp: dt.datetime | None = None
    user: User | None = None
    domain: EventDomain | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class PingEvent:
    """``PING``: the test event sent by ``client.webhooks.ping``; everything else in ``extra``."""

    event_type: str = "PING"
    timestamp: dt.datetime | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class UnknownEvent:
    """An event type this version does not know: its type, and the payload in ``extra``."""

    event_type: str
    extra: Mapping[str, Any] = extra_field()


WebhookEvent: TypeAlias = (
    CourseCompletionEvent
    | CourseEnrollmentEvent
    | DomainEnrollmentEvent
    | LessonCompletionEvent
    | PathCompletionEvent
    | PathEnrollmentEvent
    | PurchaseFulfillmentEvent
    | QuizCompletionEvent
    | ViltEventRegistrationEvent
    | DashboardTaskCreatedEvent
    | PingEvent
    | UnknownEvent
)

_EVENT_CLASSES: Final[Mapping[str, type[WebhookEvent]]] = {
    "COURSE_COMPLETION": CourseCompletionEvent,
    "COURSE_ENROLLMENT": CourseEnrollmentEvent,
    "DOMAIN_ENROLLMENT": DomainEnrollmentEvent,
    "LESSON_COMPLETION": LessonCompletionEvent,
    "PATH_COMPLETION": PathCompletionEvent,
    "PATH_ENROLLMENT": PathEnrollmentEvent,
    "PURCHASE_FULFILLMENT": PurchaseFulfillmentEvent,
    "QUIZ_COMPLETION": QuizCompletionEvent,
    "VILT_EVENT_REGISTRATION": ViltEventRegistrationEvent,
    "DASHBOARD_TASK_CREATED": DashboardTaskCreatedEvent,
    "PING": PingEvent,
}


def _payload(body: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    """Decode a request body into the event's JSON object."""
    if isinstance(body, Mapping):
        return body
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise ValueError("a webhook body must be a JSON object; it is not valid JSON") from None
    except RecursionError:
        raise ValueError("a webhook body must be a JSON object; it is nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError(f"a webhook body must be a JSON object, got {type(data).__name__}")
    return data


def parse_event(body: bytes | str | Mapping[str, Any]) -> WebhookEvent:
    """Parse one webhook delivery (raw bytes, text or decoded JSON) into its event model.

    Raises ValueError when the body is not a JSON object, has no string ``event_type``,
    or a documented field has the wrong shape.
    """
    data = _payload(body)
    event_type = data.get("event_type")
    if not isinstance(event_type, str) or not event_type:
        raise ValueError("a webhook body must carry a string event_type")
    cls = _EVENT_CLASSES.get(event_type, UnknownEvent)
    try:
        return structure_strict(data, cls)
    except cattrs.BaseValidationError as exc:
        problems = "; ".join(cattrs.transform_error(exc))
        raise ValueError(f"malformed {event_type} event: {problems}") from exc
