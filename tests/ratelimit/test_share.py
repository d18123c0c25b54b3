"""The pure rules of sharing a budget: floors, shares, blaming a 429, decay."""

import pytest

from skilljar_async.ratelimit._share import (
    background_limit,
    blame,
    decay_due,
    decayed,
    effective_limit,
    floor_limit,
    learned,
    patience_after_429,
    patience_after_decay,
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


def test_learned_takes_the_proof_when_it_is_larger() -> None:
    """With `used` counting the 429 itself, others spent at least limit - used + 1."""
    assert learned(600, 300, 0) == 301
    assert learned(600, 1, 0) == 540  # capped: the floor is never taken


def test_learned_cuts_the_effective_limit_by_a_fifth() -> None:
    """A small proof still cuts this side's share: 600 -> 480, then 420 -> 336."""
    assert learned(600, 590, 0) == 120
    assert learned(600, 419, 180) == 264
    assert learned(10, 9, 8) == 9  # at the floor already: stays there


def test_blame_the_window_with_least_room() -> None:
    """An unexpected 429 is blamed on the window closest to full."""
    assert blame(MINUTE_HOUR, [421, 900], [0, 0], None) == 0
    assert blame(MINUTE_HOUR, [100, 4500], [0, 0], None) == 1


def test_blame_uses_retry_after_to_rule_out_short_windows() -> None:
    """A wait longer than a window's period means that window is not the full one."""
    assert blame(MINUTE_HOUR, [421, 900], [0, 0], 1200.0) == 1
    assert blame(MINUTE_HOUR, [421, 900], [0, 0], 30.0) == 0
    assert blame(((5, 1.0),), [3], [0], 50.0) == 0  # no window fits: room alone decides


def test_known_usage_makes_a_429_expected() -> None:
    """When any window's estimate already explains the 429, it is expected: -1."""
    assert blame(MINUTE_HOUR, [421, 900], [180, 0], None) == -1
    assert blame(MINUTE_HOUR, [421, 900], [179, 0], None) == 0
    assert blame(MINUTE_HOUR, [600, 900], [0, 0], None) == 0  # full yet the 429 is its own
    assert blame(MINUTE_HOUR, [601, 900], [0, 0], None) == -1  # over the limit: ours alone


def test_decay_halves() -> None:
    """Each decay step halves the estimate, down to 0."""
    assert [decayed(n) for n in (180, 1, 0)] == [90, 0, 0]


def test_patience_doubles_when_a_lowered_estimate_meets_a_429() -> None:
    """A 429 right after lowering doubles the patience up to 4; a lowering that held resets it."""
    assert [patience_after_429(p, lowered=True) for p in (1, 2, 4)] == [2, 4, 4]
    assert patience_after_429(2, lowered=False) == 2
    assert patience_after_decay(4, lowered=True) == 1
    assert patience_after_decay(4, lowered=False) == 4
    assert decay_due(600, 1199, 2) is False
    assert decay_due(600, 1200, 2) is True
