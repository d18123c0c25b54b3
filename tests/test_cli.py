"""The skilljar-async command line against an emulator process."""

import json
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from skilljar_async.cli import main


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """An emulator process with 50 seeded learners and no limits."""
    port = free_port()
    command = [sys.executable, "-m", "skilljar_async.testing", "--port", str(port),
               "--users", "50", "--limits", "off"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SKILLJAR_API_KEY", "test-key")
    return "test-key"


def test_ping(base_url: str, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    """ping checks the key and says so."""
    assert main(["--base-url", base_url, "ping"]) == 0
    assert "accepted the key" in capsys.readouterr().out


def test_organization_from_option_or_environment(
    base_url: str, key: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--organization (or $SKILLJAR_ORGANIZATION) names the budget; a bad name is exit 2."""
    assert main(["--base-url", base_url, "--organization", "acme", "ping"]) == 0
    monkeypatch.setenv("SKILLJAR_ORGANIZATION", "acme")
    assert main(["--base-url", base_url, "ping"]) == 0
    assert main(["--base-url", base_url, "--organization", " acme", "ping"]) == 2
    assert "organization" in capsys.readouterr().err


def test_dry_run_at_the_jobs_share(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--limits takes ;reserve=, and the dry run plans within the background share."""
    rows = tmp_path / "learners.csv"
    rows.write_text("email\n" + "".join(f"u{i}@example.org\n" for i in range(100)))
    argv = ["--api-key-env", "NO_SUCH_VARIABLE", "--limits", "10/1;reserve=0.5", "domain-users",
            "add", "--csv", str(rows), "--domain", "d", "--dry-run"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "at least 19.0 s at a background job's share" in out  # 5 a second, from 0 s


def test_wrong_key_is_one_line_and_exit_2(
    base_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rejected key prints one line naming the variable, exit code 2."""
    monkeypatch.setenv("MY_KEY", "wrong")
    assert main(["--base-url", base_url, "--api-key-env", "MY_KEY", "ping"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: the API key in $MY_KEY was rejected (401)"
    assert "wrong" not in err


def test_missing_key_and_no_network(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    """No key in the environment, or nothing listening: a clear line and exit 2."""
    assert main(["--api-key-env", "NO_SUCH_VARIABLE", "ping"]) == 2
    assert "$NO_SUCH_VARIABLE" in capsys.readouterr().err
    dead = f"http://127.0.0.1:{free_port()}/v1"
    assert main(["--base-url", dead, "ping"]) == 2
    assert "cannot reach" in capsys.readouterr().err


def test_the_key_is_never_an_argument() -> None:
    """There is no option that would put the key into the process list."""
    with pytest.raises(SystemExit):
        main(["--api-key", "secret", "ping"])


def test_dry_run_plans_without_a_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--dry-run counts calls and the minimum time, sending nothing."""
    rows = tmp_path / "learners.csv"
    rows.write_text("email\n" + "".join(f"u{i}@example.org\n" for i in range(12_000)))
    argv = ["--api-key-env", "NO_SUCH_VARIABLE", "enroll", "--csv", str(rows), "--domain", "d",
            "--published-course", "pc", "--dry-run"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "12,000 items need 24,000 modification calls" in out
    assert "12,000 items need 12,000 modification calls" in out


def test_bad_csv_is_exit_2(
    tmp_path: Path, base_url: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file without an email column, or no file at all, stops before any call."""
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nx\n")
    common = ["--base-url", base_url, "domain-users", "add", "--domain", "learn.example.com"]
    assert main([*common, "--csv", str(bad)]) == 2
    assert "needs a column email or user_id" in capsys.readouterr().err
    assert main([*common, "--csv", str(tmp_path / "none.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_domain_users_add_reports_bad_rows_and_goes_on(
    tmp_path: Path, base_url: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad emails fail alone; the rest are added; exit 1 tells that some failed."""
    rows = tmp_path / "rows.csv"
    rows.write_text("email,first_name\nnew1@example.org,A\nbroken,B\nnew2@example.org,C\n")
    argv = ["--base-url", base_url, "domain-users", "add", "--csv", str(rows),
            "--domain", "learn.example.com"]  # fmt: skip
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "2 succeeded" in out
    assert "1 failed" in out
    assert "not a valid email address: 'broken'" in out


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_streams_rows(
    fmt: str, tmp_path: Path, base_url: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """export writes one line per learner: nested JSON lines, dotted CSV columns."""
    out = tmp_path / f"users.{fmt}"
    assert (
        main(["--base-url", base_url, "export", "users", "--format", fmt, "--out", str(out)]) == 0
    )
    lines = out.read_text().splitlines()
    exported = len(lines) - (fmt == "csv")  # the CSV header line
    assert exported >= 50  # the seeded learners, and any another test added
    if fmt == "jsonl":
        assert "email" in json.loads(lines[0])["user"]
    else:
        assert "user.email" in lines[0].split(",")
    assert f"exported {exported} rows" in capsys.readouterr().err


def test_budget_without_redis_says_there_is_no_history(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """budget without --redis says a fresh process has no history, and shows the limits."""
    assert main(["--limits", "20/1,50/5", "budget"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("no history to show: a fresh process has used none of the budget")
    assert "--redis URL" in out
    assert "modification: 20 per 1s, 50 per 5s" in out


@pytest.mark.parametrize(
    ("argv", "level"),
    [
        (["budget"], logging.WARNING),
        (["-v", "budget"], logging.INFO),
        (["budget", "-v"], logging.INFO),
        (["budget", "-vv"], logging.DEBUG),
        (["--log-level", "debug", "budget"], logging.DEBUG),
        (["budget", "-vv", "--log-level", "error"], logging.ERROR),
    ],
)
def test_verbose_and_log_level(
    argv: list[str], level: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """-v/--verbose and --log-level, before or after the command, set the library's level."""
    root = logging.getLogger("skilljar_async")
    handlers, old = list(root.handlers), root.level
    root.setLevel(logging.WARNING)
    try:
        assert main(argv) == 0
        assert root.getEffectiveLevel() == level
        added = [h for h in root.handlers if h not in handlers]
        assert len(added) == (0 if argv == ["budget"] else 1)
    finally:
        root.handlers[:] = handlers
        root.setLevel(old)


def test_verbose_ping_logs_each_request(
    base_url: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """-vv on a command logs its request to stderr, with the path template."""
    root = logging.getLogger("skilljar_async")
    handlers, old = list(root.handlers), root.level
    try:
        assert main(["--base-url", base_url, "ping", "-vv"]) == 0
    finally:
        root.handlers[:] = handlers
        root.setLevel(old)
    err = capsys.readouterr().err
    assert "GET /ping -> 200 in" in err
    assert "test-key" not in err


def test_without_rich_one_line_says_what_to_install() -> None:
    """Without the cli extra the command line prints one line naming it, and exits 2."""
    code = (
        "import sys; sys.modules['rich'] = None\n"
        "from skilljar_async.cli import main\n"
        "sys.exit(main(['budget']))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2
    assert (
        result.stderr == "error: the command line needs rich: pip install 'skilljar-async[cli]'\n"
    )


def test_ctrl_c_stops_cleanly_and_resumes(tmp_path: Path, base_url: str) -> None:
    """SIGINT mid-job: exit 130, a hint to resume, and the rerun skips what was done."""
    import os
    import signal

    rows = tmp_path / "rows.csv"
    rows.write_text("email\n" + "".join(f"sigint{i}@example.org\n" for i in range(60)))
    journal = tmp_path / "job.jsonl"
    command = [sys.executable, "-m", "skilljar_async", "--base-url", base_url, "--limits", "20/1",
               "domain-users", "add", "--csv", str(rows), "--domain", "learn.example.com",
               "--journal", str(journal)]  # fmt: skip
    env = {**os.environ, "SKILLJAR_API_KEY": "test-key"}
    job = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        not journal.exists() or journal.read_text().count("\n") < 6
    ):
        time.sleep(0.05)
    job.send_signal(signal.SIGINT)
    _, err = job.communicate(timeout=30)
    assert job.returncode == 130
    assert b"run the same command to resume" in err
    recorded = [json.loads(line) for line in journal.read_text().splitlines()]
    done = sum(1 for r in recorded if r.get("s") == "succeeded")
    assert 0 < done < 60
    rerun = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
    assert rerun.returncode == 0
    assert f"{done} done by an earlier run".encode() in rerun.stdout


def test_console_script_and_module_entry_points_run_main() -> None:
    """The ``skilljar-async`` script and ``python -m skilljar_async`` both reach `cli.main`."""
    import importlib.metadata
    import subprocess
    import sys

    (script,) = importlib.metadata.entry_points(group="console_scripts", name="skilljar-async")
    assert script.load() is main
    result = subprocess.run(
        [sys.executable, "-m", "skilljar_async", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: skilljar-async")


def test_live_bar_on_a_terminal(tmp_path: Path, base_url: str) -> None:
    """Under a pseudo-terminal a job draws rich's live bar with counts, rate, ETA and failures."""
    import os

    import pexpect

    rows = tmp_path / "rows.csv"
    rows.write_text("email\n" + "".join(f"tty{i}@example.org\n" for i in range(30)) + "bad\n")
    args = ["-m", "skilljar_async", "--base-url", base_url, "--limits", "10/1",
            "domain-users", "add", "--csv", str(rows), "--domain", "learn.example.com"]  # fmt: skip
    env = {**os.environ, "SKILLJAR_API_KEY": "test-key", "COLUMNS": "120", "TERM": "xterm"}
    child = pexpect.spawn(
        sys.executable, args, env=env, timeout=60, encoding="utf-8", codec_errors="replace"
    )
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before
    assert child.exitstatus == 1  # the bad row failed
    assert "━" in screen  # the bar, drawn by rich
    assert "31/31" in screen
    assert "/s" in screen
    assert "ETA" in screen
    assert "failed 1" in screen
    assert screen.count("\r") + screen.count("\x1b[") > 2  # redrawn in place, not printed once
