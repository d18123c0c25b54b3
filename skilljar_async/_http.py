"""The transport seam: what the client hands a transport and what it gets back.

Plain immutable values and a two-method protocol, no HTTP library: the client
builds a `Request`, an `AsyncTransport` turns it into a `Response` (or raises
`TransportError`), and the sans-I/O layer interprets that. `AiohttpTransport`
is the default; `skilljar_async.testing.MockTransport` answers from a function.
"""

from __future__ import annotations

import contextvars
import json as _json
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol
from urllib.parse import parse_qsl, urlsplit

from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["AsyncTransport", "Request", "Response", "TransportError", "current_request"]

# Named tuples, not attrs classes: one of each is built per request on the hot
# path, where a tuple costs half as much; they are just as immutable.


class Request(NamedTuple):
    """One HTTP request as the client sends it: the transport adds nothing but I/O.

    `url` is absolute and may already carry a query (a page's ``next`` link);
    `params` are more query parameters, already strings; `json` is the body to
    send as JSON (None: no body). `headers` carry the API key, so the repr
    leaves them out. The client passes read-only mappings.
    """

    method: str
    url: str
    headers: Mapping[str, str]
    params: Mapping[str, str] | None = None
    json: Any = None

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url} params={dict(self.params or {})!r}>"

    @property
    def path(self) -> str:
        """The URL's path (``/v1/users``)."""
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, str]:
        """The query the server sees: the URL's own parameters, then `params`."""
        query = dict(parse_qsl(urlsplit(self.url).query, keep_blank_values=True))
        query.update(self.params or {})
        return query


class Response(NamedTuple):
    """A complete HTTP response: status, headers and the whole body.

    `headers` is any mapping; `header()` looks a name up case-insensitively
    whatever its kind (aiohttp gives a case-insensitive one already).
    """

    status: int
    headers: Mapping[str, str] = CIMultiDictProxy(CIMultiDict())
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The value of header `name` (any case), or None."""
        headers = self.headers
        value = headers.get(name)
        if value is None and not isinstance(headers, CIMultiDictProxy | CIMultiDict):
            lowered = name.lower()
            value = next((v for k, v in headers.items() if k.lower() == lowered), None)
        return value

    @property
    def content_type(self) -> str | None:
        """The media type of the body (``application/json``), without parameters."""
        value = self.header("Content-Type")
        return value.partition(";")[0].strip().lower() or None if value else None

    @classmethod
    def from_json(
        cls, data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        """A response whose body is `data` as JSON, with ``Content-Type: application/json``."""
        all_headers = CIMultiDict(headers or {})
        all_headers.setdefault("Content-Type", "application/json")
        return cls(status, CIMultiDictProxy(all_headers), _json.dumps(data).encode())


class TransportError(Exception):
    """No response: `sent` tells whether the request may have reached the server.

    Raised by a transport for a connection failure or a timeout; the client
    retries it (or not) and raises `APIConnectionError` or `APITimeoutError`.
    """

    def __init__(self, message: str, *, timeout: bool = False, sent: bool = True) -> None:
        super().__init__(message)
        self.timeout = timeout
        self.sent = sent


class AsyncTransport(Protocol):
    """Sends a `Request` and returns the whole `Response`; the seam under `SkilljarClient`.

    `handle` raises `TransportError` when no response came (never for an HTTP
    error status). `aclose` releases what the transport holds.
    """

    async def handle(self, request: Request) -> Response:  # pragma: no cover - protocol
        """Send `request`, read the whole response."""
        ...

    async def aclose(self) -> None:  # pragma: no cover - protocol
        """Release connections; the transport is not used afterwards."""
        ...


#: The request whose response this context is reading (set by the client on success), so a
#: response that does not parse can name the request it answered.
current_request: contextvars.ContextVar[Request | None] = contextvars.ContextVar(
    "skilljar_current_request", default=None
)
