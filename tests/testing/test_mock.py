"""`MockTransport`: answers from a function, records what it saw."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from skilljar_async import APIConnectionError, SkilljarClient
from skilljar_async.testing import MockTransport
from skilljar_async.transport import Request, Response, TransportError

BASE = "https://api.skilljar.com/v1"


async def test_sync_handler_answers_and_requests_are_recorded() -> None:
    """A plain function answers; every request is kept in order."""
    mock = MockTransport(lambda request: Response.from_json({"path": request.path}))
    async with SkilljarClient("k", transport=mock) as client:
        assert await client.request("GET", "/users/u1") == {"path": "/v1/users/u1"}
        await client.request("PATCH", "/users/u1", json={"first_name": "A"})
    assert [(r.method, r.url, r.json) for r in mock.requests] == [
        ("GET", f"{BASE}/users/u1", None),
        ("PATCH", f"{BASE}/users/u1", {"first_name": "A"}),
    ]
    assert repr(mock) == "<MockTransport 2 requests>"


async def test_async_handler_is_awaited() -> None:
    """An async handler may await (here: another task's event) before answering."""
    ready = asyncio.Event()

    async def handler(request: Request) -> Response:
        await ready.wait()
        return Response.from_json([1, 2])

    mock = MockTransport(handler)
    async with SkilljarClient("k", transport=mock) as client:
        call = asyncio.ensure_future(client.request("GET", "/ping"))
        await asyncio.sleep(0)
        assert not call.done()
        ready.set()
        assert await call == [1, 2]


async def test_transport_error_reaches_the_client_as_a_failure() -> None:
    """A handler raising TransportError acts out a failed connection."""

    def handler(request: Request) -> Response:
        raise TransportError("connection reset", sent=True)

    mock = MockTransport(handler)
    async with SkilljarClient("k", transport=mock) as client:
        with pytest.raises(APIConnectionError, match="connection reset"):
            await client.request("POST", "/webhooks", json={})
    assert len(mock.requests) == 1  # a POST that may have run is not repeated


@pytest.mark.parametrize("answer", [None, {"status": 200}, 200])
async def test_handler_must_return_a_response(answer: Any) -> None:
    """Anything but a Response is a TypeError naming what came back."""
    mock = MockTransport(lambda request: answer)
    with pytest.raises(TypeError, match="must return a Response"):
        await mock.handle(Request("GET", f"{BASE}/ping", {}))


async def test_closed_mock_refuses_requests() -> None:
    """After aclose() a request is an error, so a test sees use after close."""
    mock = MockTransport(lambda request: Response(200))
    await mock.aclose()
    assert mock.closed
    with pytest.raises(RuntimeError, match="closed"):
        await mock.handle(Request("GET", f"{BASE}/ping", {}))
    assert mock.requests == []
