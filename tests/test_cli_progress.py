"""``export progress`` end to end: the command line against an emulator over HTTP."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from skilljar_async import SkilljarClient, cli, reports
from skilljar_async.testing import SkilljarEmulator


def _expected(emu: SkilljarEmulator) -> set[tuple[str, str]]:
    """(learner id, published course id) of every row the library's report gives."""

    async def collect() -> set[tuple[str, str]]:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url) as client:
            return {(r.learner.id, r.published_course_id) async for r in reports.progress(client)}

    return asyncio.run(collect())


def _keys(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="") as handle:
        return [(r["learner.id"], r["published_course_id"]) for r in csv.DictReader(handle)]


def _argv(emu: SkilljarEmulator, *options: str) -> list[str]:
    return ["--base-url", emu.base_url, "export", "progress", *options]


def test_csv_export_with_state_then_an_incremental_run(
    served: SkilljarEmulator, api_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A full run writes every row under csv_columns; the next run reads only recent learners."""
    out, state = tmp_path / "progress.csv", tmp_path / "state.json"
    options = ["--format", "csv", "--out", str(out), "--state", str(state)]
    assert cli.main(_argv(served, *options)) == 0
    with out.open(newline="") as handle:
        assert next(csv.reader(handle)) == list(reports.csv_columns())
    keys = _keys(out)
    assert len(keys) == len(set(keys))
    assert set(keys) == _expected(served)
    assert "exported" in capsys.readouterr().err
    served.state.requests.clear()
    assert cli.main(_argv(served, *options, "--concurrency", "2")) == 0
    reads = [r for r in served.requests if r.operation_id == "users_published_courses_list"]
    assert len(reads) < 20  # only learners active since the checkpoint (minus the overlap)
    read_learners = {r.path.split("/")[3] for r in reads}
    assert {learner for learner, _ in _keys(out)} <= read_learners
    assert set(_keys(out)) <= _expected(served)


def test_jsonl_keeps_nesting_and_dry_run_reads_no_progress(
    served: SkilljarEmulator, api_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON lines keep the nesting; --dry-run lists users once and prints the reads and time."""
    assert cli.main(_argv(served, "--format", "jsonl", "--dry-run")) == 0
    out = capsys.readouterr().out
    assert "20 learners listed, 20 need a progress read: 21 read calls" in out
    assert {r.operation_id for r in served.requests} == {"users_list"}
    target = tmp_path / "progress.jsonl"
    assert cli.main(_argv(served, "--format", "jsonl", "--out", str(target))) == 0
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert {(r["learner"]["id"], r["published_course_id"]) for r in records} == _expected(served)


def test_state_errors_and_bad_options_are_exit_2(
    served: SkilljarEmulator, api_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed state file, a state file of another report, or a bad --since: one line, 2."""
    state = tmp_path / "state.json"
    state.write_text("not json")
    assert cli.main(_argv(served, "--format", "csv", "--state", str(state))) == 2
    assert "malformed state file" in capsys.readouterr().err
    state.unlink()
    assert cli.main(_argv(served, "--format", "csv", "--state", str(state))) == 0
    capsys.readouterr()
    other = ["--format", "csv", "--state", str(state), "--domain", "partners.example.com"]
    assert cli.main(_argv(served, *other)) == 2
    assert "another report" in capsys.readouterr().err
    assert cli.main(_argv(served, "--format", "csv", "--since", "soon")) == 2
    assert "--since" in capsys.readouterr().err


def test_sigterm_keeps_the_partial_file_and_the_rerun_appends(
    served: SkilljarEmulator, tmp_path: Path
) -> None:
    """SIGTERM mid-report: exit 143 and a hint; the rerun appends the rest, one header."""
    out, state = tmp_path / "progress.csv", tmp_path / "state.json"
    journal = reports.journal_path(state)
    command = [sys.executable, "-m", "skilljar_async", "--base-url", served.base_url,
               "--limits", "4/1", "export", "progress", "--format", "csv", "--out", str(out),
               "--state", str(state), "--concurrency", "1"]  # fmt: skip
    env = {**os.environ, "SKILLJAR_API_KEY": served.api_key}
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as run:
        while not journal.exists() or journal.read_text().count("\n") < 4:
            assert run.poll() is None
            threading.Event().wait(0.02)  # waiting for the child's progress, not for a rate
        run.send_signal(signal.SIGTERM)
        _, err = run.communicate(timeout=60)
    assert run.returncode == 143, err
    assert b"run the same command to resume" in err
    first = _keys(out)
    assert first
    rerun = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert rerun.returncode == 0, rerun.stderr
    text = out.read_text()
    assert text.count("learner.id,") == 1
    assert set(_keys(out)) == _expected(served)
    assert _keys(out)[: len(first)] == first
