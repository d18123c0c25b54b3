"""`main`: parse, run the command, and turn each kind of failure into its exit code."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from .. import bulk
from .._errors import APIConnectionError, AuthenticationError, SkilljarError
from ._commands import UsageError, run
from ._console import MISSING_RICH, configure_logging, has_rich
from ._parser import build_parser

__all__ = ["main"]


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
        return asyncio.run(run(args))
    except KeyboardInterrupt as exc:
        if not exc.args:  # a job already said what was kept and how to resume
            print("\ninterrupted", file=sys.stderr)
        return 130
    except (UsageError, bulk.CsvError, bulk.JournalMismatchError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AuthenticationError:
        print(f"error: the API key in ${args.api_key_env} was rejected (401)", file=sys.stderr)
        return 2
    except APIConnectionError as exc:
        print(f"error: cannot reach {args.base_url}: {exc.message}", file=sys.stderr)
        return 2
    except SkilljarError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
