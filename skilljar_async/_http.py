"""The transport seam: what the client hands a transport and what it gets back.

Plain immutable values and a one-method protocol, no HTTP library: the client
builds a `Request`, an `AsyncTransport` turns it into a `Response` (or raises
`TransportError`), and the sans-I/O layer interprets that. `AiohttpTransport`
is the default; `skilljar_async.testing.MockTransport` answers from a function.
"""

from __future__ import annotations

import json as _json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import attrs
from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["AsyncTransport", "Request", "Response", "TransportError"]

_NO_HEADERS: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())


def _frozen_map(value: Mapping[str, str] | None) -> Mapping[str, str] | None:
    if value is None or isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value))


def _ci_headers(value: Mapping[str, str]) -> Mapping[str, str]:
    """Response headers, case-insensitive (``Retry-After`` finds ``retry-after``)."""
    if isinstance(value, CIMultiDictProxy):
        return value
    return CIMultiDictProxy(CIMultiDict(value)) if value else _NO_HEADERS


@attrs.frozen(repr=False)
class Request:
    """One HTTP request as the client sends it: the transport adds nothing but I/O.

    `url` is absolute and may already carry a query (a page's ``next`` link);
    `params` are more query parameters, already strings; `json` is the body to
    send as JSON (None: no body). `headers` carry the API key, so the repr
    leaves them out.
    """

    method: str
    url: str
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_map)
    params: Mapping[str, str] | None = attrs.field(default=None, converter=_frozen_map)
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


@attrs.frozen
class Response:
    """A complete HTTP response: status, headers (case-insensitive), the whole body."""

    status: int
    headers: Mapping[str, str] = attrs.field(default=_NO_HEADERS, converter=_ci_headers)
    body: bytes = b""
    content_type: str | None = None

    @classmethod
    def from_json(
        cls, data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        """A response whose body is `data` as JSON (``application/json``)."""
        body = _json.dumps(data).encode()
        return cls(status, headers or _NO_HEADERS, body, "application/json")


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
