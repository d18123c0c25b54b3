"""Defects found by probing as an attacker and as a careless user would, each pinned by a test."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from skilljar_async import SkilljarClient
from skilljar_async._files import UnsafePathError, atomic_file
from skilljar_async.bulk import Journal, JournalMismatchError, update_enrollments
from skilljar_async.reports import StateFileError
from skilljar_async.reports._state import ReportState, write_state
from skilljar_async.testing import SkilljarEmulator

DOMAIN = "learn.example.com"
JOB = {"op": "test", "domain": DOMAIN}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- journals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first_line",
    [
        "email,first_name\n",  # a CSV passed as --journal
        '{"journal": 1, "job": {"op": "test", "domain": "learn.example.com"}}\n',  # no meta
        '{"journal": 1, "job": {"op": "test", "domain": "learn.example.com"}, "meta": [1]}\n',
        "\n",
        "[1, 2]\n",
    ],
)
def test_journal_refuses_a_file_without_a_valid_header(tmp_path: Path, first_line: str) -> None:
    """Journals trust any file: a non-empty file without this job's header is refused, untouched."""
    path = tmp_path / "journal.jsonl"
    body = first_line + '{"k": "a@example.org", "s": "succeeded"}\n'
    path.write_text(body)
    journal = Journal(path, job=JOB)
    with pytest.raises(JournalMismatchError, match="not a journal"):
        journal.open({})
    assert path.read_text() == body
    assert not journal.is_done("a@example.org")


def test_journal_trusts_only_the_first_line_as_header(tmp_path: Path) -> None:
    """Journals trust any file: a damaged first line is not skipped for a later header."""
    path = tmp_path / "journal.jsonl"
    header = json.dumps({"journal": 1, "job": JOB, "meta": {}})
    path.write_text('{"torn\n' + header + '\n{"k": "a@example.org", "s": "succeeded"}\n')
    with pytest.raises(JournalMismatchError):
        Journal(path, job=JOB).open({})


def test_journal_of_another_job_is_refused_and_untouched(tmp_path: Path) -> None:
    """Journals trust any file: another job's journal is refused with nothing written."""
    path = tmp_path / "journal.jsonl"
    other = Journal(path, job={"op": "other"})
    other.open({})
    other.close()
    before = path.read_bytes()
    with pytest.raises(JournalMismatchError, match="different job"):
        Journal(path, job=JOB).open({})
    assert path.read_bytes() == before


def test_journal_read_done_is_public_and_read_only(tmp_path: Path) -> None:
    """Journal.read_done lists finished keys without writing, and checks the job."""
    path = tmp_path / "journal.jsonl"
    journal = Journal(path, job=JOB)
    journal.open({})
    journal.record("a@example.org", "succeeded")
    journal.record("b@example.org", "failed", error="x")
    journal.close()
    before = path.read_bytes()
    assert Journal.read_done(path, job=JOB) == {"a@example.org"}
    assert Journal.read_done(tmp_path / "none.jsonl", job=JOB) == frozenset()
    with pytest.raises(JournalMismatchError):
        Journal.read_done(path, job={"op": "other"})
    assert path.read_bytes() == before


def test_journal_is_private_and_never_follows_a_symlink(tmp_path: Path) -> None:
    """Journals hold e-mail addresses: created 0600, and a symbolic link there is refused."""
    path = tmp_path / "journal.jsonl"
    journal = Journal(path, job=JOB)
    journal.open({})
    journal.close()
    assert _mode(path) == 0o600
    victim = tmp_path / "victim"
    victim.write_text("")
    link = tmp_path / "link.jsonl"
    link.symlink_to(victim)
    with pytest.raises(UnsafePathError):
        Journal(link, job=JOB).open({})
    assert victim.read_text() == ""


def test_state_file_uses_the_private_atomic_writer(tmp_path: Path) -> None:
    """State files are replaced atomically, 0600, and never through a symbolic link."""
    state = ReportState(
        report="progress", params={}, checkpoint=None, completed_at=dt.datetime.now(dt.UTC)
    )
    path = tmp_path / "state.json"
    path.write_text("old")
    path.chmod(0o644)
    write_state(path, state)
    assert _mode(path) == 0o600
    assert json.loads(path.read_text())["report"] == "progress"
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(StateFileError, match="symbolic link"):
        write_state(link, state)
    assert not (tmp_path / "elsewhere.json").exists()


def test_atomic_file_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    """A failed whole-file write leaves the earlier file and no temporary file behind."""
    path = tmp_path / "out.csv"
    path.write_text("earlier export\n")
    with pytest.raises(RuntimeError), atomic_file(path) as handle:
        handle.write("partial")
        raise RuntimeError("the server went away")
    assert path.read_text() == "earlier export\n"
    assert os.listdir(tmp_path) == ["out.csv"]


# -- job identity -------------------------------------------------------------------------


async def test_update_enrollments_identity_includes_what_it_writes(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """Job identity too loose: a reactivate run refuses a deactivate run's journal."""
    emu = skilljar_emulator
    journal = tmp_path / "journal.jsonl"
    rows = [{"enrollment_id": "e1"}]
    async with SkilljarClient(emu.api_key, base_url=emu.base_url, max_retries=0) as client:
        common: dict[str, Any] = {
            "domain": DOMAIN,
            "published_course_id": "pc",
            "journal": str(journal),
        }
        await update_enrollments(client, rows, active=False, **common)
        with pytest.raises(JournalMismatchError):
            await update_enrollments(client, rows, active=True, **common)
        with pytest.raises(JournalMismatchError):
            expires = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
            await update_enrollments(client, rows, active=False, expires_at=expires, **common)
