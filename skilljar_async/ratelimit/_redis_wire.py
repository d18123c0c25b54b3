"""The Python side of the Lua step's formats: arguments, replies and key names.

`_redis_lua` documents the ARGV and reply layouts; this module is the only
code that encodes the one or knows the offsets of the other's header.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from ._limits import Window

if TYPE_CHECKING:
    from ._redis_slot import _RedisSlot

__all__ = [
    "HEADER",
    "US",
    "Release",
    "key_hash_of",
    "lane_config",
    "log",
    "parse_reply",
    "redact",
    "step_args",
]

# One logger for every part of the shared scheduler, named after the module the
# parts were split from, so logging configured for it keeps catching them all.
log = logging.getLogger("skilljar_async.ratelimit._redis")

US: Final = 1_000_000  # the script counts time in integer microseconds
HEADER: Final = 11  # fixed fields before the per-window pairs in a step's reply
_API_KEY_ENV: Final = "SKILLJAR_API_KEY"

#: A grant token on its way back to Redis: stamp it (True) or drop it, and the
#: slot (if any) that wants to learn the stamp's time.
Release = tuple[str, bool, "_RedisSlot | None"]


def lane_config(
    lease_us: int, ttl_ms: int, channel: str, name: str, windows: Sequence[Window]
) -> str:
    """ARGV[1]: a lane's constants, encoded once because they never change."""
    config: list[str | int] = [lease_us, ttl_ms, channel, name, len(windows)]
    for w in windows:
        config += [w.limit, round(w.period * US)]
    return " ".join(map(str, config))


def step_args(
    config: str,
    want: int,
    prefix: str,
    full: bool,
    releases: Sequence[Release],
    ops: Sequence[tuple[str, int]],
) -> list[str | int]:
    """The ARGV of one step: ask for `want` grants, send `ops` and `releases`."""
    return [
        config,
        want,
        prefix,
        1 if full else 0,
        " ".join(f"{kind} {us}" for kind, us in ops),
        " ".join(f"{token} {1 if stamp else 0}" for token, stamp, _ in releases),
    ]


def parse_reply(raw: object) -> list[int]:
    """Decode a step's reply, one string of space-separated integers."""
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    return [int(x) for x in text.split()]


def key_hash_of(api_key: str | None, key_hash: str | None) -> str:
    """The hash tag naming one API key's budget; the key itself never reaches Redis."""
    if key_hash is not None:
        if api_key is not None:
            raise ValueError("pass either api_key= or key_hash=, not both")
        if not key_hash or any(c in key_hash for c in "{}: "):
            raise ValueError(
                f"key_hash must be non-empty, without braces, colons or spaces: {key_hash!r}"
            )
        return key_hash
    key = api_key if api_key is not None else os.environ.get(_API_KEY_ENV)
    if not key:
        raise ValueError(
            f"pass api_key= (or key_hash=), or set {_API_KEY_ENV}: the shared budget is per API key"
        )
    return hashlib.sha256(f"skilljar-async\0{key}".encode()).hexdigest()[:32]


def redact(where: str) -> str:
    """A URL without its password."""
    scheme, sep, rest = where.partition("://")
    if sep and "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.partition(":")[0]
        return f"{scheme}://{user + ':***' if user else '***'}@{host}"
    return where
