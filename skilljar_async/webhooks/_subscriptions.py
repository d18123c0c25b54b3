"""Webhook subscriptions and the result of pinging one."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from .._fields import extra_field, redact, redact_values

__all__ = ["WebHook", "WebHookDeactivateReason", "WebHookEventType", "WebHookPingResult"]


class WebHookEventType(enum.StrEnum):
    """The event a subscription receives (`EventTypeEnum`); None on a hook means all."""

    COURSE_COMPLETION = "COURSE_COMPLETION"
    COURSE_ENROLLMENT = "COURSE_ENROLLMENT"
    DOMAIN_ENROLLMENT = "DOMAIN_ENROLLMENT"
    LESSON_COMPLETION = "LESSON_COMPLETION"
    PATH_COMPLETION = "PATH_COMPLETION"
    PATH_ENROLLMENT = "PATH_ENROLLMENT"
    PURCHASE_FULFILLMENT = "PURCHASE_FULFILLMENT"
    QUIZ_COMPLETION = "QUIZ_COMPLETION"
    VILT_EVENT_REGISTRATION = "VILT_EVENT_REGISTRATION"
    DASHBOARD_TASK_CREATED = "DASHBOARD_TASK_CREATED"


class WebHookDeactivateReason(enum.StrEnum):
    """Why Skilljar switched a subscription off (`DeactivateReasonEnum`)."""

    HTTP_4XX_RESPONSE = "HTTP_4XX_RESPONSE"
    RETRY_COUNT = "RETRY_COUNT"
    TOO_MANY_REDIRECTS = "TOO_MANY_REDIRECTS"
    ORG_DISABLED = "ORG_DISABLED"


@attrs.frozen(kw_only=True)
class WebHook:
    """A webhook subscription (`WebHook`).

    The API returns its credentials in plain text, so the repr redacts
    ``target_url`` (it may carry a token), ``basic_auth_password`` and the values of
    ``additional_headers``; the attributes themselves hold the real values.
    """

    id: str
    target_url: str = attrs.field(repr=redact)
    active: bool | None = None
    deactivate_reason: WebHookDeactivateReason | str | None = None
    event_type: WebHookEventType | str | None = None
    basic_auth_username: str | None = None
    basic_auth_password: str | None = attrs.field(default=None, repr=redact)
    additional_headers: Mapping[str, str] | None = attrs.field(
        default=None, repr=redact_values, hash=False
    )
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class WebHookPingResult:
    """What happened when Skilljar sent a test PING event to a subscription."""

    succeeded: bool | None = None
    http_status_code: int | None = None
    message: str | None = None
    extra: Mapping[str, Any] = extra_field()
