"""The transport seam's values: `Request`, `Response`, `TransportError`."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from skilljar_async.transport import Request, Response, TransportError

KEY_HEADERS = {"Authorization": "Basic c2VjcmV0Og=="}


def test_request_repr_hides_headers() -> None:
    """The repr names method, URL and params, never the Authorization header."""
    request = Request("GET", "https://a.example/v1/users", KEY_HEADERS, {"page_size": "2"})
    text = repr(request)
    assert "c2VjcmV0Og" not in text
    assert "GET https://a.example/v1/users" in text
    assert "page_size" in text


def test_request_is_immutable() -> None:
    """A request's fields cannot be reassigned."""
    request = Request("GET", "https://a.example/v1/ping", KEY_HEADERS)
    with pytest.raises(AttributeError):
        request.url = "https://evil.example/"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("url", "params", "path", "query"),
    [
        ("https://a.example/v1/users", None, "/v1/users", {}),
        (
            "https://a.example/v1/users?cursor=x&page_size=2",
            None,
            "/v1/users",
            {"cursor": "x", "page_size": "2"},
        ),
        (
            "https://a.example/v1/users?page=2",
            {"page": "3", "q": "a b"},
            "/v1/users",
            {"page": "3", "q": "a b"},
        ),
        ("https://a.example/v1/users?blank=", None, "/v1/users", {"blank": ""}),
    ],
)
def test_request_path_and_query(
    url: str, params: dict[str, str] | None, path: str, query: dict[str, str]
) -> None:
    """`path` is the URL's path; `query` merges the URL's parameters with `params`."""
    request = Request("GET", url, {}, params)
    assert (request.path, request.query) == (path, query)


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "5"},
        {"RETRY-AFTER": "5"},
        CIMultiDictProxy(CIMultiDict({"Retry-After": "5"})),
    ],
)
def test_response_header_is_case_insensitive(headers: dict[str, str]) -> None:
    """`header()` finds a name in any case, in a plain dict or a multidict."""
    response = Response(429, headers)
    assert response.header("Retry-After") == "5"
    assert response.header("X-Missing") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("application/json; charset=utf-8", "application/json"),
        ("Text/HTML", "text/html"),
        ("", None),
        (None, None),
    ],
)
def test_response_content_type(value: str | None, expected: str | None) -> None:
    """The media type comes from Content-Type, lower-cased, without parameters."""
    headers = {} if value is None else {"content-type": value}
    assert Response(200, headers).content_type == expected


def test_response_defaults() -> None:
    """A bare status is a response with no headers and an empty body."""
    response = Response(204)
    assert (response.status, dict(response.headers), response.body) == (204, {}, b"")
    assert response.content_type is None


def test_response_from_json() -> None:
    """`from_json` encodes the body, sets the content type and keeps given headers."""
    response = Response.from_json({"id": "é"}, status=201, headers={"Retry-After": "3"})
    assert (response.status, response.content_type, response.header("retry-after")) == (
        201,
        "application/json",
        "3",
    )
    assert response.body == b'{"id": "\\u00e9"}'
    text = Response.from_json([], headers={"Content-Type": "application/vnd.x+json"})
    assert text.content_type == "application/vnd.x+json"


def test_transport_error_defaults_to_maybe_sent() -> None:
    """Without flags a failure counts as possibly sent and not a timeout: the safe reading."""
    error = TransportError("reset")
    assert (str(error), error.sent, error.timeout) == ("reset", True, False)
