"""What a process knows of one call type between steps, and the views built on it.

A step's decoded `Reply` is kept as a `State`; `eta()` and `snapshot()` of the
synchronous `Scheduler` protocol answer from it without asking Redis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from .. import _share
from .._limits import CallType, Window
from .._log import SlidingLog
from .._snapshot import LaneSnapshot, WindowSnapshot, window_snapshots
from ._wire import Reply

__all__ = ["State", "estimating", "eta_at", "lane_snapshot", "share_windows"]


@attrs.frozen
class State:
    """The last-known state of one call type: a step's reply and when it was received."""

    reply: Reply
    local_at: float  #: loop time matching ``reply.now``

    @property
    def now(self) -> float:
        """Redis server time of the step, seconds since the epoch."""
        return self.reply.now


def share_windows(
    windows: Sequence[Window], reply: Reply | None, reserve: float, background: bool
) -> tuple[Window, ...]:
    """The windows a class may use, as of `reply`: effective limits, less the reserve if
    `background` (the `_share` rules, with the shared outside estimate)."""
    outside = reply.outside if reply is not None and reply.outside else (0,) * len(windows)
    out = []
    for w, o in zip(windows, outside, strict=True):
        limit = _share.effective_limit(w.limit, o)
        if background:
            limit = _share.background_limit(limit, reserve)
        out.append(Window(limit, w.period))
    return tuple(out)


def estimating(windows: Sequence[Window], reply: Reply) -> bool:
    """Whether successes must be counted, as of `reply`: some window has an outside
    estimate to decay, or a proven level below its effective limit to raise."""
    if any(reply.outside):
        return True
    return any(
        level < _share.effective_limit(w.limit, outside)
        for w, outside, level in zip(windows, reply.outside, reply.proven, strict=False)
    )


def eta_at(windows: Sequence[Window], reply: Reply, now: float, n: int) -> float:
    """When `n` more calls could all have been granted, as of `reply` (server time)."""
    pause = reply.pause_until
    if not windows:
        return max(now, pause)
    if reply.stamps is not None:
        return _replay(windows, reply.stamps, reply.held).eta(now, n, pause)
    log = SlidingLog(windows)
    log.held = reply.held
    # Counts only: the next slot is exact, later ones a lower bound.
    return max(log.eta(now, n, pause), _next_free(windows, reply, now))


def _next_free(windows: Sequence[Window], reply: Reply, now: float) -> float:
    """When one more slot frees, from per-window counts alone (no stamps)."""
    at = max(now, reply.pause_until)
    for w, (count, free_at) in zip(windows, reply.windows, strict=True):
        if reply.held + count >= w.limit:
            at = max(at, reply.lease_min if w.limit <= reply.held else free_at)
    if reply.probing and reply.held:
        at = max(at, reply.lease_min)
    return at


def _replay(
    windows: Sequence[Window],
    stamps: Sequence[float],
    held: int,
    reserve: float = 0.0,
    outside: Sequence[int] = (),
) -> SlidingLog:
    """An in-memory log holding `held` slots after the calls stamped at `stamps`."""
    log = SlidingLog(windows, reserve)
    for w, calls in enumerate(outside):
        if calls:
            log.set_outside(w, calls)
    for s in stamps:
        log.held += 1  # a release stamps a held slot, so hold one first
        log.release(s)
    log.held = held
    return log


def lane_snapshot(
    call_type: CallType,
    windows: Sequence[Window],
    reply: Reply | None,
    queued: int,
    now: float,
    reserve: float = 0.0,
) -> LaneSnapshot:
    """One call type at server time `now`, from its last-known state (if any yet)."""
    if reply is None:
        return LaneSnapshot(
            call_type=call_type,
            windows=window_snapshots(SlidingLog(windows, reserve), now),
            held=0,
            queued=queued,
            probing=False,
            paused_for=0.0,
        )
    return LaneSnapshot(
        call_type=call_type,
        windows=_window_views(windows, reply, now, reserve),
        held=reply.held,
        queued=queued,
        probing=reply.probing,
        paused_for=max(0.0, reply.pause_until - now),
    )


def _window_views(
    windows: Sequence[Window], reply: Reply, now: float, reserve: float
) -> tuple[WindowSnapshot, ...]:
    """Each window's use: exact from stamps after a fetch, else from the step's counts."""
    outside = reply.outside or (0,) * len(windows)
    if reply.stamps is not None:
        log = _replay(windows, reply.stamps, reply.held, reserve, outside)
        return window_snapshots(log, now)
    return tuple(
        _window(w, reply.held, count, free_at, now, o, reserve)
        for w, (count, free_at), o in zip(windows, reply.windows, outside, strict=True)
    )


def _window(
    w: Window, held: int, count: int, free_at: float, now: float, outside: int, reserve: float
) -> WindowSnapshot:
    """One window from its count of stamps in the window and when the next one leaves."""
    used = held + count
    effective = _share.effective_limit(w.limit, outside)
    if used < effective:
        free_in = 0.0
    elif effective <= held:
        free_in = math.inf  # held slots alone fill it: free when one is released
    else:
        free_in = max(0.0, free_at - now)
    return WindowSnapshot(
        limit=w.limit,
        period=w.period,
        used=used,
        remaining=max(0, effective - used),
        next_free_in=free_in,
        outside=outside,
        effective_limit=effective,
        background_limit=_share.background_limit(effective, reserve),
    )
