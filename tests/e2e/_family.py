"""Shared pieces of the family scenarios: the registry, constants and small helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from skilljar_async import SkilljarClient
from skilljar_async.testing import SkilljarEmulator

D = "learn.example.com"
WHEN = dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC)

Scenario = Callable[[SkilljarClient, SkilljarEmulator], Awaitable[None]]
#: scenario name -> (the scenario, the operations it must reach)
SCENARIOS: dict[str, tuple[Scenario, frozenset[str]]] = {}


def scenario(*operation_ids: str) -> Callable[[Scenario], Scenario]:
    """Register a scenario with the operations it must reach."""

    def register(func: Scenario) -> Scenario:
        SCENARIOS[func.__name__] = (func, frozenset(operation_ids))
        return func

    return register


async def first_id(pages: Any) -> str:
    """The id of the first row a list yields."""
    page = await pages
    return str(page.items[0].id)


async def a_user(client: SkilljarClient) -> str:
    """The id of the first seeded learner."""
    page = await client.users.list(page_size=1)
    return page.items[0].user.id
