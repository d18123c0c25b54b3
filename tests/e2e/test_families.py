"""Every resource family end to end: the real client over HTTP against the emulator.

One scenario per top-level tag of the catalogue (and a few more for the big Domains
family). Each checks what comes back (create -> retrieve round trips, updates visible
on the next read, deletes ending in 404) and declares the operations it must reach;
the test checks the emulator recorded them. Objects the API cannot create (lesson
progress, progress tokens, purchases, ...) are put in the store first, as the
emulator census does. The scenarios live in ``_content``, ``_domains`` and ``_people``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import pytest

from skilljar_async import SkilljarClient
from skilljar_async.testing import SkilljarEmulator

from . import _content, _domains, _people
from ._family import SCENARIOS

OPERATIONS: list[dict[str, Any]] = json.loads(
    resources.files("skilljar_async._data").joinpath("operations.json").read_text("utf-8")
)
TAG_OF = {op["operation_id"]: op["tag"].split(" > ")[0] for op in OPERATIONS}
VERB_OF = {op["operation_id"]: op["verb"] for op in OPERATIONS}
MODULES = (_content, _domains, _people)  # imported for the scenarios they register


@pytest.fixture
async def emu() -> AsyncIterator[SkilljarEmulator]:
    async with SkilljarEmulator(users=3, limits=None) as emulator:
        yield emulator


@pytest.fixture
async def client(emu: SkilljarEmulator) -> AsyncIterator[SkilljarClient]:
    async with SkilljarClient(emu.api_key, base_url=emu.base_url, max_retries=0) as c:
        yield c


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_family(name: str, client: SkilljarClient, emu: SkilljarEmulator) -> None:
    """One family's scenario succeeds and reaches every operation it declares."""
    run, declared = SCENARIOS[name]
    await run(client, emu)
    reached = {r.operation_id for r in emu.requests if r.status is not None and r.status < 400}
    assert declared <= reached, sorted(declared - reached)


def test_scenarios_cover_every_family_and_verb() -> None:
    """Together the scenarios reach every top-level tag and every verb of the catalogue."""
    declared = set().union(*(ops for _, ops in SCENARIOS.values()))
    assert declared <= set(TAG_OF)
    assert {TAG_OF[op] for op in declared} == set(TAG_OF.values())
    assert {VERB_OF[op] for op in declared} == set(VERB_OF.values())
