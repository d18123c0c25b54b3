"""A report process killed with SIGKILL mid-run resumes without re-reading finished learners."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from skilljar_async.bulk import Journal
from skilljar_async.reports import journal_path, progress, read_state
from skilljar_async.testing import SkilljarEmulator

from ._shared import client_for, collect, expected_keys, key_of, learner_ids

N = 40

# Prints each row's learner, then waits for a line on stdin before taking the next row,
# so the parent decides exactly where the run is when it is killed.
CHILD = """
import asyncio, sys
from skilljar_async import SkilljarClient
from skilljar_async.reports import progress

async def main(base_url, state):
    async with SkilljarClient("test-key", base_url=base_url, max_retries=0) as client:
        async for row in progress(client, page_size=15, state=state, concurrency=2):
            print(row.learner.id, row.published_course_id, flush=True)
            sys.stdin.readline()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


@pytest.mark.skilljar_emulator(users=N, limits=None)
async def test_sigkill_then_resume(skilljar_emulator: SkilljarEmulator, tmp_path: Path) -> None:
    """After SIGKILL the journal holds finished learners; the rerun reads only the others."""
    emu = skilljar_emulator
    state = tmp_path / "progress.json"
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        emu.base_url,
        str(state),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None
    assert child.stdout is not None
    emitted = []
    for _ in range(25):
        line = await asyncio.wait_for(child.stdout.readline(), 30)
        emitted.append(tuple(line.decode().split()))
        child.stdin.write(b"\n")
        await child.stdin.drain()
    line = await asyncio.wait_for(child.stdout.readline(), 30)  # the 26th row: now waiting
    child.kill()
    await child.wait()
    assert read_state(state) is None
    job = json.loads(journal_path(state).read_text().splitlines()[0])["job"]
    finished = set(Journal.read_done(journal_path(state), job=job))
    assert finished
    # A finished learner had every row emitted (learners with no courses have none).
    assert {(uid, pc) for uid, pc, _, _ in expected_keys(emu, sorted(finished))} <= set(emitted)
    emu.clear_requests()
    async with client_for(emu) as client:
        rows = await collect(progress(client, page_size=15, state=state, concurrency=2))
    again = {r.path.split("/")[3] for r in emu.requests if r.path.endswith("published-courses")}
    assert not again & finished
    assert again | finished == set(learner_ids(emu))
    before = expected_keys(emu, sorted(finished))
    assert {key_of(r) for r in rows} | before == expected_keys(emu, learner_ids(emu))
    assert read_state(state) is not None
