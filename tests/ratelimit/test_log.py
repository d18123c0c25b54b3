"""The loop-free window math of `SlidingLog`."""

import math

import pytest

from skilljar_async.ratelimit import SlidingLog, Window


def make_log(*windows: tuple[int, float]) -> SlidingLog:
    return SlidingLog([Window(limit, period) for limit, period in windows])


def test_empty_log_is_ready_now() -> None:
    """With no stamps and nothing held, a slot is free at once."""
    assert make_log((2, 1.0)).ready_at(5.0) == 5.0


def test_stamp_expires_exactly_one_period_later() -> None:
    """A stamp at s counts in (s, s + period) and frees its slot at s + period."""
    log = make_log((1, 10.0))
    log.acquire()
    log.release(3.0)
    assert log.ready_at(3.0) == 13.0
    assert log.ready_at(12.999) == 13.0
    assert log.ready_at(13.0) == 13.0
    assert log.in_window(12.999, 10.0) == 1
    assert log.in_window(13.0, 10.0) == 0


def test_held_slots_count_and_block() -> None:
    """Held slots fill the window until released; alone they make the wait infinite."""
    log = make_log((2, 1.0))
    log.acquire()
    assert log.ready_at(0.0) == 0.0
    log.acquire()
    assert log.ready_at(0.0) == math.inf
    log.release(0.5)
    assert log.ready_at(0.5) == 1.5


def test_release_without_stamp_gives_the_slot_back() -> None:
    """A grant returned unused leaves no stamp behind."""
    log = make_log((1, 60.0))
    log.acquire()
    log.release(1.0, stamp=False)
    assert log.held == 0
    assert log.ready_at(1.0) == 1.0


def test_tightest_window_wins() -> None:
    """The answer is the latest of the windows' answers."""
    log = make_log((2, 1.0), (3, 10.0))
    for t in (0.0, 0.0, 2.0):
        log.acquire()
        log.release(t)
    # 1 s window: two newest stamps 0.0 and 2.0 -> room; 10 s window full until 10.0.
    assert log.ready_at(2.0) == 10.0


def test_ring_buffer_keeps_only_what_matters() -> None:
    """After many calls the log holds at most max(limit) stamps."""
    log = make_log((3, 1.0), (5, 10.0))
    for i in range(1000):
        log.acquire()
        log.release(float(i))
    assert len(log.stamps(999.0)) == 5
    assert log.stamps(999.0) == [995.0, 996.0, 997.0, 998.0, 999.0]


def test_release_keeps_stamps_sorted() -> None:
    """A release time earlier than the newest stamp is clamped, never out of order."""
    log = make_log((3, 10.0))
    for t in (5.0, 4.0):
        log.acquire()
        log.release(t)
    assert log.stamps(5.0) == [5.0, 5.0]


def test_unlimited_log() -> None:
    """No windows means always ready and an eta of zero."""
    log = SlidingLog([])
    log.acquire()
    assert log.ready_at(1.0) == 1.0
    log.release(1.0)
    assert log.eta(1.0, 10**6) == 1.0


def test_vendor_hourly_example_eta() -> None:
    """One call at 12:00 and 4,999 at 12:59: the next at 13:00, then none until 13:59."""
    log = make_log((5000, 3600.0))
    log.acquire()
    log.release(0.0)
    for _ in range(4999):
        log.acquire()
        log.release(3540.0)
    assert log.ready_at(3540.0) == 3600.0
    assert log.eta(3540.0, 1) == 3600.0
    assert log.eta(3540.0, 2) == 3540.0 + 3600.0


def test_eta_counts_held_as_released_now() -> None:
    """Held slots are taken as ending now, so they free one period from now."""
    log = make_log((1, 5.0))
    log.acquire()
    assert log.eta(2.0, 1) == 7.0


def test_eta_respects_not_before() -> None:
    """A pause pushes the first grant to its end."""
    assert make_log((5, 1.0)).eta(0.0, 3, not_before=4.0) == 4.0


def test_eta_fast_forward_matches_simulation() -> None:
    """Millions of calls are answered exactly by the periodic fast-forward."""
    log = make_log((600, 60.0), (5000, 3600.0))
    # From empty: 4,800 in 8 one-minute bursts, 200 at 8 min, then 5,000 per hour.
    assert log.eta(0.0, 5000) == 480.0
    assert log.eta(0.0, 5001) == 3600.0
    assert log.eta(0.0, 10_000) == 3600.0 + 480.0
    assert log.eta(0.0, 5000 * 1000 + 1) == 1000 * 3600.0


def test_eta_rejects_zero() -> None:
    """Asking for fewer than one call is a ValueError."""
    with pytest.raises(ValueError, match="n must be"):
        make_log((1, 1.0)).eta(0.0, 0)


def test_background_share_leaves_the_reserve() -> None:
    """Background grants stop at floor(limit * (1 - reserve)); foreground ones at the limit."""
    log = SlidingLog([Window(10, 1.0)], reserve=0.2)
    for _ in range(8):
        assert log.ready_at(0.0, background=True) == 0.0
        log.acquire()
    assert log.ready_at(0.0, background=True) == math.inf
    assert log.ready_at(0.0) == 0.0
    log.release(0.5)
    assert log.ready_at(0.5, background=True) == 1.5  # 7 held + 1 stamp: wait for it
    assert log.ready_at(0.5) == 0.5


def test_eta_of_background_calls_uses_their_share() -> None:
    """`eta(..., background=True)` schedules within the background share."""
    log = SlidingLog([Window(10, 1.0)], reserve=0.5)
    assert log.eta(0.0, 5, background=True) == 0.0
    assert log.eta(0.0, 6, background=True) == 1.0
    assert log.eta(0.0, 10) == 0.0


def fill(log: SlidingLog, n: int, at: float) -> None:
    """`n` calls granted and released at `at`."""
    for _ in range(n):
        log.acquire()
        log.release(at)


def test_unexpected_429_lowers_the_effective_limit() -> None:
    """A 429 with room left proves outside usage; the limit shrinks by it and a margin."""
    log = SlidingLog([Window(100, 1.0)], reserve=0.5)
    fill(log, 60, 0.3)
    assert log.throttled(0.3) is True  # 60 used of 100: others spent at least 41
    assert log.outside == [44]  # + 5%
    assert log.fg == ((56, 1.0),)
    assert log.bg == ((28, 1.0),)
    assert log.throttled(0.3) is False  # the estimate now explains it


def test_unexpected_429_cuts_at_least_a_tenth() -> None:
    """A first 429 that proves little still cuts the effective limit from 100 to 90."""
    log = SlidingLog([Window(100, 1.0)])
    fill(log, 95, 0.5)
    assert log.throttled(0.95) is True  # proves 6, the cut takes 10
    assert log.outside == [10]
    assert log.fg == ((90, 1.0),)


def test_calls_in_flight_are_probed_again_after_a_429() -> None:
    """Held calls may have arrived after the throttled one: above the finished ones, one by one."""
    log = SlidingLog([Window(100, 10.0)])
    fill(log, 65, 0.0)
    for _ in range(5):
        log.acquire()
    assert log.throttled(1.0) is True  # proves 100 - 70 + 1 = 31, + 2
    assert (log.outside, log.fg, log.proven) == ([33], ((67, 10.0),), [64])


def test_refused_calls_do_not_count_as_this_sides_usage() -> None:
    """After a burst of 429s the proof reaches the truth: the server never counted them."""
    log = SlidingLog([Window(100, 10.0)])
    fill(log, 70, 0.0)  # accepted; others hold the other 30
    fill(log, 5, 1.0)  # a burst the server refused
    unexpected = [log.throttled(1.0) for _ in range(5)]
    assert unexpected == [True, False, False, True, False]
    assert log.outside == [31]  # proves 30 once the refusals are known, + 1
    assert log.used(1.0) == [75]  # the window itself still counts every stamp


def test_estimate_decays_after_runs_of_successes_in_a_full_window() -> None:
    """After 100 x patience successes with the window full, the estimate halves."""
    log = SlidingLog([Window(10, 100.0)])
    log.set_outside(0, 8)  # effective limit 2
    fill(log, 2, 0.0)
    assert [log.succeeded(1.0) for _ in range(200)] == [False] * 199 + [True]
    assert log.outside == [4]
    assert (log.fg, log.fg_busy) == (((6, 100.0),), ((2, 100.0),))  # proven: still 2


def test_successes_in_a_half_empty_window_do_not_decay() -> None:
    """A success far below the limit says nothing about others: the estimate stays."""
    log = SlidingLog([Window(100, 100.0)])
    log.set_outside(0, 50)
    fill(log, 10, 0.0)
    for _ in range(1000):
        log.succeeded(1.0)
    assert log.outside == [50]
    fill(log, 35, 0.5)  # 45 of 50: within a tenth
    for _ in range(200):
        log.succeeded(1.0)
    assert log.outside == [25]


def test_above_the_proven_level_calls_go_one_at_a_time() -> None:
    """A lowered estimate is probed by one call at a time; each success proves one more."""
    log = SlidingLog([Window(10, 100.0)])
    log.set_outside(0, 8)
    fill(log, 2, 0.0)
    for _ in range(200):
        log.succeeded(1.0)  # 8 -> 4: effective limit 6, proven 2
    assert log.ready_at(1.0) == 1.0  # nothing held: one may go
    log.acquire()
    assert log.ready_at(1.0) == 100.0  # a second waits for the release (or a stamp to expire)
    log.release(1.5)
    assert log.succeeded(1.5) is True
    assert log.proven == [3]
    assert log.ready_at(1.5) == 1.5


def test_a_failed_probe_costs_one_429_and_learns_the_exact_proof() -> None:
    """The 429 a probe meets proves exactly what others spend; the patience doubles."""
    log = SlidingLog([Window(10, 100.0)])
    log.set_outside(0, 8)
    fill(log, 2, 0.0)
    for _ in range(200):
        log.succeeded(1.0)
    for at in (2.0, 3.0):
        fill(log, 1, at)
        log.succeeded(at)
    fill(log, 1, 4.0)
    assert log.throttled(4.0) is True  # 4 accepted, the 5th refused: others spend 6
    assert (log.outside, log.patience, log.proven) == ([7], [4], [3])  # 6 + 1; E = 3


def test_throttled_with_no_limits_is_unexpected() -> None:
    """Unlimited call types learn nothing but call the 429 unexpected."""
    assert SlidingLog([]).throttled(0.0) is True


def test_estimate_reaching_zero_starts_afresh() -> None:
    """Decayed to 0, the estimate stops counting and its patience is back to the start."""
    log = SlidingLog([Window(10, 100.0)])
    log.set_outside(0, 1)
    log.patience[0] = 4
    fill(log, 9, 0.0)
    for _ in range(400):
        log.succeeded(1.0)
    assert (log.outside, log.patience, log.lowered) == ([0], [2], [False])
    fill(log, 1, 1.0)
    assert log.succeeded(1.0) is True  # proves the whole limit
    assert log.succeeded(1.0) is False


def test_one_window_probes_at_a_time() -> None:
    """While one window probes a lowered estimate, another's estimate waits to be lowered."""
    log = SlidingLog([Window(10, 1.0), Window(100, 100.0)])
    log.set_outside(0, 4)  # effective 6
    log.set_outside(1, 40)  # effective 60
    fill(log, 54, 0.0)
    fill(log, 6, 2.0)  # at 2.5: 6 in the short window, 60 in the long one
    for _ in range(200):
        log.succeeded(2.5)  # both full enough: the first window to come due is lowered
    assert log.outside == [2, 40]
    assert (log.lowered, log.proven) == ([True, False], [6, 60])
    for _ in range(400):
        log.succeeded(2.5)  # the first probes (its zone 6..8 unproven): the second waits
    assert log.outside[1] == 40
    fill(log, 2, 2.6)
    log.succeeded(2.6)  # 8 of 8 proven: the probe held
    assert log.proven == [8, 60]
    for _ in range(200):
        log.succeeded(2.6)
    assert log.outside[1] == 20
