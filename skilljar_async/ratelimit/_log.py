"""The window math of one call type, free of any event loop: every method takes `now`.

The log holds two things: ``held``, the number of slots granted and not yet
released, and the release times ("stamps") of finished calls. A grant at time
``t`` is allowed when, for every window ``(limit, period)``::

    held + #{stamps s : s + period > t} < limit

Why holding and stamping at release is safe whatever the network latency: the
server counts a call at its arrival time ``a``, and ``grant <= a <= release``.
Take any window ``(t - period, t]`` of the server. A call it counts there was
granted at or before ``t`` and released after ``t - period``. At the instant
``t`` that call was therefore either still held or released inside
``(t - period, t]``, i.e. a stamp in the window. So the server's count is at
most ``held(t) + stamps in (t - period, t]``, which the grant rule keeps
``<= limit`` at every instant: after a grant the sum is ``<= limit``; time
passing only lets stamps expire; a release turns one held slot into one stamp
inside every window, leaving the sum unchanged. QED.

The same holds for any smaller limit a grant is checked against: foreground
calls are checked against the *effective* limit (the configured one minus the
outside estimate) and background calls against their share of it (the reserve
kept back); both are ``<= limit`` (see `_share`), so the sum never exceeds the
configured limit either. A share that shrinks while slots are held (a 429
raised the estimate) only delays grants until the sum is under it again. While
other slots are held, a grant is checked against the window's *proven* level
as well (the most this side has had in the window when a call succeeded): above
it calls go one at a time, another limit no larger than the first, so the same
argument holds.

Only the newest ``max(limit)`` stamps can ever matter (a window of limit L
looks at most at its L-th newest stamp), so stamps live in a ring buffer that
grows up to that size and then wraps: memory never grows with the number of
calls made, and a huge limit costs nothing until it is used.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

from . import _share
from ._limits import Window

__all__ = ["SlidingLog"]

_INF = math.inf


class SlidingLog:
    """Held slots and release stamps of one call type, with its windows' rules.

    `fg` and `bg` are the ``(limit, period)`` pairs foreground and background
    grants are checked against when nothing is held, `fg_busy` and `bg_busy`
    while something is (capped at the proven level); `windows` are the
    configured ones.
    """

    __slots__ = (
        "_buf",
        "_cap",
        "_head",
        "_max_period",
        "_refused",
        "bg",
        "bg_busy",
        "estimating",
        "fg",
        "fg_busy",
        "held",
        "lowered",
        "min_bg",
        "min_limit",
        "outside",
        "patience",
        "proven",
        "reserve",
        "successes",
        "windows",
    )

    def __init__(self, windows: Sequence[Window], reserve: float = 0.0) -> None:
        self.windows: tuple[tuple[int, float], ...] = tuple((w.limit, w.period) for w in windows)
        self.reserve = reserve
        self._cap = max((limit for limit, _ in self.windows), default=0)
        self._max_period = max((period for _, period in self.windows), default=0.0)
        #: per window: outside usage estimated, successes since it last changed, how
        #: many windows' worth of them lower it (see `_share`), and whether it was lowered
        self.outside = [0] * len(self.windows)
        self.successes = [0] * len(self.windows)
        self.patience = [_share.FIRST_PATIENCE] * len(self.windows)
        self.lowered = [False] * len(self.windows)
        #: per window: the most calls this side had in it when one succeeded (see `_share`)
        self.proven = [limit for limit, _ in self.windows]
        self.fg = self.bg = self.fg_busy = self.bg_busy = self.windows
        #: when this side's 429s were reported, within the longest period: the
        #: server did not count those calls, though their stamps stay (see `arrived`)
        self._refused: deque[float] = deque()
        self.min_limit = self.min_bg = 2**62
        self.estimating = False  #: some window has an outside estimate (successes count)
        self._reshape()
        # Stamps, oldest to newest; once `_cap` long it wraps as a ring.
        self._buf: list[float] = []
        self._head = 0  # where the next stamp goes; the newest is at _head - 1
        self.held = 0

    def _reshape(self) -> None:
        """Derive the foreground and background limits from the estimate and reserve."""
        self.fg = tuple(
            (_share.effective_limit(limit, out), period)
            for (limit, period), out in zip(self.windows, self.outside, strict=True)
        )
        self.bg = tuple((_share.background_limit(lim, self.reserve), p) for lim, p in self.fg)
        proven = self.proven
        for w, (limit, _) in enumerate(self.fg):
            if proven[w] > limit:
                proven[w] = limit
        self.fg_busy = tuple(
            (_share.busy_limit(lim, g), p) for (lim, p), g in zip(self.fg, proven, strict=True)
        )
        self.bg_busy = tuple(
            (_share.busy_limit(lim, g), p) for (lim, p), g in zip(self.bg, proven, strict=True)
        )
        #: successes must be counted: an estimate to decay or a level to prove
        self.estimating = any(self.outside) or any(
            g < lim for g, (lim, _) in zip(proven, self.fg, strict=True)
        )
        #: below this many held slots plus stamps every window surely has room
        self.min_limit = min((limit for limit, _ in self.fg_busy), default=2**62)
        self.min_bg = min((limit for limit, _ in self.bg_busy), default=2**62)

    def set_outside(self, w: int, calls: int) -> None:
        """Set window `w`'s outside estimate and restart its decay count."""
        self.outside[w] = calls
        self.successes[w] = 0
        self._reshape()

    def throttled(self, now: float, retry_after: float | None = None) -> bool:
        """Learn from a 429: whether it was unexpected (then the estimate rises).

        Call it once the throttled call's slot is released (or still held): the
        call must be counted exactly once. See `_share` for the rules.
        """
        if not self.windows:
            return True  # no limits known: nothing explains a 429, nothing to learn
        used = self.arrived(now)
        self._refused.append(now)
        w = _share.blame(self.windows, used, self.outside, retry_after)
        if w < 0:
            return False
        self.patience[w] = _share.patience_after_429(self.patience[w], self.lowered[w])
        self.lowered[w] = False
        self.proven[w] = _share.proven_after_429(self.proven[w], used[w], self.held)
        self.set_outside(w, _share.learned(self.windows[w][0], used[w], self.outside[w]))
        return True

    def succeeded(self, now: float) -> bool:
        """Count a success at `now` (its slot released): whether any limit changed.

        First every window's proven level rises to the calls the server has
        counted in it; then, in a window this side fills, the success counts
        towards lowering the estimate, which happens when a run is complete and
        no other window is probing (see `_share`). The Redis step applies the
        same two phases to a batch of successes.
        """
        outside, proven = self.outside, self.proven
        counted: list[int] = []
        changed = False
        for w, (limit, period) in enumerate(self.fg):
            if not outside[w] and proven[w] >= limit:
                counted.append(0)  # nothing to learn in this window
                continue
            counted.append(self.in_window(now, period) - self._refused_in(now, period))
            level = _share.proven_after_success(limit, proven[w], counted[w])
            if level > proven[w]:
                proven[w] = level
                changed = True
        for w, calls in enumerate(outside):
            # background calls fill only their share: full enough is judged against it
            if calls and _share.near_full(self.bg[w][0], self.held + counted[w]):
                self.successes[w] += 1
                if _share.decay_due(
                    self.windows[w][0], self.successes[w], self.patience[w]
                ) and self._settled(w):
                    self._decay(w)
                    changed = True
        if changed:
            self._reshape()
        return changed

    def _settled(self, w: int) -> bool:
        """Whether no other window is probing a lowered estimate: one probes at a time."""
        proven, lowered = self.proven, self.lowered
        return not any(
            lowered[v] and proven[v] < limit for v, (limit, _) in enumerate(self.fg) if v != w
        )

    def arrived(self, now: float) -> list[int]:
        """Per window, this side's calls the server may have counted: `used` less the 429s."""
        return [
            self.held + self.in_window(now, period) - self._refused_in(now, period)
            for _, period in self.windows
        ]

    def _refused_in(self, now: float, period: float) -> int:
        refused = self._refused
        horizon = now - self._max_period
        while refused and refused[0] <= horizon:
            refused.popleft()
        n = 0
        for at in reversed(refused):
            if at + period <= now:
                break
            n += 1
        return n

    def _decay(self, w: int) -> None:
        outside = _share.decayed(self.outside[w])
        if outside:
            self.patience[w] = _share.patience_after_decay(self.patience[w], self.lowered[w])
            self.lowered[w] = True
        else:  # the other consumer is gone: start afresh
            self.patience[w] = _share.FIRST_PATIENCE
            self.lowered[w] = False
        self.set_outside(w, outside)

    def used(self, now: float) -> list[int]:
        """Held slots plus stamps inside each window at `now`."""
        return [self.held + self.in_window(now, period) for _, period in self.windows]

    @property
    def count(self) -> int:
        """Stamps kept (at most the largest limit)."""
        return len(self._buf)

    def ready_at(self, now: float, background: bool = False) -> float:
        """Earliest time ``>= now`` at which one more slot may be granted.

        ``inf`` when held slots alone fill a window: only a release can help.
        """
        at = now
        buf = self._buf
        kept = len(buf)
        head = self._head
        held = self.held
        if held:
            windows = self.bg_busy if background else self.fg_busy
        else:
            windows = self.bg if background else self.fg
        for limit, period in windows:
            room = limit - held
            if room <= 0:
                return _INF
            if room <= kept:  # the room-th newest stamp must have expired (older ones too)
                expiry = buf[head - room] + period
                if expiry > at:
                    at = expiry
        return at

    def acquire(self) -> None:
        """Count one more held slot (the caller has checked `ready_at`)."""
        self.held += 1

    def release(self, now: float, *, stamp: bool = True) -> None:
        """End a held slot: stamped at `now`, or (``stamp=False``) as if never granted."""
        self.held -= 1
        if stamp and self._cap:
            buf = self._buf
            head = self._head
            if buf and buf[head - 1] > now:
                now = buf[head - 1]  # stamps stay sorted
            if len(buf) < self._cap:
                buf.append(now)
                self._head = len(buf) if len(buf) < self._cap else 0
            else:
                buf[head] = now
                self._head = head + 1 if head + 1 < self._cap else 0

    def newest(self, j: int) -> float:
        """The j-th newest stamp (0 = newest), or -inf when there is none."""
        return self._buf[self._head - 1 - j] if j < len(self._buf) else -_INF

    def in_window(self, now: float, period: float) -> int:
        """How many stamps still count at `now` in a window of `period` seconds."""
        lo, hi = 0, len(self._buf)  # stamps newest-first: a prefix of them counts
        while lo < hi:
            mid = (lo + hi) // 2
            if self.newest(mid) + period > now:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def stamps(self, now: float) -> list[float]:
        """The stamps that can still matter at `now`, oldest first."""
        horizon = now - self._max_period
        out = [self.newest(j) for j in range(len(self._buf))]
        return [s for s in reversed(out) if s > horizon]

    def eta(
        self, now: float, n: int = 1, not_before: float = -_INF, *, background: bool = False
    ) -> float:
        """Exact earliest time at which `n` more calls could all have been granted.

        Held slots are taken as released at `now` and the `n` calls as instant,
        so this is the schedule a greedy scheduler with no other demand achieves.
        `background` checks the calls against the background share.
        """
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n!r}")
        floor = max(now, not_before)
        windows = self.bg if background else self.fg
        if not windows:
            return floor
        if n <= (self.min_bg if background else self.min_limit):
            return self._eta_within(now, n, floor, windows)
        events = self.stamps(now)
        events.extend([now] * self.held)
        return _greedy_schedule(events, windows, n, floor)

    def _eta_within(
        self, now: float, n: int, floor: float, windows: tuple[tuple[int, float], ...]
    ) -> float:
        """`eta` in O(windows) when `n` is at most every limit.

        The k-th new call then only waits for the ``(limit - k + 1)``-th newest
        existing event of each window, and later calls wait for newer events,
        so the n-th call's time is the latest of those for ``k = n``.
        """
        held = self.held
        at = floor
        for limit, period in windows:
            j = limit - n  # 0 = newest; held slots count as the newest events, at `now`
            expiry = now + period if j < held else self.newest(j - held) + period
            if expiry > at:
                at = expiry
        return at


def _greedy_schedule(
    events: list[float], windows: tuple[tuple[int, float], ...], n: int, floor: float
) -> float:
    """Time of the n-th new event placed greedily after the sorted `events`.

    Each new event k obeys ``e[k] >= e[k - limit] + period`` for every window
    and ``e[k] >= e[k - 1]``. Once every term it depends on is itself a new
    event, the recurrence is translation-invariant, so a run of ``max(limit)``
    consecutive events with ``e[k] == e[k - L] + P`` (for one window's L, P)
    repeats forever; we detect it and jump instead of simulating millions.
    """
    first_new = len(events)
    last = first_new + n - 1
    max_limit = max(limit for limit, _ in windows)
    settled = max(first_new + 1, max_limit)  # from here the recurrence is pure
    runs = [0] * len(windows)
    prev = floor
    for k in range(first_new, last + 1):
        at = prev
        for limit, period in windows:
            if k >= limit:
                candidate = events[k - limit] + period
                if candidate > at:
                    at = candidate
        events.append(at)
        prev = at
        for w, (limit, period) in enumerate(windows):
            if k - limit >= settled and at == events[k - limit] + period:
                runs[w] += 1
                if runs[w] >= max_limit:
                    laps = (last - k + limit - 1) // limit
                    return events[last - laps * limit] + laps * period
            else:
                runs[w] = 0
    return prev
