"""The only module that touches aiohttp: one shared session and one `send()`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import aiohttp
from yarl import URL

__all__ = ["Response", "Transport", "TransportError"]


class Response(NamedTuple):
    """A complete HTTP response: status, headers and the whole body (a tuple: cheap to build)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    content_type: str | None


class TransportError(Exception):
    """No response: `sent` tells whether the request may have reached the server."""

    def __init__(self, message: str, *, timeout: bool, sent: bool) -> None:
        super().__init__(message)
        self.timeout = timeout
        self.sent = sent


class Transport:
    """Owns (or borrows) the aiohttp session every request of a client goes through."""

    __slots__ = ("_owned", "_session", "_timeout")

    def __init__(self, session: aiohttp.ClientSession | None, *, timeout: float) -> None:
        self._session = session
        self._owned = session is None
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    @property
    def is_open(self) -> bool:
        """True while a session we created is open (so it must be closed)."""
        return self._owned and self._session is not None and not self._session.closed

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, connector=aiohttp.TCPConnector(limit=100)
            )
        return self._session

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> Response:
        """Send one request and read the whole response; failures are `TransportError`s."""
        session = self._get_session()
        target = URL(url, encoded=True) if params is None else URL(url)
        kwargs: dict[str, Any] = {"headers": headers, "params": params}
        if json is not None:
            kwargs["json"] = json
        try:
            async with session.request(method, target, **kwargs) as resp:
                body = await resp.read()
                return Response(resp.status, resp.headers, body, resp.content_type)
        except aiohttp.ClientConnectorError as exc:  # never connected: nothing was sent
            raise TransportError(
                f"cannot connect: {exc.os_error}", timeout=False, sent=False
            ) from None
        except TimeoutError:
            raise TransportError("request timed out", timeout=True, sent=True) from None
        except aiohttp.ClientError as exc:
            raise TransportError(_describe(exc), timeout=False, sent=True) from None

    async def aclose(self) -> None:
        """Close the session if we created it; a borrowed session is left alone."""
        if self._owned and self._session is not None:
            session, self._session = self._session, None
            await session.close()


def _describe(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "server closed the connection without a response"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "response body was cut short"
    return f"connection error: {type(exc).__name__}"
