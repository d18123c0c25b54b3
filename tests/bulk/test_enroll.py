"""Bulk jobs end to end against the emulator: exactly once under faults, resumable, clear errors."""

import asyncio
import collections
import csv
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from skilljar_async import CallType, NotFoundError, RateLimits, SkilljarClient, Window
from skilljar_async.bulk import JobStoppedError, add_domain_users, enroll, read_rows
from skilljar_async.testing import SkilljarEmulator

DOMAIN = "learn.example.com"
ENROLLMENTS = "domains.published_courses.enrollments"


async def new_course(client: SkilljarClient) -> str:
    """A freshly published course with no enrollments yet."""
    course = await client.courses.create(
        title="Bulk target", short_description="x", enforce_sequential_navigation=False
    )
    return (await client.domains.published_courses.create(DOMAIN, course_id=course.id)).id


def enrollments_per_user(emu: SkilljarEmulator, course_id: str) -> collections.Counter[str]:
    return collections.Counter(
        row["user"]["id"] for row in emu.store.rows(ENROLLMENTS, DOMAIN, course_id)
    )


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["email", "first_name", "last_name"])
        writer.writeheader()
        writer.writerows(rows)
    return path


async def member_rows(emu: SkilljarEmulator, n: int) -> list[dict[str, str]]:
    members = emu.store.rows("domains.users", DOMAIN)[:n]
    return [{"email": m["user"]["email"], "first_name": "", "last_name": ""} for m in members]


async def test_enroll_new_existing_and_bad_rows() -> None:
    """New learners join the domain and enroll; known ones enroll; bad rows fail alone.

    A row repeated in the input is sent again and the API's natural key returns the
    same enrollment: no second enrollment, and memory does not grow with the input.
    """
    async with SkilljarEmulator(users=20, limits=None) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url) as client:
            course = await new_course(client)
            rows = await member_rows(emu, 10)
            rows += [{"email": f"new{i}@example.org", "first_name": "N"} for i in range(10)]
            rows += [{"email": "not-an-email"}, {"email": rows[0]["email"].upper()}]
            summary = await enroll(client, rows, domain=DOMAIN, published_course_id=course)
    assert (summary.succeeded, summary.existed, summary.failed) == (21, 0, 1)
    assert "not a valid email" in str(summary.failures[0].error)
    per_user = enrollments_per_user(emu, course)
    assert len(per_user) == 20
    assert set(per_user.values()) == {1}
    assert summary.calls[CallType.MODIFY] == 31  # 10 domain joins + 21 enrollment creates


async def test_empty_input_and_unknown_course() -> None:
    """No rows is an empty summary; an unknown course stops the job before any write."""
    async with SkilljarEmulator(users=5, limits=None) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url) as client:
            empty = await enroll(
                client, [], domain=DOMAIN, published_course_id="nosuch", skip_existing=False
            )
            rows = await member_rows(emu, 3)
            emu.clear_requests()
            with pytest.raises(JobStoppedError) as stopped:
                await enroll(client, rows, domain=DOMAIN, published_course_id="nosuch")
    assert (empty.done, empty.failed) == (0, 0)
    assert isinstance(stopped.value.cause, NotFoundError)
    assert all(r.method == "GET" for r in emu.requests)


async def test_add_domain_users_is_idempotent() -> None:
    """Adding learners twice adds each once; the second run finds them all."""
    rows = [{"email": f"member{i}@example.org"} for i in range(30)]
    async with SkilljarEmulator(limits=None) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url) as client:
            first = await add_domain_users(client, rows, domain=DOMAIN)
            second = await add_domain_users(client, rows, domain=DOMAIN)
    assert (first.succeeded, second.existed) == (30, 30)
    assert emu.store.count("domains.users", DOMAIN) == 30


@pytest.mark.looptime
async def test_10000_items_exactly_once_under_faults_and_a_foreign_consumer() -> None:
    """5% 5xx, 2% dropped connections and another integration: every learner enrolled once."""
    limits = RateLimits.uniform(Window(300, 1.0), Window(3000, 20.0))
    async with SkilljarEmulator(users=10_000, limits=limits, seed=3) as emu:
        async with SkilljarClient(
            emu.api_key, base_url=emu.base_url, rate_limits=limits, max_retries=10
        ) as client:
            course = await new_course(client)
            rows = await member_rows(emu, 10_000)
            emu.set_faults(error_rate=0.05, drop_rate=0.02)
            emu.foreign_consumer(CallType.MODIFY, rate_per_s=20)
            summary = await enroll(
                client, rows, domain=DOMAIN, published_course_id=course, concurrency=32
            )
    assert (summary.succeeded, summary.failed) == (10_000, 0)
    per_user = enrollments_per_user(emu, course)
    assert len(per_user) == 10_000
    assert max(per_user.values()) == 1  # no duplicate despite lost responses
    assert {"error", "drop_after"} <= {r.fault for r in emu.requests}
    assert summary.throttled <= 200


async def test_killed_job_resumes_without_repeating(tmp_path: Path) -> None:
    """SIGKILL mid-job, then the same command: each enrollment once, POSTs ≤ items + in flight."""
    concurrency = 4
    async with SkilljarEmulator(users=600, limits=None, latency=0.02) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url) as client:
            course = await new_course(client)
        learners = write_csv(tmp_path / "learners.csv", await member_rows(emu, 600))
        journal = tmp_path / "job.jsonl"
        command = [
            sys.executable, "-m", "skilljar_async", "--base-url", emu.base_url,
            "--limits", "off", "--concurrency", str(concurrency), "enroll",
            "--csv", str(learners), "--domain", DOMAIN, "--published-course", course,
            "--journal", str(journal),
        ]  # fmt: skip
        env = {**os.environ, "SKILLJAR_API_KEY": emu.api_key}
        first = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        while not journal.exists() or journal.read_text().count("\n") < 150:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        done_at_kill = journal.read_text().count('"s":"succeeded"')
        assert 0 < done_at_kill < 600
        second = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
        )
        out, _ = await second.communicate()
    assert second.returncode == 0, out
    per_user = enrollments_per_user(emu, course)
    assert len(per_user) == 600
    assert max(per_user.values()) == 1
    posts = [r for r in emu.requests if r.method == "POST" and r.path.endswith("/enrollments")]
    assert len(posts) <= 600 + concurrency
    assert b"done by an earlier run" in out


def test_read_rows_streams_and_checks_columns(tmp_path: Path) -> None:
    """Rows stream with their line numbers; a file without an email column is refused."""
    good = write_csv(tmp_path / "a.csv", [{"email": "a@b.io", "first_name": "A", "last_name": ""}])
    assert [r["_line"] for r in read_rows(good)] == ["2"]
    bad = tmp_path / "b.csv"
    bad.write_text("name,age\nx,1\n")
    with pytest.raises(ValueError, match="email or user_id"):
        read_rows(bad)
    with pytest.raises(ValueError, match="cannot read"):
        read_rows(tmp_path / "missing.csv")


async def aiter_rows(n: int) -> AsyncIterator[dict[str, str]]:
    for i in range(n):
        yield {"email": f"stream{i}@example.org"}


async def test_async_iterable_rows() -> None:
    """An async source of rows streams through the same job."""
    async with SkilljarEmulator(limits=None) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url) as client:
            summary = await add_domain_users(client, aiter_rows(25), domain=DOMAIN)
    assert (summary.succeeded, summary.failed) == (25, 0)
    assert emu.store.count("domains.users", DOMAIN) == 25


async def test_update_and_deactivate_enrollments() -> None:
    """Enrollment rows are deactivated in bulk; a missing id fails alone."""
    from skilljar_async.bulk import deactivate_enrollments

    async with SkilljarEmulator(users=10, limits=None) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url) as client:
            course = await new_course(client)
            await enroll(
                client, await member_rows(emu, 10), domain=DOMAIN, published_course_id=course
            )
            rows = [{"enrollment_id": r["id"]} for r in emu.store.rows(ENROLLMENTS, DOMAIN, course)]
            rows.append({"enrollment_id": "nosuchenrollment"})
            summary = await deactivate_enrollments(
                client, rows, domain=DOMAIN, published_course_id=course
            )
    assert (summary.succeeded, summary.failed) == (10, 1)
    assert all(r["active"] is False for r in emu.store.rows(ENROLLMENTS, DOMAIN, course))
    assert isinstance(summary.failures[0].error, NotFoundError)


@pytest.mark.parametrize(
    ("text", "rows"),
    [("", 0), ("email", 0), ("email\n", 0), ("email\na@b.io", 1), ("email\na@b.io\nc@d.io\n", 2)],
)
def test_count_rows(tmp_path: Path, text: str, rows: int) -> None:
    """Rows are counted after the header, with or without a final newline."""
    from skilljar_async.bulk import count_rows

    path = tmp_path / "rows.csv"
    path.write_text(text)
    assert count_rows(path) == rows
