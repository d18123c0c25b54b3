"""Streaming CSV input: rows as dicts, checked columns, line numbers kept."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["CsvError", "count_rows", "read_rows"]


class CsvError(ValueError):
    """The file cannot be read as the job's input (not a per-row problem)."""


def read_rows(
    path: str | os.PathLike[str], *, required_any: Sequence[str] = ("email", "user_id")
) -> Iterator[dict[str, str]]:
    """Yield each data row as a dict (plus ``_line``), streaming: nothing is materialised.

    The header must name at least one of `required_any`; otherwise `CsvError`.
    """
    try:
        handle = Path(path).open(newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise CsvError(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        reader = csv.DictReader(handle)
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        if not any(name in columns for name in required_any):
            wanted = " or ".join(required_any)
            raise CsvError(f"{path}: the header needs a column {wanted}; found {columns or 'none'}")
        reader.fieldnames = columns
        for line, row in enumerate(reader, start=2):
            clean = {k: (v or "").strip() for k, v in row.items() if k}
            clean["_line"] = str(line)
            yield clean


def count_rows(path: str | os.PathLike[str]) -> int:
    """Data rows in a CSV file (lines after the header), counted without parsing."""
    try:
        with Path(path).open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
            handle.seek(-1, os.SEEK_END) if lines else None
            if lines and handle.read(1) != b"\n":
                lines += 1
    except OSError as exc:
        raise CsvError(f"cannot read {path}: {exc.strerror or exc}") from None
    return max(0, lines - 1)
