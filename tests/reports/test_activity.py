"""The emulator moves `latest_activity` when a learner's progress changes, as the API does."""

from __future__ import annotations

import datetime as dt

import pytest

from skilljar_async.testing import SkilljarEmulator

from ._shared import client_for, latest_activity, learner_ids


@pytest.mark.skilljar_emulator(users=20, limits=None)
async def test_progress_update_moves_latest_activity(skilljar_emulator: SkilljarEmulator) -> None:
    """A progress update stamps the learner's and the course's `latest_activity` with now."""
    emu = skilljar_emulator
    uid = next(u for u in learner_ids(emu) if emu.store.rows("users.published_courses", u))
    pc = emu.store.rows("users.published_courses", uid)[0]["published_course_id"]
    before = latest_activity(emu, uid)
    start = dt.datetime.now(dt.UTC)
    async with client_for(emu) as client:
        row = await client.users.published_courses.update(uid, pc, score=3, max_score=4)
    after = latest_activity(emu, uid)
    assert after > before
    assert after >= start
    assert row.course_progress.latest_activity == after
