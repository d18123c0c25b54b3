"""`client.ping`: check that the API key works."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Ping"]


class Ping(Resource):
    """`GET /v1/ping` (operation ``ping_retrieve``).

    ``await client.ping.retrieve()`` follows the naming rule; ``await client.ping()``
    is the same call, spelled the way people say it.
    """

    __slots__ = ()

    async def retrieve(self) -> None:
        """Check authentication: returns None on success, raises on a bad key."""
        # The answer is an empty 200, so there is nothing to structure.
        await self._client._request("GET", "/ping")

    async def __call__(self) -> None:
        """Same as `retrieve`."""
        await self.retrieve()
