"""A real redis-server for the RedisScheduler tests, started once per session.

Without a ``redis-server`` binary the tests skip, except in CI (``CI=true``),
where a missing binary fails them: CI must install it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "redis: needs a redis-server binary (started by the tests)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ping(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
    return False


def redis_binary() -> str:
    """The redis-server binary; skips the test without one (fails it in CI)."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must install it", pytrace=False)
        pytest.skip(reason)
    return binary


def start_server(
    workdir: Path, *args: str, port: int | None = None, sentinel: bool = False
) -> tuple[subprocess.Popen[bytes], int]:
    """Start a redis-server (no persistence) on a loopback port; wait until it answers.

    With `port`, that port (a restart); else a free one, trying again on a clash.
    ``sentinel=True`` starts ``redis-server <config> --sentinel`` (config in `workdir`).
    """
    binary = redis_binary()
    for _attempt in range(3):
        at = port if port is not None else free_port()
        log = (workdir / f"redis-{at}.log").open("ab")
        if sentinel:
            conf = workdir / f"sentinel-{at}.conf"
            conf.write_text(f"port {at}\nbind 127.0.0.1\n" + "\n".join(args) + "\n")
            argv = [binary, str(conf), "--sentinel"]
        else:
            argv = [binary, "--port", str(at), "--bind", "127.0.0.1", "--save", ""]
            argv += ["--appendonly", "no", "--dir", str(workdir), *args]
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
        log.close()
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and proc.poll() is None and not _ping(at):
            time.sleep(0.02)
        if proc.poll() is None and _ping(at):
            return proc, at
        stop_server(proc)
    pytest.fail(f"redis-server did not start; see {workdir}", pytrace=False)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``redis://127.0.0.1:<port>/0`` of a private redis-server (no persistence)."""
    redis_binary()
    proc, port = start_server(tmp_path_factory.mktemp("redis-server"))
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_server(proc)


@pytest.fixture
def ns() -> str:
    """A namespace of its own for each test, so tests never share a budget."""
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def reaper() -> Iterator[list[subprocess.Popen[str]]]:
    """Kill whatever a failed test left running."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
