"""The state file between report runs: a checkpoint and the parameters it belongs to.

It is small JSON, replaced atomically (a private temporary file in the same
directory, fsync, rename), readable by its owner only (0600), and never read or
written through a symbolic link, so a planted link cannot redirect it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from typing import Any

import attrs

from .._files import UnsafePathError, atomic_file

__all__ = ["ReportState", "StateFileError", "StateMismatchError", "read_state", "write_state"]

_VERSION = 1


class StateFileError(ValueError):
    """The state file cannot be used (unreadable, malformed, or a symbolic link)."""


class StateMismatchError(StateFileError):
    """The state file (or its journal) belongs to a report with other parameters."""


@attrs.frozen(kw_only=True)
class ReportState:
    """What a completed run leaves for the next one."""

    report: str
    params: Mapping[str, Any]
    checkpoint: dt.datetime | None  #: newest activity the run fully exported
    completed_at: dt.datetime


def read_state(path: str | os.PathLike[str]) -> ReportState | None:
    """The state in `path`, or None when there is no file yet."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:  # ELOOP: the path is a symbolic link
        raise StateFileError(f"cannot open state file {os.fspath(path)!r}: {exc}") from None
    with os.fdopen(fd, encoding="utf-8") as handle:
        try:
            data = json.load(handle)
            return _parse(data)
        except (ValueError, KeyError, TypeError) as exc:
            raise StateFileError(f"malformed state file {os.fspath(path)!r}: {exc}") from None


def _parse(data: Any) -> ReportState:
    if data.get("version") != _VERSION:
        raise ValueError(f"unknown state version {data.get('version')!r}")
    checkpoint = data["checkpoint"]
    return ReportState(
        report=str(data["report"]),
        params=dict(data["params"]),
        checkpoint=None if checkpoint is None else dt.datetime.fromisoformat(checkpoint),
        completed_at=dt.datetime.fromisoformat(data["completed_at"]),
    )


def write_state(path: str | os.PathLike[str], state: ReportState) -> None:
    """Replace `path` with `state` atomically (0600; a symbolic link there is refused)."""
    data = {
        "version": _VERSION,
        "report": state.report,
        "params": dict(state.params),
        "checkpoint": None if state.checkpoint is None else state.checkpoint.isoformat(),
        "completed_at": state.completed_at.isoformat(),
    }
    try:
        with atomic_file(path) as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
    except UnsafePathError:
        raise StateFileError(f"refusing to replace symbolic link {os.fspath(path)!r}") from None
