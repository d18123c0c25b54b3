"""The command line's terminal output: rich, from the ``cli`` extra, checked once at start."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["MISSING_RICH", "configure_logging", "console", "has_rich"]

MISSING_RICH = "the command line needs rich: pip install 'skilljar-async[cli]'"


def has_rich() -> bool:
    """Whether the ``cli`` extra (rich) is installed."""
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


def console(stream: TextIO) -> Console:
    """A rich console on `stream` (colour and live redraws only on a terminal)."""
    from rich.console import Console

    return Console(file=stream, highlight=False)


def configure_logging(verbose: int, level: str | None) -> None:
    """Send the library's log records to stderr at the level the options ask for, if any."""
    root = logging.getLogger("skilljar_async")
    for old in [h for h in root.handlers if getattr(h, "_skilljar_cli", False)]:
        root.removeHandler(old)
    if level is None and not verbose:
        return
    if level is not None:
        chosen = getattr(logging, level.upper())
    else:
        chosen = logging.INFO if verbose == 1 else logging.DEBUG
    root.setLevel(chosen)
    if sys.stderr.isatty():
        from rich.logging import RichHandler

        handler: logging.Handler = RichHandler(console=console(sys.stderr), show_path=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler._skilljar_cli = True  # type: ignore[attr-defined]
    root.addHandler(handler)
