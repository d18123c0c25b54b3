"""Defects found by probing the client, transport, parsing and webhook receiver."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st

from skilljar_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    NotFoundError,
    PaginationError,
    SkilljarClient,
    SkilljarError,
)
from skilljar_async._sansio import SECRET_KEYS, error_for
from skilljar_async.testing import MockTransport
from skilljar_async.transport import Request, Response, TransportError
from skilljar_async.webhooks import webhook_handler

BASE = "https://api.skilljar.com/v1"


def _client(handler: Any, **kwargs: Any) -> tuple[SkilljarClient, MockTransport]:
    mock = MockTransport(handler)
    return SkilljarClient("k", transport=mock, **kwargs), mock


# --- 6: a next link that repeats ------------------------------------------------------


@pytest.mark.looptime
async def test_repeated_next_link_raises_pagination_error() -> None:
    """Defect 6: a next link pointing back to a page already read looped forever."""

    def handler(request: Request) -> Response:
        page = request.query.get("page", "1")
        nxt = f"{BASE}/users?page={2 if page == '1' else 1}"
        return Response.from_json({"count": 9, "next": nxt, "results": [{"n": page}]})

    client, mock = _client(handler)
    rows = []
    with pytest.raises(PaginationError, match="repeat") as info:
        async for row in client.paginate("/users"):
            rows.append(row)
            assert len(rows) < 50, "the scan never ended"
    assert isinstance(info.value, SkilljarError)
    assert len(mock.requests) <= 4


@pytest.mark.looptime
async def test_empty_page_with_next_link_raises_pagination_error() -> None:
    """Defect 6: a page with no rows but a next link could walk an endless chain."""
    counter = iter(range(10**6))

    def handler(request: Request) -> Response:
        return Response.from_json({"next": f"{BASE}/users?c={next(counter)}", "results": []})

    client, mock = _client(handler)
    with pytest.raises(PaginationError, match="no rows"):
        async for _ in client.paginate("/users"):
            pass
    assert len(mock.requests) <= 3


@pytest.mark.looptime
async def test_last_empty_page_without_next_is_fine() -> None:
    """Defect 6: an empty last page (no next) still ends the scan quietly."""
    client, _ = _client(lambda r: Response.from_json({"next": None, "results": []}))
    assert [row async for row in client.paginate("/users")] == []


# --- 7: timeout with an injected session -----------------------------------------------


@contextlib.asynccontextmanager
async def _server(app: web.Application) -> AsyncIterator[TestServer]:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


def _stalling_app(seen: list[str], never: asyncio.Event, *, after_headers: bool) -> web.Application:

    async def stall(request: web.Request) -> web.StreamResponse:
        seen.append(request.path)
        if after_headers:
            response = web.StreamResponse(status=200)
            response.content_length = 100
            await response.prepare(request)
            await response.write(b"[")
        await never.wait()
        return web.Response()

    app = web.Application()
    app.router.add_get("/v1/slow", stall)
    return app


@pytest.mark.parametrize("after_headers", [False, True])
async def test_timeout_applies_to_an_injected_session(after_headers: bool) -> None:
    """Defect 7: with session= given, timeout= was ignored and a call ran on for seconds."""
    seen: list[str] = []
    never = asyncio.Event()
    async with _server(_stalling_app(seen, never, after_headers=after_headers)) as server:
        base = str(server.make_url("/v1"))
        async with aiohttp.ClientSession() as session:
            client = SkilljarClient("k", base_url=base, session=session, timeout=0.2, max_retries=0)
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises(APITimeoutError):
                await asyncio.wait_for(client.request("GET", "/slow"), 5)
            assert loop.time() - started < 2
            await client.aclose()
        never.set()
    assert seen == ["/v1/slow"]


# --- 8: one request per slot: no redirects, no silent retries ---------------------------


async def test_redirect_is_refused_not_followed() -> None:
    """Defect 8: a redirect sent a second request on one scheduler slot."""
    seen: list[str] = []

    async def moved(request: web.Request) -> web.Response:
        seen.append(request.path)
        raise web.HTTPFound("/v1/elsewhere")

    async def elsewhere(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response({"id": "x"})

    app = web.Application()
    app.router.add_get("/v1/moved", moved)
    app.router.add_get("/v1/elsewhere", elsewhere)
    async with _server(app) as server:
        async with SkilljarClient("k", base_url=str(server.make_url("/v1"))) as client:
            with pytest.raises(APIStatusError, match="redirect") as info:
                await client.request("GET", "/moved")
    assert info.value.status == 302
    assert "/v1/elsewhere" in str(info.value)
    assert seen == ["/v1/moved"]


async def _one_shot_server(counts: list[str]) -> asyncio.Server:
    """A keep-alive HTTP server that drops the connection at its second request on it."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        on_this_connection = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                counts.append(head.split(b" ", 2)[1].decode())
                on_this_connection += 1
                if on_this_connection == 2:
                    break  # a stale keep-alive connection: closed without an answer
                body = b"{}"
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\nConnection: keep-alive\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


@pytest.mark.parametrize("borrowed", [False, True])
async def test_no_silent_retry_below_the_client(borrowed: bool) -> None:
    """Defect 8: aiohttp resent an idempotent request on a stale connection, unaccounted."""
    counts: list[str] = []
    server = await _one_shot_server(counts)
    port = server.sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}/v1"
    async with contextlib.AsyncExitStack() as stack:
        session = await stack.enter_async_context(aiohttp.ClientSession()) if borrowed else None
        client = await stack.enter_async_context(
            SkilljarClient("k", base_url=base, session=session, max_retries=0)
        )
        await client.request("GET", "/ping")
        with pytest.raises(APIConnectionError):
            await client.request("GET", "/ping")
        sent = sum(client.stats.requests.values())
    server.close()
    await server.wait_closed()
    assert len(counts) == sent == 2


# --- 9: a retried DELETE that already happened ----------------------------------------


@pytest.mark.looptime
@pytest.mark.parametrize(
    "first", [Response(502), TransportError("dropped", timeout=True, sent=True)]
)
async def test_delete_retry_answering_404_is_success(first: Response | TransportError) -> None:
    """Defect 9: a DELETE retried after it reached the server reported 404 for a done deletion."""
    answers: list[Response | TransportError] = [first, Response.from_json({}, status=404)]

    def handler(request: Request) -> Response:
        answer = answers.pop(0)
        if isinstance(answer, TransportError):
            raise answer
        return answer

    client, mock = _client(handler)
    assert await client.request("DELETE", "/groups/g1") is None
    assert [r.method for r in mock.requests] == ["DELETE", "DELETE"]


@pytest.mark.looptime
async def test_delete_404_stays_an_error_when_nothing_arrived_before() -> None:
    """Defect 9: a 404 is still an error when no earlier attempt may have reached the server."""
    answers = [TransportError("refused", sent=False), Response.from_json({}, status=404)]

    def handler(request: Request) -> Response:
        answer = answers.pop(0)
        if isinstance(answer, TransportError):
            raise answer
        return answer

    client, _ = _client(handler)
    with pytest.raises(NotFoundError):
        await client.request("DELETE", "/groups/g1")
    client2, _ = _client(lambda r: Response.from_json({}, status=404))
    with pytest.raises(NotFoundError):
        await client2.request("DELETE", "/groups/g1")


@pytest.mark.looptime
async def test_get_404_after_a_retry_stays_an_error() -> None:
    """Defect 9: only DELETE reads a 404 on a retry as success."""
    answers = [Response(502), Response.from_json({}, status=404)]
    client, _ = _client(lambda r: answers.pop(0))
    with pytest.raises(NotFoundError):
        await client.request("GET", "/groups/g1")


# --- 14: cleartext base URLs -----------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    ["http://api.skilljar.com/v1", "http://10.0.0.1/v1", "ftp://api.skilljar.com/v1"],
)
def test_cleartext_base_url_is_refused(base_url: str) -> None:
    """Defect 14: a plain http:// base URL sent the key in cleartext without a word."""
    with pytest.raises(ValueError, match="https"):
        SkilljarClient("k", base_url=base_url, transport=MockTransport(lambda r: Response(200)))


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.skilljar.com/v1",
        "http://127.0.0.1:8080/v1",
        "http://127.5.6.7/v1",
        "http://localhost:9/v1",
        "http://[::1]:8080/v1",
    ],
)
def test_https_and_loopback_base_urls_are_accepted(base_url: str) -> None:
    """Defect 14: HTTPS anywhere and plain HTTP on loopback (the emulator) stay allowed."""
    client = SkilljarClient(
        "k", base_url=base_url, transport=MockTransport(lambda r: Response(200))
    )
    assert client.base_url == base_url


# --- 15: one secrets list --------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(SECRET_KEYS))
def test_error_bodies_redact_every_secret_key(key: str) -> None:
    """Defect 15: `token` and `invite_url` were hidden in reprs but stayed in error bodies."""
    secret = "s3cr3t-value"
    body = {key: secret, "nested": [{key: secret}], "detail": "bad"}
    error = error_for(400, body, method="POST", url=f"{BASE}/x", attempts=1, retry_after=None)
    shown = f"{error} {error!r} {error.body} {getattr(error, 'field_errors', '')}"
    assert secret not in shown
    assert error.body[key] == "<redacted>"


def test_secret_key_names_live_in_one_list() -> None:
    """Defect 15: the models and the generator read `SECRET_KEYS`; no other list exists."""
    import pathlib

    import skilljar_async

    root = pathlib.Path(skilljar_async.__file__).parent
    listed = []
    for path in root.rglob("*.py"):
        # The emulator's seed data names these fields as data, not as a list of secrets.
        if {"_generated", "testing"} & set(path.parts) or path.name == "_sansio.py":
            continue
        text = path.read_text()
        if sum(f'"{key}"' in text for key in SECRET_KEYS) >= 3:
            listed.append(path.name)
    assert listed == []


# --- 16: Redis URLs in errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://h:6380/2?password=hunter2", "redis://h:6380/2"),
        ("redis://user:hunter2@h/0", "redis://h:6379/0"),
        ("redis://:hunter2@h", "redis://h:6379/0"),
        ("rediss://default:hunter2@cache.example.com:6390/1", "rediss://cache.example.com:6390/1"),
        ("unix://:hunter2@/run/redis.sock?db=3", "unix:///run/redis.sock?db=3"),
        ("unix:///run/redis.sock?password=hunter2", "unix:///run/redis.sock?db=0"),
        ("redis://h/0?username=u&password=hunter2&db=4", "redis://h:6379/4"),
    ],
)
def test_redis_url_is_shown_without_credentials(url: str, shown: str) -> None:
    """Defect 16: a password in a Redis URL's query string appeared in the error."""
    from skilljar_async.ratelimit.redis._link import _redact

    assert _redact(url) == shown
    assert "hunter2" not in _redact(url)


# --- 18, 19: the webhook receiver ------------------------------------------------------


@contextlib.asynccontextmanager
async def _receiver(**kwargs: Any) -> AsyncIterator[tuple[TestClient[Any, Any], list[Any]]]:
    events: list[Any] = []

    async def on_event(event: Any) -> None:
        events.append(event)

    app = web.Application()
    app.router.add_post("/hook", webhook_handler(on_event, **kwargs))
    async with TestClient(TestServer(app, host="127.0.0.1")) as http:
        yield http, events


async def test_non_utf8_header_is_unauthorized_not_a_500() -> None:
    """Defect 18: a header that is not valid UTF-8 made the receiver answer 500."""
    async with _receiver(header=("X-Secret", "right")) as (http, events):
        for value in (b"\xff\xfe", "caf\u00e9".encode("latin-1")):
            reader, writer = await asyncio.open_connection("127.0.0.1", http.port)
            writer.write(
                b"POST /hook HTTP/1.1\r\nHost: x\r\nX-Secret: " + value + b"\r\n"
                b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
            )
            await writer.drain()
            status_line = await reader.readline()
            writer.close()
            assert status_line.split()[1] == b"401", status_line
    assert events == []


async def test_non_ascii_basic_credentials_are_unauthorized() -> None:
    """Defect 18: odd bytes in the Authorization header end as 401 too."""
    async with _receiver(basic_auth=("u", "p")) as (http, events):
        token = base64.b64encode(b"u:\xff").decode()
        response = await http.post("/hook", data=b"{}", headers={"Authorization": f"Basic {token}"})
        assert response.status == 401
    assert events == []


async def test_deeply_nested_json_is_a_400() -> None:
    """Defect 19: deeply nested JSON from an authenticated sender raised RecursionError → 500."""
    body = b'{"event_type": "ping", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    async with _receiver(header=("X-Secret", "right")) as (http, events):
        response = await http.post("/hook", data=body, headers={"X-Secret": "right"})
        assert response.status == 400
        assert "nested" in json.loads(await response.read())["detail"]
    assert events == []


# --- 20: responses that do not parse ---------------------------------------------------

PROGRESS_ROW: dict[str, Any] = {
    "published_course_id": "pc1",
    "course_progress": {"course_progress_id": "cp1", "completed_at": "2026-04-01T10:00:00Z"},
    "all_enrollments": [{"enrollment_id": "e1", "course_progress_id": "cp1", "active": True}],
}
ODD_ROW: dict[str, Any] = {
    "published_course_id": "pc2",
    "course_progress": {"course_progress_id": "cp2", "completed_at": "2026-05-01"},
    "all_enrollments": [{"enrollment_id": "e2", "active": False}],
}


def _array(rows: list[Any]) -> MockTransport:
    return MockTransport(lambda request: Response.from_json(rows))


@pytest.mark.looptime
async def test_one_odd_row_does_not_fail_the_page() -> None:
    """Defect 20: a row lacking all_enrollments[].course_progress_id failed the whole list."""
    client = SkilljarClient("k", transport=_array([PROGRESS_ROW, ODD_ROW]))
    rows = [row async for row in client.users.published_courses.list("u1")]
    assert [row.published_course_id for row in rows] == ["pc1", "pc2"]
    assert rows[1].all_enrollments[0].course_progress_id is None
    assert rows[1].course_progress.completed_at is not None
    assert rows[1].course_progress.completed_at.date().isoformat() == "2026-05-01"


@pytest.mark.looptime
async def test_a_value_that_does_not_parse_is_kept_raw_with_one_warning() -> None:
    """Defect 20: an unparseable value is kept raw in `extra`, reported once, naming the path."""
    from skilljar_async import ResponseParseWarning

    bad = [
        {**ODD_ROW, "course_progress": {"completed_at": "yesterday", "score": "lots"}}
        for _ in range(3)
    ]
    client = SkilljarClient("k", transport=_array(bad))
    with pytest.warns(ResponseParseWarning) as caught:
        rows = [row async for row in client.users.published_courses.list("u1")]
    messages = {str(w.message) for w in caught}
    assert len(messages) == 1, messages
    (message,) = messages
    assert "UserPublishedCourseProgress" in message
    assert "course_progress.completed_at" in message
    assert "course_progress.score" in message
    progress = rows[0].course_progress
    assert progress.completed_at is None
    assert progress.score is None
    assert progress.extra == {"completed_at": "yesterday", "score": "lots"}


@pytest.mark.looptime
async def test_unreadable_nested_optional_object_is_kept_raw() -> None:
    """Defect 20: a nested object without its identity empties that field only, kept raw."""
    from skilljar_async import ResponseParseWarning
    from skilljar_async._convert import unstructure

    row = {**PROGRESS_ROW, "course": {"title": "no id"}}
    client = SkilljarClient("k", transport=_array([row]))
    with pytest.warns(ResponseParseWarning, match=r"course\b"):
        (got,) = [r async for r in client.users.published_courses.list("u1")]
    assert got.course is None
    assert got.extra["course"] == {"title": "no id"}
    assert unstructure(got)["course"] == {"title": "no id"}


@pytest.mark.looptime
@pytest.mark.parametrize(
    ("row", "path"),
    [
        ({"course_progress": {}, "token": "tok-123"}, "published_course_id"),
        ({**PROGRESS_ROW, "course_progress": "done", "token": "tok-123"}, "course_progress"),
        ({**PROGRESS_ROW, "all_enrollments": [{"active": True}], "token": "tok-123"}, None),
        ("not an object", ""),
    ],
)
async def test_unreadable_identity_raises_response_validation_error(
    row: Any, path: str | None
) -> None:
    """Defect 20: a raw cattrs error escaped the SkilljarError tree; now a typed, redacted one."""
    from skilljar_async import ResponseValidationError

    client = SkilljarClient("k", transport=_array([PROGRESS_ROW, row]))
    if path is None:  # an enrollment without its id: that field alone is kept raw
        from skilljar_async import ResponseParseWarning

        with pytest.warns(ResponseParseWarning, match=r"all_enrollments"):
            rows = [r async for r in client.users.published_courses.list("u1")]
        assert rows[1].all_enrollments == ()
        return
    with pytest.raises(ResponseValidationError) as info:
        async for _ in client.users.published_courses.list("u1"):
            pass
    error = info.value
    assert isinstance(error, SkilljarError)
    assert error.model == "UserPublishedCourseProgress"
    assert error.path == path
    assert error.method == "GET"
    assert error.url == f"{BASE}/users/u1/published-courses"
    assert "UserPublishedCourseProgress" in str(error)
    assert "/published-courses" in str(error)
    assert "tok-123" not in f"{error} {error.body!r}"


@pytest.mark.looptime
async def test_retrieve_names_a_nested_identity_path() -> None:
    """Defect 20: a single object missing a nested required field names its full path."""
    from skilljar_async import ResponseValidationError

    client = SkilljarClient(
        "k", transport=MockTransport(lambda r: Response.from_json({"user": {"email": "a@b.c"}}))
    )
    with pytest.raises(ResponseValidationError, match=r"user\.id") as info:
        await client.users.retrieve("u1")
    assert (info.value.model, info.value.path) == ("UserOverview", "user.id")


@pytest.mark.looptime
async def test_deeply_nested_response_body_stays_in_the_error_tree() -> None:
    """Defect 19/20: a response nested deeply enough raised RecursionError out of the client."""
    from skilljar_async import ResponseValidationError

    deep = b"[" * 100_000 + b"]" * 100_000
    client, _ = _client(lambda r: Response(200, {"Content-Type": "application/json"}, deep))
    assert isinstance(await client.request("GET", "/users/u1"), str)
    with pytest.raises(ResponseValidationError):
        await client.users.retrieve("u1")
    failing, _ = _client(lambda r: Response(400, {"Content-Type": "application/json"}, deep))
    with pytest.raises(APIStatusError):
        await failing.request("GET", "/users/u1")


def test_error_for_survives_a_body_nested_past_the_recursion_limit() -> None:
    """Defect 19/20: redacting an error body nested very deeply raised RecursionError."""
    body: Any = "x"
    for _ in range(5000):
        body = [body]
    error = error_for(400, {"detail": body}, method="GET", url=BASE, attempts=1, retry_after=None)
    assert error.status == 400
    assert isinstance(error.field_errors, dict)


def _models() -> list[type[Any]]:
    import attrs

    from skilljar_async import models

    found = [getattr(models, name) for name in models.__all__]
    return [cls for cls in found if isinstance(cls, type) and attrs.has(cls)]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@given(data=st.data())
@settings(max_examples=300, deadline=None)
def test_any_json_either_parses_or_raises_response_validation_error(data: st.DataObject) -> None:
    """Defect 20: whatever a server sends, parsing ends in a model or a `SkilljarError`."""
    import attrs

    from skilljar_async import ResponseParseWarning, ResponseValidationError
    from skilljar_async._convert import structure

    cls = data.draw(st.sampled_from(_models()))
    names = [f.name for f in attrs.fields(cls)]
    payload = data.draw(st.dictionaries(st.sampled_from(names), _JSON) | _JSON)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: Any = structure(payload, cls)
        except ResponseValidationError as exc:
            result = exc.model
    assert isinstance(result, cls) or result == cls.__name__
    assert all(issubclass(w.category, ResponseParseWarning) for w in caught)
