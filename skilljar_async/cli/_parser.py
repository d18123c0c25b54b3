"""The command line's arguments: one parser, one sub-command per job."""

from __future__ import annotations

import argparse
import os

from .._budget import BASE_URL_ENV, ORGANIZATION_ENV
from .._client import DEFAULT_BASE_URL

__all__ = ["build_parser"]

_DESCRIPTION = (
    "The ``skilljar-async`` command line: ping, bulk enroll, add domain users, export, budget."
)


def build_parser() -> argparse.ArgumentParser:
    """The parser for every command but ``emulator`` (which parses its own options)."""
    parser = argparse.ArgumentParser(
        prog="skilljar-async", description=_DESCRIPTION, allow_abbrev=False
    )
    parser.add_argument("--base-url", default=os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL))
    parser.add_argument("--api-key-env", default="SKILLJAR_API_KEY", metavar="NAME")
    parser.add_argument(
        "--organization",
        default=os.environ.get(ORGANIZATION_ENV),
        help=f"the organization whose budget the key spends (default: ${ORGANIZATION_ENV}); "
        "name it when other keys of the organization run in this process",
    )
    parser.add_argument(
        "--limits",
        default="skilljar",
        help="skilljar, off, or e.g. 600/60,5000/3600; add ;reserve=0.2 to keep a share "
        "for foreground calls (skilljar keeps 0.1)",
    )
    parser.add_argument("--concurrency", type=int, default=16)
    _log_options(parser)
    common = argparse.ArgumentParser(add_help=False)
    _log_options(common, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("ping", help="check the key and the connection", parents=[common])
    enroll = commands.add_parser("enroll", help="enroll learners from a CSV file", parents=[common])
    _job_options(enroll)
    target = enroll.add_mutually_exclusive_group(required=True)
    target.add_argument("--published-course", metavar="ID")
    target.add_argument("--published-path", metavar="ID")
    users = commands.add_parser("domain-users", help="domain memberships", parents=[common])
    users_add = users.add_subparsers(dest="action", required=True).add_parser(
        "add", parents=[common]
    )
    _job_options(users_add)
    export = commands.add_parser(
        "export", help="stream a list to CSV or JSON lines", parents=[common]
    )
    export.add_argument("what", choices=["users", "domain-users", "enrollments", "progress"])
    export.add_argument("--domain")
    export.add_argument(
        "--published-course", metavar="ID", action="append", help="progress: repeatable"
    )
    export.add_argument("--format", choices=["csv", "jsonl"], default="jsonl")
    export.add_argument("--out", metavar="FILE", help="replaced only once the export is complete")
    export.add_argument(
        "--raw", action="store_true", help="CSV: keep cells that start with = + - @ as they are"
    )
    _report_options(export)
    budget = commands.add_parser(
        "budget", help="show the shared rate budget (from Redis)", parents=[common]
    )
    budget.add_argument(
        "--redis", metavar="URL", help="the Redis every process's RedisScheduler shares"
    )
    budget.add_argument("--namespace", default="skilljar-async", help="the schedulers' namespace")
    budget.add_argument("--watch", action="store_true", help="redraw the table live")
    budget.add_argument("--interval", type=float, default=1.0, help="seconds between redraws")
    commands.add_parser("emulator", help="run the local Skilljar emulator", add_help=False)
    return parser


def _log_options(parser: argparse.ArgumentParser, default: object = None) -> None:
    """-v/--verbose and --log-level, accepted before or after the command's name."""
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if default is None else default,
        help="log retries and 429 pauses (-vv: every request)",
    )
    parser.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        default=default,
        help="the library's log level (overrides -v)",
    )


def _job_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--csv", required=True, metavar="FILE")
    command.add_argument("--domain", required=True)
    command.add_argument("--journal", metavar="FILE", help="resume file (JSON lines)")
    command.add_argument(
        "--failures", metavar="FILE", help="write the failed rows here, in the input's columns"
    )
    command.add_argument(
        "--dry-run", action="store_true", help="count calls and time; send nothing"
    )


def _report_options(export: argparse.ArgumentParser) -> None:
    """The options of ``export progress``."""
    export.add_argument("--since", metavar="ISO8601", help="progress: learners active since")
    export.add_argument("--overlap", type=float, metavar="SECONDS")
    export.add_argument("--state", metavar="FILE", help="progress: incremental, resumable runs")
    export.add_argument("--dry-run", action="store_true", help="progress: count reads and time")
    # Given after the sub-command it sets the report's workers; left out, the report's own
    # default applies (the global --concurrency is the bulk jobs').
    export.add_argument(
        "--concurrency", dest="report_concurrency", type=int, default=argparse.SUPPRESS
    )
