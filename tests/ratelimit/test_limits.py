"""Call types, windows and limit sets."""

import pytest

from skilljar_async.ratelimit import CallType, RateLimits, Window


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("GET", CallType.READ),
        ("get", CallType.READ),
        ("HEAD", CallType.READ),
        ("OPTIONS", CallType.READ),
        ("POST", CallType.MODIFY),
        ("PUT", CallType.MODIFY),
        ("patch", CallType.MODIFY),
        ("DELETE", CallType.REMOVE),
    ],
)
def test_call_type_of_method(method: str, expected: CallType) -> None:
    """Each HTTP method maps to the call type Skilljar counts it under."""
    assert CallType.of(method) is expected


@pytest.mark.parametrize("method", ["TRACE", "", "CONNECT", None])
def test_call_type_of_unknown_method(method: str) -> None:
    """An unknown method is a clear ValueError, not a silent default."""
    with pytest.raises(ValueError, match="unknown HTTP method"):
        CallType.of(method)


@pytest.mark.parametrize(
    ("limit", "period"),
    [
        (0, 1.0),
        (-1, 1.0),
        (1.5, 1.0),
        (True, 1.0),
        (1, 0),
        (1, -1.0),
        (1, float("inf")),
        (1, float("nan")),
        (1, "60"),
    ],
)
def test_window_rejects_bad_values(limit: int, period: float) -> None:
    """A window needs limit >= 1 and a finite positive period."""
    with pytest.raises(ValueError, match="Window"):
        Window(limit, period)


def test_window_period_is_float() -> None:
    """An int period is stored as seconds in a float."""
    assert Window(5, 2).period == 2.0


def test_skilljar_limits() -> None:
    """The default limits are 600/min and 5,000/h for every call type."""
    limits = RateLimits.skilljar()
    for ct in CallType:
        assert limits.for_call_type(ct) == (Window(600, 60.0), Window(5000, 3600.0))


def test_uniform_and_unlimited() -> None:
    """`uniform` copies windows to all call types; `unlimited` has none."""
    w = Window(3, 1.0)
    assert RateLimits.uniform(w) == RateLimits(read=[w], modify=[w], remove=[w])
    assert RateLimits.unlimited().read == ()


def test_rate_limits_rejects_non_windows() -> None:
    """Anything but Window instances is a TypeError."""
    with pytest.raises(TypeError, match="Window"):
        RateLimits(read=[(600, 60)], modify=[], remove=[])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("skilljar", RateLimits.skilljar()),
        ("OFF", RateLimits.unlimited()),
        ("20/1,50/5", RateLimits.uniform(Window(20, 1.0), Window(50, 5.0))),
    ],
)
def test_parse_limits(text: str, expected: RateLimits) -> None:
    """Limits parse from the command-line form."""
    assert RateLimits.parse(text) == expected


@pytest.mark.parametrize("text", ["20", "x/1", "20/0", "0/1", ""])
def test_parse_limits_rejects_garbage(text: str) -> None:
    """A malformed window is a ValueError naming the part."""
    with pytest.raises(ValueError, match=r"bad window|Window"):
        RateLimits.parse(text)
