"""Call types, windows and limit sets."""

import math

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


def test_reserve_defaults() -> None:
    """Skilljar's preset keeps 10% back; hand-built and uniform limits keep nothing."""
    w = Window(3, 1.0)
    assert RateLimits.skilljar().reserve == 0.1
    assert RateLimits.skilljar(reserve=0.25).reserve == 0.25
    assert RateLimits.uniform(w).reserve == 0.0
    assert RateLimits(read=[w], modify=[w], remove=[w]).reserve == 0.0


def test_reserve_is_part_of_equality_and_repr() -> None:
    """Two limits differing only by reserve are different, and the repr says so."""
    w = Window(3, 1.0)
    assert RateLimits.uniform(w, reserve=0.2) != RateLimits.uniform(w)
    assert RateLimits.uniform(w, reserve=0.2) == RateLimits.uniform(w, reserve=0.2)
    assert "reserve=0.2" in repr(RateLimits.uniform(w, reserve=0.2))


@pytest.mark.parametrize("reserve", [-0.1, 1.0, 1.5, math.nan, math.inf, "0.1", True])
def test_reserve_is_validated(reserve: object) -> None:
    """A reserve outside [0, 1) or not a number is a ValueError."""
    with pytest.raises(ValueError, match="reserve"):
        RateLimits.uniform(Window(3, 1.0), reserve=reserve)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "600/60,5000/3600;reserve=0.1",
            RateLimits.uniform(Window(600, 60.0), Window(5000, 3600.0), reserve=0.1),
        ),
        ("20/1; reserve = 0.5 ", RateLimits.uniform(Window(20, 1.0), reserve=0.5)),
        ("skilljar;reserve=0", RateLimits.skilljar(reserve=0.0)),
        ("skilljar", RateLimits.skilljar(reserve=0.1)),
        ("20/1", RateLimits.uniform(Window(20, 1.0), reserve=0.0)),
    ],
)
def test_parse_reserve(text: str, expected: RateLimits) -> None:
    """`;reserve=FRACTION` sets the reserve; without it windows keep none, skilljar 10%."""
    assert RateLimits.parse(text) == expected


@pytest.mark.parametrize("text", ["20/1;reserve=1", "20/1;reserve=x", "20/1;spare=0.1"])
def test_parse_rejects_bad_reserve(text: str) -> None:
    """A bad reserve value or an unknown option is a ValueError naming it."""
    with pytest.raises(ValueError, match=r"reserve|option"):
        RateLimits.parse(text)
