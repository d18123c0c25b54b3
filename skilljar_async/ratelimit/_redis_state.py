"""What a process knows of one call type between steps, and the views built on it.

A step's reply is decoded into a `_State`; `eta()` and `snapshot()` of the
synchronous `Scheduler` protocol answer from it without asking Redis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ._limits import CallType, Window
from ._log import SlidingLog
from ._redis_wire import HEADER, US
from ._snapshot import LaneSnapshot, WindowSnapshot, window_snapshots

__all__ = ["_State", "eta_at", "lane_snapshot"]


class _State:
    """The last-known state of one call type, as a step returned it."""

    __slots__ = (
        "held",
        "lease_min",
        "local_at",
        "now",
        "pause_until",
        "probing",
        "stamps",
        "windows",
    )

    def __init__(self, reply: Sequence[int], local_at: float, nw: int, full: bool) -> None:
        self.now = reply[0] / US  # Redis server time, seconds since the epoch
        self.local_at = local_at  # loop time matching `now`
        self.held = int(reply[4])
        self.pause_until = reply[5] / US
        self.probing = bool(reply[6])
        self.lease_min = reply[8] / US if reply[8] >= 0 else math.inf
        self.windows = [
            (int(reply[HEADER + 2 * w]), reply[HEADER + 2 * w + 1] / US) for w in range(nw)
        ]
        self.stamps: list[float] | None = None
        if full:
            at = HEADER + 2 * nw
            self.stamps = [s / US for s in reply[at + 1 : at + 1 + int(reply[at])]]


def eta_at(windows: Sequence[Window], state: _State, now: float, n: int) -> float:
    """When `n` more calls could all have been granted, as of `state` (server time)."""
    pause = state.pause_until
    if not windows:
        return max(now, pause)
    if state.stamps is not None:
        return _replay(windows, state.stamps, state.held).eta(now, n, pause)
    log = SlidingLog(windows)
    log.held = state.held
    # Counts only: the next slot is exact, later ones a lower bound.
    return max(log.eta(now, n, pause), _next_free(windows, state, now))


def _next_free(windows: Sequence[Window], state: _State, now: float) -> float:
    """When one more slot frees, from per-window counts alone (no stamps)."""
    at = max(now, state.pause_until)
    for w, (count, free_at) in zip(windows, state.windows, strict=True):
        if state.held + count >= w.limit:
            at = max(at, state.lease_min if w.limit <= state.held else free_at)
    if state.probing and state.held:
        at = max(at, state.lease_min)
    return at


def _replay(windows: Sequence[Window], stamps: list[float], held: int) -> SlidingLog:
    """An in-memory log holding `held` slots after the calls stamped at `stamps`."""
    log = SlidingLog(windows)
    for s in stamps:
        log.held += 1  # a release stamps a held slot, so hold one first
        log.release(s)
    log.held = held
    return log


def lane_snapshot(
    call_type: CallType,
    windows: Sequence[Window],
    state: _State | None,
    queued: int,
    now: float,
) -> LaneSnapshot:
    """One call type at server time `now`, from its last-known state (if any yet)."""
    if state is None:
        return LaneSnapshot(
            call_type=call_type,
            windows=window_snapshots(SlidingLog(windows), now),
            held=0,
            queued=queued,
            probing=False,
            paused_for=0.0,
        )
    return LaneSnapshot(
        call_type=call_type,
        windows=_window_views(windows, state, now),
        held=state.held,
        queued=queued,
        probing=state.probing,
        paused_for=max(0.0, state.pause_until - now),
    )


def _window_views(
    windows: Sequence[Window], state: _State, now: float
) -> tuple[WindowSnapshot, ...]:
    """Each window's use: exact from stamps after a fetch, else from the step's counts."""
    if state.stamps is not None:
        return window_snapshots(_replay(windows, state.stamps, state.held), now)
    return tuple(
        _window(w, state.held, count, free_at, now)
        for w, (count, free_at) in zip(windows, state.windows, strict=True)
    )


def _window(w: Window, held: int, count: int, free_at: float, now: float) -> WindowSnapshot:
    """One window from its count of stamps in the window and when the next one leaves."""
    used = held + count
    if used < w.limit:
        free_in = 0.0
    elif w.limit <= held:
        free_in = math.inf  # held slots alone fill it: free when one is released
    else:
        free_in = max(0.0, free_at - now)
    return WindowSnapshot(
        limit=w.limit,
        period=w.period,
        used=used,
        remaining=max(0, w.limit - used),
        next_free_in=free_in,
    )
