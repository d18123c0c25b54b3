"""The Python side of the Lua step's formats: its arguments and its reply.

`_script` documents the ARGV and reply layouts; this module is the only code
that encodes the one or decodes the other, into a typed `Reply`.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from .._limits import Window

__all__ = [
    "RECOVER",
    "REFUSED",
    "US",
    "Mismatch",
    "Op",
    "Reply",
    "decode_reply",
    "encode_config",
    "limits_digest",
    "log",
    "pause_op",
    "step_args",
]

# One logger for every part of the shared scheduler.
log = logging.getLogger("skilljar_async.ratelimit.redis")

US: Final = 1_000_000  # the script counts time in integer microseconds
_HEADER: Final = 16  # fixed fields before the per-window pairs in a step's reply
_WINDOWS: Final = 13  # the header field holding the window count
_PER_WINDOW: Final = 5  # stamps in it, next free at, outside estimate, proven level, refused


@attrs.frozen(kw_only=True)
class Reply:
    """One step's reply, decoded; times are the Redis server's, in seconds since the epoch."""

    now: float  #: when the step ran
    granted: int  #: grants made, ``<prefix>:1`` to ``<prefix>:<granted>``
    wait: float  #: seconds until one more grant may be possible
    soft: bool  #: the wait ends early on a release (held slots or a probe bound it)
    held: int  #: slots held by all processes after the step
    pause_until: float  #: end of the pause (0 or past: none)
    probing: bool  #: at most one slot at a time until a recover
    notified: bool  #: the step published on the wake-up channel
    lease_min: float  #: earliest lease expiry of a held slot (``inf``: none held)
    late: int  #: releases whose slot was no longer held (its lease ran out first)
    epoch: int  #: when (µs) the budget's state was created: another one means it was lost
    seq: int  #: steps made on this state so far: a lower one means writes were lost
    lost: bool  #: this step found the state lost (and paused the call type)
    windows: tuple[tuple[int, float], ...]  #: per window: stamps in it, when the next frees
    stamps: tuple[float, ...] | None  #: every stamp, oldest first (a full step only)
    #: per window: the calls others are estimated to spend in it
    outside: tuple[int, ...] = ()
    #: the earliest a foreground / background grant can come, by stamps and pause alone
    hard: tuple[float, float] = (0.0, 0.0)
    #: per window: the proven level, above which grants go one at a time (see `_share`)
    proven: tuple[int, ...] = ()
    #: per window: calls of any process refused with a 429 in it (the server did not count them)
    refused: tuple[int, ...] = ()


@attrs.frozen
class Mismatch:
    """A step's reply when the budget is kept under other limits: their windows."""

    windows: tuple[Window, ...]


#: A queued pause, recover or refusal: its kind letter and argument (µs), as ARGV[5] pairs them.
Op = tuple[str, int]

#: Leave probing mode.
RECOVER: Final[Op] = ("r", 0)

#: A call got a 429: the server did not count it (recorded at the step's time).
REFUSED: Final[Op] = ("x", 0)


def pause_op(seconds: float, *, probe: bool) -> Op:
    """Pause for `seconds` from when Redis runs the step (``P``: then probe)."""
    return ("P" if probe else "p", math.ceil(seconds * US))


#: the version of the step's sharing rules (reserve, outside estimate, proven level);
#: bump when they change.
RULES = 3


def limits_digest(windows: Sequence[Window], reserve: object = 0.0) -> str:
    """What every process of a budget must agree on for one call type, as 16 hex digits.

    `reserve` is the limits' ``reserve`` (a number, or anything with a stable repr).
    """
    if isinstance(reserve, int | float) and not isinstance(reserve, bool):
        reserve = float(reserve)
    text = " ".join(f"{w.limit}/{round(w.period * US)}" for w in windows)
    # RULES is part of the agreement: a process running older sharing rules (one that ignores
    # the reserve, the shared estimate or the proven level) is refused rather than
    # over-granting beside us.
    return hashlib.sha256(f"{text}|{reserve!r}|rules={RULES}".encode()).hexdigest()[:16]


def encode_config(
    *,
    lease: float,
    ttl_ms: int,
    channel: str,
    name: str,
    windows: Sequence[Window],
    digest: str,
    replace: bool,
) -> str:
    """ARGV[1]: a lane's constants, encoded once because they never change."""
    config: list[str | int] = [math.ceil(lease * US), ttl_ms, channel, name, digest]
    config += [1 if replace else 0, len(windows)]
    for w in windows:
        config += [w.limit, round(w.period * US)]
    return " ".join(map(str, config))


def step_args(
    config: str,
    want: int,
    prefix: str,
    full: bool,
    releases: Iterable[tuple[str, bool, object]],
    ops: Iterable[Op],
    renewals: Iterable[str] = (),
    seen: tuple[int, int] | None = None,
    *,
    reserve: float = 0.0,
    background: bool = False,
    successes: int = 0,
    learned: Iterable[tuple[int, int, int]] = (),
) -> list[str | int]:
    """The ARGV of one step: ask for `want` grants, send `ops`, `releases` (token, stamp)
    and `renewals`; `seen` is the epoch and sequence this process last saw, if recent.

    `background` grants keep the `reserve`; `successes` since the last step raise the
    proven levels and decay the outside estimate; `learned` (window, calls, proven)
    triples raise the estimate and cap the window's proven level.
    """
    qos = f"{float(reserve)!r} {1 if background else 0} {successes}"
    return [
        config,
        want,
        prefix,
        1 if full else 0,
        " ".join(f"{kind} {us}" for kind, us in ops),
        " ".join(f"{token} {1 if stamp else 0}" for token, stamp, _ in releases),
        " ".join(renewals),
        "" if seen is None else f"{seen[0]} {seen[1]}",
        qos,
        " ".join(f"{w} {calls} {proven}" for w, calls, proven in learned),
    ]


def decode_reply(raw: object) -> Reply | Mismatch:
    """Decode a step's reply: space-separated integers, or ``M`` and the budget's windows."""
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    if text.startswith("M"):
        w = [int(x) for x in text[1:].split()]
        return Mismatch(tuple(Window(w[j], w[j + 1] / US) for j in range(0, len(w) - 1, 2)))
    v = [int(x) for x in text.split()]
    end = _HEADER + _PER_WINDOW * v[_WINDOWS]
    stamps = None
    if len(v) > end:  # a full step: the stamp count, then the stamps
        stamps = tuple(s / US for s in v[end + 1 : end + 1 + v[end]])
    return Reply(
        now=v[0] / US,
        granted=v[1],
        wait=v[2] / US,
        soft=bool(v[3]),
        held=v[4],
        pause_until=v[5] / US,
        probing=bool(v[6]),
        notified=bool(v[7]),
        lease_min=v[8] / US if v[8] >= 0 else math.inf,
        late=v[9],
        epoch=v[10],
        seq=v[11],
        lost=bool(v[12]),
        windows=tuple((v[j], v[j + 1] / US) for j in range(_HEADER, end, _PER_WINDOW)),
        stamps=stamps,
        outside=tuple(v[j + 2] for j in range(_HEADER, end, _PER_WINDOW)),
        hard=(v[_HEADER - 2] / US, v[_HEADER - 1] / US),
        proven=tuple(v[j + 3] for j in range(_HEADER, end, _PER_WINDOW)),
        refused=tuple(v[j + 4] for j in range(_HEADER, end, _PER_WINDOW)),
    )
