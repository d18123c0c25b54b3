"""Webhook receivers: event parsing and the aiohttp handler's authentication."""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import skilljar_async.models
import skilljar_async.webhooks
from skilljar_async.models import PurchaseState
from skilljar_async.webhooks import (
    CourseCompletionEvent,
    CourseEnrollmentEvent,
    DashboardTaskCreatedEvent,
    DomainEnrollmentEvent,
    LessonCompletionEvent,
    PathCompletionEvent,
    PathEnrollmentEvent,
    PingEvent,
    PurchaseFulfillmentEvent,
    QuizCompletionEvent,
    UnknownEvent,
    ViltEventRegistrationEvent,
    WebhookEvent,
    parse_event,
    webhook_handler,
)

USER = {"id": "u1", "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"}

# The COURSE_ENROLLMENT shape is documented (NOTES §6); the others share its header.
ENROLLMENT: dict[str, Any] = {
    "event_type": "COURSE_ENROLLMENT",
    "timestamp": "2024-05-02T10:00:00.123456+00:00",
    "user": USER,
    "course": {"id": "c1", "title": "Intro", "published_course_id": "pc1", "url": "https://x"},
    "domain": {"id": "d1", "name": "learn.example.com"},
    "purchase": {
        "id": "p1",
        "purchase_price": "49.00",
        "original_price": "59.00",
        "state": "SUCCESS",
        "promo_code": "SPRING",
    },
    "domain_access_code": "",
    "signup_fields": {"f1": {"value": "Blue", "signup_field": {"id": "f1", "label": "Color"}}},
}

EVENT_CLASSES = {
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


@pytest.mark.parametrize("event_type", sorted(EVENT_CLASSES))
def test_each_event_type_parses_to_its_model(event_type: str) -> None:
    """Every documented type (and PING) gets its class; unknown keys land in ``extra``."""
    body = {"event_type": event_type, "timestamp": "2024-05-02T10:00:00Z", "novel": 1}
    event = parse_event(json.dumps(body).encode())
    assert type(event) is EVENT_CLASSES[event_type]
    assert event.event_type == event_type
    assert event.extra["novel"] == 1


def test_course_enrollment_fields() -> None:
    """The documented enrollment payload: purchase prices exact, signup answers by field id."""
    event = parse_event(ENROLLMENT)
    assert isinstance(event, CourseEnrollmentEvent)
    assert event.timestamp == dt.datetime(2024, 5, 2, 10, 0, 0, 123456, tzinfo=dt.UTC)
    assert event.user is not None
    assert event.user.email == "ada@example.com"
    assert event.purchase is not None
    assert event.purchase.purchase_price == Decimal("49.00")
    assert event.purchase.state is PurchaseState.SUCCESS
    assert event.signup_fields["f1"].value == "Blue"


def test_unknown_event_types_are_kept() -> None:
    """A type this version does not know is an `UnknownEvent` holding the whole payload."""
    event = parse_event('{"event_type": "CERTIFICATE_ISSUED", "certificate": {"code": "X"}}')
    assert isinstance(event, UnknownEvent)
    assert event.event_type == "CERTIFICATE_ISSUED"
    assert event.extra == {"certificate": {"code": "X"}}


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"no_type": true}', b'{"event_type": 5}', b"\xff\xfe"],
)
def test_bodies_that_are_not_events_raise(body: bytes) -> None:
    """Invalid JSON, non-objects and missing types are ValueErrors."""
    with pytest.raises(ValueError):
        parse_event(body)


def test_malformed_documented_field_names_the_field() -> None:
    """A documented field with the wrong shape raises a ValueError naming it."""
    with pytest.raises(ValueError, match="purchase"):
        parse_event({"event_type": "PURCHASE_FULFILLMENT", "purchase": "p1"})


# --- the aiohttp handler --------------------------------------------------------------------


class Receiver:
    """A test app around `webhook_handler`, recording what reaches the callback."""

    def __init__(self, **auth: Any) -> None:
        self.events: list[WebhookEvent] = []
        app = web.Application()
        app.router.add_post("/hook", webhook_handler(self.on_event, **auth))
        self.app = app

    async def on_event(self, event: WebhookEvent) -> None:
        self.events.append(event)


def basic(user: str, password: str) -> dict[str, str]:
    """An Authorization header."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
async def both() -> AsyncIterator[tuple[Receiver, TestClient[web.Request, web.Application]]]:
    """A receiver requiring Basic credentials and a shared header."""
    receiver = Receiver(basic_auth=("skilljar", "s3cret"), header=("X-Hook-Secret", "h3ader"))
    async with TestClient(TestServer(receiver.app)) as client:
        yield receiver, client


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("skilljar", "s3cret"),
        {"X-Hook-Secret": "h3ader"},
        {**basic("skilljar", "wrong"), "X-Hook-Secret": "h3ader"},
        {**basic("skilljar", "s3cret"), "X-Hook-Secret": "h3adeR"},
        {"Authorization": "Basic !!notbase64", "X-Hook-Secret": "h3ader"},
        {"Authorization": "Bearer s3cret", "X-Hook-Secret": "h3ader"},
    ],
)
async def test_requests_without_every_credential_get_401(
    both: tuple[Receiver, TestClient[web.Request, web.Application]], headers: dict[str, str]
) -> None:
    """Missing or wrong credentials: 401 with a Basic challenge, and no callback."""
    receiver, client = both
    response = await client.post("/hook", json=ENROLLMENT, headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert receiver.events == []


async def test_authenticated_event_reaches_the_callback(
    both: tuple[Receiver, TestClient[web.Request, web.Application]],
) -> None:
    """The right credentials: 200, and the callback gets the parsed event."""
    receiver, client = both
    headers = {**basic("skilljar", "s3cret"), "X-Hook-Secret": "h3ader"}
    response = await client.post("/hook", json=ENROLLMENT, headers=headers)
    assert response.status == 200
    assert [type(e) for e in receiver.events] == [CourseEnrollmentEvent]


async def test_header_only_receiver_rejects_a_bad_body_with_400() -> None:
    """A shared-header receiver: authenticated garbage is a 400 that never reaches the callback."""
    receiver = Receiver(header=("X-Hook-Secret", "h3ader"))
    async with TestClient(TestServer(receiver.app)) as client:
        ok = await client.post(
            "/hook", json={"event_type": "PING"}, headers={"X-Hook-Secret": "h3ader"}
        )
        bad = await client.post("/hook", data=b"nope", headers={"X-Hook-Secret": "h3ader"})
        anonymous = await client.post("/hook", json={"event_type": "PING"})
    assert (ok.status, bad.status, anonymous.status) == (200, 400, 401)
    assert "WWW-Authenticate" not in anonymous.headers
    assert [type(e) for e in receiver.events] == [PingEvent]


@pytest.mark.parametrize(
    "auth",
    [
        {},
        {"basic_auth": ("", "pw")},
        {"basic_auth": ("user", "")},
        {"basic_auth": ("us:er", "pw")},
        {"header": ("", "v")},
        {"header": ("X-Hook-Secret", "")},
    ],
)
def test_handler_refuses_to_run_without_a_real_credential(auth: dict[str, Any]) -> None:
    """No credential, or an empty one, would let anyone in: refused at construction."""

    async def ignore(event: WebhookEvent) -> None:
        return None

    with pytest.raises(ValueError):
        webhook_handler(ignore, **auth)


def test_subscription_models_live_with_the_events() -> None:
    """The event-type enum and subscription models are the webhooks package's, re-exported."""
    for name in ("WebHook", "WebHookDeactivateReason", "WebHookEventType", "WebHookPingResult"):
        model = getattr(skilljar_async.webhooks, name)
        assert getattr(skilljar_async.models, name) is model
        assert model.__module__ == "skilljar_async.webhooks._subscriptions"


def test_every_export_has_one_home() -> None:
    """The lazy-import table and `__all__` name the same things."""
    assert set(skilljar_async.webhooks._HOMES) == set(skilljar_async.webhooks.__all__)


def test_unknown_name_is_an_attribute_error() -> None:
    """A name the package does not export fails like any missing attribute."""
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = skilljar_async.webhooks.nope  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "first",
    ["skilljar_async.webhooks", "skilljar_async.models", "skilljar_async.webhooks._subscriptions"],
)
def test_imports_in_any_order_and_aiohttp_web_loads_last(first: str) -> None:
    """Any entry point imports cleanly; aiohttp.web loads only when the receiver is used."""
    code = f"""
import sys
import {first}
import skilljar_async.webhooks as hooks
from skilljar_async.webhooks import WebHookEventType, parse_event
assert parse_event(b'{{"event_type": "PING"}}').event_type == "PING"
assert WebHookEventType.PATH_COMPLETION == "PATH_COMPLETION"
assert "aiohttp.web" not in sys.modules, "aiohttp.web imported eagerly"
assert callable(hooks.webhook_handler) and "aiohttp.web" in sys.modules
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
