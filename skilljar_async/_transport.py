"""The only module that touches aiohttp: `AiohttpTransport`, the default transport."""

from __future__ import annotations

from types import TracebackType

import aiohttp
from yarl import URL

from ._http import Request, Response, TransportError

__all__ = ["AiohttpTransport", "Request", "Response", "TransportError"]

_URL_CACHE_SIZE = 256


class AiohttpTransport:
    """Sends requests through one aiohttp session, which it owns or borrows.

    Without `session` it creates one on first use (at most `limit`
    connections) and closes it in `aclose()`; a borrowed session is never
    closed here. Either way every request sent here gets ``timeout`` seconds
    in all (connecting, sending, reading the whole body), follows no redirect,
    and is sent exactly once: aiohttp's own silent resend of an idempotent
    request on a stale keep-alive connection is switched off, on a borrowed
    session too, because each request must hold its own rate-limit slot.
    """

    __slots__ = ("_limit", "_owned", "_session", "_timeout", "_urls")

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        timeout: float = 60.0,
        limit: int = 100,
    ) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
        self._session = session
        self._owned = session is None
        if session is not None:
            _send_once(session)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._limit = limit
        # Parsed URLs by string: a client sends the same few URLs again and again,
        # and parsing one costs more than the rest of preparing the request.
        self._urls: dict[str, URL] = {}

    def __repr__(self) -> str:
        state = "owned" if self._owned else "borrowed"
        return f"<AiohttpTransport {state} session, timeout={self._timeout.total}>"

    async def __aenter__(self) -> AiohttpTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def is_open(self) -> bool:
        """True while a session we created is open (so it must be closed)."""
        return self._owned and self._session is not None and not self._session.closed

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            # No cookie jar: every request authenticates by its own header, and a
            # cookie the API might set must not carry state from one call to the next.
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=self._limit),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
            _send_once(self._session)
        return self._session

    def _url(self, url: str) -> URL:
        target = self._urls.get(url)
        if target is None:
            if len(self._urls) >= _URL_CACHE_SIZE:
                self._urls.clear()  # ids in paths make the set unbounded: start over
            # The client's URLs are already percent-encoded (joined from the base URL,
            # or a next link as the server sent it): parse, never re-quote.
            target = self._urls[url] = URL(url, encoded=True)
        return target

    async def handle(self, request: Request) -> Response:
        """Send one request and read the whole response; failures are `TransportError`s."""
        session = self._session or self._get_session()
        target = self._urls.get(request.url) or self._url(request.url)
        try:
            # Awaited, not `async with`: read() hands the connection back at the
            # end of the body, and release() covers a body that fails half-way.
            resp = await session.request(
                request.method,
                target,
                headers=request.headers,
                params=request.params,
                json=request.json,
                timeout=self._timeout,
                allow_redirects=False,
            )
            try:
                body = await resp.read()
            except BaseException:
                resp.release()
                raise
            return Response(resp.status, resp.headers, body)
        except aiohttp.ClientConnectorError as exc:  # never connected: nothing was sent
            raise TransportError(
                f"cannot connect: {exc.os_error}", timeout=False, sent=False
            ) from None
        except aiohttp.ConnectionTimeoutError:  # nor here: even a POST may be retried
            raise TransportError("timed out connecting", timeout=True, sent=False) from None
        except TimeoutError:
            raise TransportError("request timed out", timeout=True, sent=True) from None
        except aiohttp.ClientError as exc:
            raise TransportError(_describe(exc), timeout=False, sent=True) from None

    async def aclose(self) -> None:
        """Close the session if we created it; a borrowed session is left alone."""
        if self._owned and self._session is not None:
            session, self._session = self._session, None
            await session.close()


def _send_once(session: aiohttp.ClientSession) -> None:
    """Stop aiohttp resending an idempotent request by itself after a dropped connection.

    aiohttp retries GET/PUT/DELETE once when a reused keep-alive connection turns
    out dead (RFC 9112 §9.3.1), a second request on one rate-limit slot. Its only
    switch is this attribute (its own test client sets it the same way); the client
    decides about retries itself, each one on a slot of its own.
    """
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False


def _describe(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "server closed the connection without a response"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "response body was cut short"
    return f"connection error: {type(exc).__name__}"
