"""Progress display for the command line: a live bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import time
from typing import Any, TextIO

from ..bulk import Progress, format_duration

__all__ = ["ProgressPrinter"]


class ProgressPrinter:
    """Draws `Progress` events: a live rich bar on a TTY, a line every few seconds otherwise."""

    def __init__(self, stream: TextIO, *, tty: bool | None = None, every: float = 5.0) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.every = every
        self._last = 0.0
        self._drawn = False
        self._unshown: Progress | None = None  #: the latest event not yet printed
        self._bar: _RichBar | None = None

    def __call__(self, event: Progress) -> None:
        if self.tty:
            if self._bar is None:
                self._bar = _RichBar(self.stream)
            self._bar.update(event)
            self._drawn = True
            return
        if time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            self.stream.write(self.line(event, bar=False) + "\n")
            self._unshown = None
        else:
            self._unshown = event
        self.stream.flush()

    def finish(self) -> None:
        """Stop the live bar, or print the last line off a terminal, before the summary."""
        if self._unshown is not None:
            self.stream.write(self.line(self._unshown, bar=False) + "\n")
            self.stream.flush()
            self._unshown = None
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        self._drawn = False

    @staticmethod
    def line(event: Progress, *, bar: bool) -> str:
        """One line: bar (on a TTY), counts, rate, ETA, failures."""
        done = event.done + event.skipped
        total = event.total
        parts = []
        if total:
            share = min(1.0, done / total)
            if bar:
                filled = round(share * 30)
                parts.append("[" + "#" * filled + "." * (30 - filled) + "]")
            parts.append(f"{done:,}/{total:,} ({share:.0%})")
        else:
            parts.append(f"{done:,} done")
        parts.append(f"{event.rate:.1f}/s")
        if event.eta is not None:
            parts.append(f"ETA {format_duration(event.eta)}")
        parts.append(f"failed {event.failed:,}")
        return "  ".join(parts)


class _RichBar:
    """rich's live progress bar: counts, rate, ETA (the scheduler's) and failures."""

    def __init__(self, stream: TextIO) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
        from rich.progress import Progress as RichProgress

        from ._console import console

        self.progress = RichProgress(
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[rate]:.1f}/s"),
            TextColumn("ETA {task.fields[eta]}"),
            TextColumn("failed {task.fields[failed]:,}"),
            console=console(stream),
            transient=False,
        )
        self.task = self.progress.add_task("items", total=None, rate=0.0, eta="-", failed=0)
        self.progress.start()

    def update(self, event: Progress) -> None:
        fields: dict[str, Any] = {
            "rate": event.rate,
            "eta": "-" if event.eta is None else format_duration(event.eta),
            "failed": event.failed,
        }
        done = event.done + event.skipped
        self.progress.update(self.task, completed=done, total=event.total, **fields)

    def stop(self) -> None:
        self.progress.stop()
