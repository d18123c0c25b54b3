"""Streaming CSV input: rows as dicts, checked columns, line numbers kept."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

__all__ = ["CsvError", "check_csv", "count_rows", "read_rows"]


class CsvError(ValueError):
    """The file cannot be read as the job's input (not a per-row problem)."""


def read_rows(
    path: str | os.PathLike[str], *, required_any: Sequence[str] = ("email", "user_id")
) -> Iterator[dict[str, str]]:
    """Each data row as a dict (plus ``_line``), streaming: nothing is materialised.

    The file is opened and its header checked at once (a missing file or a
    header without any of `required_any` is a `CsvError` here, before any work);
    the rows are then read lazily.
    """
    handle, reader = _open_checked(path, required_any)
    return _rows(handle, reader)


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
