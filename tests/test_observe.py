"""Logs, event hooks, path templates and counting sent requests."""

import asyncio
import logging
import sys
from typing import Any

import pytest

from skilljar_async import (
    CallType,
    RateLimits,
    RequestEvent,
    ServerError,
    SkilljarClient,
    SlidingWindowScheduler,
    Window,
)
from skilljar_async._observe import path_template, setup_logging
from skilljar_async.ratelimit import LaneSnapshot, WindowSnapshot
from skilljar_async.testing import MockTransport
from skilljar_async.transport import Request, Response, TransportError

pytestmark = pytest.mark.looptime

OK = Response.from_json({"id": "u1"})


def replies(*answers: Response | TransportError) -> MockTransport:
    """A transport answering each request with the next answer (raising the errors)."""
    queue = list(answers)

    def handler(request: Request) -> Response:
        answer = queue.pop(0)
        if isinstance(answer, TransportError):
            raise answer
        return answer

    return MockTransport(handler)


def records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == level]


async def test_debug_line_per_attempt(caplog: pytest.LogCaptureFixture) -> None:
    """DEBUG has one line per attempt: method, template, status, elapsed, queue wait, attempt."""
    caplog.set_level(logging.DEBUG, "skilljar_async")
    mock = replies(Response(503), OK)
    async with SkilljarClient("k", transport=mock) as sk:
        await sk.request("GET", "/users/u1")
    lines = [m for m in records(caplog, logging.DEBUG) if m.startswith("GET")]
    assert len(lines) == 2
    assert lines[0].startswith("GET /users/{user_id} -> 503 in ")
    assert "attempt 1" in lines[0]
    assert "queued" in lines[0]
    assert lines[1].startswith("GET /users/{user_id} -> 200 in ")
    assert "attempt 2" in lines[1]
    assert all(r.name == "skilljar_async.client" for r in caplog.records)


async def test_retry_is_logged_at_info(caplog: pytest.LogCaptureFixture) -> None:
    """A retry logs its reason and delay at INFO, even with no other listener."""
    caplog.set_level(logging.INFO, "skilljar_async")
    mock = replies(TransportError("reset", sent=False), Response(502), OK)
    async with SkilljarClient("k", transport=mock) as sk:
        await sk.request("GET", "/users/u1")
    lines = records(caplog, logging.INFO)
    assert len(lines) == 2
    assert lines[0].startswith("Retrying GET /users/{user_id} in ")
    assert "connection error, attempt 2" in lines[0]
    assert "status 502, attempt 3" in lines[1]


async def test_429_pause_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """A 429 logs a WARNING naming the call type, the pause and whether it was expected."""
    caplog.set_level(logging.WARNING, "skilljar_async")
    mock = replies(Response(429, {"Retry-After": "7"}), OK)
    async with SkilljarClient("k", transport=mock) as sk:
        await sk.request("GET", "/users/u1")
    [line] = records(caplog, logging.WARNING)
    assert line.startswith("429 on read calls: pausing them 7.00 seconds (unexpected")


async def test_hooks_sync_and_async_see_every_event() -> None:
    """Sync and async hooks get request, response, retry and throttle events in order."""
    seen: list[RequestEvent] = []

    async def async_hook(event: RequestEvent) -> None:
        await asyncio.sleep(0)
        seen.append(event)

    hooks: dict[str, list[Any]] = {
        name: [seen.append] if name in ("request", "retry") else [async_hook]
        for name in ("request", "response", "retry", "throttle")
    }
    mock = replies(Response(503), Response(429, {"Retry-After": "3"}), OK)
    async with SkilljarClient("k", transport=mock, event_hooks=hooks) as sk:
        await sk.request("GET", "/users/u1")
    kinds = [(e.kind, e.attempt, e.status) for e in seen]
    assert kinds == [
        ("request", 1, None),
        ("response", 1, 503),
        ("retry", 1, None),
        ("request", 2, None),
        ("response", 2, 429),
        ("throttle", 2, None),
        ("request", 3, None),
        ("response", 3, 200),
    ]
    assert {e.url_template for e in seen} == {"/users/{user_id}"}
    assert {e.call_type for e in seen} == {CallType.READ}
    assert seen[1].error == "503"
    assert seen[1].elapsed is not None
    assert seen[2].reason == "status 503"
    assert seen[2].delay is not None
    assert seen[2].delay > 0
    assert seen[5].delay == pytest.approx(3.0)
    assert seen[5].unexpected is True
    assert seen[6].queue_wait == pytest.approx(3.0)  # the 429's pause, spent in the queue
    assert seen[7].error is None


async def test_transport_failure_event_names_the_error() -> None:
    """A timed-out attempt's response event has no status and error TimeoutError."""
    seen: list[RequestEvent] = []
    mock = replies(TransportError("slow", timeout=True), OK)
    async with SkilljarClient("k", transport=mock, event_hooks={"response": [seen.append]}) as sk:
        await sk.request("GET", "/ping")
    assert [(e.status, e.error) for e in seen] == [(None, "TimeoutError"), (200, None)]


async def test_raising_hook_does_not_break_the_request(caplog: pytest.LogCaptureFixture) -> None:
    """A hook that raises is logged and the request still returns its result."""

    def broken(event: RequestEvent) -> None:
        raise RuntimeError("hook bug")

    caplog.set_level(logging.WARNING, "skilljar_async")
    hooks = {"request": [broken], "response": [broken]}
    async with SkilljarClient("k", transport=replies(OK), event_hooks=hooks) as sk:
        assert await sk.request("GET", "/users/u1") == {"id": "u1"}
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert warnings[0].exc_info is not None
    assert "event hook" in warnings[0].getMessage()


def test_bad_hooks_are_refused() -> None:
    """An unknown event name or a non-callable hook fails at construction."""
    with pytest.raises(ValueError, match="unknown event hook 'sent'"):
        SkilljarClient("k", transport=replies(), event_hooks={"sent": [print]})
    with pytest.raises(TypeError, match="not callable"):
        SkilljarClient("k", transport=replies(), event_hooks={"request": [42]})  # type: ignore[list-item]


async def test_requests_counted_when_sent_not_when_queued() -> None:
    """A call cancelled while it waits for its slot is not counted as a request."""
    limits = RateLimits(read=(Window(1, 60.0),), modify=(), remove=())
    mock = replies(OK, OK)
    async with SkilljarClient("k", transport=mock, scheduler=SlidingWindowScheduler(limits)) as sk:
        await sk.request("GET", "/ping")
        queued = asyncio.ensure_future(sk.request("GET", "/ping"))
        await asyncio.sleep(10)
        assert sk.scheduler.snapshot()[CallType.READ].queued == 1
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await queued
        assert sk.stats.requests[CallType.READ] == 1
        assert len(mock.requests) == 1


async def test_retries_counted_as_sent() -> None:
    """Each retry that leaves counts as a request and as a retry."""
    mock = replies(Response(503), Response(503), OK)
    async with SkilljarClient("k", transport=mock) as sk:
        await sk.request("GET", "/ping")
    assert sk.stats.requests[CallType.READ] == 3
    assert sk.stats.retries == 2


async def test_final_error_still_logged(caplog: pytest.LogCaptureFixture) -> None:
    """The last failing attempt is logged at DEBUG before its error is raised."""
    caplog.set_level(logging.DEBUG, "skilljar_async")
    mock = replies(*[Response(500)] * 4)
    async with SkilljarClient("k", transport=mock, max_retries=3) as sk:
        with pytest.raises(ServerError):
            await sk.request("GET", "/ping")
    assert sum(m.startswith("GET /ping -> 500") for m in records(caplog, logging.DEBUG)) == 4


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("GET", "/users", "/users"),
        ("GET", "/users/abc", "/users/{user_id}"),
        ("POST", "/users/abc/anonymize", "/users/{user_id}/anonymize"),
        (
            "GET",
            "/users/abc/published-courses/xyz",
            "/users/{user_id}/published-courses/{published_course_id}",
        ),
        ("GET", "/not-an-operation/12ab", "/not-an-operation/{id}"),
    ],
)
def test_path_template(method: str, path: str, template: str) -> None:
    """Concrete paths map to the catalogue's templates; unknown ones have ids masked."""
    assert path_template(method, path) == template


def window(used: int, outside: int = 0, limit: int = 10) -> WindowSnapshot:
    return WindowSnapshot(
        limit=limit, period=60.0, used=used, remaining=0, next_free_in=0.0, outside=outside
    )


@pytest.mark.parametrize(
    ("windows", "unexpected"),
    [
        ((window(3),), True),  # room left and no outside usage known: someone else
        ((window(10, outside=1),), False),  # full, and others are known to spend 1
        ((window(5, outside=6),), False),  # the outside estimate explains it
        ((), True),
    ],
)
def test_unexpected_429(windows: tuple[WindowSnapshot, ...], unexpected: bool) -> None:
    """A 429 is expected only when known usage (ours plus the outside estimate) explains it."""
    lane = LaneSnapshot(call_type=CallType.READ, windows=windows, held=0, queued=0, paused_for=0)
    assert lane.unexpected_429() is unexpected


def test_no_handler_unless_asked() -> None:
    """The library installs no handler; SKILLJAR_LOG=debug adds one stderr handler, once."""
    root = logging.getLogger("skilljar_async")
    before, level = list(root.handlers), root.level
    try:
        setup_logging({})
        assert root.handlers == before
        setup_logging({"SKILLJAR_LOG": "debug"})
        setup_logging({"SKILLJAR_LOG": "DEBUG"})
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1
        assert root.level == logging.DEBUG
        assert getattr(added[0], "stream", None) is sys.stderr
    finally:
        root.handlers[:] = before
        root.setLevel(level)


def test_skilljar_log_info_sets_info() -> None:
    """SKILLJAR_LOG=info logs retries and pauses, not every attempt."""
    root = logging.getLogger("skilljar_async")
    before, level = list(root.handlers), root.level
    try:
        setup_logging({"SKILLJAR_LOG": "info"})
        assert root.level == logging.INFO
    finally:
        root.handlers[:] = before
        root.setLevel(level)
