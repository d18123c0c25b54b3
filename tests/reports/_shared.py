"""Shared pieces of the report tests: the client, request counts, expected rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from skilljar_async import SkilljarClient
from skilljar_async.reports import ProgressReport, ProgressRow
from skilljar_async.testing import SkilljarEmulator

LEARN = "learn.example.com"
PARTNERS = "partners.example.com"
USERS_LIST = "users_list"
PROGRESS_LIST = "users_published_courses_list"


@asynccontextmanager
async def client_for(emu: SkilljarEmulator, **options: Any) -> AsyncIterator[SkilljarClient]:
    """A client on the emulator that never retries (so every call is counted once)."""
    async with SkilljarClient(
        emu.api_key, base_url=emu.base_url, max_retries=0, **options
    ) as client:
        yield client


def calls(emu: SkilljarEmulator, operation_id: str) -> int:
    """How many requests the emulator answered for `operation_id`."""
    return sum(1 for r in emu.requests if r.operation_id == operation_id)


def reads(emu: SkilljarEmulator) -> int:
    """Every GET the emulator received."""
    return sum(1 for r in emu.requests if r.method == "GET")


def progress_reads_by_learner(emu: SkilljarEmulator) -> list[str]:
    """The learner id of every progress read, in order."""
    return [r.path.split("/")[3] for r in emu.requests if r.operation_id == PROGRESS_LIST]


def learner_ids(emu: SkilljarEmulator) -> list[str]:
    """Every learner id in the emulator, in listing order."""
    return [str(row["user"]["id"]) for row in emu.store.rows("users")]


def latest_activity(emu: SkilljarEmulator, user_id: str) -> dt.datetime:
    """A learner's ``latest_activity`` as the emulator holds it."""
    row = emu.store.get("users", user_id)
    assert row is not None
    return dt.datetime.fromisoformat(row["latest_activity"])


def expected_keys(emu: SkilljarEmulator, users: list[str], domain: str | None = None) -> set[Any]:
    """(learner, published course, domain, completed?) of every progress row in the store."""
    keys = set()
    for uid in users:
        for row in emu.store.rows("users.published_courses", uid):
            if domain is None or row["domain_name"] == domain:
                done = row["course_progress"]["completed_at"] is not None
                keys.add((uid, row["published_course_id"], row["domain_name"], done))
    return keys


def key_of(row: ProgressRow) -> tuple[str, str, str | None, bool]:
    """The `expected_keys` form of a report row."""
    return (row.learner.id, row.published_course_id, row.domain, row.completed_at is not None)


async def collect(report: ProgressReport) -> list[ProgressRow]:
    """Every row of a report."""
    return [row async for row in report]
