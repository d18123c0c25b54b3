"""CSV input read off the event loop."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from skilljar_async.bulk import CsvRows, read_rows
from skilljar_async.bulk import _csv as csv_module


async def test_async_iteration_yields_every_row_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`async for` gives the same rows as `for`, across chunk boundaries."""
    monkeypatch.setattr(csv_module, "CHUNK_ROWS", 7)
    path = tmp_path / "rows.csv"
    path.write_text("email\n" + "".join(f"u{i}@x.io\n" for i in range(50)))
    rows = [row async for row in read_rows(path)]
    assert rows == list(read_rows(path))
    assert [r["_line"] for r in rows] == [str(n) for n in range(2, 52)]


async def test_rows_are_read_in_a_worker_thread() -> None:
    """Async iteration pulls rows from the file outside the event loop's thread."""
    threads: list[int] = []

    def source() -> Iterator[dict[str, str]]:
        for n in range(3):
            threads.append(threading.get_ident())
            yield {"email": f"u{n}@x.io"}

    assert [row["email"] async for row in CsvRows(source())] == ["u0@x.io", "u1@x.io", "u2@x.io"]
    assert threads
    assert threading.get_ident() not in threads
