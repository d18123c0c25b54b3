"""Shared pieces of the model classes: the ``extra`` field and redacting reprs.

Every model is an ``@attrs.frozen(kw_only=True)`` class whose last field is
``extra: Mapping[str, Any]``, filled by the converter with keys the class does not
declare. Its repr lists the keys but not the values, because an undeclared field may
well be a new secret. Which declared fields are secrets is `_sansio.SECRET_KEYS`, the
one list error bodies are redacted by too (a test holds every model to it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._sansio import REDACTED

__all__ = ["REDACTED", "extra_field", "redact", "redact_values"]


def redact(value: object) -> str:
    """Repr a secret: shows whether it is set, never what it is."""
    if value is None or value == "":
        return repr(value)
    return repr(REDACTED)


def redact_values(value: Mapping[str, Any] | None) -> str:
    """Repr a mapping of secrets: keys stay visible, values are redacted."""
    if value is None:
        return "None"
    return repr(dict.fromkeys(value, REDACTED))


def _repr_extra(value: Mapping[str, Any]) -> str:
    """Repr the undeclared keys with their values elided."""
    if not value:
        return "{}"
    return "{" + ", ".join(f"{key!r}: ..." for key in value) + "}"


def extra_field() -> Any:
    """Declare the trailing ``extra`` field that holds undeclared payload keys."""
    # Excluded from hashing (dicts are unhashable) but kept in equality.
    return attrs.field(factory=dict, repr=_repr_extra, hash=False)
