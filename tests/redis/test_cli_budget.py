"""``skilljar-async budget --redis``: the budget every process shares, read from Redis."""

import asyncio

import pytest

from skilljar_async.cli import main
from skilljar_async.ratelimit import CallType, RateLimits, RedisScheduler

pytestmark = pytest.mark.redis
LIMITS = "20/60,100/3600"


async def spend(url: str, ns: str, reads: int, removals: int) -> None:
    """Another process's use: `reads` reads and `removals` removals through the shared budget."""
    async with RedisScheduler(url, RateLimits.parse(LIMITS), api_key="k1", namespace=ns) as other:
        for _ in range(reads):
            async with other.slot(CallType.READ):
                pass
        for _ in range(removals):
            async with other.slot(CallType.REMOVE):
                pass
        await other.flush()


def test_budget_reads_what_other_processes_used(
    redis_url: str, ns: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fresh process sees the use another one recorded in Redis, per window."""
    asyncio.run(spend(redis_url, ns, reads=3, removals=1))
    monkeypatch.setenv("SKILLJAR_API_KEY", "k1")
    assert main(["--limits", LIMITS, "budget", "--redis", redis_url, "--namespace", ns]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:5] == ["calls", "window", "used", "remaining", "next free"]
    rows = {tuple(line.split("\t")[:2]): line.split("\t") for line in lines[1:]}
    assert rows["read", "60s"][2:4] == ["3/20", "17"]
    assert rows["read", "3600s"][2:4] == ["3/100", "97"]
    assert rows["removal", "60s"][2] == "1/20"
    assert rows["modification", "60s"][2] == "0/20"
    assert rows["read", "60s"][7] == "0"  # nothing held now


def test_budget_of_another_key_is_empty(
    redis_url: str, ns: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The budget is found by the key's hash: another key's budget is its own."""
    asyncio.run(spend(redis_url, ns, reads=2, removals=0))
    monkeypatch.setenv("SKILLJAR_API_KEY", "k2")
    assert main(["--limits", LIMITS, "budget", "--redis", redis_url, "--namespace", ns]) == 0
    out = capsys.readouterr().out
    assert "read\t60s\t0/20" in out
    assert "k2" not in out


def test_budget_needs_the_key(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the API key in the environment the shared budget cannot be found: exit 2."""
    monkeypatch.delenv("SKILLJAR_API_KEY", raising=False)
    assert main(["budget", "--redis", redis_url]) == 2
    assert "SKILLJAR_API_KEY" in capsys.readouterr().err


def test_watch_redraws_a_table_on_a_terminal(redis_url: str, ns: str) -> None:
    """--watch on a terminal draws rich's table and redraws it with new usage; Ctrl-C ends it."""
    import os
    import sys

    import pexpect

    args = ["-m", "skilljar_async", "--limits", LIMITS, "budget", "--redis", redis_url,
            "--namespace", ns, "--watch", "--interval", "0.1"]  # fmt: skip
    env = {**os.environ, "SKILLJAR_API_KEY": "k1", "COLUMNS": "140", "TERM": "xterm"}
    child = pexpect.spawn(
        sys.executable, args, env=env, timeout=30, encoding="utf-8", codec_errors="replace"
    )
    try:
        child.expect("shared budget")
        child.expect(r"read\s*│\s*60s\s*│\s*0/20")
        asyncio.run(spend(redis_url, ns, reads=4, removals=0))
        child.expect(r"read\s*│\s*60s\s*│\s*4/20")  # redrawn with the other process's use
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130


def test_watch_without_a_terminal_prints_plain_tables(redis_url: str, ns: str) -> None:
    """--watch into a pipe prints one plain table per interval, no terminal codes."""
    import os
    import signal
    import subprocess
    import sys

    args = [sys.executable, "-m", "skilljar_async", "--limits", LIMITS, "budget", "--redis",
            redis_url, "--namespace", ns, "--watch", "--interval", "0.05"]  # fmt: skip
    env = {**os.environ, "SKILLJAR_API_KEY": "k1"}
    job = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
    assert job.stdout is not None
    headers = 0
    try:
        for line in job.stdout:
            headers += line.startswith("calls\twindow")
            if headers == 3:
                break
    finally:
        job.send_signal(signal.SIGINT)
        out, _ = job.communicate(timeout=30)
    assert headers == 3
    assert "\x1b[" not in out
    assert job.returncode == 130
