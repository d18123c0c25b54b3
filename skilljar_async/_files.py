"""Files written for people: exports, journals, failure lists and state files.

They hold e-mail addresses, so every one is created readable by its owner only
(0600), and none is written through a symbolic link at its final path (a planted
link cannot redirect it). Whole files are replaced atomically: written to a
private temporary file beside the target, fsynced, then renamed over it, so a
failed or interrupted write leaves the earlier file as it was. Append-only files
(journals) are opened with ``O_NOFOLLOW`` and created 0600.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["AtomicFile", "UnsafePathError", "atomic_file", "open_append", "open_read"]

_MODE = 0o600


class UnsafePathError(ValueError):
    """The path is a symbolic link: refused so that a planted link cannot redirect a write."""


def refuse_symlink(path: Path) -> None:
    """Raise `UnsafePathError` when `path` is a symbolic link."""
    if path.is_symlink():
        raise UnsafePathError(f"refusing to write through symbolic link {os.fspath(path)!r}")


def open_append(path: str | os.PathLike[str]) -> IO[str]:
    """Open for appending text, created 0600 when new; a symbolic link is refused."""
    target = Path(path)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(target, flags, _MODE)
    except OSError as exc:
        refuse_symlink(target)  # ELOOP: say why in words
        raise OSError(exc.errno, f"cannot open {os.fspath(target)!r}: {exc.strerror}") from None
    return os.fdopen(fd, "a", encoding="utf-8", newline="")


def open_read(path: str | os.PathLike[str]) -> IO[str]:
    """Open for reading text without following a symbolic link at `path`."""
    target = Path(path)
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        refuse_symlink(target)
        raise
    return os.fdopen(fd, encoding="utf-8", newline="")


class AtomicFile:
    """A new version of `path`, written to a temporary file beside it until `commit`.

    ``handle`` is the text stream to write. `commit` fsyncs and renames it over
    `path`; `discard` removes it, leaving `path` untouched. With ``keep=True``
    the temporary file starts as a copy of the current `path` (to append to it).
    """

    def __init__(self, path: str | os.PathLike[str], *, keep: bool = False) -> None:
        self.path = Path(path)
        refuse_symlink(self.path)
        # mkstemp creates with O_EXCL and mode 0600: it never opens an existing path.
        fd, temp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent or "."
        )
        self.temp = Path(temp)
        self.handle: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="")
        if keep and self.path.exists():
            with open_read(self.path) as old:
                shutil.copyfileobj(old, self.handle)
        self._open = True

    def commit(self) -> None:
        """Make the written text the file at `path` (0600), durably."""
        if not self._open:
            return
        self._open = False
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            refuse_symlink(self.path)
            os.replace(self.temp, self.path)  # a rename replaces a link, never follows it
        except BaseException:
            self.temp.unlink(missing_ok=True)
            raise
        sync_directory(self.path.parent)

    def discard(self) -> None:
        """Drop the temporary file; `path` stays as it was."""
        if not self._open:
            return
        self._open = False
        with contextlib.suppress(OSError):
            self.handle.close()
        self.temp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """Write a whole new `path`: committed when the block ends, discarded on an error."""
    file = AtomicFile(path)
    try:
        yield file.handle
    except BaseException:
        file.discard()
        raise
    file.commit()


def sync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable (not possible on every platform)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platform dependent
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - platform dependent
        pass
    finally:
        os.close(fd)
