"""Naming an organization's rate budget: the environment's variables and the key's hash.

Skilljar counts calls per organization, whatever key makes them. The client's
in-process scheduler registry and the Redis scheduler's keys name a budget by a
hash of the organization when one is given, else of the API key (the key then
stands for its organization), so neither is ever kept as a name or sent to
Redis. Imports nothing from HTTP.
"""

from __future__ import annotations

import hashlib
from typing import Final

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "ORGANIZATION_ENV",
    "budget_hash",
    "check_organization",
    "organization_hash",
]

#: The environment variable an API key is read from when none is passed.
API_KEY_ENV: Final = "SKILLJAR_API_KEY"
#: The environment variable the API's base URL is read from when none is passed.
BASE_URL_ENV: Final = "SKILLJAR_BASE_URL"

#: The environment variable the command line reads an organization from.
ORGANIZATION_ENV: Final = "SKILLJAR_ORGANIZATION"

_SCOPE: Final = "skilljar-async"
_MAX_ORGANIZATION: Final = 200


def budget_hash(api_key: str, scope: str = _SCOPE) -> str:
    """A 32-hex-digit name for the budget of `api_key` within `scope`; never the key itself.

    The default scope names a budget shared across processes and hosts (the
    Redis keys, which must stay stable); the client scopes its in-process
    registry by base URL.
    """
    return hashlib.sha256(f"{scope}\0{api_key}".encode()).hexdigest()[:32]


def organization_hash(organization: str, scope: str = _SCOPE) -> str:
    """`budget_hash` for an organization's name: never equal to any API key's hash."""
    return budget_hash(f"organization\0{check_organization(organization)}", scope)


def check_organization(organization: object) -> str:
    """`organization` if it is a usable name: 1-200 printable characters, not padded."""
    if not isinstance(organization, str):
        raise TypeError(f"organization must be a str, got {type(organization).__name__}")
    if not 0 < len(organization) <= _MAX_ORGANIZATION:
        raise ValueError(f"organization must be 1 to {_MAX_ORGANIZATION} characters long")
    if organization != organization.strip() or not organization.isprintable():
        raise ValueError(
            f"organization must be printable, without leading or trailing spaces: {organization!r}"
        )
    return organization
