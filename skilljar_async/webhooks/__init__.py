"""Receive Skilljar webhook deliveries: typed event models, `parse_event`, `webhook_handler`.

Skilljar POSTs one JSON object per event to a subscription's ``target_url``. Parse it
with `parse_event` (raw bytes, text or decoded JSON) to get one of the event models;
an event type this version does not know comes back as `UnknownEvent`, and keys a
model does not declare are kept in its ``extra``.

There is no signature to verify: authenticate deliveries with the credentials the
subscription sends (HTTP Basic, or a shared header from ``additional_headers``).
`webhook_handler` does that in constant time for aiohttp apps::

    async def on_event(event: WebhookEvent) -> None:
        if isinstance(event, CourseCompletionEvent):
            ...

    app.router.add_post("/skilljar", webhook_handler(on_event, header=("X-Hook-Secret", s)))

Subscriptions themselves are managed through ``client.webhooks``; their models
(`WebHook`, `WebHookEventType`, ...) live here too and are re-exported by
`skilljar_async.models`. Names load on first use: that keeps ``models`` free of an
import cycle with the event models, and aiohttp's server half unloaded until
`webhook_handler` is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._events import CourseCompletionEvent as CourseCompletionEvent
    from ._events import CourseEnrollmentEvent as CourseEnrollmentEvent
    from ._events import DashboardTaskCreatedEvent as DashboardTaskCreatedEvent
    from ._events import DomainEnrollmentEvent as DomainEnrollmentEvent
    from ._events import EventCourse as EventCourse
    from ._events import EventDomain as EventDomain
    from ._events import EventPath as EventPath
    from ._events import EventPurchase as EventPurchase
    from ._events import EventSignupFieldValue as EventSignupFieldValue
    from ._events import LessonCompletionEvent as LessonCompletionEvent
    from ._events import PathCompletionEvent as PathCompletionEvent
    from ._events import PathEnrollmentEvent as PathEnrollmentEvent
    from ._events import PingEvent as PingEvent
    from ._events import PurchaseFulfillmentEvent as PurchaseFulfillmentEvent
    from ._events import QuizCompletionEvent as QuizCompletionEvent
    from ._events import UnknownEvent as UnknownEvent
    from ._events import ViltEventRegistrationEvent as ViltEventRegistrationEvent
    from ._events import WebhookEvent as WebhookEvent
    from ._events import parse_event as parse_event
    from ._receiver import EventCallback as EventCallback
    from ._receiver import webhook_handler as webhook_handler
    from ._subscriptions import WebHook as WebHook
    from ._subscriptions import WebHookDeactivateReason as WebHookDeactivateReason
    from ._subscriptions import WebHookEventType as WebHookEventType
    from ._subscriptions import WebHookPingResult as WebHookPingResult

#: Where each public name is defined (imported on first access).
_HOMES = {
    **dict.fromkeys(
        [
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
        ],
        "._events",
    ),
    **dict.fromkeys(["EventCallback", "webhook_handler"], "._receiver"),
    **dict.fromkeys(
        ["WebHook", "WebHookDeactivateReason", "WebHookEventType", "WebHookPingResult"],
        "._subscriptions",
    ),
}

__all__ = [
    "CourseCompletionEvent",
    "CourseEnrollmentEvent",
    "DashboardTaskCreatedEvent",
    "DomainEnrollmentEvent",
    "EventCallback",
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
    "WebHook",
    "WebHookDeactivateReason",
    "WebHookEventType",
    "WebHookPingResult",
    "WebhookEvent",
    "parse_event",
    "webhook_handler",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its home module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
