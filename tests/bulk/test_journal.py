"""The resumable journal."""

import os
import threading
from pathlib import Path

import pytest

from skilljar_async.bulk import Journal, JournalMismatchError

JOB = {"op": "enroll", "domain": "d", "course": "c"}


def test_records_and_resumes(tmp_path: Path) -> None:
    """Finished items are skipped on reopening; failed ones are tried again."""
    path = tmp_path / "job.jsonl"
    first = Journal(path, job=JOB)
    assert first.open({"enrolled_at": "T1"}) == {"enrolled_at": "T1"}
    first.record("a@x.io", "succeeded", id="e1")
    first.record("b@x.io", "existed", id="e2")
    first.record("c@x.io", "failed", error="ValueError: bad")
    first.close()
    again = Journal(path, job=JOB)
    assert again.open({"enrolled_at": "T2"}) == {"enrolled_at": "T1"}  # the first run's time
    assert again.is_done("a@x.io")
    assert again.is_done("b@x.io")
    assert not again.is_done("c@x.io")
    assert again.done_count == 2
    again.close()


def test_torn_last_line_is_ignored(tmp_path: Path) -> None:
    """A crash mid-write leaves a partial line that reading skips."""
    path = tmp_path / "job.jsonl"
    journal = Journal(path, job=JOB)
    journal.open({})
    journal.record("a@x.io", "succeeded")
    journal.close()
    with path.open("a") as handle:
        handle.write('{"k": "b@x.io", "s": "succ')
    again = Journal(path, job=JOB)
    again.open({})
    assert again.is_done("a@x.io")
    assert not again.is_done("b@x.io")
    again.record("b@x.io", "succeeded")  # appending after a torn line still works
    again.close()
    final = Journal(path, job=JOB)
    final.open({})
    assert final.is_done("b@x.io")
    final.close()


def test_other_job_is_refused(tmp_path: Path) -> None:
    """A journal of another job is a clear error, not a silent skip of its items."""
    path = tmp_path / "job.jsonl"
    journal = Journal(path, job=JOB)
    journal.open({})
    journal.close()
    with pytest.raises(JournalMismatchError, match="different job"):
        Journal(path, job={**JOB, "course": "other"}).open({})


async def test_async_methods_sync_off_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """arecord flushes each line at once; fsync runs in a worker thread, once per interval."""
    threads: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        threads.append(threading.get_ident())
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    path = tmp_path / "job.jsonl"
    journal = Journal(path, job=JOB, fsync_interval=3600)
    assert await journal.aopen({"at": "T"}) == {"at": "T"}
    for key in ("a@x.io", "b@x.io", "c@x.io"):
        await journal.arecord(key, "succeeded", id=key)
        assert path.read_text().splitlines()[-1] == f'{{"k":"{key}","s":"succeeded","id":"{key}"}}'
    assert len(threads) == 1  # the first line's; the others wait for the interval or close
    await journal.aclose()
    assert len(threads) == 2
    assert threading.get_ident() not in threads
    again = Journal(path, job=JOB)
    await again.aopen({})
    assert again.done_count == 3
    await again.aclose()
