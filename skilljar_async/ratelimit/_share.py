"""The pure rules of sharing one budget: the reserve, outside usage and their floors.

One organization's windows are spent by three kinds of callers: this side's
foreground calls (priority >= 0, e.g. a web request), this side's background
calls (priority < 0, e.g. a bulk job) and other integrations we cannot see.
Every rule here is a function of plain numbers (a window's limit, this side's
use of it, the reserve, the outside estimate), with no clock or event loop, so
the same rules can run inside a Redis Lua script.

How the limits combine, per window of configured limit ``L``:

- The outside estimate ``O`` (calls per window that others spend) gives the
  *effective limit* ``E = max(F, L - O)``, where the floor ``F = max(1,
  ceil(L / 10))`` keeps this side from starving whatever the estimate says.
  ``E <= L`` always, so every exactness argument made for ``L`` holds for ``E``.
- Foreground calls may use all of ``E``; background calls only
  ``B = max(1, floor(E * (1 - reserve)))``. The reserve is a share of what this
  side may use, so it stays meaningful when others spend part of the window.

The estimator. A 429 proves outside usage in the window that caused it: the
server held ``L`` calls, of which this side can account for at most ``used -
1`` (``used`` counts held slots plus stamps in the window, the throttled call
included), so others spent at least ``L - used + 1``. When that is no more than
the estimate already has, known usage explains the 429 (*expected*). When every
window shows more room than that (*unexpected*), the 429 is blamed on one window
(`blame`): among the windows whose period is at least ``retry_after`` (the
server's wait can only be as long as the window that is full, give or take a
second of rounding), the one with the
least room left relative to its limit. Its estimate rises to the proof, and at
least far enough to cut this side's effective limit by a fifth (`learned`): the
proof only counts what the other consumer got in so far, which is little while
this side holds most of the window, so learning from proofs alone would cost a
429 for every call the other side squeezes in (TCP's multiplicative decrease,
for the same reason).

Decay. An estimate is only evidence of the past, and without rate-limit headers
the only way to see that the other consumer slowed down or left is to use more
and watch. After ``patience * L`` successful calls since the estimate last
changed (no 429 blamed on the window meanwhile), the estimate is halved
(`decayed`). If the next 429 blamed on the window comes before another such
run, the other consumer is still there and the patience doubles (up to 4
windows' worth of calls: `patience_after_429`); if the lowered estimate survives
a whole run, the patience is back to 1 (`patience_after_decay`). So a steady
consumer costs one short burst of 429s (the calls in flight) every 4 windows'
worth of calls, well under one per 100 calls, and a vanished one stops costing
throughput a few windows of use after its last sign (at most 4 windows' worth
of calls before the first halving, then one window's worth per halving).
Successes only count while this side uses the budget: an idle side learns
nothing and forgets nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "background_limit",
    "blame",
    "decay_due",
    "decayed",
    "effective_limit",
    "floor_limit",
    "learned",
    "patience_after_429",
    "patience_after_decay",
]

#: the share of a window the outside estimate can never take from this side
FLOOR_FRACTION = 0.1
#: after an unexpected 429 this side keeps at most this share of its effective limit
BACKOFF = 0.8
#: the most windows' worth of successes an estimate waits before it is lowered again
MAX_PATIENCE = 4


def floor_limit(limit: int) -> int:
    """The fewest calls per window this side keeps whatever the estimate: 10%, at least 1."""
    return max(1, math.ceil(limit * FLOOR_FRACTION))


def effective_limit(limit: int, outside: int) -> int:
    """What this side may use of a window of `limit` when others spend `outside` of it."""
    return max(floor_limit(limit), limit - outside)


def background_limit(limit: int, reserve: float) -> int:
    """Background calls' share of `limit` once the reserve is kept: at least 1."""
    # The epsilon keeps float noise (e.g. 10 * 0.9 = 8.999...) from costing a call.
    return max(1, math.floor(limit * (1.0 - reserve) + 1e-9))


def learned(limit: int, used: int, outside: int) -> int:
    """The estimate after an unexpected 429 blamed on a window this side has `used` of.

    At least the outside usage the 429 proves (``limit - used + 1``, the 429
    counted in `used`) and at least a fifth of this side's effective limit more,
    capped so that the floor stays this side's.
    """
    cut = limit - math.floor(effective_limit(limit, outside) * BACKOFF)
    return min(max(outside, limit - used + 1, cut), limit - floor_limit(limit))


def blame(
    windows: Sequence[tuple[int, float]],
    used: Sequence[int],
    outside: Sequence[int],
    retry_after: float | None,
) -> int:
    """The window a 429 is blamed on, or -1 when known usage explains it (expected).

    A window explains the 429 when the outside usage it proves is no more than
    its estimate.
    """
    best, best_room = -1, math.inf
    for w, (limit, period) in enumerate(windows):
        if limit - used[w] + 1 <= outside[w]:
            return -1
        if retry_after is not None and period < retry_after - 1.0:
            continue  # the server would not wait longer than this window lasts
        room = (limit - used[w]) / limit
        if room < best_room:
            best, best_room = w, room
    if best < 0:  # no window is long enough for retry_after: trust the room alone
        return blame(windows, used, outside, None)
    return best


def decay_due(limit: int, successes: int, patience: int) -> bool:
    """Whether `successes` in a row are enough to lower the estimate of a window of `limit`."""
    return successes >= limit * patience


def decayed(outside: int) -> int:
    """The estimate after a run of successes with no 429: halved."""
    return outside // 2


def patience_after_429(patience: int, lowered: bool) -> int:
    """After a 429 blamed on the window: twice as patient if the estimate had just been lowered."""
    return min(MAX_PATIENCE, patience * 2) if lowered else patience


def patience_after_decay(patience: int, lowered: bool) -> int:
    """When the estimate is lowered again: back to 1 if the last lowering held a whole run."""
    return 1 if lowered else patience
