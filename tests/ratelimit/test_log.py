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


def test_unexpected_429_lowers_the_effective_limit() -> None:
    """A 429 with room left proves outside usage; the limit shrinks by it."""
    log = SlidingLog([Window(10, 1.0)], reserve=0.5)
    for t in (0.1, 0.2, 0.3):
        log.acquire()
        log.release(t)
    assert log.throttled(0.3) is True  # 3 used of 10: others spent at least 8
    assert log.outside == [8]
    assert log.fg == ((2, 1.0),)  # 10 - 8
    assert log.bg == ((1, 1.0),)
    assert log.throttled(0.3) is False  # the estimate now explains it


def test_unexpected_429_cuts_at_least_a_fifth() -> None:
    """A 429 that proves little still cuts the effective limit from 100 to 80."""
    log = SlidingLog([Window(100, 1.0)])
    for t in range(95):
        log.acquire()
        log.release(t / 100)
    assert log.throttled(0.95) is True  # proves 6, the cut takes 20
    assert log.outside == [20]
    assert log.fg == ((80, 1.0),)


def test_estimate_decays_after_a_window_of_successes() -> None:
    """After `limit` successes with no 429 the estimate halves, then halves again."""
    log = SlidingLog([Window(10, 1.0)])
    log.set_outside(0, 8)
    assert [log.succeeded() for _ in range(10)] == [False] * 9 + [True]
    assert log.outside == [4]
    for _ in range(10):
        log.succeeded()
    assert log.outside == [2]
    assert log.fg == ((8, 1.0),)


def test_throttled_with_no_limits_is_unexpected() -> None:
    """Unlimited call types learn nothing but call the 429 unexpected."""
    assert SlidingLog([]).throttled(0.0) is True


def test_a_429_right_after_lowering_makes_the_next_lowering_wait_longer() -> None:
    """Lowered, then throttled again: twice as many successes before the next halving."""
    log = SlidingLog([Window(10, 100.0)])
    log.set_outside(0, 8)
    for _ in range(10):
        log.succeeded()
    assert log.outside == [4]
    for t in range(5):
        log.acquire()
        log.release(float(t))
    assert log.throttled(5.0) is True  # 5 used: proves 6 > 4, and the cut gives 6 too
    assert (log.outside, log.patience) == ([6], [2])
    assert [log.succeeded() for _ in range(20)] == [False] * 19 + [True]
    assert log.outside == [3]


def test_estimate_reaching_zero_starts_afresh() -> None:
    """Decayed to 0, the estimate stops counting and its patience is back to 1."""
    log = SlidingLog([Window(10, 1.0)])
    log.set_outside(0, 1)
    log.patience[0] = 4
    for _ in range(40):
        log.succeeded()
    assert (log.outside, log.patience, log.lowered) == ([0], [1], [False])
    assert log.succeeded() is False
