"""Streaming CSV input: rows as dicts, checked columns, line numbers kept.

`read_rows` returns `CsvRows`, a plain iterator that is also async-iterable: a bulk
job iterates it asynchronously, which reads and parses the file a chunk of rows at
a time in a worker thread, so a slow disk never blocks the event loop.
"""

from __future__ import annotations

import csv
import itertools
import os
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import IO

import anyio.to_thread

__all__ = ["CsvError", "CsvRows", "check_csv", "count_rows", "read_rows"]

#: Rows parsed per worker-thread call: large enough that the hop costs little per
#: row, small enough that one call holds the GIL for about a millisecond.
CHUNK_ROWS = 256


class CsvError(ValueError):
    """The file cannot be read as the job's input (not a per-row problem)."""


class CsvRows(Iterator[dict[str, str]]):
    """A CSV file's rows: ``for`` reads them on the spot, ``async for`` in a worker thread."""

    __slots__ = ("_rows",)

    def __init__(self, rows: Iterator[dict[str, str]]) -> None:
        self._rows = rows

    def __next__(self) -> dict[str, str]:
        return next(self._rows)

    async def __aiter__(self) -> AsyncIterator[dict[str, str]]:
        while chunk := await anyio.to_thread.run_sync(self._chunk):
            for row in chunk:
                yield row

    def _chunk(self) -> list[dict[str, str]]:
        return list(itertools.islice(self._rows, CHUNK_ROWS))


def read_rows(
    path: str | os.PathLike[str], *, required_any: Sequence[str] = ("email", "user_id")
) -> CsvRows:
    """Each data row as a dict (plus ``_line``), streaming: nothing is materialised.

    The file is opened and its header checked at once (a missing file or a
    header without any of `required_any` is a `CsvError` here, before any work);
    the rows are then read lazily.
    """
    handle, reader = _open_checked(path, required_any)
    return CsvRows(_rows(handle, reader))


def check_csv(
    path: str | os.PathLike[str], *, required_any: Sequence[str] = ("email", "user_id")
) -> None:
    """Raise `CsvError` unless the file opens and its header has a needed column."""
    handle, _ = _open_checked(path, required_any)
    handle.close()


def _open_checked(
    path: str | os.PathLike[str], required_any: Sequence[str]
) -> tuple[IO[str], csv.DictReader[str]]:
    try:
        handle = Path(path).open(newline="", encoding="utf-8-sig")  # noqa: SIM115 - caller closes
    except OSError as exc:
        raise CsvError(f"cannot read {path}: {exc.strerror or exc}") from None
    reader = csv.DictReader(handle)
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if not any(name in columns for name in required_any):
        handle.close()
        wanted = " or ".join(required_any)
        raise CsvError(f"{path}: the header needs a column {wanted}; found {columns or 'none'}")
    reader.fieldnames = columns
    return handle, reader


def _rows(handle: IO[str], reader: csv.DictReader[str]) -> Iterator[dict[str, str]]:
    with handle:
        for line, row in enumerate(reader, start=2):
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
