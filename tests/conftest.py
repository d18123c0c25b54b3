"""Shared fixtures."""

from __future__ import annotations

import asyncio

import pytest


@pytest.fixture(autouse=True, scope="session")
def _no_implicit_event_loop() -> None:
    """Keep sync tests from creating a default event loop that is never closed.

    With looptime installed, a sync test run before any async one makes the default
    policy create and set a loop; the first async test replaces it unclosed and its
    ResourceWarning fails a later test under ``filterwarnings = error``.
    """
    asyncio.set_event_loop(None)
