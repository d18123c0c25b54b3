"""Defects found by probing as an attacker and as a careless user would, each pinned by a test."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skilljar_async import SkilljarClient, cli
from skilljar_async._files import UnsafePathError, atomic_file
from skilljar_async.bulk import (
    CsvError,
    Journal,
    JournalMismatchError,
    check_csv,
    read_rows,
    update_enrollments,
)
from skilljar_async.reports import StateFileError
from skilljar_async.reports._state import ReportState, write_state
from skilljar_async.testing import SkilljarEmulator

DOMAIN = "learn.example.com"
JOB = {"op": "test", "domain": DOMAIN}


@pytest.fixture
def served() -> Iterator[SkilljarEmulator]:
    """An emulator (no limits, 20 learners) serving from its own thread, for `cli.main` tests."""
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


# -- CSV input ------------------------------------------------------------------------------


def _oversized_csv(path: Path) -> Path:
    """Two good rows, then a record with a field over the csv module's 128 KiB limit."""
    big = "x" * (200 * 1024)
    path.write_text(f"email,first_name\na@example.org,A\nb@example.org,B\nc@example.org,{big}\n")
    return path


@pytest.mark.parametrize(
    "text",
    [
        None,  # a field over 128 KiB
        'email,first_name\na@example.org,"unclosed\n',  # an unclosed quote at the end
    ],
)
def test_check_csv_reads_the_whole_structure(tmp_path: Path, text: str | None) -> None:
    """A malformed CSV crashes mid-run: the up-front check parses every record."""
    path = tmp_path / "rows.csv"
    if text is None:
        _oversized_csv(path)
    else:
        path.write_text(text)
    with pytest.raises(CsvError, match="line"):
        check_csv(path)


def test_check_csv_reports_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    """A malformed CSV crashes mid-run: bytes that are not UTF-8 are a CsvError up front."""
    path = tmp_path / "rows.csv"
    path.write_bytes(b"email\n" + b"a@example.org\n" * 5000 + b"\xff\xfe@example.org\n")
    with pytest.raises(CsvError):
        check_csv(path)


def test_reading_rows_turns_a_parse_error_into_csv_error(tmp_path: Path) -> None:
    """A malformed CSV crashes mid-run: streaming rows raises CsvError, not csv.Error."""
    rows = read_rows(_oversized_csv(tmp_path / "rows.csv"))
    with pytest.raises(CsvError):
        list(rows)


def test_cli_stops_a_malformed_csv_before_the_first_call(
    served: SkilljarEmulator, api_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed CSV crashes mid-run: one line, exit 2, and no call reaches the server."""
    path = _oversized_csv(tmp_path / "rows.csv")
    argv = ["--base-url", served.base_url, "domain-users", "add", "--csv", str(path),
            "--domain", DOMAIN]  # fmt: skip
    assert cli.main([*argv, "--dry-run"]) == 2
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2
    assert "field larger than field limit" in err
    assert "Traceback" not in err
    assert served.requests == []
