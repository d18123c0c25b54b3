"""Progress display for the command line: a live bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import time
from typing import TextIO

from ..bulk import Progress, format_duration

__all__ = ["ProgressPrinter"]


class ProgressPrinter:
    """Draws `Progress` events: a redrawn bar on a TTY, a line every few seconds otherwise."""

    def __init__(self, stream: TextIO, *, tty: bool | None = None, every: float = 5.0) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.every = every
        self._last = 0.0
        self._drawn = False
        self._unshown: Progress | None = None  #: the latest event not yet printed

    def __call__(self, event: Progress) -> None:
        if self.tty:
            self.stream.write("\r" + self.line(event, bar=True) + "\x1b[K")
            self._drawn = True
        elif time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            self.stream.write(self.line(event, bar=False) + "\n")
            self._unshown = None
        else:
            self._unshown = event
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line, or print the last line off a terminal, before the summary."""
        if self._unshown is not None:
            self.stream.write(self.line(self._unshown, bar=False) + "\n")
            self.stream.flush()
            self._unshown = None
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
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
