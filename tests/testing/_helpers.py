"""A thin aiohttp wrapper for talking to the emulator in tests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy

from skilljar_async.testing import SkilljarEmulator


class Answer:
    """Status, headers and decoded body of one response."""

    def __init__(self, status: int, headers: CIMultiDictProxy[str], text: str) -> None:
        self.status = status
        self.headers = headers
        self.text = text
        ctype = headers.get("Content-Type", "")
        self.json: Any = json.loads(text) if text and ctype.startswith("application/json") else None

    def __repr__(self) -> str:
        return f"<Answer {self.status} {self.text[:200]!r}>"


class Api:
    """Requests to one emulator with one API key (None = no Authorization header)."""

    def __init__(self, session: aiohttp.ClientSession, emulator: SkilljarEmulator) -> None:
        self.session = session
        self.emulator = emulator

    def url(self, path: str) -> str:
        """Absolute URLs as they are; ``/v1/...`` on the origin; others under ``/v1``."""
        if path.startswith("http"):
            return path
        if path.startswith("/v1/") or path == "/v1":
            return self.emulator.origin + path
        return self.emulator.base_url + path

    async def call(self, method: str, path: str, **kwargs: Any) -> Answer:
        async with self.session.request(method, self.url(path), **kwargs) as response:
            return Answer(response.status, response.headers, await response.text())

    async def get(self, path: str, **kwargs: Any) -> Answer:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return await self.call("POST", path, json=body, **kwargs)

    async def patch(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return await self.call("PATCH", path, json=body, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Answer:
        return await self.call("DELETE", path, **kwargs)


@asynccontextmanager
async def api_for(
    emulator: SkilljarEmulator, key: str | None = "", **session_kwargs: Any
) -> AsyncIterator[Api]:
    """An `Api` for `emulator` using `key` ("" = its first full key, None = no auth)."""
    headers = {} if key is None else emulator.auth_header(key or None)
    async with aiohttp.ClientSession(headers=headers, **session_kwargs) as session:
        yield Api(session, emulator)
