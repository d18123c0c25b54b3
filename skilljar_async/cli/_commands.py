"""The commands: ping, dry runs, bulk jobs, export and budget, each on one client."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread

from .. import bulk
from .._budget import check_organization
from .._client import SkilljarClient
from .._files import AtomicFile
from ..models import DomainUser, Enrollment, UserOverview
from ..ratelimit import CallType, RateLimits
from ._budget import show_budget
from ._export import write_export
from ._jobs import run_job
from ._output import clean, silence_stdout
from ._reports import export_progress

__all__ = ["UsageError", "run"]


class UsageError(Exception):
    """Bad input that stops the command before any work: one line, exit code 2."""


async def run(args: argparse.Namespace) -> int:
    """Run the parsed command; returns the exit code (errors propagate to `main`)."""
    limits = RateLimits.parse(args.limits)
    if args.command in ("enroll", "domain-users") and args.dry_run:
        return _dry_run(args, limits)
    if args.command == "budget":
        return await show_budget(args, limits)
    key = os.environ.get(args.api_key_env)
    if not key:
        raise UsageError(f"set the API key in the environment variable ${args.api_key_env}")
    if args.organization is not None:
        check_organization(args.organization)  # a ValueError: one line, exit code 2
    async with SkilljarClient(
        key, base_url=args.base_url, rate_limits=limits, organization=args.organization
    ) as client:
        if args.command == "ping":
            await client.ping()
            print(f"ok: {clean(args.base_url)} accepted the key")
            return 0
        if args.command == "export":
            return await _export(client, args)
        return await run_job(client, args, limits)


def _dry_run(args: argparse.Namespace, limits: RateLimits) -> int:
    bulk.check_csv(args.csv)
    rows = bulk.count_rows(args.csv)
    per_item = 2.0 if args.command == "enroll" else 1.0
    worst = bulk.plan(rows, {CallType.MODIFY: per_item}, limits)
    print(f"dry run: {worst} (worst case: every learner new to the domain)")
    if per_item > 1:
        best = bulk.plan(rows, {CallType.MODIFY: 1.0}, limits)
        print(f"         {best} (every learner already in the domain)")
    return 0


async def _export(client: SkilljarClient, args: argparse.Namespace) -> int:
    if args.what == "progress":
        return await export_progress(client, args)
    rows, model = _export_rows(client, args)
    if not args.out:
        try:
            count = await write_export(rows, sys.stdout, args.format, model, raw=args.raw)
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away (``| head``): stop quietly
            silence_stdout()
            return 128 + signal.SIGPIPE
    else:
        # The new export replaces the file only once complete: on any failure the
        # earlier file stays as it was.
        out = AtomicFile(args.out)
        try:
            count = await write_export(rows, out.handle, args.format, model, raw=args.raw)
        except BaseException:
            out.discard()
            raise
        await anyio.to_thread.run_sync(out.commit)
    print(f"exported {count:,} rows", file=sys.stderr)
    return 0


def _export_rows(
    client: SkilljarClient, args: argparse.Namespace
) -> tuple[AsyncIterator[Any], type[object]]:
    if args.what == "users":
        return aiter(client.users.list(page_size=1000)), UserOverview
    if not args.domain:
        raise UsageError(f"export {args.what} needs --domain")
    if args.what == "domain-users":
        return aiter(client.domains.users.list(args.domain, page_size=1000)), DomainUser
    if not args.published_course or len(args.published_course) > 1:
        raise UsageError("export enrollments needs one --published-course")
    enrollments = client.domains.published_courses.enrollments
    rows = enrollments.list(args.domain, args.published_course[0], page_size=1000)
    return aiter(rows), Enrollment
