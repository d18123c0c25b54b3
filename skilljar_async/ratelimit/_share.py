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

The estimator. A 429 proves outside usage in the window that caused it. The
server held ``L`` calls; this side accounts for at most ``used - 1`` of them,
where ``used`` counts held slots plus stamps in the window, the throttled call
included, but not calls the server refused with a 429 earlier (it did not count
them; `SlidingLog.arrived`). So others spent at least the *proof* ``L - used +
1``. When some window's estimate already covers its proof, known usage explains
the 429 (*expected*). Otherwise (*unexpected*) the 429 is blamed on one window
(`blame`): among the windows whose period is at least ``retry_after`` (the
server's wait can only be as long as the window that is full, give or take a
second of rounding), the one whose proof is smallest against its limit, so a
wrong guess asks the least of the wrong window. Its estimate rises to the proof
plus a margin of 5% (at least 1 call) for the other side's own jitter
(`learned`). A window's first estimate is also at least a tenth of its limit:
until then this side held most of the window, so the other consumer may have
got much less than it asks for (TCP's multiplicative decrease, for the same
reason).

Probing above the proven level. Each window keeps a *proven* level ``G``,
never above ``E``: up to ``G`` calls are granted as usual; above it, only while
nothing else is in flight (`busy_limit`). A success raises ``G`` to the calls
of this side the server has counted in the window (stamps of finished calls,
less refused ones: `proven_after_success`). A 429 lowers the blamed window's
``G`` to the calls known to have counted (`proven_after_429`): calls in flight
may have arrived after the throttled one, so its proof may be short by as many,
and the level above is probed again. A lowered estimate that turns out too low
therefore costs one 429, not one per call in flight, and a probe's proof is
exact.

Decay. An estimate is only evidence of the past, and without rate-limit headers
the only way to see that the other consumer slowed down or left is to use more
and watch. A success counts towards lowering a window's estimate only while
this side fills that window (`near_full`: within a tenth of its background
share), since a success in a half-empty window says nothing about others.
After ``patience * max(L, PROBE_EVERY)`` such successes since the estimate last
changed, the estimate is halved (`decayed`), which opens the probing zone
between ``G`` and the new ``E``. If the next 429 blamed on the window comes
before another such run, the other consumer is still there and the patience
doubles (it starts at 2 and grows to 8: `patience_after_429`); if the lowered
estimate survives a whole run, the patience is back to 1
(`patience_after_decay`). One window probes at a time: an estimate is not
lowered while another window's lowered estimate has not been proven up to its
new effective limit (`SlidingLog._settled`), so two probes never fail at once.
A failed probe costs one 429, so a steady consumer costs each window at most
one 429 per ``2 * PROBE_EVERY`` of this side's calls at first and one per ``8 *
PROBE_EVERY`` once the patience has grown. A vanished one stops costing
throughput after a few runs of a full window: one run of up to ``8 * max(L,
PROBE_EVERY)`` successes, then one run of ``max(L, PROBE_EVERY)`` per halving,
window after window; a window this side fills but never up to its new level
(another window binds first) keeps the others waiting until its own estimate
has decayed. An idle side, or a window another one keeps half-empty, learns
nothing and forgets nothing.

The floor. Whatever the estimate, this side keeps ``F = max(1, ceil(L / 10))``
calls per window, so a wrong estimate can slow it down, never stop it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "FIRST_PATIENCE",
    "background_limit",
    "blame",
    "busy_limit",
    "decay_due",
    "decayed",
    "effective_limit",
    "floor_limit",
    "learned",
    "near_full",
    "patience_after_429",
    "patience_after_decay",
    "proven_after_429",
    "proven_after_success",
]

#: the share of a window the outside estimate can never take from this side
FLOOR_FRACTION = 0.1
#: a window's first estimate leaves this side at most this share of its limit
BACKOFF = 0.9
#: the margin a learned estimate adds to its proof, for the other side's jitter
MARGIN = 0.05
#: a window's estimate is lowered at most once per this many successes x patience
PROBE_EVERY = 100
#: the patience of a fresh estimate, and the most it grows to
FIRST_PATIENCE = 2
MAX_PATIENCE = 8


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


def busy_limit(limit: int, proven: int) -> int:
    """What a grant may bring a window to while another call is in flight: the proven level."""
    return min(limit, proven)


def proven_after_success(effective: int, proven: int, stamps: int) -> int:
    """The proven level once a call succeeded with `stamps` finished calls in the window."""
    return min(effective, max(proven, stamps))


def learned(limit: int, used: int, outside: int) -> int:
    """The estimate after an unexpected 429 blamed on a window this side has `used` of.

    The proof (``limit - used + 1``, the 429 counted in `used`) plus the
    margin, and a first estimate at least a tenth of the limit. Capped so that
    the floor stays this side's.
    """
    proof = limit - used + 1
    value = proof + max(1, math.ceil(proof * MARGIN))
    if not outside:
        value = max(value, limit - math.floor(limit * BACKOFF))
    return min(max(outside, value), limit - floor_limit(limit))


def proven_after_429(proven: int, used: int, held: int) -> int:
    """The proven level of the window a 429 was blamed on: at most the calls known to count.

    Those are this side's finished calls in the window (`used` less the `held`
    ones and the throttled call): calls still in flight may have arrived after
    it, so the proof counted them too early and the level above is probed again.
    """
    return max(0, min(proven, used - held - 1))


def blame(
    windows: Sequence[tuple[int, float]],
    used: Sequence[int],
    outside: Sequence[int],
    retry_after: float | None,
) -> int:
    """The window a 429 is blamed on, or -1 when known usage explains it (expected).

    A window explains the 429 when the outside usage it proves is no more than
    its estimate. Otherwise the blame goes to the window whose proof is the
    smallest share of its limit, among those long enough for `retry_after`.
    """
    best, best_room = -1, math.inf
    for w, (limit, period) in enumerate(windows):
        proof = limit - used[w] + 1
        if proof <= outside[w]:
            return -1
        if retry_after is not None and period < retry_after - 1.0:
            continue  # the server would not wait longer than this window lasts
        room = proof / limit
        if room < best_room:
            best, best_room = w, room
    if best < 0:  # no window is long enough for retry_after: trust the proofs alone
        return blame(windows, used, outside, None)
    return best


def near_full(share: int, used: int) -> bool:
    """Whether a window this side has `used` of is full enough for a success to say anything.

    Within a tenth of `share` (at least 1 call), the most this side's
    background calls may use: a success far below it proves nothing about what
    others spend, so it does not decay the estimate.
    """
    return used >= share - max(1, math.ceil(share * FLOOR_FRACTION))


def decay_due(limit: int, successes: int, patience: int) -> bool:
    """Whether `successes` in a row are enough to lower the estimate of a window of `limit`."""
    return successes >= max(limit, PROBE_EVERY) * patience


def decayed(outside: int) -> int:
    """The estimate after a run of successes with no 429: halved."""
    return outside // 2


def patience_after_429(patience: int, lowered: bool) -> int:
    """After a 429 blamed on the window: twice as patient if the estimate had just been lowered."""
    return min(MAX_PATIENCE, patience * 2) if lowered else patience


def patience_after_decay(patience: int, lowered: bool) -> int:
    """When the estimate is lowered again: back to 1 if the last lowering held a whole run."""
    return 1 if lowered else patience
