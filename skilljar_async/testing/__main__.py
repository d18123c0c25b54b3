"""Run a Skilljar API emulator until Ctrl-C.

python -m skilljar_async.testing --port 8765 --users 10000 --limits skilljar
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from ..ratelimit import RateLimits
from ._emulator import SkilljarEmulator

__all__ = ["main", "parse_limits"]


def parse_limits(text: str) -> RateLimits | None:
    """``skilljar`` (600/60 s and 5,000/h), ``off`` (None), or windows like ``20/1,50/5``."""
    try:
        limits = RateLimits.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return limits if limits != RateLimits.unlimited() else None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m skilljar_async.testing",
        description="Serve a local Skilljar API v1 emulator until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--users", type=int, default=0, help="seeded learners")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and of faults")
    parser.add_argument(
        "--limits",
        type=parse_limits,
        default=RateLimits.skilljar(),
        help='"skilljar" (default), "off", or windows per call type, e.g. "20/1,50/5"',
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every response")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share answered 502")
    parser.add_argument("--error-status", type=int, default=502)
    parser.add_argument("--drop-rate", type=float, default=0.0, help="share of dropped connections")
    parser.add_argument("--key", action="append", dest="keys", help="API key (repeatable)")
    parser.add_argument(
        "--read-only-key", action="append", dest="read_only_keys", help="read-only key (repeatable)"
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    emulator = SkilljarEmulator(
        api_keys=args.keys or ("test-key",),
        read_only_keys=args.read_only_keys or ("read-only-key",),
        limits=args.limits,
        users=args.users,
        seed=args.seed,
        latency=args.latency_ms / 1000.0,
        error_rate=args.error_rate,
        error_status=args.error_status,
        drop_rate=args.drop_rate,
        host=args.host,
        port=args.port,
    )
    async with emulator:
        print(f"Skilljar emulator listening on {emulator.base_url}", flush=True)
        print(f"  API keys:           {', '.join(emulator.api_keys)}")
        print(f"  read-only keys:     {', '.join(emulator.read_only_keys)}")
        print(f"  seeded learners:    {args.users}")
        print(f"  try: curl -u {emulator.api_key}: {emulator.base_url}/ping -i")
        print("Ctrl-C to stop.", flush=True)
        stop = asyncio.Event()
        with contextlib.suppress(NotImplementedError, AttributeError):  # not on Windows
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
