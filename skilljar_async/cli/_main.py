"""`main`: parse, run the command, and turn each kind of failure into its exit code."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence

from .. import bulk
from .._errors import APIConnectionError, AuthenticationError, SkilljarError
from ._commands import UsageError, run
from ._console import MISSING_RICH, configure_logging, has_rich
from ._jobs import JobStopped
from ._output import clean
from ._parser import build_parser

__all__ = ["main"]


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is; the exit code says which it was."""


async def _run_until_signal(args: argparse.Namespace) -> int:
    """`run`, with SIGTERM cancelling it as Ctrl-C does.

    So a job stopped by ``kill`` or a service manager stops taking items, keeps what
    finished, flushes and fsyncs its journal and prints how to resume, like Ctrl-C.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    terminated = False

    def on_sigterm() -> None:
        nonlocal terminated
        terminated = True
        if task is not None:
            task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    except (NotImplementedError, RuntimeError):  # pragma: no cover - no signals here
        return await run(args)
    try:
        return await run(args)
    except (KeyboardInterrupt, asyncio.CancelledError) as exc:
        if terminated:
            raise _Terminated(*exc.args) from None
        raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["emulator"]:  # everything after it is the emulator's own options
        from ..testing.__main__ import main as emulator_main

        return emulator_main(args_list[1:]) or 0
    if not has_rich():
        print(f"error: {MISSING_RICH}", file=sys.stderr)
        return 2
    args = build_parser().parse_args(args_list)
    configure_logging(args.verbose, args.log_level)
    try:
        return asyncio.run(_run_until_signal(args))
    except KeyboardInterrupt as exc:
        if not exc.args:  # a job already said what was kept and how to resume
            print("\ninterrupted", file=sys.stderr)
        return 128 + (signal.SIGTERM if isinstance(exc, _Terminated) else signal.SIGINT)
    except (UsageError, JobStopped, bulk.CsvError, bulk.JournalMismatchError, ValueError) as exc:
        print(f"error: {clean(exc)}", file=sys.stderr)
        return 2
    except AuthenticationError:
        print(f"error: the API key in ${args.api_key_env} was rejected (401)", file=sys.stderr)
        return 2
    except APIConnectionError as exc:
        print(f"error: cannot reach {clean(args.base_url)}: {clean(exc.message)}", file=sys.stderr)
        return 2
    except SkilljarError as exc:
        print(f"error: {clean(exc)}", file=sys.stderr)
        return 2
