"""The pure rules of sharing a budget: floors, shares, blaming a 429, decay."""

import pytest

from skilljar_async.ratelimit._share import (
    background_limit,
    blame,
    busy_limit,
    decay_due,
    decayed,
    effective_limit,
    floor_limit,
    learned,
    near_full,
    patience_after_429,
    patience_after_decay,
    proven_after_429,
    proven_after_success,
)

MINUTE_HOUR = ((600, 60.0), (5000, 3600.0))


@pytest.mark.parametrize(
    ("limit", "expected"), [(1, 1), (5, 1), (10, 1), (11, 2), (600, 60), (5000, 500)]
)
def test_floor_is_a_tenth_and_at_least_one(limit: int, expected: int) -> None:
    """The floor is ceil(10% of the limit), never 0."""
    assert floor_limit(limit) == expected


@pytest.mark.parametrize(
    ("limit", "outside", "expected"),
    [(600, 0, 600), (600, 180, 420), (600, 540, 60), (600, 599, 60), (600, 10_000, 60), (1, 1, 1)],
)
def test_effective_limit_is_the_rest_down_to_the_floor(
    limit: int, outside: int, expected: int
) -> None:
    """Outside usage comes off the limit, but never below the floor."""
    assert effective_limit(limit, outside) == expected


@pytest.mark.parametrize(
    ("limit", "reserve", "expected"),
    [(600, 0.1, 540), (10, 0.1, 9), (100, 0.3, 70), (600, 0.0, 600), (1, 0.5, 1), (3, 0.9, 1)],
)
def test_background_limit(limit: int, reserve: float, expected: int) -> None:
    """Background calls get floor(limit * (1 - reserve)), at least 1, free of float noise."""
    assert background_limit(limit, reserve) == expected


def test_learned_takes_the_proof_and_a_margin() -> None:
    """With `used` counting the 429 itself, others spent at least limit - used + 1; 5% more."""
    assert learned(600, 300, 0) == 317  # proves 301, + 16
    assert learned(600, 300, 250) == 317  # a later estimate: the same, no cut
    assert learned(600, 1, 0) == 540  # capped: the floor is never taken
    assert learned(10, 9, 1) == 3  # proves 2, + 1 (the margin is at least a call)


def test_first_estimate_cuts_the_limit_by_a_tenth() -> None:
    """A first estimate that proves little still takes a tenth: 600 -> 540; later ones do not."""
    assert learned(600, 590, 0) == 60
    assert learned(600, 590, 5) == 12  # proves 11, + 1
    assert learned(100, 95, 0) == 10  # proves 6, + 1: the tenth is more


def test_a_429_lowers_the_proven_level_to_the_calls_known_to_count() -> None:
    """Calls in flight and the throttled one are not known to count: the level drops below."""
    assert proven_after_429(80, 70, 0) == 69
    assert proven_after_429(80, 70, 16) == 53
    assert proven_after_429(50, 70, 0) == 50  # never raised by a 429
    assert proven_after_429(80, 1, 5) == 0


def test_blame_the_window_whose_proof_is_the_smallest_share_of_its_limit() -> None:
    """An unexpected 429 is blamed on the window it asks least of, relative to its limit."""
    assert blame(MINUTE_HOUR, [421, 900], [0, 0], None) == 0  # 180/600 vs 4101/5000
    assert blame(MINUTE_HOUR, [100, 4500], [0, 0], None) == 1  # 501/600 vs 501/5000
    assert blame(((20, 1.0), (100, 10.0)), [16, 70], [4, 0], None) == 0  # 5/20 vs 31/100
    assert blame(((20, 1.0), (100, 10.0)), [12, 70], [8, 0], None) == 1  # 9/20 vs 31/100


def test_blame_uses_retry_after_to_rule_out_short_windows() -> None:
    """A wait longer than a window's period means that window is not the full one."""
    assert blame(MINUTE_HOUR, [421, 900], [0, 0], 1200.0) == 1
    assert blame(MINUTE_HOUR, [421, 900], [0, 0], 30.0) == 0
    assert blame(((5, 1.0),), [3], [0], 50.0) == 0  # no window fits: the proofs alone decide


def test_known_usage_makes_a_429_expected() -> None:
    """When any window's estimate already explains the 429, it is expected: -1."""
    assert blame(MINUTE_HOUR, [421, 900], [180, 0], None) == -1
    assert blame(MINUTE_HOUR, [421, 900], [179, 0], None) == 0
    assert blame(MINUTE_HOUR, [600, 900], [0, 0], None) == 0  # full yet the 429 is its own
    assert blame(MINUTE_HOUR, [601, 900], [0, 0], None) == -1  # over the limit: ours alone


def test_busy_limit_and_proven_level() -> None:
    """While a call is in flight grants stop at the proven level; a success raises it."""
    assert busy_limit(80, 70) == 70
    assert busy_limit(60, 70) == 60
    assert proven_after_success(80, 70, 72) == 72
    assert proven_after_success(80, 70, 65) == 70  # never lowered by a success
    assert proven_after_success(80, 70, 95) == 80  # never above the effective limit


def test_near_full_within_a_tenth_of_the_share() -> None:
    """Only a window this side fills says anything about others: within 10%, at least 1 call."""
    assert [near_full(100, used) for used in (89, 90, 100)] == [False, True, True]
    assert [near_full(5, used) for used in (3, 4)] == [False, True]


def test_decay_halves() -> None:
    """Each decay step halves the estimate, down to 0."""
    assert [decayed(n) for n in (180, 1, 0)] == [90, 0, 0]


def test_patience_doubles_when_a_lowered_estimate_meets_a_429() -> None:
    """A 429 right after lowering doubles the patience up to 8; a lowering that held resets it."""
    assert [patience_after_429(p, lowered=True) for p in (1, 2, 4, 8)] == [2, 4, 8, 8]
    assert patience_after_429(2, lowered=False) == 2
    assert patience_after_decay(4, lowered=True) == 1
    assert patience_after_decay(4, lowered=False) == 4


def test_decay_waits_for_patience_times_a_window_or_100_calls() -> None:
    """A window of 600 decays after 600 x patience successes; a small one after 100 x patience."""
    assert decay_due(600, 1199, 2) is False
    assert decay_due(600, 1200, 2) is True
    assert decay_due(20, 199, 2) is False
    assert decay_due(20, 200, 2) is True
