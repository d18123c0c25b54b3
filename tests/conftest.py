"""Shared fixtures."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from skilljar_async.testing import SkilljarEmulator


@pytest.fixture(autouse=True, scope="session")
def _no_implicit_event_loop() -> None:
    """Keep sync tests from creating a default event loop that is never closed.

    With looptime installed, a sync test run before any async one makes the default
    policy create and set a loop; the first async test replaces it unclosed and its
    ResourceWarning fails a later test under ``filterwarnings = error``.
    """
    asyncio.set_event_loop(None)


@pytest.fixture
def served() -> Iterator[SkilljarEmulator]:
    """An emulator (no limits, 20 learners) serving from its own thread, for `cli.main` tests."""
    from skilljar_async.testing import SkilljarEmulator

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    emu = SkilljarEmulator(limits=None, users=20)
    asyncio.run_coroutine_threadsafe(emu.start(), loop).result(timeout=10)
    try:
        yield emu
    finally:
        asyncio.run_coroutine_threadsafe(emu.stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch, served: SkilljarEmulator) -> str:
    """The served emulator's key in $SKILLJAR_API_KEY."""
    monkeypatch.setenv("SKILLJAR_API_KEY", served.api_key)
    return served.api_key
