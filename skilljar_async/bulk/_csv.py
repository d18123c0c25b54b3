"""Streaming CSV input: rows as dicts, checked columns, line numbers kept.

`read_rows` returns `CsvRows`, a plain iterator that is also async-iterable: a bulk
job iterates it asynchronously, which reads the file a block of lines at a time in
a worker thread, so a slow disk never blocks the event loop. Parsing stays on the
loop, one row per step: it is cheap, and moving it to a thread would only make the
loop wait for the GIL.
"""

from __future__ import annotations

import collections
import csv
import os
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import IO

from ._threads import run_sync

__all__ = ["CsvError", "CsvRows", "check_csv", "count_rows", "read_rows"]

#: Bytes of whole lines read per worker-thread call: the hop costs little per row.
READ_BYTES = 1 << 16


class CsvError(ValueError):
    """The file cannot be read as the job's input (not a per-row problem)."""


class _Lines:
    """A text file's lines, read a block at a time; `fill` is the only call that does I/O."""

    __slots__ = ("_buffer", "_handle")

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle
        self._buffer: collections.deque[str] = collections.deque()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        # Synchronous reads happen only on plain iteration, when a record with quoted
        # newlines runs past a block, and for the final end-of-file probe.
        if not self._buffer and not self.fill():
            raise StopIteration
        return self._buffer.popleft()

    def fill(self) -> bool:
        """Read the next block of whole lines; False at the end of the file."""
        lines = self._handle.readlines(READ_BYTES)
        self._buffer.extend(lines)
        return bool(lines)

    @property
    def buffered(self) -> bool:
        """Whether lines are waiting to be parsed."""
        return bool(self._buffer)


class CsvRows(Iterator[dict[str, str]]):
    """A CSV file's rows: ``for`` reads the file on the spot, ``async for`` in a worker thread."""

    __slots__ = ("_handle", "_lines", "_rows", "columns")

    def __init__(
        self,
        rows: Iterator[dict[str, str]],
        lines: _Lines,
        columns: Sequence[str] = (),
        handle: IO[str] | None = None,
    ) -> None:
        self._rows = rows
        self._lines = lines
        self._handle = handle
        self.columns = tuple(columns)  #: the header's column names, stripped and lower case

    def close(self) -> None:
        """Close the file now (a job that stopped early never reaches its end)."""
        if self._handle is not None:
            self._handle.close()

    def __next__(self) -> dict[str, str]:
        return next(self._rows)

    async def __aiter__(self) -> AsyncIterator[dict[str, str]]:
        while True:
            if not self._lines.buffered:
                await run_sync(self._lines.fill)
            row = next(self._rows, None)
            if row is None:  # the file is done (and closed)
                return
            yield row


def read_rows(
    path: str | os.PathLike[str], *, required_any: Sequence[str] = ("email", "user_id")
) -> CsvRows:
    """Each data row as a dict (plus ``_line``), streaming: nothing is materialised.

    The file is opened and its header checked at once (a missing file or a
    header without any of `required_any` is a `CsvError` here, before any work);
    the rows are then read lazily.
    """
    handle, lines, reader = _open_checked(path, required_any)
    return CsvRows(_rows(path, handle, reader), lines, reader.fieldnames or (), handle)


def check_csv(
    path: str | os.PathLike[str], *, required_any: Sequence[str] = ("email", "user_id")
) -> None:
    """Raise `CsvError` unless the whole file reads as CSV with a needed header column.

    Every record is parsed (and dropped), so a file that would fail part way
    through a job (an unclosed quote, a field over the size limit, bytes that
    are not UTF-8) fails here, before the first call.
    """
    handle, _, reader = _open_checked(path, required_any)
    with handle:
        for _ in _parsed(path, reader):
            pass


def _parsed(path: str | os.PathLike[str], reader: csv.DictReader[str]) -> Iterator[dict[str, str]]:
    """The reader's records, with any parse error as a one-line `CsvError`."""
    try:
        yield from reader
    except (csv.Error, UnicodeDecodeError) as exc:
        raise CsvError(f"{os.fspath(path)}: line {reader.line_num}: {exc}") from None


def _open_checked(
    path: str | os.PathLike[str], required_any: Sequence[str]
) -> tuple[IO[str], _Lines, csv.DictReader[str]]:
    try:
        handle = Path(path).open(newline="", encoding="utf-8-sig")  # noqa: SIM115 - caller closes
    except OSError as exc:
        raise CsvError(f"cannot read {path}: {exc.strerror or exc}") from None
    lines = _Lines(handle)
    reader = csv.DictReader(lines, strict=True)  # a stray quote is an error, not a guess
    try:
        columns = [c.strip().lower() for c in reader.fieldnames or []]
    except (csv.Error, UnicodeDecodeError) as exc:
        handle.close()
        raise CsvError(f"{os.fspath(path)}: line {reader.line_num}: {exc}") from None
    if not any(name in columns for name in required_any):
        handle.close()
        wanted = " or ".join(required_any)
        raise CsvError(f"{path}: the header needs a column {wanted}; found {columns or 'none'}")
    reader.fieldnames = columns
    return handle, lines, reader


def _rows(
    path: str | os.PathLike[str], handle: IO[str], reader: csv.DictReader[str]
) -> Iterator[dict[str, str]]:
    with handle:
        for line, row in enumerate(_parsed(path, reader), start=2):
            clean = {k: (v or "").strip() for k, v in row.items() if k}
            clean["_line"] = str(line)
            yield clean


def count_rows(path: str | os.PathLike[str]) -> int:
    """Data rows in a CSV file (lines after the header), counted without parsing."""
    try:
        lines, last = 0, b"\n"
        with Path(path).open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        if last != b"\n":  # a last line without its newline still counts
            lines += 1
    except OSError as exc:
        raise CsvError(f"cannot read {path}: {exc.strerror or exc}") from None
    return max(0, lines - 1)
