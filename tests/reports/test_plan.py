"""`reports.plan_progress`: counts and the read budget's minimum, with no progress read."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import pytest

from skilljar_async import RateLimits, Window
from skilljar_async.reports import StateMismatchError, plan_progress, progress
from skilljar_async.testing import SkilljarEmulator

from ._shared import (
    LEARN,
    PROGRESS_LIST,
    USERS_LIST,
    calls,
    client_for,
    collect,
    latest_activity,
    learner_ids,
)

N = 40
PAGE = 15

pytestmark = pytest.mark.skilljar_emulator(users=N, limits=None)


async def test_full_plan_counts_and_minimum(skilljar_emulator: SkilljarEmulator) -> None:
    """A full report needs pages + N reads; at 10 reads a minute that is 4 minutes at least."""
    emu = skilljar_emulator
    limits = RateLimits.uniform(Window(10, 60.0))
    async with client_for(emu, rate_limits=limits) as client:
        plan = await plan_progress(client, page_size=PAGE)
    pages = math.ceil(N / PAGE)
    assert (plan.user_pages, plan.users_listed, plan.learners_selected) == (pages, N, N)
    assert plan.read_calls == pages + N == 43
    # The plan's own 3 listing reads are in the window: grants 4..46 of 10 a minute,
    # so the 46th is granted 4 minutes after the first.
    assert plan.minimum_seconds == pytest.approx(240.0, abs=1.0)
    assert calls(emu, USERS_LIST) == pages
    assert calls(emu, PROGRESS_LIST) == 0
    assert "43 read calls" in str(plan)


async def test_plan_after_a_stopped_run(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """Learners a stopped run finished are counted as done, not as reads."""
    emu = skilljar_emulator
    state = tmp_path / "progress.json"
    async with client_for(emu) as client:
        report = progress(client, page_size=PAGE, state=state, concurrency=2)
        async with contextlib.aclosing(aiter(report)) as rows:
            async for _ in rows:
                if report.stats.learners_read >= 5:
                    break
        done = report.stats.learners_read
        plan = await plan_progress(client, page_size=PAGE, state=state)
        assert (plan.learners_selected, plan.learners_done) == (N, done)
        assert plan.learners_to_read == N - done
        assert plan.read_calls == math.ceil(N / PAGE) + N - done
        with pytest.raises(StateMismatchError):
            await plan_progress(client, domain=LEARN, state=state)


async def test_plan_from_a_checkpoint(skilljar_emulator: SkilljarEmulator, tmp_path: Path) -> None:
    """After a completed run, the plan selects only learners inside the overlap."""
    emu = skilljar_emulator
    state = tmp_path / "progress.json"
    async with client_for(emu) as client:
        await collect(progress(client, page_size=PAGE, state=state))
        plan = await plan_progress(client, page_size=PAGE, state=state)
    assert plan.since is not None
    assert plan.threshold is not None
    assert plan.threshold < plan.since
    # Learners active inside the overlap before the checkpoint (the one at it included).
    inside = [u for u in learner_ids(emu) if latest_activity(emu, u) >= plan.threshold]
    assert 1 <= len(inside) < N
    assert plan.learners_selected == len(inside)
    assert plan.read_calls == math.ceil(N / PAGE) + len(inside)
