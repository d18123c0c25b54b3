"""Every code example in the documentation runs: README.md and docs/**/*.md.

Each page runs in a fresh temporary directory against a fresh local emulator
(seeded with 50 learners, Skilljar's real limits), with ``SKILLJAR_API_KEY`` and
``SKILLJAR_BASE_URL`` pointing at it, so examples read like real use:
``async with SkilljarClient() as client:``. Blocks of one page run in order and
share one namespace (names defined in one block are there in the next) and one
event loop (top-level ``await`` and ``async with`` are allowed).

- ```` ```python ```` blocks are executed; an exception or a failed ``assert``
  fails the page, naming the file and line.
- ```` ```console ```` blocks run each ``$ skilljar-async ...`` line as the CLI
  (other lines are output, not checked; ``$VARIABLES`` are the runner's
  environment's); the exit status must be 0. Another
  ``$`` command must be skipped with a reason; a block without ``$`` lines (set-up
  commands for a shell) is not an example.
- A fenced block with ``title="name"`` (and any language but python or
  console) is written to that file first: a CSV the next example reads.
- A marker, an HTML comment on the line before the fence, changes that:
  ``<!-- example: skip reason="..." -->`` (the reason is required),
  ``<!-- example: pytest -->`` (the block is a test module, run by pytest in a
  subprocess), ``<!-- example: exit=N -->`` (a console block's expected status),
  ``<!-- example: redis -->`` (``REDIS_URL`` names a private redis-server the
  runner starts for the page; without the binary the page is skipped, and
  fails under ``CI=true``), ``<!-- example: looptime -->`` (the block runs
  alone on a virtual-time loop: rate-limit waits take no real time; it must not
  talk to the emulator, whose loop runs on the real clock).

The generated operations reference (docs/reference/operations/) holds signatures,
not examples, and is not read.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import looptime
import pytest

from skilljar_async.testing import SkilljarEmulator

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "docs" / "reference" / "operations"

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<info>.*)$")
_MARKER = re.compile(r"^\s*<!--\s*example:\s*(?P<body>.*?)\s*-->\s*$")
_OPTION = re.compile(r'(?P<key>[a-z]+)(?:=(?:"(?P<quoted>[^"]*)"|(?P<bare>\S+)))?')
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_KNOWN = frozenset({"skip", "reason", "pytest", "exit", "redis", "looptime"})


@dataclass
class Block:
    """One fenced block: where it is, its language, its text and its marker's options."""

    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    title: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path.name
        return f"{path}:{self.line}"


def parse_marker(body: str, where: str) -> dict[str, str]:
    """``skip reason="..."`` → ``{"skip": "", "reason": "..."}``; unknown keys are errors."""
    options: dict[str, str] = {}
    for match in _OPTION.finditer(body):
        key = match["key"]
        if key not in _KNOWN:
            raise ValueError(f"{where}: unknown example marker option {key!r}")
        options[key] = match["quoted"] if match["quoted"] is not None else (match["bare"] or "")
    if "skip" in options and not options.get("reason", "").strip():
        raise ValueError(f'{where}: a skipped example must say why: skip reason="..."')
    return options


def parse_blocks(path: Path, text: str) -> list[Block]:
    """The fenced blocks of a Markdown page, each with the marker right before it, if any."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        start, fence, indent = i, match["fence"], len(match["indent"])
        info = match["info"].strip()
        body: list[str] = []
        i += 1
        while i < len(lines) and not (
            lines[i].strip().startswith(fence) and lines[i].strip().strip(fence[0]) == ""
        ):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        i += 1  # the closing fence
        prev = start - 1
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        marker = _MARKER.match(lines[prev]) if prev >= 0 else None
        where = f"{path.name}:{start + 1}"
        title = _TITLE.search(info)
        blocks.append(
            Block(
                path=path,
                line=start + 1,
                lang=(info.split() or [""])[0].lower(),
                text="\n".join(body) + "\n",
                title=title["title"] if title else None,
                options=parse_marker(marker["body"], where) if marker else {},
            )
        )
    return blocks


def pages() -> list[Path]:
    found = [ROOT / "README.md"]
    found += sorted(
        p for p in (ROOT / "docs").rglob("*.md") if GENERATED not in p.parents and p.is_file()
    )
    return found


def runnable(block: Block) -> bool:
    if block.lang in ("python", "py"):
        return True
    if block.lang == "console":  # commands are the "$ " lines; a block without any is text
        return any(line.startswith("$ ") for line in block.text.splitlines())
    return block.title is not None


PAGES = [p for p in pages() if any(runnable(b) for b in parse_blocks(p, p.read_text()))]


# -- the emulator, in a thread of its own ---------------------------------------------


@contextlib.contextmanager
def emulator_thread(**options: Any) -> Iterator[SkilljarEmulator]:
    """A started emulator served by its own event loop in a thread (examples use others)."""
    started = threading.Event()
    box: dict[str, Any] = {}

    async def serve() -> None:
        stop = asyncio.Event()
        box["stop"] = (asyncio.get_running_loop(), stop)
        try:
            async with SkilljarEmulator(**options) as emu:
                box["emu"] = emu
                started.set()
                await stop.wait()
        finally:
            started.set()

    def target() -> None:
        try:
            asyncio.run(serve())
        except BaseException as exc:  # reported to the test below
            box["error"] = exc

    thread = threading.Thread(target=target, name="docs-emulator", daemon=True)
    thread.start()
    started.wait(30)
    if "emu" not in box:
        raise RuntimeError(f"the emulator did not start: {box.get('error')!r}")
    try:
        yield box["emu"]
    finally:
        loop, stop = box["stop"]
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """``redis://127.0.0.1:<port>/0`` of a private redis-server, stopped afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must install it", pytrace=False)
        pytest.skip(reason)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(
        [binary, *args, "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


# -- running blocks ---------------------------------------------------------------------


def run_python(block: Block, namespace: dict[str, Any], runner: asyncio.Runner) -> None:
    # Blank lines first, so a traceback's line numbers are the page's.
    source = "\n" * block.line + block.text
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    code = compile(source, str(block.path), "exec", flags=flags, dont_inherit=True)
    if code.co_flags & inspect.CO_COROUTINE:
        runner.run(eval(code, namespace))
    else:
        exec(code, namespace)


def _virtual_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop = looptime.new_event_loop(start=0.0, _enabled=True)
    return loop


def run_pytest(block: Block, cwd: Path, env: dict[str, str]) -> None:
    module = cwd / f"test_example_{block.line}.py"
    module.write_text(block.text)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_mode=auto",
            str(module),
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise AssertionError(f"{block.where}: pytest failed\n{result.stdout}\n{result.stderr}")


def run_console(block: Block, cwd: Path, env: dict[str, str]) -> None:
    expected = int(block.options.get("exit", "0"))
    commands = [line[2:] for line in block.text.splitlines() if line.startswith("$ ")]
    for command in commands:
        argv = shlex.split(os.path.expandvars(command), comments=True)  # e.g. $REDIS_URL
        if argv[:1] == ["skilljar-async"]:
            argv = [sys.executable, "-m", "skilljar_async", *argv[1:]]
        elif argv[:1] == ["python"]:
            argv = [sys.executable, *argv[1:]]
        else:
            raise AssertionError(f"{block.where}: cannot run {command!r} (skilljar-async only)")
        result = subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != expected:
            raise AssertionError(
                f"{block.where}: {command!r} exited {result.returncode}, not {expected}\n"
                f"{result.stdout}\n{result.stderr}"
            )


def run_page(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run a page's examples; the number of blocks run."""
    blocks = [b for b in parse_blocks(path, path.read_text()) if runnable(b)]
    ran = 0
    with contextlib.ExitStack() as stack:
        if any("redis" in b.options and "skip" not in b.options for b in blocks):
            redis_dir = tmp_path / ".redis"
            redis_dir.mkdir()
            monkeypatch.setenv("REDIS_URL", stack.enter_context(redis_server(redis_dir)))
        emu = stack.enter_context(emulator_thread(users=50))
        monkeypatch.setenv("SKILLJAR_API_KEY", emu.api_key)
        monkeypatch.setenv("SKILLJAR_BASE_URL", emu.base_url)
        monkeypatch.chdir(tmp_path)
        env = dict(os.environ)
        namespace: dict[str, Any] = {"__name__": "__docs_example__"}
        with asyncio.Runner() as runner:
            for block in blocks:
                if "skip" in block.options:
                    continue
                if block.lang not in ("python", "py", "console"):
                    assert block.title is not None
                    (tmp_path / block.title).write_text(block.text)
                elif block.lang == "console":
                    run_console(block, tmp_path, env)
                elif "pytest" in block.options:
                    run_pytest(block, tmp_path, env)
                else:
                    try:
                        if "looptime" in block.options:
                            with asyncio.Runner(loop_factory=_virtual_loop) as virtual:
                                run_python(block, namespace, virtual)
                        else:
                            run_python(block, namespace, runner)
                    except Exception as exc:
                        raise AssertionError(f"{block.where}: {exc!r}") from exc
                ran += 1
    return ran


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example on the page runs against the emulator."""
    run_page(page, tmp_path, monkeypatch)


# -- the runner itself ------------------------------------------------------------------


def test_skip_needs_a_reason() -> None:
    """A skip marker without a reason is refused, and so is an unknown option."""
    page = textwrap.dedent(
        """\
        <!-- example: skip -->
        ```python
        print("never")
        ```
        """
    )
    with pytest.raises(ValueError, match="must say why"):
        parse_blocks(Path("page.md"), page)
    with pytest.raises(ValueError, match="must say why"):
        parse_blocks(Path("page.md"), page.replace("skip", 'skip reason=" "', 1))
    with pytest.raises(ValueError, match="unknown"):
        parse_blocks(Path("page.md"), page.replace("skip", "skipp", 1))
    (block,) = parse_blocks(Path("page.md"), page.replace("skip", 'skip reason="needs X"', 1))
    assert block.options == {"skip": "", "reason": "needs X"}
    assert (block.lang, block.line, block.text) == ("python", 2, 'print("never")\n')


def test_every_page_parses_and_every_skip_says_why() -> None:
    """All pages' markers are valid, and the pages hold runnable examples."""
    blocks = [b for p in pages() for b in parse_blocks(p, p.read_text())]
    assert sum(runnable(b) and "skip" not in b.options for b in blocks) >= 30
    for block in blocks:
        if "skip" in block.options:
            assert block.options["reason"].strip(), block.where


def test_runner_fails_a_broken_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failing assert, a bad call or a failing CLI command fails the page, naming the line."""
    page = tmp_path / "page.md"
    work = tmp_path / "work"
    work.mkdir()
    page.write_text(
        textwrap.dedent(
            """\
            ```csv title="rows.csv"
            email
            a@example.com
            ```

            ```python
            from pathlib import Path
            from skilljar_async import SkilljarClient

            assert Path("rows.csv").read_text().startswith("email")
            async with SkilljarClient() as client:
                await client.ping()
                members = client.domains.users.list("learn.example.com")
                emails = [m.user.email async for m in members]
            ```

            ```python
            assert len(emails) == 50
            ```
            """
        )
    )
    assert run_page(page, work, monkeypatch) == 3
    page.write_text(page.read_text().replace("== 50", "== 49"))
    with pytest.raises(AssertionError, match=r"page\.md:17"):
        run_page(page, work, monkeypatch)
    page.write_text("```console\n$ skilljar-async export nothing\n```\n")
    with pytest.raises(AssertionError, match="exited 2"):
        run_page(page, work, monkeypatch)
