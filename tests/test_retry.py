"""Retry decisions and backoff shapes."""

import random

import pytest

from skilljar_async._retry import RetryPolicy, retryable_status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (408, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (599, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (409, False),
        (429, False),
    ],
)
def test_retryable_status(status: int, expected: bool) -> None:
    """Timeouts and server errors are retryable; client errors and 429 (handled apart) not."""
    assert retryable_status(status) is expected


@pytest.mark.parametrize(
    ("method", "sent", "idempotent", "expected"),
    [
        ("GET", True, False, True),
        ("PUT", True, False, True),
        ("PATCH", True, False, True),
        ("DELETE", True, False, True),
        ("POST", True, False, False),  # may have been executed: never duplicate a write
        ("POST", False, False, True),  # never reached the server
        ("POST", True, True, True),  # naturally idempotent create
    ],
)
def test_may_retry(method: str, sent: bool, idempotent: bool, expected: bool) -> None:
    """POST is retried only when that cannot duplicate a write."""
    policy = RetryPolicy(max_retries=3)
    assert policy.may_retry(method, attempts=1, sent=sent, idempotent=idempotent) is expected


def test_max_retries_is_a_hard_cap() -> None:
    """After max_retries failures nothing is retried."""
    policy = RetryPolicy(max_retries=2)
    assert policy.may_retry("GET", attempts=2, sent=True, idempotent=False)
    assert not policy.may_retry("GET", attempts=3, sent=True, idempotent=False)
    assert not RetryPolicy(max_retries=0).may_retry("GET", attempts=1, sent=False, idempotent=True)


def test_backoff_is_full_jitter_and_capped() -> None:
    """Backoff is uniform in [0, min(cap, base * 2^(n-1))]."""
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=4.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (10, 4.0)]:
        samples = [policy.backoff(attempt, rng) for _ in range(200)]
        assert min(samples) >= 0.0
        assert max(samples) <= ceiling
        assert max(samples) > ceiling * 0.8


def test_rate_limit_pause_doubles_from_one_second() -> None:
    """Without Retry-After a 429 pauses 1 s, 2 s, 4 s… (jittered down by at most half), capped."""
    policy = RetryPolicy(rate_limit_cap=8.0)
    rng = random.Random(2)
    for n, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        pause = policy.rate_limit_pause(n, rng)
        assert ceiling / 2 <= pause <= ceiling
