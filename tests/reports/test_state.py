"""The report state file: atomic, private, never through a symbolic link."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from skilljar_async.reports import ReportState, StateFileError, read_state
from skilljar_async.reports._select import Selection, next_checkpoint
from skilljar_async.reports._state import write_state

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
STATE = ReportState(
    report="progress",
    params={"domain": "learn.example.com", "published_course_ids": None},
    checkpoint=T0,
    completed_at=T0 + dt.timedelta(hours=1),
)


def test_round_trip(tmp_path: Path) -> None:
    """What is written reads back equal; a missing file reads as None."""
    path = tmp_path / "s.json"
    assert read_state(path) is None
    write_state(path, STATE)
    assert read_state(path) == STATE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_replaces_without_leaving_temporaries(tmp_path: Path) -> None:
    """A second write replaces the first and leaves only the state file."""
    path = tmp_path / "s.json"
    write_state(path, STATE)
    later = ReportState(report="progress", params=STATE.params, checkpoint=None, completed_at=T0)
    write_state(path, later)
    assert read_state(path) == later
    assert os.listdir(tmp_path) == ["s.json"]


def test_symbolic_links_are_refused(tmp_path: Path) -> None:
    """Neither reading nor writing follows a link planted at the state path."""
    target = tmp_path / "elsewhere.json"
    write_state(target, STATE)
    link = tmp_path / "s.json"
    link.symlink_to(target)
    with pytest.raises(StateFileError, match="symbolic link"):
        write_state(link, STATE)
    with pytest.raises(StateFileError):
        read_state(link)
    assert read_state(target) == STATE


def test_malformed_file_is_an_error(tmp_path: Path) -> None:
    """A file that is not a state file raises `StateFileError`, naming the file."""
    path = tmp_path / "s.json"
    path.write_text('{"version": 99}')
    with pytest.raises(StateFileError, match=r"s\.json"):
        read_state(path)
    path.write_text("not json")
    with pytest.raises(StateFileError):
        read_state(path)


def test_checkpoint_is_capped_at_the_run_start() -> None:
    """The checkpoint is the newest activity listed, never later than the run's start."""
    start = T0 + dt.timedelta(days=1)
    assert next_checkpoint(listed=T0, since=None, started=start) == T0
    assert next_checkpoint(listed=start + dt.timedelta(1), since=None, started=start) == start
    assert next_checkpoint(listed=None, since=T0, started=start) == T0
    assert next_checkpoint(listed=None, since=None, started=start) is None


def test_naive_since_is_utc_and_threshold_subtracts_the_overlap() -> None:
    """A naive `since` is taken as UTC; the threshold is `since - overlap`."""
    selection = Selection.build(
        domain=None,
        published_course_ids=None,
        since=dt.datetime(2025, 1, 1),
        overlap=dt.timedelta(minutes=5),
    )
    assert selection.since == T0
    assert selection.threshold == T0 - dt.timedelta(minutes=5)
