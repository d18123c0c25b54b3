"""`reports.progress` end to end on the emulator, over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import stat
from pathlib import Path

import pytest

from skilljar_async import CallType, ServerError, SlidingWindowScheduler
from skilljar_async.bulk import Journal
from skilljar_async.reports import (
    ProgressRow,
    StateFileError,
    StateMismatchError,
    journal_path,
    progress,
    read_state,
)
from skilljar_async.testing import SkilljarEmulator

from ._shared import (
    LEARN,
    PARTNERS,
    PROGRESS_LIST,
    USERS_LIST,
    calls,
    client_for,
    collect,
    expected_keys,
    key_of,
    latest_activity,
    learner_ids,
    progress_reads_by_learner,
    reads,
)

N = 40
PAGE = 15

pytestmark = pytest.mark.skilljar_emulator(users=N, limits=None)


async def test_full_export_rows_and_reads(skilljar_emulator: SkilljarEmulator) -> None:
    """A full export has one row per learner and course, in user pages + N reads exactly."""
    emu = skilljar_emulator
    async with client_for(emu) as client:
        report = progress(client, page_size=PAGE, concurrency=4)
        rows = await collect(report)
    users = learner_ids(emu)
    assert sorted(key_of(r) for r in rows) == sorted(expected_keys(emu, users))
    pages = math.ceil(N / PAGE)
    assert calls(emu, USERS_LIST) == pages
    assert calls(emu, PROGRESS_LIST) == N
    assert reads(emu) == pages + N
    assert sorted(progress_reads_by_learner(emu)) == sorted(users)
    assert (report.stats.user_pages, report.stats.learners_read) == (pages, N)
    assert report.stats.rows == len(rows)


async def test_row_fields_come_from_the_progress_array(
    skilljar_emulator: SkilljarEmulator,
) -> None:
    """Every field of a row matches the learner and the progress element it came from."""
    emu = skilljar_emulator
    uid = next(u for u in learner_ids(emu) if emu.store.rows("users.published_courses", u))
    raw = emu.store.rows("users.published_courses", uid)[0]
    raw["certificate"] = {
        "code": "CERT-1",
        "validate_url": "https://learn.example.com/certificates/CERT-1",
        "issued_at": "2025-02-03T04:05:06+00:00",
        "expires_at": None,
        "download_url": "https://files.example.com/presigned?X-Amz-Signature=secret",
    }
    raw["course_progress"].update(score=8, max_score=10, success_status="PASSED")
    async with client_for(emu) as client:
        rows = [r async for r in progress(client, page_size=PAGE) if r.learner.id == uid]
    row = next(r for r in rows if r.published_course_id == raw["published_course_id"])
    person = emu.store.people[uid]
    assert (row.learner.email, row.learner.first_name, row.learner.last_name) == (
        person["email"],
        person["first_name"],
        person["last_name"],
    )
    assert (row.domain, row.course_id, row.course_title) == (
        raw["domain_name"],
        raw["course"]["id"],
        raw["course"]["title"],
    )
    assert row.enrolled_at == dt.datetime.fromisoformat(raw["enrolled_at"])
    assert row.enrollment_id == raw["enrollment_id"]
    assert row.lesson_count == raw["course"]["lesson_count"]
    assert row.completed_lesson_count == raw["course_progress"]["completed_lesson_count"]
    assert (row.score, row.max_score, row.success_status) == (8, 10, "PASSED")
    assert row.certificate is not None
    assert row.certificate.code == "CERT-1"
    assert row.certificate.validate_url == "https://learn.example.com/certificates/CERT-1"
    assert row.certificate.issued_at == dt.datetime(2025, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    assert "presigned" not in repr(row)


async def _touch(emu: SkilljarEmulator, uid: str) -> None:
    """Make a learner active now, through the API (a progress update or an enrollment)."""
    async with client_for(emu) as client:
        existing = emu.store.rows("users.published_courses", uid)
        if existing:
            pc = existing[0]["published_course_id"]
            await client.users.published_courses.update(uid, pc, score=1, max_score=2)
        else:
            pc = emu.store.rows("domains.published_courses", LEARN)[0]["id"]
            enrollments = client.domains.published_courses.enrollments
            await enrollments.create(LEARN, pc, user_id=uid)


async def test_incremental_run_reads_only_active_learners(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """After K of N learners act, a run reads ceil(N/page) + K and matches a full export."""
    emu = skilljar_emulator
    state = tmp_path / "progress.json"
    async with client_for(emu) as client:
        await collect(progress(client, page_size=PAGE, state=state))
    first = read_state(state)
    assert first is not None
    users = learner_ids(emu)
    # The newest learner sits at the checkpoint, which a run always reads again.
    assert first.checkpoint == max(latest_activity(emu, u) for u in users)
    active = [users[3], users[10], users[22], users[-1]]
    for uid in active:
        await _touch(emu, uid)
    emu.clear_requests()
    async with client_for(emu) as client:
        report = progress(client, page_size=PAGE, state=state)
        rows = await collect(report)
        assert reads(emu) == math.ceil(N / PAGE) + len(active)
        assert sorted(progress_reads_by_learner(emu)) == sorted(active)
        full = [r async for r in progress(client, page_size=PAGE) if r.learner.id in active]
    assert sorted(rows, key=_sort_key) == sorted(full, key=_sort_key)
    second = read_state(state)
    assert second is not None
    assert second.checkpoint == max(latest_activity(emu, u) for u in active)
    assert report.stats.since == first.checkpoint


def _sort_key(row: ProgressRow) -> tuple[str, str]:
    return (row.learner.id, row.published_course_id)


async def test_run_with_no_activity_reads_the_checkpoint_learner_only(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """With nothing new, a run lists users and re-reads only learners inside the overlap."""
    emu = skilljar_emulator
    state = tmp_path / "progress.json"
    async with client_for(emu) as client:
        await collect(progress(client, page_size=PAGE, state=state))
        emu.clear_requests()
        await collect(progress(client, page_size=PAGE, state=state))
    assert progress_reads_by_learner(emu) == [learner_ids(emu)[-1]]
    assert not journal_path(state).exists()


async def test_state_file_is_private_and_atomic(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """The state file is 0600, no temporary file is left, and the journal is removed."""
    state = tmp_path / "progress.json"
    async with client_for(skilljar_emulator) as client:
        await collect(progress(client, page_size=PAGE, state=state))
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["progress.json"]
    saved = read_state(state)
    assert saved is not None
    assert saved.params == {"domain": None, "published_course_ids": None}


async def test_cancelled_run_resumes_without_rereading_finished_learners(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """A run stopped part way leaves a journal; the next reads no learner it finished."""
    emu = skilljar_emulator
    state = tmp_path / "progress.json"
    async with client_for(emu) as client:
        first: list[ProgressRow] = []
        report = progress(client, page_size=PAGE, state=state, concurrency=3)
        async with contextlib.aclosing(aiter(report)) as rows:
            async for row in rows:
                first.append(row)
                if report.stats.learners_read >= 12:
                    break
        assert read_state(state) is None  # written only when a run completes
        finished = _journal_done(state)
        assert len(finished) == report.stats.learners_read >= 12
        emu.clear_requests()
        resumed = progress(client, page_size=PAGE, state=state, concurrency=3)
        second = await collect(resumed)
    again = set(progress_reads_by_learner(emu))
    assert not again & finished
    assert again | finished == set(learner_ids(emu))
    assert resumed.stats.learners_skipped == len(finished)
    emitted = {key_of(r) for r in first if r.learner.id in finished} | {key_of(r) for r in second}
    assert emitted == expected_keys(emu, learner_ids(emu))
    assert read_state(state) is not None
    assert not journal_path(state).exists()


def _journal_done(state: Path) -> set[str]:
    job = json.loads(journal_path(state).read_text().splitlines()[0])["job"]
    return set(Journal.read_done(journal_path(state), job=job))


async def test_domain_filter_keeps_that_domains_rows(
    skilljar_emulator: SkilljarEmulator,
) -> None:
    """``domain=`` filters each learner's list: only that domain's rows, same reads."""
    emu = skilljar_emulator
    async with client_for(emu) as client:
        rows = await collect(progress(client, domain=PARTNERS, page_size=PAGE))
    users = learner_ids(emu)
    assert rows
    assert {key_of(r) for r in rows} == expected_keys(emu, users, domain=PARTNERS)
    assert calls(emu, PROGRESS_LIST) == N
    assert not any(r.operation_id == "users_published_courses_retrieve" for r in emu.requests)


async def test_published_course_filter(skilljar_emulator: SkilljarEmulator) -> None:
    """``published_course_ids=`` keeps only rows of those publications."""
    emu = skilljar_emulator
    pc = emu.store.rows("domains.published_courses", LEARN)[1]["id"]
    async with client_for(emu) as client:
        rows = await collect(progress(client, published_course_ids=[pc], page_size=PAGE))
    want = {k for k in expected_keys(emu, learner_ids(emu)) if k[1] == pc}
    assert rows
    assert {key_of(r) for r in rows} == want


async def test_since_selects_learners_inside_the_overlap(
    skilljar_emulator: SkilljarEmulator,
) -> None:
    """``since`` reads learners active at or after ``since - overlap``, and no others."""
    emu = skilljar_emulator
    users = learner_ids(emu)
    since = latest_activity(emu, users[30])
    gap = latest_activity(emu, users[30]) - latest_activity(emu, users[29])
    overlap = gap * 2.5  # reaches back past learners 29 and 28, not 27
    async with client_for(emu) as client:
        rows = await collect(progress(client, since=since, overlap=overlap, page_size=PAGE))
    assert sorted(progress_reads_by_learner(emu)) == sorted(users[28:])
    assert {key_of(r) for r in rows} == expected_keys(emu, users[28:])


async def test_state_for_another_report_is_refused(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """A state file written for one domain is refused for another, before any call."""
    emu = skilljar_emulator
    state = tmp_path / "progress.json"
    async with client_for(emu) as client:
        await collect(progress(client, domain=LEARN, page_size=PAGE, state=state))
        emu.clear_requests()
        with pytest.raises(StateMismatchError):
            await collect(progress(client, domain=PARTNERS, state=state))
    assert emu.requests == []


async def test_reads_run_at_background_priority(skilljar_emulator: SkilljarEmulator) -> None:
    """Listing and progress reads take scheduler slots at the report's priority."""
    seen: list[int] = []

    class Recording(SlidingWindowScheduler):
        def slot(self, call_type: CallType, *, priority: int = 0):  # type: ignore[no-untyped-def]
            seen.append(priority)
            return super().slot(call_type, priority=priority)

    async with client_for(skilljar_emulator, scheduler=Recording()) as client:
        await collect(progress(client, page_size=PAGE))
    assert len(seen) == math.ceil(N / PAGE) + N
    assert set(seen) == {-1}


@pytest.mark.skilljar_emulator(users=N, limits=None, error_rate=1.0)
async def test_a_failed_read_raises_and_writes_no_state(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """A call that fails after the client's retries ends the run; no checkpoint is written."""
    state = tmp_path / "progress.json"
    async with client_for(skilljar_emulator) as client:
        with pytest.raises(ServerError):
            await collect(progress(client, page_size=PAGE, state=state))
    assert read_state(state) is None


async def test_arguments_are_checked_before_any_call(
    skilljar_emulator: SkilljarEmulator,
) -> None:
    """Bad arguments raise at once, and the report iterates only once."""
    async with client_for(skilljar_emulator) as client:
        with pytest.raises(ValueError, match="concurrency"):
            progress(client, concurrency=0)
        with pytest.raises(ValueError, match="page_size"):
            progress(client, page_size=1001)
        with pytest.raises(ValueError, match="overlap"):
            progress(client, overlap=dt.timedelta(seconds=-1))
        with pytest.raises(TypeError):
            progress(client, published_course_ids="pc1")
        report = progress(client, page_size=PAGE)
        await collect(report)
        with pytest.raises(RuntimeError):
            aiter(report)
    assert calls(skilljar_emulator, USERS_LIST) == math.ceil(N / PAGE)


async def test_journal_left_by_a_completed_run_is_dropped(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """A journal older than the state's completion (a crash before its removal) is ignored."""
    emu = skilljar_emulator
    state = tmp_path / "progress.json"
    async with client_for(emu) as client:
        report = progress(client, page_size=PAGE, state=state)
        async with contextlib.aclosing(aiter(report)) as rows:
            async for _ in rows:
                break
        leftover = journal_path(state).read_bytes()
        await collect(progress(client, page_size=PAGE, state=state))
        journal_path(state).write_bytes(leftover)
        emu.clear_requests()
        await collect(progress(client, page_size=PAGE, state=state))
    assert progress_reads_by_learner(emu) == [learner_ids(emu)[-1]]
    assert not journal_path(state).exists()


async def test_checkpoint_never_passes_the_run_start(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """Activity listed after the run started (by its clock) leaves the start as checkpoint."""
    emu = skilljar_emulator
    state = tmp_path / "progress.json"
    users = learner_ids(emu)
    start = latest_activity(emu, users[20])
    async with client_for(emu) as client:
        await collect(progress(client, page_size=PAGE, state=state, now=lambda: start))
        saved = read_state(state)
        assert saved is not None
        assert saved.checkpoint == start
        emu.clear_requests()
        await collect(progress(client, page_size=PAGE, state=state))
    assert sorted(progress_reads_by_learner(emu)) == sorted(users[20:])


async def test_journal_symlink_is_refused(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """A symbolic link planted where the journal goes stops the run before any call."""
    state = tmp_path / "progress.json"
    journal_path(state).symlink_to(tmp_path / "elsewhere")
    async with client_for(skilljar_emulator) as client:
        with pytest.raises(StateFileError, match="symbolic link"):
            await collect(progress(client, state=state))
    assert skilljar_emulator.requests == []
    assert not (tmp_path / "elsewhere").exists()


async def test_stopping_early_stops_every_worker(skilljar_emulator: SkilljarEmulator) -> None:
    """Once a closed report's iterator returns, no request of it is still on its way."""
    emu = skilljar_emulator
    async with client_for(emu) as client:
        report = progress(client, page_size=PAGE, concurrency=8)
        async with contextlib.aclosing(aiter(report)) as rows:
            async for _ in rows:
                break
        sent = len(emu.requests)
        for _ in range(20):
            await asyncio.sleep(0)
        assert len(emu.requests) == sent
        assert sent < math.ceil(N / PAGE) + N
