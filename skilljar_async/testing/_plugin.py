"""pytest plugin: the ``skilljar_emulator`` fixture (a started `SkilljarEmulator`).

Registered through the ``pytest11`` entry point ``skilljar_emulator``. Options
come from an optional marker, whose keywords are `SkilljarEmulator`'s::

    @pytest.mark.skilljar_emulator(users=100, limits=None)
    async def test_something(skilljar_emulator):
        ...

Without the marker the emulator has its defaults (Skilljar's real limits, no
seeded learners, no faults). The fixture is a pytest-asyncio fixture when
pytest-asyncio is installed, else a plain async fixture (for anyio's plugin).
Loading the plugin imports nothing heavy: the emulator is imported on first use.

Every test also starts with empty shared budgets: clients of one organization
share one budget per process (`SkilljarClient`), so without this a test would
inherit the windows an earlier test spent with the same key.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

if TYPE_CHECKING:
    from ._emulator import SkilljarEmulator

__all__ = ["MARKER", "fresh_skilljar_budgets", "pytest_configure", "skilljar_emulator"]

MARKER = "skilljar_emulator"

_F = TypeVar("_F", bound=Callable[..., Any])

_pytest_asyncio: ModuleType | None
try:
    import pytest_asyncio as _pytest_asyncio
except ImportError:  # pragma: no cover - depends on the environment
    _pytest_asyncio = None


def _async_fixture(func: _F) -> _F:
    if _pytest_asyncio is not None:
        return cast(_F, _pytest_asyncio.fixture(func))
    return cast(_F, pytest.fixture(func))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(**options): SkilljarEmulator keyword arguments for its fixture"
    )


@_async_fixture
async def skilljar_emulator(request: pytest.FixtureRequest) -> AsyncIterator[SkilljarEmulator]:
    """A started emulator on 127.0.0.1 (a free port), stopped after the test."""
    from ._emulator import SkilljarEmulator  # here: keeps plugin loading light

    marker = request.node.get_closest_marker(MARKER)
    options = dict(marker.kwargs) if marker is not None else {}
    async with SkilljarEmulator(**options) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def fresh_skilljar_budgets() -> None:
    """Each test starts with the process's shared budgets empty, as in a new process."""
    client = sys.modules.get("skilljar_async._client")  # not loaded: nothing to forget
    if client is not None:
        client.forget_budgets()
