"""When to retry and how long to wait: pure decisions, no I/O.

429s are always retried (the server did not run the call); other failures are
retried up to `max_retries` when repeating the request cannot duplicate a
write: any method but POST, a POST the server never received, or a POST that
is naturally idempotent (enrollment creates, adding a user to a domain).

A DELETE retried after an attempt that may have reached the server (it timed
out or dropped after sending, or got a 5xx/408) and answered 404 has been done:
the earlier attempt deleted the object, so the call succeeds.
"""

from __future__ import annotations

import random

import attrs

__all__ = ["RetryPolicy", "done_by_earlier_attempt", "retryable_status"]

_RETRYABLE_STATUSES = frozenset({408, 500, 502, 503, 504})


def retryable_status(status: int) -> bool:
    """Statuses worth another attempt besides 429: timeouts and server failures."""
    return status in _RETRYABLE_STATUSES or status > 504


def done_by_earlier_attempt(method: str, status: int, *, may_have_arrived: bool) -> bool:
    """Whether an error status on a retry means an earlier attempt did the work.

    Only a 404 to a DELETE whose earlier attempt may have reached the server.
    """
    return status == 404 and may_have_arrived and method == "DELETE"


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Retry limits and backoff shapes."""

    max_retries: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    backoff_base: float = 0.5  #: first backoff ceiling, doubled per attempt (full jitter)
    backoff_cap: float = 30.0
    rate_limit_base: float = 1.0  #: first 429 pause when the server sends no Retry-After
    rate_limit_cap: float = 60.0
    rate_limit_max_wait: float = 900.0  #: total seconds one call may wait out 429s

    def may_retry(self, method: str, *, attempts: int, sent: bool, idempotent: bool) -> bool:
        """Whether a failed attempt (not a 429) may be repeated."""
        if attempts > self.max_retries:
            return False
        return method != "POST" or not sent or idempotent

    def backoff(self, attempts: int, rng: random.Random) -> float:
        """Seconds before retry number `attempts` (1-based): full jitter, capped."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempts - 1))
        return float(rng.uniform(0.0, ceiling))

    def rate_limit_pause(self, throttles: int, rng: random.Random) -> float:
        """Pause after the n-th consecutive 429 without Retry-After: 1 s doubling, jittered."""
        ceiling = min(self.rate_limit_cap, self.rate_limit_base * 2 ** (throttles - 1))
        return float(ceiling * rng.uniform(0.5, 1.0))
