"""The resumable journal: one JSON line per finished item, appended and flushed.

Durability policy: every line is written and flushed to the operating system as
soon as its item finishes, so a crash, a SIGKILL or Ctrl-C loses nothing that
finished. ``fsync`` runs at most once per `fsync_interval` seconds and on
close, so only a power loss can drop the last second of lines; those items are
then sent again, which is safe because every bulk operation is naturally
idempotent (the same enrollment time, the same email). A torn last line from a
crash mid-write is ignored on reading.

The first line is the header naming the job; a non-empty file whose first line is
not this job's header is refused before anything is written, so a journal is never
taken for another job's and no other file is appended to. Journals hold e-mail
addresses: they are created 0600 and never opened through a symbolic link.

Inside an event loop use the async methods (`aopen`, `arecord`, `aclose`): the
read of an earlier run's lines and every ``fsync`` run in a worker thread, so a
job inside a web app never blocks its loop on the disk. Appending a line stays on
the loop: it is one small write to the OS's page cache, and doing it at once is
what keeps each line ahead of its item being counted.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from .._files import open_append, open_read
from ._threads import run_sync

__all__ = ["Journal", "JournalMismatchError"]

_DONE = frozenset({"succeeded", "existed"})


class JournalMismatchError(ValueError):
    """The journal file belongs to a different job, or is not a journal at all."""


class Journal:
    """Append-only record of finished items; knows which keys are already done."""

    def __init__(
        self, path: str | os.PathLike[str], *, job: Mapping[str, Any], fsync_interval: float = 1.0
    ) -> None:
        self.path = Path(path)
        self.job = dict(job)
        self.fsync_interval = fsync_interval
        self.meta: dict[str, Any] = {}
        self._done: set[str] = set()
        self._file: IO[str] | None = None
        self._last_sync = -math.inf  # the first record syncs, header included
        self._syncing = False

    def open(self, meta: Mapping[str, Any]) -> dict[str, Any]:
        """Read what an earlier run finished, then open for appending.

        Returns the job's metadata: the earlier run's when resuming (e.g. the
        enrollment time every item uses), else `meta`, which is written down.
        """
        header = self._read()  # a file that is not this job's journal is refused here
        self.meta = dict(header["meta"]) if header is not None else dict(meta)
        torn = _ends_mid_line(self.path)
        self._file = open_append(self.path)  # 0600, never through a symbolic link
        if torn:  # end the partial line so the next record starts on its own line
            self._file.write("\n")
        if header is None:
            self._write({"journal": 1, "job": self.job, "meta": self.meta})
        return self.meta

    async def aopen(self, meta: Mapping[str, Any]) -> dict[str, Any]:
        """`open`, reading the earlier run's lines in a worker thread."""
        return await run_sync(self.open, meta)

    @classmethod
    def read_done(cls, path: str | os.PathLike[str], *, job: Mapping[str, Any]) -> frozenset[str]:
        """The keys earlier runs of `job` finished, read only (empty when there is no file).

        Raises `JournalMismatchError`, like `open`, for a file that is not `job`'s journal.
        """
        journal = cls(path, job=job)
        journal._read()
        return frozenset(journal._done)

    def _read(self) -> dict[str, Any] | None:
        try:
            handle = open_read(self.path)
        except FileNotFoundError:
            return None
        with handle:
            first = handle.readline()
            if not first:
                return None  # an empty file: a new journal
            header = self._header(first)
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a torn line from a crash mid-write
                if isinstance(record, dict) and record.get("s") in _DONE:
                    self._done.add(str(record.get("k")))
        return header

    def _header(self, line: str) -> dict[str, Any]:
        """The first line, checked: this job's journal header, or `JournalMismatchError`."""
        try:
            header = json.loads(line)
        except ValueError:
            header = None
        if (
            not isinstance(header, dict)
            or header.get("journal") != 1
            or not isinstance(header.get("meta"), dict)
        ):
            raise JournalMismatchError(
                f"{self.path} is not a journal (its first line is not a journal header); "
                "give a new file name, or the journal of this very job"
            )
        if header.get("job") != self.job:
            raise JournalMismatchError(
                f"{self.path} records a different job ({header.get('job')}); "
                "use a new journal file for this one"
            )
        return header

    def is_done(self, key: str) -> bool:
        """True when an earlier run finished this item (succeeded or already existed)."""
        return key in self._done

    @property
    def done_count(self) -> int:
        """How many items earlier runs finished."""
        return len(self._done)

    def record(
        self, key: str, status: str, *, id: str | None = None, error: str | None = None
    ) -> None:
        """Append one finished item and flush it to the operating system."""
        self._write(_line(key, status, id, error))
        if self._sync_due():
            self._sync()

    async def arecord(
        self, key: str, status: str, *, id: str | None = None, error: str | None = None
    ) -> None:
        """`record`, with the periodic fsync in a worker thread.

        The line is flushed to the OS before this returns (before the first await),
        so the caller may count the item as done. One fsync at a time: lines
        appended while it runs are covered by the next one.
        """
        self._write(_line(key, status, id, error))
        if self._sync_due() and not self._syncing:
            self._syncing = True
            try:
                await run_sync(self._sync)
            finally:
                self._syncing = False
        # Keys finished in this run are not kept: the input names each item once, and
        # memory must stay flat over millions of rows. Only earlier runs' keys are held.

    def _write(self, record: Mapping[str, Any]) -> None:
        assert self._file is not None, "Journal.open() first"
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._file.flush()

    def _sync_due(self) -> bool:
        return time.monotonic() - self._last_sync >= self.fsync_interval

    def _sync(self) -> None:
        """fsync what is flushed so far (safe in a worker thread: it touches only the fd)."""
        if self._file is not None:
            self._last_sync = time.monotonic()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        """fsync and close."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None

    async def aclose(self) -> None:
        """`close`, with the final fsync in a worker thread."""
        await run_sync(self.close)


def _line(key: str, status: str, id: str | None, error: str | None) -> dict[str, Any]:
    """One finished item's record."""
    line: dict[str, Any] = {"k": key, "s": status}
    if id is not None:
        line["id"] = id
    if error is not None:
        line["e"] = error
    return line


def _ends_mid_line(path: Path) -> bool:
    """True when the file's last line has no newline (a crash mid-write)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"
