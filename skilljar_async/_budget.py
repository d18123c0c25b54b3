"""Naming an organization's rate budget: the environment's variables and the key's hash.

The client's in-process scheduler registry and the Redis scheduler's keys both
name a budget by a hash of the API key, so the key itself is never kept as a
name or sent to Redis. Imports nothing from HTTP.
"""

from __future__ import annotations

import hashlib
from typing import Final

__all__ = ["API_KEY_ENV", "BASE_URL_ENV", "budget_hash"]

#: The environment variable an API key is read from when none is passed.
API_KEY_ENV: Final = "SKILLJAR_API_KEY"
#: The environment variable the API's base URL is read from when none is passed.
BASE_URL_ENV: Final = "SKILLJAR_BASE_URL"

_SCOPE: Final = "skilljar-async"


def budget_hash(api_key: str, scope: str = _SCOPE) -> str:
    """A 32-hex-digit name for the budget of `api_key` within `scope`; never the key itself.

    The default scope names a budget shared across processes and hosts (the
    Redis keys, which must stay stable); the client scopes its in-process
    registry by base URL.
    """
    return hashlib.sha256(f"{scope}\0{api_key}".encode()).hexdigest()[:32]
