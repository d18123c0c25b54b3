"""The transport seam under `SkilljarClient`: swap how requests reach the API.

    async with AiohttpTransport(timeout=10) as transport:
        async with SkilljarClient(transport=transport) as client:
            ...

A transport is any object with ``async def handle(request: Request) -> Response``
and ``async def aclose()``. It receives every request after the rate scheduler
granted its slot and returns the whole response, or raises `TransportError`
when none came (``sent=False`` when the request cannot have reached the
server, so even a POST is retried). It never retries, throttles or interprets
statuses: the client does. A transport passed to the client stays the
caller's to close; `skilljar_async.testing.MockTransport` answers from a
function, for unit tests.
"""

from typing import TYPE_CHECKING, Any

from ._http import AsyncTransport as AsyncTransport
from ._http import Request as Request
from ._http import Response as Response
from ._http import TransportError as TransportError

if TYPE_CHECKING:
    from ._transport import AiohttpTransport as AiohttpTransport

__all__ = ["AiohttpTransport", "AsyncTransport", "Request", "Response", "TransportError"]


def __getattr__(name: str) -> Any:
    # AiohttpTransport on first use: a custom transport never loads aiohttp.
    if name == "AiohttpTransport":
        from ._transport import AiohttpTransport

        return AiohttpTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
