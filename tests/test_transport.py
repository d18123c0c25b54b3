"""`AiohttpTransport`: requests on the wire, failures mapped, sessions owned or borrowed."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import aioresponses.core
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aioresponses import aioresponses as Aioresponses

from skilljar_async import APIConnectionError, APITimeoutError, SkilljarClient
from skilljar_async.transport import AiohttpTransport, Request, Response, TransportError

HEADERS = {"Authorization": "Basic c2VjcmV0LWtleTo=", "Accept": "application/json"}
URL = "http://api.example.com/v1/ping"


class _CompatResponse(aiohttp.ClientResponse):
    """aioresponses builds responses without the `stream_writer` aiohttp 3.14 requires."""

    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


@pytest.fixture
def mock_http() -> Iterator[Aioresponses]:
    """aioresponses, working with the installed aiohttp; no request reaches the network."""
    original = aioresponses.core.ClientResponse
    aioresponses.core.ClientResponse = _CompatResponse  # type: ignore[misc]
    try:
        with Aioresponses() as mocked:
            yield mocked
    finally:
        aioresponses.core.ClientResponse = original  # type: ignore[misc]


async def _echo(request: web.Request) -> web.Response:
    body = await request.read()
    seen = {
        "method": request.method,
        "raw_path": request.raw_path,
        "authorization": request.headers.get("Authorization"),
        "content_type": request.headers.get("Content-Type"),
        "body": body.decode(),
        "cookie": request.headers.get("Cookie"),
    }
    response = web.json_response(seen, status=201, headers={"X-Echo": "yes"})
    response.set_cookie("session", "abc")
    return response


@pytest.fixture
async def echo_server() -> AsyncIterator[str]:
    """A loopback server answering every request with what it received, as JSON."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _echo)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/v1"))
    finally:
        await server.close()


async def test_round_trip_on_loopback(echo_server: str) -> None:
    """Method, encoded path, query, headers and JSON body go out; the whole answer comes back."""
    url = f"{echo_server}/users/a%2Fb%40c?x=1"
    request = Request("POST", url, HEADERS, {"q": "a b&c"}, {"name": "é"})
    async with AiohttpTransport(timeout=5) as transport:
        response = await transport.handle(request)
        again = await transport.handle(request)
    assert (response.status, response.header("x-echo"), response.content_type) == (
        201,
        "yes",
        "application/json",
    )
    seen = json.loads(response.body)
    assert seen["method"] == "POST"
    assert seen["raw_path"] == "/v1/users/a%2Fb%40c?x=1&q=a+b%26c"  # never re-quoted
    assert seen["authorization"] == HEADERS["Authorization"]
    assert seen["content_type"] == "application/json"
    assert json.loads(seen["body"]) == {"name": "é"}
    assert json.loads(again.body)["cookie"] is None  # no cookie carried between calls


async def test_client_over_the_default_transport(echo_server: str) -> None:
    """SkilljarClient with no transport= sends through aiohttp and parses the answer."""
    async with SkilljarClient("secret-key", base_url=echo_server) as client:
        seen = await client.request("DELETE", "/users/u1")
    assert (seen["method"], seen["raw_path"]) == ("DELETE", "/v1/users/u1")
    assert seen["authorization"] == "Basic c2VjcmV0LWtleTo="


async def test_connect_failure_is_not_sent(mock_http: Aioresponses) -> None:
    """A refused connection is a TransportError that cannot have reached the server."""
    refused = aiohttp.ClientConnectorError(
        aiohttp.client_reqrep.ConnectionKey("h", 443, True, True, None, None, None),
        OSError(111, "refused"),
    )
    mock_http.get(URL, exception=refused)
    async with AiohttpTransport() as transport:
        with pytest.raises(TransportError, match="cannot connect") as info:
            await transport.handle(Request("GET", URL, HEADERS))
    assert (info.value.sent, info.value.timeout) == (False, False)


async def test_connect_timeout_is_not_sent(mock_http: Aioresponses) -> None:
    """Timing out while connecting is a timeout that cannot have reached the server."""
    mock_http.post(URL, exception=aiohttp.ConnectionTimeoutError())
    async with AiohttpTransport() as transport:
        with pytest.raises(TransportError, match="connecting") as info:
            await transport.handle(Request("POST", URL, HEADERS, json={}))
    assert (info.value.sent, info.value.timeout) == (False, True)


@pytest.mark.parametrize(
    ("exception", "message", "timed_out"),
    [
        (aiohttp.ServerDisconnectedError(), "closed the connection", False),
        (aiohttp.ClientPayloadError("short"), "cut short", False),
        (aiohttp.ClientOSError(104, "reset"), "ClientOSError", False),
        (TimeoutError(), "timed out", True),
    ],
)
async def test_failures_after_sending(
    mock_http: Aioresponses, exception: Exception, message: str, timed_out: bool
) -> None:
    """A failure once the request may have left is a TransportError with sent=True."""
    mock_http.get(URL, exception=exception)
    async with AiohttpTransport() as transport:
        with pytest.raises(TransportError, match=message) as info:
            await transport.handle(Request("GET", URL, HEADERS))
    assert (info.value.sent, info.value.timeout) == (True, timed_out)


@pytest.mark.looptime
async def test_client_maps_aiohttp_failures(mock_http: Aioresponses) -> None:
    """Through the client: a dropped POST is not retried; a GET timing out ends as a timeout."""
    base = "https://api.example.com/v1"
    mock_http.post(f"{base}/webhooks", exception=aiohttp.ServerDisconnectedError())
    for _ in range(2):
        mock_http.get(f"{base}/ping", exception=TimeoutError())
    async with SkilljarClient("k", base_url=base, max_retries=1) as client:
        with pytest.raises(APIConnectionError) as dropped:
            await client.request("POST", "/webhooks", json={})
        with pytest.raises(APITimeoutError) as slow:
            await client.request("GET", "/ping")
    assert (dropped.value.attempts, slow.value.attempts) == (1, 2)


async def test_borrowed_session_stays_open() -> None:
    """A session passed in is the caller's: aclose() leaves it open."""
    async with aiohttp.ClientSession() as session:
        transport = AiohttpTransport(session)
        await transport.aclose()
        assert not session.closed
        assert not transport.is_open
        assert "borrowed" in repr(transport)


async def test_owned_session_is_closed(mock_http: Aioresponses) -> None:
    """The session the transport made is closed by aclose()."""
    mock_http.get(URL, body=b"")
    transport = AiohttpTransport()
    assert not transport.is_open  # made on first use
    response = await transport.handle(Request("GET", URL, HEADERS))
    assert response == Response(200, response.headers, b"")
    session = transport._session
    assert transport.is_open
    await transport.aclose()
    assert session is not None
    assert session.closed
    assert not transport.is_open


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_timeout_must_be_positive(timeout: float) -> None:
    """A timeout that is not > 0 is refused."""
    with pytest.raises(ValueError, match="timeout"):
        AiohttpTransport(timeout=timeout)


async def test_unclosed_client_warns(mock_http: Aioresponses) -> None:
    """A client dropped while its own session is open is reported with a ResourceWarning."""
    mock_http.get("https://api.skilljar.com/v1/ping", body=b"")
    client = SkilljarClient("k")
    await client.request("GET", "/ping")
    assert client._own_transport is not None
    session = client._own_transport._session
    with pytest.warns(ResourceWarning, match="unclosed"):
        del client
        gc.collect()
    assert session is not None
    await session.close()


def test_importing_the_client_does_not_import_aiohttp() -> None:
    """A client on another transport never loads aiohttp (it is imported on first need)."""
    code = (
        "import asyncio, sys\n"
        "from skilljar_async import SkilljarClient\n"
        "from skilljar_async.transport import Response\n"
        "class T:\n"
        "    async def handle(self, request): return Response(200, {}, b'[1]')\n"
        "    async def aclose(self): pass\n"
        "async def main():\n"
        "    async with SkilljarClient('k', transport=T()) as c:\n"
        "        assert await c.request('GET', '/ping') == [1]\n"
        "asyncio.run(main())\n"
        "print('aiohttp' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
