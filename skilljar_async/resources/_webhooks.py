"""`client.webhooks`: webhook subscriptions and test pings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._convert import structure, structurer
from .._lazy import SubResource
from ..models import WebHook, WebHookEventType, WebHookPingResult
from ._base import (
    NOT_GIVEN,
    NotGiven,
    Resource,
    body,
    build_path,
    optional_enum,
)

if TYPE_CHECKING:
    from .._pagination import AsyncPaginator
    from ._generated._webhooks import (
        WebHookSampleCourseCompletion,
        WebHookSampleCourseEnrollment,
        WebHookSampleDashboardTaskCreated,
        WebHookSampleDomainEnrollment,
        WebHookSampleLessonCompletion,
        WebHookSamplePathCompletion,
        WebHookSamplePathEnrollment,
        WebHookSamplePurchaseFulfillment,
        WebHookSampleQuizCompletion,
        WebHookSampleViltRegistration,
    )

__all__ = ["WebHookPing", "WebHooks"]

_parse_webhook = structurer(WebHook)


def _item_path(webhook_id: str) -> str:
    """Build one subscription's path, checking the id."""
    return build_path("/webhooks/{webhook_id}", webhook_id=webhook_id)


def _headers(additional_headers: Mapping[str, str] | NotGiven) -> Any:
    """Check extra delivery headers: a mapping of header name to string value."""
    if isinstance(additional_headers, NotGiven):
        return additional_headers
    if not isinstance(additional_headers, Mapping):
        raise ValueError("additional_headers must be a mapping of header names to values")
    for name, value in additional_headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            # Values are secrets: name the header, never echo the value.
            raise ValueError(f"additional_headers[{name!r}] must map a string to a string")
    return dict(additional_headers)


def _subscription(
    target_url: str | NotGiven,
    active: bool | NotGiven,
    event_type: WebHookEventType | str | NotGiven | None,
    basic_auth_username: str | NotGiven,
    basic_auth_password: str | NotGiven,
    additional_headers: Mapping[str, str] | NotGiven,
) -> dict[str, Any]:
    """Build a subscription body from the given fields."""
    # Checked here rather than with `text()` so the value, which may carry a token,
    # is never echoed in the error.
    if not isinstance(target_url, NotGiven) and (not isinstance(target_url, str) or not target_url):
        raise ValueError("target_url must be a non-empty string")
    return body(
        target_url=target_url,
        active=active,
        event_type=optional_enum("event_type", event_type, WebHookEventType),
        basic_auth_username=basic_auth_username,
        basic_auth_password=basic_auth_password,
        additional_headers=_headers(additional_headers),
    )


class WebHooks(Resource):
    """Webhook subscriptions (`/v1/webhooks`); ``ping`` sends a test event.

    The API returns credentials (password, header values, tokens in the URL) in plain
    text; the models redact them in their repr only. ``sample_<event>`` fetch a typed
    sample payload of each event type (see `skilljar_async.webhooks`).
    """

    __slots__ = ("__dict__",)  # caches the sub-resources

    ping: SubResource[WebHookPing] = SubResource("._webhooks", "WebHookPing")
    sample_course_completion: SubResource[WebHookSampleCourseCompletion] = SubResource(
        "._generated._webhooks", "WebHookSampleCourseCompletion"
    )
    sample_course_enrollment: SubResource[WebHookSampleCourseEnrollment] = SubResource(
        "._generated._webhooks", "WebHookSampleCourseEnrollment"
    )
    sample_dashboard_task_created: SubResource[WebHookSampleDashboardTaskCreated] = SubResource(
        "._generated._webhooks", "WebHookSampleDashboardTaskCreated"
    )
    sample_domain_enrollment: SubResource[WebHookSampleDomainEnrollment] = SubResource(
        "._generated._webhooks", "WebHookSampleDomainEnrollment"
    )
    sample_lesson_completion: SubResource[WebHookSampleLessonCompletion] = SubResource(
        "._generated._webhooks", "WebHookSampleLessonCompletion"
    )
    sample_path_completion: SubResource[WebHookSamplePathCompletion] = SubResource(
        "._generated._webhooks", "WebHookSamplePathCompletion"
    )
    sample_path_enrollment: SubResource[WebHookSamplePathEnrollment] = SubResource(
        "._generated._webhooks", "WebHookSamplePathEnrollment"
    )
    sample_purchase_fulfillment: SubResource[WebHookSamplePurchaseFulfillment] = SubResource(
        "._generated._webhooks", "WebHookSamplePurchaseFulfillment"
    )
    sample_quiz_completion: SubResource[WebHookSampleQuizCompletion] = SubResource(
        "._generated._webhooks", "WebHookSampleQuizCompletion"
    )
    sample_vilt_registration: SubResource[WebHookSampleViltRegistration] = SubResource(
        "._generated._webhooks", "WebHookSampleViltRegistration"
    )

    def list(
        self,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[WebHook]:
        """List subscriptions (``webhooks_list``); the API may ignore ``page_size`` here."""
        return self._list(
            "/webhooks",
            _parse_webhook,
            page_size=page_size,
            max_items=max_items,
            resume_from=resume_from,
        )

    async def create(
        self,
        *,
        target_url: str,
        event_type: WebHookEventType | str | NotGiven | None = NOT_GIVEN,
        active: bool | NotGiven = NOT_GIVEN,
        basic_auth_username: str | NotGiven = NOT_GIVEN,
        basic_auth_password: str | NotGiven = NOT_GIVEN,
        additional_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
    ) -> WebHook:
        """Subscribe a URL to events (``webhooks_create``); ``event_type=None`` means all.

        Not retried blindly: a repeated create makes a second subscription.
        """
        payload = _subscription(
            target_url,
            active,
            event_type,
            basic_auth_username,
            basic_auth_password,
            additional_headers,
        )
        data = await self._client._request("POST", "/webhooks", json=payload)
        return structure(data, WebHook)

    async def retrieve(self, webhook_id: str) -> WebHook:
        """Get one subscription (``webhooks_retrieve``)."""
        data = await self._client._request("GET", _item_path(webhook_id))
        return structure(data, WebHook)

    async def update(
        self,
        webhook_id: str,
        *,
        target_url: str | NotGiven = NOT_GIVEN,
        event_type: WebHookEventType | str | NotGiven | None = NOT_GIVEN,
        active: bool | NotGiven = NOT_GIVEN,
        basic_auth_username: str | NotGiven = NOT_GIVEN,
        basic_auth_password: str | NotGiven = NOT_GIVEN,
        additional_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
    ) -> WebHook:
        """Change a subscription with PUT (``webhooks_update``); only given fields are sent."""
        payload = _subscription(
            target_url,
            active,
            event_type,
            basic_auth_username,
            basic_auth_password,
            additional_headers,
        )
        return await self._save("PUT", webhook_id, payload)

    async def partial_update(
        self,
        webhook_id: str,
        *,
        target_url: str | NotGiven = NOT_GIVEN,
        event_type: WebHookEventType | str | NotGiven | None = NOT_GIVEN,
        active: bool | NotGiven = NOT_GIVEN,
        basic_auth_username: str | NotGiven = NOT_GIVEN,
        basic_auth_password: str | NotGiven = NOT_GIVEN,
        additional_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
    ) -> WebHook:
        """Change a subscription with PATCH (``webhooks_partial_update``)."""
        payload = _subscription(
            target_url,
            active,
            event_type,
            basic_auth_username,
            basic_auth_password,
            additional_headers,
        )
        return await self._save("PATCH", webhook_id, payload)

    async def destroy(self, webhook_id: str) -> None:
        """Delete a subscription (``webhooks_destroy``); its events stop at once.

        A 404 on a retry after an attempt that may have reached the server means that
        attempt deleted it: the call succeeds.
        """
        await self._client._request("DELETE", _item_path(webhook_id))

    async def _save(self, method: str, webhook_id: str, payload: dict[str, Any]) -> WebHook:
        """Send a subscription update with the given HTTP method."""
        data = await self._client._request(method, _item_path(webhook_id), json=payload)
        return structure(data, WebHook)


class WebHookPing(Resource):
    """`POST /v1/webhooks/{id}/ping`; also callable: ``client.webhooks.ping(webhook_id)``."""

    __slots__ = ()

    async def create(self, webhook_id: str) -> WebHookPingResult:
        """Send a test PING event to the subscription's URL now (``webhooks_ping_create``).

        A failed ping is reported in the result; it neither deactivates the
        subscription nor is retried by Skilljar.
        """
        path = build_path("/webhooks/{webhook_id}/ping", webhook_id=webhook_id)
        data = await self._client._request("POST", path)
        return structure(data, WebHookPingResult)

    async def __call__(self, webhook_id: str) -> WebHookPingResult:
        """Same as `create`."""
        return await self.create(webhook_id)
