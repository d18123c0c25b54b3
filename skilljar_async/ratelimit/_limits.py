"""What the limits are: call types, windows and the per-call-type limit sets."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence

import attrs

__all__ = ["CallType", "RateLimits", "Window"]


class CallType(enum.Enum):
    """The three call types Skilljar counts separately."""

    READ = "read"
    MODIFY = "modify"
    REMOVE = "remove"

    # Members are singletons: identity hashing keeps dict lookups on the hot path in C.
    __hash__ = object.__hash__

    @classmethod
    def of(cls, method: str) -> CallType:
        """Return the call type an HTTP method is counted as.

        GET, HEAD and OPTIONS are reads; POST, PUT and PATCH are modifications;
        DELETE is a removal. Any other method is a `ValueError`.
        """
        try:
            return _METHODS[method.upper()]
        except (KeyError, AttributeError):
            raise ValueError(f"unknown HTTP method for rate limiting: {method!r}") from None


_METHODS = {
    "GET": CallType.READ,
    "HEAD": CallType.READ,
    "OPTIONS": CallType.READ,
    "POST": CallType.MODIFY,
    "PUT": CallType.MODIFY,
    "PATCH": CallType.MODIFY,
    "DELETE": CallType.REMOVE,
}


def _positive_int(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"Window.limit must be an int >= 1, got {value!r}")


def _seconds(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"Window.period must be a number of seconds, got {value!r}")
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"Window.period must be finite and > 0 seconds, got {value!r}")
    return float(value)


@attrs.frozen
class Window:
    """At most `limit` calls in any `period` seconds (a sliding log)."""

    limit: int = attrs.field(validator=_positive_int)
    period: float = attrs.field(converter=_seconds)


def _windows(value: Iterable[Window]) -> tuple[Window, ...]:
    windows = tuple(value)
    for window in windows:
        if not isinstance(window, Window):
            raise TypeError(f"expected Window instances, got {window!r}")
    return windows


@attrs.frozen
class RateLimits:
    """The windows each call type must respect; an empty sequence means unlimited."""

    read: tuple[Window, ...] = attrs.field(converter=_windows)
    modify: tuple[Window, ...] = attrs.field(converter=_windows)
    remove: tuple[Window, ...] = attrs.field(converter=_windows)

    @classmethod
    def skilljar(cls) -> RateLimits:
        """Skilljar's published limits: 600 per 60 s and 5,000 per hour, per call type."""
        return cls.uniform(Window(600, 60.0), Window(5000, 3600.0))

    @classmethod
    def uniform(cls, *windows: Window) -> RateLimits:
        """The same windows for every call type."""
        return cls(read=windows, modify=windows, remove=windows)

    @classmethod
    def unlimited(cls) -> RateLimits:
        """No limits at all (for tests and benchmarks against a local server)."""
        return cls.uniform()

    @classmethod
    def parse(cls, text: str) -> RateLimits:
        """``skilljar``, ``off``, or windows as ``CALLS/SECONDS,...`` (e.g. ``20/1,50/5``)."""
        text = text.strip().lower()
        if text == "skilljar":
            return cls.skilljar()
        if text in ("off", "none", "unlimited"):
            return cls.unlimited()
        windows = []
        for part in text.split(","):
            limit, _, period = part.partition("/")
            try:
                windows.append(Window(int(limit), float(period)))
            except ValueError:
                raise ValueError(f"bad window {part!r}: use CALLS/SECONDS, e.g. 600/60") from None
        return cls.uniform(*windows)

    def for_call_type(self, call_type: CallType) -> Sequence[Window]:
        """The windows of one call type."""
        return getattr(self, call_type.value)  # type: ignore[no-any-return]
