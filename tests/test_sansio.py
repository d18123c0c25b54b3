"""Pure request building and response interpretation."""

import base64
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest

from skilljar_async import (
    APIStatusError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from skilljar_async._sansio import (
    USER_AGENT,
    auth_headers,
    encode_params,
    error_for,
    parse_body,
    parse_retry_after,
    redact,
    resolve_url,
)

BASE = "https://api.skilljar.com/v1"


def test_auth_headers_are_basic_with_empty_password() -> None:
    """The key is the Basic-auth user with an empty password; JSON is asked for."""
    headers = auth_headers("sk-live-abcdeg")
    assert headers["Authorization"] == "Basic c2stbGl2ZS1hYmNkZWc6"
    assert base64.b64decode(headers["Authorization"][6:]) == b"sk-live-abcdeg:"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("skilljar-async/")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/users", f"{BASE}/users"),
        ("users", f"{BASE}/users"),
        (f"{BASE}/users?cursor=abc", f"{BASE}/users?cursor=abc"),
        ("https://API.skilljar.com:443/v1/x", "https://API.skilljar.com:443/v1/x"),
    ],
)
def test_resolve_url(path: str, expected: str) -> None:
    """Relative paths join the base URL; absolute ones must share its origin."""
    assert resolve_url(BASE + "/", path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example.com/v1/users",
        "http://api.skilljar.com/v1/users",
        "https://api.skilljar.com:8443/v1/users",
    ],
)
def test_resolve_url_refuses_other_origins(path: str) -> None:
    """The key is never sent to another scheme, host or port."""
    with pytest.raises(ValueError, match="another origin"):
        resolve_url(BASE, path)


def test_encode_params() -> None:
    """None is dropped, booleans are lowercase words, datetimes ISO 8601."""
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert encode_params({"a": None, "b": True, "c": False, "d": 5, "e": when}) == {
        "b": "true",
        "c": "false",
        "d": "5",
        "e": "2026-01-02T03:04:05+00:00",
    }
    assert encode_params({}) is None
    assert encode_params({"a": None}) is None


NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("soon", None),
        ("nan", None),
        (format_datetime(datetime.fromtimestamp(NOW + 30, UTC), usegmt=True), 30.0),
        (format_datetime(datetime.fromtimestamp(NOW - 30, UTC), usegmt=True), 0.0),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    """Retry-After as seconds or an HTTP date; garbage is None, the past is zero."""
    assert parse_retry_after(header, now=NOW) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", None),
        (b"  ", None),
        (b'{"detail": "Not found."}', {"detail": "Not found."}),
        (b"[1, 2]", [1, 2]),
        (b"<html><h1>502 Bad Gateway</h1></html>", "<html><h1>502 Bad Gateway</h1></html>"),
    ],
)
def test_parse_body(raw: bytes, expected: Any) -> None:
    """JSON when it parses, text for HTML error pages, None when empty."""
    assert parse_body(raw, None) == expected


def test_parse_body_caps_huge_text() -> None:
    """A huge non-JSON page is cut, never kept whole on an exception."""
    assert len(parse_body(b"x" * 10_000, "text/html")) < 2100


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (418, APIStatusError),
    ],
)
def test_status_maps_to_error(status: int, cls: type[APIStatusError]) -> None:
    """Each status has its typed error carrying status, body, method, URL and attempts."""
    err = error_for(
        status, {"detail": "x"}, method="GET", url=f"{BASE}/u", attempts=2, retry_after=None
    )
    assert type(err) is cls
    assert (err.status, err.body, err.method, err.url, err.attempts) == (
        status,
        {"detail": "x"},
        "GET",
        f"{BASE}/u",
        2,
    )


def test_permission_error_hints_at_read_only_keys() -> None:
    """A 403 says read-only keys cannot write."""
    err = error_for(403, {"detail": "nope"}, method="POST", url=BASE, attempts=1, retry_after=None)
    assert "read-only" in str(err)


def test_rate_limit_error_keeps_retry_after() -> None:
    """A 429 error carries the server's Retry-After."""
    err = error_for(429, None, method="GET", url=BASE, attempts=3, retry_after=12.0)
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 12.0


def test_validation_error_fields_are_readable() -> None:
    """Nested DRF field errors flatten to dotted names."""
    body = {
        "user": {"email": ["Enter a valid email address."]},
        "non_field_errors": ["Bad."],
        "query_params": "Course ID required as a query parameter",
    }
    err = error_for(400, body, method="POST", url=BASE, attempts=1, retry_after=None)
    assert isinstance(err, ValidationError)
    assert err.field_errors == {
        "user.email": ["Enter a valid email address."],
        "non_field_errors": ["Bad."],
        "query_params": ["Course ID required as a query parameter"],
    }
    assert "user: Enter a valid email address." in str(err)


def test_html_error_page_is_text_not_a_crash() -> None:
    """An HTML 502 page is kept as text and summarised."""
    err = error_for(
        502, "<html>bad gateway</html>", method="GET", url=BASE, attempts=4, retry_after=None
    )
    assert err.body == "<html>bad gateway</html>"
    assert "502" in str(err)


def test_secrets_are_redacted_in_error_bodies() -> None:
    """Webhook passwords, SSO tokens and presigned URLs never reach an exception."""
    body = {
        "basic_auth_password": "hunter2",
        "results": [
            {"login_token": "tok-123", "download_url": "https://s3/x?Signature=abc", "ok": 1}
        ],
        "additional_headers": {"X-Secret": "s3cr3t"},
        "target_url": "https://h/?token=t",
    }
    err = error_for(400, body, method="POST", url=BASE, attempts=1, retry_after=None)
    text = repr(err) + str(err) + repr(err.body)
    for secret in ("hunter2", "tok-123", "Signature=abc", "s3cr3t", "token=t"):
        assert secret not in text
    assert redact({"ok": [1, {"login_token": "x"}]}) == {"ok": [1, {"login_token": "<redacted>"}]}


def test_invite_tokens_and_processor_data_are_redacted_in_error_bodies() -> None:
    """An error body echoing an invite's token and URL, or processor data, is redacted."""
    body = {
        "detail": "invite expired",
        "invite": {"token": "inv-tok-9", "invite_url": "https://x/i?k=inv-url-9"},
        "payment_processor_response_data": "card-4242",
    }
    err = error_for(409, body, method="POST", url=BASE, attempts=1, retry_after=None)
    text = repr(err) + str(err) + repr(err.body)
    for secret in ("inv-tok-9", "inv-url-9", "card-4242"):
        assert secret not in text
    assert err.body["invite"] == {"token": "<redacted>", "invite_url": "<redacted>"}
