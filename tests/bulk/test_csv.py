"""CSV input read off the event loop."""

import threading
from pathlib import Path

import pytest

from skilljar_async.bulk import _csv as csv_module
from skilljar_async.bulk import read_rows


async def test_async_iteration_yields_every_row_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`async for` gives the same rows as `for`, across block boundaries and quoted newlines."""
    monkeypatch.setattr(csv_module, "READ_BYTES", 40)
    path = tmp_path / "rows.csv"
    lines = [f'u{i}@x.io,"line one\nline two {i}"\r\n' if i % 7 == 0 else f"u{i}@x.io,n{i}\r\n"
             for i in range(50)]  # fmt: skip
    path.write_text("email,note\r\n" + "".join(lines), newline="")
    rows = [row async for row in read_rows(path)]
    assert rows == list(read_rows(path))
    assert [r["email"] for r in rows] == [f"u{i}@x.io" for i in range(50)]
    assert rows[7]["note"] == "line one\nline two 7"


async def test_blocks_are_read_in_a_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Async iteration reads every block of the file outside the event loop's thread."""
    monkeypatch.setattr(csv_module, "READ_BYTES", 100)
    reads: list[tuple[int, bool]] = []
    fill = csv_module._Lines.fill

    def spy(self: csv_module._Lines) -> bool:
        got = fill(self)
        reads.append((threading.get_ident(), got))
        return got

    monkeypatch.setattr(csv_module._Lines, "fill", spy)
    path = tmp_path / "rows.csv"
    path.write_text("email\n" + "".join(f"u{i}@x.io\n" for i in range(200)))
    rows = read_rows(path)
    reads.clear()  # the header was read when the file was opened and checked
    assert len([row async for row in rows]) == 200
    with_data = [thread for thread, got in reads if got]
    assert len(with_data) > 5
    assert threading.get_ident() not in with_data
