"""`MockTransport`: a transport that answers from a function, for unit tests."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from .._http import Request, Response

__all__ = ["MockTransport"]

Handler = Callable[[Request], Response | Awaitable[Response]]


class MockTransport:
    """Answers every request with ``handler(request)``; no socket is ever opened.

        def handler(request: Request) -> Response:
            if request.path == "/v1/users/u1":
                return Response.from_json({"id": "u1"})
            return Response.from_json({"detail": "Not found."}, status=404)

        mock = MockTransport(handler)
        async with SkilljarClient("key", transport=mock) as client:
            ...
        assert [r.method for r in mock.requests] == ["GET"]

    `handler` may be a plain or an async function. It returns a `Response`, or
    raises `TransportError` to act out a failed connection or a timeout (any
    other exception reaches the caller as it is). Every request is recorded
    in `requests`, in order, retries included, before the handler runs.
    """

    __slots__ = ("closed", "handler", "requests")

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self.closed = False

    def __repr__(self) -> str:
        return f"<MockTransport {len(self.requests)} requests>"

    async def handle(self, request: Request) -> Response:
        """Record `request` and answer it with the handler."""
        if self.closed:
            raise RuntimeError("this MockTransport is closed")
        self.requests.append(request)
        response = self.handler(request)
        if inspect.isawaitable(response):
            response = await response
        if not isinstance(response, Response):
            raise TypeError(f"the handler must return a Response, not {type(response).__name__}")
        return response

    async def aclose(self) -> None:
        """Mark the transport closed: a later request is an error."""
        self.closed = True
