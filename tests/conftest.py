"""Shared fixtures."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import aioresponses.core
import pytest


class _CompatResponse(aiohttp.ClientResponse):
    """aioresponses builds responses without the `stream_writer` aiohttp 3.14 requires."""

    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


@pytest.fixture
def mock_http() -> Iterator[aioresponses.aioresponses]:
    """aioresponses, working with the installed aiohttp; no request reaches the network."""
    original = aioresponses.core.ClientResponse
    aioresponses.core.ClientResponse = _CompatResponse  # type: ignore[misc]
    try:
        with aioresponses.aioresponses() as mocked:
            yield mocked
    finally:
        aioresponses.core.ClientResponse = original  # type: ignore[misc]


@pytest.fixture(autouse=True, scope="session")
def _no_implicit_event_loop() -> None:
    """Keep sync tests from creating a default event loop that is never closed.

    With looptime installed, a sync test run before any async one makes the default
    policy create and set a loop; the first async test replaces it unclosed and its
    ResourceWarning fails a later test under ``filterwarnings = error``.
    """
    asyncio.set_event_loop(None)
