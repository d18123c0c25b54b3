"""The Lua step's formats: arguments encoded and replies decoded by `_wire` alone."""

from __future__ import annotations

import math

import attrs
import pytest

from skilljar_async.ratelimit import Window
from skilljar_async.ratelimit.redis._wire import (
    RECOVER,
    REFUSED,
    Mismatch,
    Reply,
    decode_reply,
    encode_config,
    limits_digest,
    pause_op,
    step_args,
)


def test_lane_constants_are_one_string() -> None:
    """ARGV[1]: lease µs (rounded up), TTL ms, channel, lane, digest, replace flag, windows."""
    text = encode_config(
        lease=1.5000001,
        ttl_ms=62_000,
        channel="ns:{h}:wake",
        name="read",
        windows=(Window(10, 1.0), Window(100, 60.0)),
        digest="abc",
        replace=True,
    )
    assert text == "1500001 62000 ns:{h}:wake read abc 1 2 10 1000000 100 60000000"


def test_limits_digest_covers_every_window_and_the_reserve() -> None:
    """Any difference in a limit, a period, the window list or the reserve changes it."""
    base = limits_digest((Window(10, 1.0), Window(100, 60.0)))
    assert len(base) == 16
    assert base == limits_digest((Window(10, 1), Window(100, 60)), 0)
    others = {
        limits_digest((Window(11, 1.0), Window(100, 60.0))),
        limits_digest((Window(10, 1.5), Window(100, 60.0))),
        limits_digest((Window(10, 1.0),)),
        limits_digest((Window(100, 60.0), Window(10, 1.0))),
        limits_digest((Window(10, 1.0), Window(100, 60.0)), 0.1),
        limits_digest(()),
    }
    assert base not in others
    assert len(others) == 6


def test_step_arguments() -> None:
    """Want, prefix, full flag, operations and releases in the script's ARGV order."""
    ops = [pause_op(0.25, probe=False), pause_op(2.0000001, probe=True), RECOVER]
    releases = [("a:1", True, None), ("a:2", False, object())]
    args = step_args("cfg", 3, "a", False, releases, ops, ["b:1", "b:2"], (17, 42))
    assert args == [
        "cfg", 3, "a", 0, "p 250000 P 2000001 r 0", "a:1 1 a:2 0", "b:1 b:2", "17 42", "0.0 0 0", ""
    ]  # fmt: skip
    assert step_args("cfg", 0, "-", True, [], []) == [
        "cfg",
        0,
        "-",
        1,
        "",
        "",
        "",
        "",
        "0.0 0 0",
        "",
    ]


def test_step_args_carry_the_class_reserve_successes_and_learned_estimates() -> None:
    """ARGV[9]: reserve, background flag, successes; ARGV[10]: window, estimate and proven
    level ceiling triples; a refusal rides in ARGV[5] as an operation."""
    args = step_args(
        "cfg", 1, "a", False, [], [], reserve=0.25, background=True, successes=7,
        learned=[(0, 12, 80), (2, 3, 5)],
    )  # fmt: skip
    assert args[8:] == ["0.25 1 7", "0 12 80 2 3 5"]
    assert step_args("cfg", 1, "a", False, [], [REFUSED, RECOVER])[4] == "x 0 r 0"
    assert step_args("cfg", 1, "a", False, [], [], successes=2)[8] == "0.0 0 2"


def test_step_reply_is_decoded_into_named_fields() -> None:
    """A step's header and per-window fields (stamps in it, next free at, outside estimate,
    proven level, refusals); times in seconds, -1 lease expiry as none."""
    raw = (
        b"1700000000500000 2 250000 1 3 0 1 0 -1 4 1600000000000000 99 1 2 "
        b"1700000000750000 1700000001000000 "
        b"5 1700000001000000 0 9 1 7 1700000002000000 4 6 0"
    )
    assert decode_reply(raw) == Reply(
        now=1_700_000_000.5,
        granted=2,
        wait=0.25,
        soft=True,
        held=3,
        pause_until=0.0,
        probing=True,
        notified=False,
        lease_min=math.inf,
        late=4,
        epoch=1_600_000_000_000_000,
        seq=99,
        lost=True,
        windows=((5, 1_700_000_001.0), (7, 1_700_000_002.0)),
        stamps=None,
        outside=(0, 4),
        hard=(1_700_000_000.75, 1_700_000_001.0),
        proven=(9, 6),
        refused=(1, 0),
    )


def test_full_reply_carries_the_stamps() -> None:
    """After the windows a full step lists its stamp count and the stamps, oldest first."""
    reply = decode_reply(
        "10000000 0 0 0 0 0 0 1 12000000 0 5 6 0 1 0 0 2 9000000 3 7 2 2 8000000 9000000"
    )
    assert reply.notified
    assert reply.lease_min == 12.0
    assert reply.windows == ((2, 9.0),)
    assert reply.outside == (3,)
    assert reply.proven == (7,)
    assert reply.refused == (2,)
    assert reply.stamps == (8.0, 9.0)
    assert not reply.lost
    empty = decode_reply("10000000 0 0 0 0 0 0 0 -1 0 5 6 0 0 0 0 0")
    assert isinstance(empty, Reply)
    assert empty.stamps == ()


def test_limits_mismatch_reply_carries_the_budget_windows() -> None:
    """``M`` and limit / period µs pairs: the windows the shared budget is kept under."""
    assert decode_reply(b"M 5 100000000 30 1000000") == Mismatch(
        (Window(5, 100.0), Window(30, 1.0))
    )
    assert decode_reply("M ") == Mismatch(())


def test_reply_is_immutable() -> None:
    """A decoded reply is a frozen value, safe to keep as the last-known state."""
    reply = decode_reply("1 0 0 0 0 0 0 0 -1 0 1 1 0 0 0 0")
    assert isinstance(reply, Reply)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        reply.held = 1  # type: ignore[misc]
