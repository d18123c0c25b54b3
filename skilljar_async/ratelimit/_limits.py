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


def _reserve(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"RateLimits.reserve must be a number, got {value!r}")
    if not 0 <= value < 1:
        raise ValueError(f"RateLimits.reserve must be >= 0 and < 1, got {value!r}")
    return float(value)


@attrs.frozen
class RateLimits:
    """The windows each call type must respect; an empty sequence means unlimited.

    `reserve` is the fraction of every window kept for foreground calls
    (priority >= 0): background calls (priority < 0, e.g. bulk jobs) are granted
    only while a window holds fewer than ``floor(limit * (1 - reserve))`` calls
    (at least 1), so a web request behind a bulk job does not wait for the window.
    """

    read: tuple[Window, ...] = attrs.field(converter=_windows)
    modify: tuple[Window, ...] = attrs.field(converter=_windows)
    remove: tuple[Window, ...] = attrs.field(converter=_windows)
    reserve: float = attrs.field(default=0.0, kw_only=True, converter=_reserve)

    @classmethod
    def skilljar(cls, *, reserve: float = 0.1) -> RateLimits:
        """Skilljar's published limits: 600 per 60 s and 5,000 per hour, per call type.

        By default 10% of each window is kept for foreground calls.
        """
        return cls.uniform(Window(600, 60.0), Window(5000, 3600.0), reserve=reserve)

    @classmethod
    def uniform(cls, *windows: Window, reserve: float = 0.0) -> RateLimits:
        """The same windows for every call type."""
        return cls(read=windows, modify=windows, remove=windows, reserve=reserve)

    @classmethod
    def unlimited(cls) -> RateLimits:
        """No limits at all (for tests and benchmarks against a local server)."""
        return cls.uniform()

    @classmethod
    def parse(cls, text: str) -> RateLimits:
        """Limits from their command-line form.

        ``skilljar`` (Skilljar's limits, reserve 0.1), ``off``, or windows as
        ``CALLS/SECONDS,...`` (e.g. ``20/1,50/5``, reserve 0), each optionally
        followed by ``;reserve=FRACTION``: ``600/60,5000/3600;reserve=0.1``,
        ``skilljar;reserve=0``.
        """
        text, _, option = text.strip().lower().partition(";")
        reserve = _parse_reserve(option) if option else None
        text = text.strip()
        if text == "skilljar":
            return cls.skilljar(reserve=0.1 if reserve is None else reserve)
        if text in ("off", "none", "unlimited"):
            return cls.unlimited()
        windows = []
        for part in text.split(","):
            limit, _, period = part.partition("/")
            try:
                windows.append(Window(int(limit), float(period)))
            except ValueError:
                raise ValueError(f"bad window {part!r}: use CALLS/SECONDS, e.g. 600/60") from None
        return cls.uniform(*windows, reserve=reserve or 0.0)

    def for_call_type(self, call_type: CallType) -> Sequence[Window]:
        """The windows of one call type."""
        return getattr(self, call_type.value)  # type: ignore[no-any-return]


def _parse_reserve(option: str) -> float:
    name, _, value = option.partition("=")
    if name.strip() != "reserve":
        raise ValueError(f"bad option {option!r}: use ;reserve=FRACTION, e.g. ;reserve=0.1")
    try:
        return _reserve(float(value))
    except ValueError:
        raise ValueError(f"bad reserve {value.strip()!r}: use a fraction >= 0 and < 1") from None
