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
"""

from ._webhook_events import CourseCompletionEvent as CourseCompletionEvent
from ._webhook_events import CourseEnrollmentEvent as CourseEnrollmentEvent
from ._webhook_events import DashboardTaskCreatedEvent as DashboardTaskCreatedEvent
from ._webhook_events import DomainEnrollmentEvent as DomainEnrollmentEvent
from ._webhook_events import EventCourse as EventCourse
from ._webhook_events import EventDomain as EventDomain
from ._webhook_events import EventPath as EventPath
from ._webhook_events import EventPurchase as EventPurchase
from ._webhook_events import EventSignupFieldValue as EventSignupFieldValue
from ._webhook_events import LessonCompletionEvent as LessonCompletionEvent
from ._webhook_events import PathCompletionEvent as PathCompletionEvent
from ._webhook_events import PathEnrollmentEvent as PathEnrollmentEvent
from ._webhook_events import PingEvent as PingEvent
from ._webhook_events import PurchaseFulfillmentEvent as PurchaseFulfillmentEvent
from ._webhook_events import QuizCompletionEvent as QuizCompletionEvent
from ._webhook_events import UnknownEvent as UnknownEvent
from ._webhook_events import ViltEventRegistrationEvent as ViltEventRegistrationEvent
from ._webhook_events import WebhookEvent as WebhookEvent
from ._webhook_events import parse_event as parse_event
from ._webhook_receiver import EventCallback as EventCallback
from ._webhook_receiver import webhook_handler as webhook_handler

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
    "WebhookEvent",
    "parse_event",
    "webhook_handler",
]
