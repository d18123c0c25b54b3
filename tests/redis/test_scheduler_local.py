"""RedisScheduler in one process against a real redis-server: the in-memory semantics."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Sequence

import attrs
import pytest

redis_asyncio = pytest.importorskip("redis.asyncio")

from skilljar_async import APIConnectionError, SkilljarError  # noqa: E402
from skilljar_async.ratelimit import (  # noqa: E402
    CallType,
    LimitsMismatchError,
    RateLimits,
    RedisScheduler,
    SchedulerUnavailableError,
    SlidingWindowScheduler,
    Window,
)
from skilljar_async.ratelimit.redis._lane import Lane  # noqa: E402
from skilljar_async.ratelimit.redis._link import Link  # noqa: E402

from .conftest import free_port  # noqa: E402

pytestmark = pytest.mark.redis
READ = CallType.READ
Make = Callable[..., RedisScheduler]


@pytest.fixture
async def make(redis_url: str, ns: str) -> AsyncIterator[Make]:
    """Build schedulers sharing this test's namespace (like separate processes would)."""
    made: list[RedisScheduler] = []

    def build(*windows: Window, **kwargs: object) -> RedisScheduler:
        kwargs.setdefault("api_key", "test-key")
        sched = RedisScheduler(redis_url, RateLimits.uniform(*windows), namespace=ns, **kwargs)  # type: ignore[arg-type]
        made.append(sched)
        return sched

    yield build
    for sched in made:
        await sched.aclose()


async def take(s: RedisScheduler, priority: int = 0) -> float:
    """One zero-hold call; its grant time (Redis time, epoch seconds)."""
    slot = s.slot(READ, priority=priority)
    async with slot:
        pass
    assert slot.granted_at is not None
    return slot.granted_at


async def queued(s: RedisScheduler, n: int) -> None:
    """Wait until `n` waiters are queued locally (they reach the lane in call order)."""
    for _ in range(200):
        if s._lanes[READ].live >= n:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never saw {n} queued waiters")


async def test_windows_hold_and_grants_are_exact(make: Make) -> None:
    """25 calls at 10/0.5 s: batches of ten, each exactly one period after the last stamps."""
    s = make(Window(10, 0.5))
    slots = [s.slot(READ) for _ in range(25)]

    async def run(slot: object) -> None:
        async with slot:  # type: ignore[attr-defined]
            pass

    await asyncio.gather(*(run(slot) for slot in slots))
    await s.flush()
    spans = sorted((sl.granted_at, sl.released_at) for sl in slots)  # type: ignore[type-var]
    grants = [g for g, _ in spans]
    assert grants[9] - grants[0] < 0.05
    assert grants[10] - grants[0] >= 0.5
    for t in grants:  # held + stamps in (t - 0.5, t] never above 10
        assert sum(1 for g, r in spans if g <= t and r > t - 0.5) <= 10
    # each batch waits for the 10th-newest stamp to age out, and barely longer
    tenth_stamp = sorted(r for _, r in spans[:10])[0]
    assert 0.5 <= grants[10] - tenth_stamp < 0.5 + 0.05


async def test_fifo_within_priority_higher_first(make: Make) -> None:
    """Queued behind a held slot: priority 9, then 5, then the zeros in arrival order."""
    s = make(Window(1, 0.02))
    order: list[str] = []
    gate = asyncio.Event()

    async def blocker() -> None:
        async with s.slot(READ):
            await gate.wait()

    async def waiter(name: str, priority: int) -> None:
        async with s.slot(READ, priority=priority):
            order.append(name)

    first = asyncio.create_task(blocker())
    await asyncio.sleep(0.05)
    assert (await s.fetch_snapshot())[READ].held == 1
    tasks = []
    for i, (name, priority) in enumerate([("a", 0), ("b", 0), ("c", 5), ("d", 0), ("e", 9)]):
        tasks.append(asyncio.create_task(waiter(name, priority)))
        await queued(s, i + 1)
    gate.set()
    await asyncio.wait_for(asyncio.gather(first, *tasks), 5)
    assert order == ["e", "c", "a", "b", "d"]


async def test_cancelled_waiter_consumes_nothing(make: Make) -> None:
    """A waiter cancelled in the queue spends no slot: the next call waits one period only."""
    s = make(Window(1, 0.4))
    gate = asyncio.Event()

    async def blocker() -> None:
        async with s.slot(READ):
            await gate.wait()

    holder = asyncio.create_task(blocker())
    await asyncio.sleep(0.05)
    doomed = asyncio.create_task(take(s))
    await queued(s, 1)
    doomed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await doomed
    gate.set()
    await holder
    await s.flush()
    snap = (await s.fetch_snapshot())[READ]
    assert snap.held == 0
    assert snap.windows[0].used == 1
    assert snap.queued == 0
    t = await take(s)
    snap = (await s.fetch_snapshot())[READ]
    assert snap.windows[0].used == 1
    assert t - s.snapshot().at < 0.1  # taken just now, one period after the blocker


async def test_grant_to_cancelled_waiter_is_returned_unstamped(
    make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled after its grant but before resuming: the grant goes back, unstamped."""
    s = make(Window(1, 30.0))
    victim: list[asyncio.Task[float]] = []
    original = Lane._grant

    def grant_then_cancel(lane: Lane, *args: object) -> None:
        original(lane, *args)  # type: ignore[arg-type]
        if victim and not victim[0].done():
            victim[0].cancel()

    monkeypatch.setattr(Lane, "_grant", grant_then_cancel)
    victim.append(asyncio.create_task(take(s)))
    with pytest.raises(asyncio.CancelledError):
        await victim[0]
    monkeypatch.setattr(Lane, "_grant", original)
    await asyncio.wait_for(take(s), 2)  # with a stamped grant this would wait 30 s
    await s.flush()
    snap = (await s.fetch_snapshot())[READ]
    assert snap.held == 0
    assert snap.windows[0].used == 1


async def test_a_failing_lane_fails_its_waiters_instead_of_hanging(
    make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever breaks inside the pump reaches the waiters as SchedulerUnavailableError."""
    s = make(Window(5, 1.0))

    def broken(lane: Lane, *args: object) -> None:
        raise ZeroDivisionError

    monkeypatch.setattr(Lane, "_grant", broken)
    with pytest.raises(SchedulerUnavailableError) as info:
        await asyncio.wait_for(take(s), 2)
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    monkeypatch.undo()
    await asyncio.wait_for(take(s), 2)  # the next slot starts a fresh pump


async def test_block_that_raises_or_is_cancelled_is_stamped(make: Make) -> None:
    """An exception or a cancellation inside the block still spends the slot."""
    s = make(Window(5, 30.0))
    with pytest.raises(KeyError):
        async with s.slot(READ):
            raise KeyError
    started = asyncio.Event()

    async def long_call() -> None:
        async with s.slot(READ):
            started.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(long_call())
    await started.wait()
    assert (await s.fetch_snapshot())[READ].held == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await s.flush()
    snap = (await s.fetch_snapshot())[READ]
    assert snap.held == 0
    assert snap.windows[0].used == 2
    assert snap.remaining == 3


async def test_slot_held_past_its_lease_is_renewed(
    make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    """A request that outlives its lease keeps its slot until it ends: no over-grant."""
    s = make(Window(1, 0.4), lease=0.3)
    other = make(Window(1, 0.4), lease=0.3)
    slot = s.slot(READ)
    async with slot:
        waiter = asyncio.create_task(take(other))
        await asyncio.sleep(1.0)  # more than three leases
        assert not waiter.done()
        assert (await other.fetch_snapshot())[READ].held == 1
    await s.flush()
    assert slot.released_at is not None
    granted = await asyncio.wait_for(waiter, 2)
    assert slot.released_at + 0.4 <= granted < slot.released_at + 0.4 + 0.1
    assert "lease" not in caplog.text


async def test_renewals_are_batched_per_lane(make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty slots held for five leases: about one script call per third of a lease."""
    s = make(Window(100, 1.0), lease=0.3)
    calls: list[list[str]] = []
    original = Link.call

    async def counting(link: Link, keys: Sequence[str], args: Sequence[str | int]) -> object:
        calls.append(str(args[6]).split())
        return await original(link, keys, args)

    gate, all_in = asyncio.Event(), asyncio.Event()
    entered = 0

    async def hold() -> None:
        nonlocal entered
        async with s.slot(READ):
            entered += 1
            if entered == 20:
                all_in.set()
            await gate.wait()

    tasks = [asyncio.create_task(hold()) for _ in range(20)]
    await asyncio.wait_for(all_in.wait(), 5)
    monkeypatch.setattr(Link, "call", counting)
    await asyncio.sleep(1.5)
    renewing = [c for c in calls if c]
    assert 1.5 / 0.3 * 3 - 3 <= len(calls) <= 1.5 / 0.3 * 3 + 2  # one per 0.1 s, no more
    assert all(len(c) == 20 for c in renewing)
    gate.set()
    await asyncio.gather(*tasks)


async def test_pause_is_shared_between_schedulers(make: Make) -> None:
    """A pause set by one process stops the other, on Redis's clock."""
    a, b = make(Window(100, 1.0)), make(Window(100, 1.0))
    a.pause(READ, 0.5)
    await a.flush()
    full = await b.fetch_snapshot()
    snap = full[READ]
    assert 0.4 < snap.paused_for <= 0.5
    granted = await take(b)
    assert granted - full.at >= snap.paused_for
    assert granted - full.at < snap.paused_for + 0.1
    a.pause(READ, 0.2)  # pauses only extend
    b.pause(READ, 0.05)
    await asyncio.gather(a.flush(), b.flush())
    assert 0.1 < (await a.fetch_snapshot())[READ].paused_for <= 0.2


async def test_probe_is_one_slot_across_schedulers_until_recover(make: Make) -> None:
    """After a 429: one held slot across processes, the next woken by the release."""
    a, b = make(Window(100, 1.0), recheck=5.0), make(Window(100, 1.0), recheck=5.0)
    a.pause(READ, 0.1, probe=True)
    await a.flush()
    gate = asyncio.Event()

    async def probe() -> None:
        async with b.slot(READ):
            await gate.wait()

    prober = asyncio.create_task(probe())
    await asyncio.sleep(0.3)
    assert (await b.fetch_snapshot())[READ].held == 1
    second = asyncio.create_task(take(a))
    await asyncio.sleep(0.3)
    assert not second.done()  # one at a time, across schedulers
    snap = a.snapshot()[READ]
    assert snap.probing
    assert snap.queued == 1
    gate.set()
    await prober
    released = b.snapshot().at
    granted = await asyncio.wait_for(second, 2)
    assert granted - released < 0.2  # woken by the release (pub/sub), not the 5 s re-check
    b.recover(READ)
    await b.flush()
    both = asyncio.Event()
    inside = 0

    async def together(s: RedisScheduler) -> None:
        nonlocal inside
        async with s.slot(READ):
            inside += 1
            if inside == 2:
                both.set()
            await asyncio.wait_for(both.wait(), 2)

    await asyncio.gather(together(a), together(b))
    assert not (await a.fetch_snapshot())[READ].probing


async def test_eta_and_snapshot(make: Make) -> None:
    """eta and snapshot from the last-known state, and fresh from Redis."""
    s = make(Window(5, 1.0), Window(8, 3.0))
    assert s.eta(READ) == 0.0
    assert s.eta(READ, 9) == 3.0  # nothing known yet: an empty log
    for _ in range(5):
        await take(s)
    await s.flush()
    snap = s.snapshot()[READ]
    assert snap.held == 0
    assert snap.windows[0].used == 5
    assert snap.remaining == 0
    assert 0.8 < snap.windows[0].next_free_in <= 1.0
    assert 0.8 < s.eta(READ) <= 1.0
    exact = await s.fetch_eta(READ, 4)  # 3 more at +1 s, then the 3 s window is full
    assert 2.8 < exact <= 3.0
    fresh = await s.fetch_snapshot()
    assert fresh[READ].windows[1].used == 5
    assert fresh[READ].windows[1].remaining == 3
    assert fresh[CallType.MODIFY].windows[0].used == 0
    waiter = asyncio.create_task(take(s))
    await queued(s, 1)
    assert s.snapshot()[READ].queued == 1
    await waiter


async def test_keys_are_hashed_and_expire(make: Make, redis_url: str, ns: str) -> None:
    """Keys carry a hash of the API key, never the key, and all of them expire."""
    s = make(Window(3, 1.0), api_key="super-secret-key", lease=2.0)
    s.pause(READ, 0.5, probe=True)
    await s.flush()
    await asyncio.sleep(0.5)
    await take(s)
    await s.flush()
    client = redis_asyncio.Redis.from_url(redis_url)
    try:
        keys = [k.decode() for k in await client.keys(f"{ns}:*")]
        assert keys
        assert all("super-secret-key" not in k and s.key_hash in k for k in keys)
        for key in keys:
            ttl = await client.pttl(key)
            longest = ((1.0 + 2.0) * 1000 + 1000) * (2 if key.endswith(":meta") else 1)
            assert 0 < ttl <= longest  # the meta's expiry is refreshed once per TTL
    finally:
        await client.aclose()


async def test_unreachable_redis_is_a_clear_error() -> None:
    """No Redis, no slot: a SchedulerUnavailableError, which is an APIConnectionError."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    s = RedisScheduler(url, RateLimits.uniform(Window(5, 1.0)), api_key="k")
    try:
        with pytest.raises(SchedulerUnavailableError) as info:
            async with s.slot(READ):
                pass
        assert isinstance(info.value, APIConnectionError)
        assert "Redis" in str(info.value)
        assert "127.0.0.1" in str(info.value)
        s.pause(READ, 1.0)  # queued; lost with a warning in the log, never raised here
        with pytest.raises(SchedulerUnavailableError):
            await s.fetch_snapshot()
    finally:
        await s.aclose()


async def test_opt_in_fallback_when_redis_is_down(caplog: pytest.LogCaptureFixture) -> None:
    """With fallback=, slots come from the local scheduler while Redis is unreachable."""
    caplog.set_level(logging.WARNING, "skilljar_async.ratelimit")
    url = f"redis://127.0.0.1:{free_port()}/0"
    local = SlidingWindowScheduler(RateLimits.uniform(Window(3, 30.0)))
    s = RedisScheduler(url, RateLimits.uniform(Window(5, 1.0)), api_key="k", fallback=local)
    try:
        for _ in range(3):
            async with s.slot(READ):
                pass
        assert local.snapshot()[READ].windows[0].used == 3  # the fallback's budget was spent
        s.pause(READ, 10.0)  # a 429 reaches the fallback too
        assert local.snapshot()[READ].paused_for > 9
    finally:
        await s.aclose()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("is unavailable" in m for m in messages) == 1  # the outage, once
    assert sum("local fallback" in m for m in messages) == 1  # the fallback taken, once


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="api_key"):
        RedisScheduler("redis://127.0.0.1:1/0", api_key=None, key_hash=None)
    with pytest.raises(ValueError, match="lease"):
        RedisScheduler("redis://127.0.0.1:1/0", api_key="k", lease=0)
    with pytest.raises(TypeError):
        RedisScheduler(42, api_key="k")  # type: ignore[arg-type]
    s = RedisScheduler("redis://127.0.0.1:1/0", key_hash="abc")
    assert "abc" in s.key(READ, "stamps")
    assert s.key(READ, "stamps").count("{") == 1
    with pytest.raises(ValueError):
        s.eta(READ, 0)


def test_import_without_the_redis_package() -> None:
    """`import skilljar_async` never needs redis; building a RedisScheduler says what to install."""
    code = (
        "import sys; sys.modules['redis'] = None; sys.modules['redis.asyncio'] = None\n"
        "import skilljar_async, skilljar_async.ratelimit as r\n"
        "assert 'RedisScheduler' in r.__all__\n"
        "try:\n"
        "    r.RedisScheduler('redis://localhost', api_key='k')\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "skilljar-async[redis]" in out.stdout


def test_subpackage_exports_what_ratelimit_re_exports() -> None:
    """`skilljar_async.ratelimit.redis` exports, sorted, the classes `ratelimit` serves lazily."""
    import skilljar_async.ratelimit
    import skilljar_async.ratelimit.redis as sub

    assert sub.__all__ == ["LimitsMismatchError", "RedisScheduler", "SchedulerUnavailableError"]
    for name in sub.__all__:
        assert getattr(skilljar_async.ratelimit, name) is getattr(sub, name)


def test_one_event_loop_at_a_time(redis_url: str, ns: str) -> None:
    """Bound to its first loop while that loop is open; a closed loop frees it."""
    s = RedisScheduler(redis_url, RateLimits.uniform(Window(50, 1.0)), namespace=ns, key_hash="h")
    with asyncio.Runner() as first:
        first.run(take(s))
        with asyncio.Runner() as second, pytest.raises(RuntimeError, match="event loop"):
            second.run(take(s))
        first.run(s.aclose())
    with asyncio.Runner() as third:
        third.run(take(s))
        third.run(s.aclose())


async def test_client_429_pauses_and_probes_through_redis(make: Make) -> None:
    """Two clients, two schedulers, limits above the server's: 429s pause both, all succeed."""
    from skilljar_async import SkilljarClient
    from skilljar_async.testing import SkilljarEmulator

    async with SkilljarEmulator(limits=RateLimits.uniform(Window(3, 1.0))) as emu:
        a, b = (
            make(Window(30, 1.0), api_key=emu.api_key),
            make(Window(30, 1.0), api_key=emu.api_key),
        )
        async with (
            SkilljarClient(emu.api_key, base_url=emu.base_url, scheduler=a) as one,
            SkilljarClient(emu.api_key, base_url=emu.base_url, scheduler=b) as two,
        ):
            calls = [one.ping.retrieve() for _ in range(4)] + [
                two.ping.retrieve() for _ in range(4)
            ]
            await asyncio.wait_for(asyncio.gather(*calls), 20)
        assert emu.count_429 >= 1
    assert not (await a.fetch_snapshot())[READ].probing


async def test_different_limits_fail_clearly_and_never_over_grant(make: Make) -> None:
    """5 per 100 s used up; a process with 5 per 1 s fails at once; the budget stays full."""
    a = make(Window(5, 100.0))
    for _ in range(5):
        await take(a)
    local = SlidingWindowScheduler(RateLimits.uniform(Window(5, 1.0)))
    b = make(Window(5, 1.0), fallback=local)
    with pytest.raises(LimitsMismatchError) as info:
        await asyncio.wait_for(take(b), 2)
    assert info.value.call_type is READ
    assert info.value.ours == (Window(5, 1.0),)
    assert info.value.theirs == (Window(5, 100.0),)
    assert "5/100s" in str(info.value)
    assert "replace_limits" in str(info.value)
    assert isinstance(info.value, SkilljarError)
    assert local.snapshot()[READ].windows[0].used == 0  # never a fallback case
    with pytest.raises(LimitsMismatchError):
        await b.fetch_snapshot()
    c = make(Window(5, 100.0))  # a new process with the budget's limits: nothing left
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(take(c), 0.5)
    assert await c.fetch_eta(READ) > 90  # the 5 stamps of 100 s ago still count


async def test_replace_limits_keeps_the_old_windows_until_they_ran_out(make: Make) -> None:
    """replace_limits=True: new limits stored, old windows still enforced for their period."""
    old = make(Window(3, 1.0), lease=0.3)
    for _ in range(3):
        await take(old)
    await old.flush()
    first_stamp = (await old.fetch_snapshot()).at
    new = make(Window(10, 0.2), lease=0.3, replace_limits=True)
    grants = sorted(await asyncio.gather(*(take(new) for _ in range(8))))
    # the old 3-per-second window held until its stamps aged out, and still counts
    assert grants[0] >= first_stamp - 0.05 + 1.0 - 0.05
    for t in grants:
        assert sum(1 for g in grants if t - 1.0 < g <= t) <= 3 or t > first_stamp + 1.0 + 0.3
    with pytest.raises(LimitsMismatchError):  # the old limits are no longer the budget's
        await asyncio.wait_for(take(old), 2)
    assert (await new.fetch_snapshot())[READ].windows[0].limit == 10


async def _lose_state(redis_url: str, ns: str) -> None:
    client = redis_asyncio.Redis.from_url(redis_url)
    try:
        keys = await client.keys(f"{ns}:*")
        assert keys
        await client.delete(*keys)
    finally:
        await client.aclose()


async def test_lost_state_pauses_until_lost_grants_ran_out(
    make: Make, redis_url: str, ns: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Keys gone mid-window: nothing granted for lease + longest period, and it says why."""
    s = make(Window(5, 1.0), lease=0.5)
    for _ in range(5):
        await take(s)
    await s.flush()
    await _lose_state(redis_url, ns)
    snap = await s.fetch_snapshot()
    assert 1.4 < snap[READ].paused_for <= 1.5
    assert "lost" in caplog.text
    assert "lease" not in caplog.text.split("lost")[0]
    granted = await asyncio.wait_for(take(s), 3)
    assert granted - snap.at >= snap[READ].paused_for


async def test_replica_behind_its_primary_is_caught(make: Make, redis_url: str, ns: str) -> None:
    """Same epoch but a lower sequence (writes lost in a failover): the lane pauses too."""
    s = make(Window(5, 1.0), lease=0.5)
    await take(s)
    await s.flush()
    client = redis_asyncio.Redis.from_url(redis_url)
    try:
        await client.hincrby(s.key(READ, "meta"), "n", -3)
    finally:
        await client.aclose()
    assert (await s.fetch_snapshot())[READ].paused_for > 1.4


async def test_slots_held_across_a_loss_count_again(make: Make, redis_url: str, ns: str) -> None:
    """A slot in flight when the state is lost is re-added by its process, then stamped."""
    s = make(Window(5, 1.0), lease=0.5)
    other = make(Window(5, 1.0), lease=0.5)
    gate = asyncio.Event()

    async def long_call() -> None:
        async with s.slot(READ):
            await gate.wait()

    task = asyncio.create_task(long_call())
    await asyncio.sleep(0.1)
    await _lose_state(redis_url, ns)
    assert (await s.fetch_snapshot())[READ].paused_for > 0
    for _ in range(50):
        if (await other.fetch_snapshot())[READ].held == 1:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the held slot was never re-added")
    gate.set()
    await task
    await s.flush()
    snap = (await other.fetch_snapshot())[READ]
    assert (snap.held, snap.windows[0].used) == (0, 1)


async def test_noeviction_is_checked(
    make: Make, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An evicting maxmemory-policy is warned about at the first step; noeviction is not."""
    client = redis_asyncio.Redis.from_url(redis_url)
    try:
        await take(make(Window(5, 1.0)))
        assert "maxmemory-policy" not in caplog.text
        await client.config_set("maxmemory-policy", "allkeys-lru")
        await take(make(Window(5, 1.0)))
        assert "maxmemory-policy allkeys-lru" in caplog.text
    finally:
        await client.config_set("maxmemory-policy", "noeviction")
        await client.aclose()


@pytest.mark.parametrize(
    ("setting", "value", "match"),
    [
        ("namespace", "my app", "whitespace"),
        ("namespace", "tab\there", "whitespace"),
        ("namespace", "", "1 to"),
        ("namespace", "a{b}", "braces"),
        ("namespace", "x" * 201, "1 to"),
        ("key_hash", "a b", "whitespace"),
        ("key_hash", "a:b", "colons"),
        ("lease", float("inf"), "lease"),
        ("lease", True, "lease"),
        ("recheck", -1, "recheck"),
        ("batch", 0, "batch"),
        ("batch", 10**6, "batch"),
        ("retry_for", -1, "retry_for"),
        ("retry_for", float("nan"), "retry_for"),
    ],
)
def test_settings_are_checked_up_front(setting: str, value: object, match: str) -> None:
    """Every setting that cannot work is a ValueError when the scheduler is built."""
    kwargs: dict[str, object] = {"key_hash": "h", setting: value}
    with pytest.raises(ValueError, match=match):
        RedisScheduler("redis://127.0.0.1:1/0", **kwargs)  # type: ignore[arg-type]


def test_setting_types_are_checked_up_front() -> None:
    with pytest.raises(TypeError, match="namespace"):
        RedisScheduler("redis://127.0.0.1:1/0", key_hash="h", namespace=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="fallback"):
        RedisScheduler("redis://127.0.0.1:1/0", key_hash="h", fallback=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="replace_limits"):
        RedisScheduler("redis://127.0.0.1:1/0", key_hash="h", replace_limits=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scheme"):
        RedisScheduler("http://127.0.0.1:1/0", key_hash="h")
    with pytest.raises(ValueError, match="out of range"):
        RedisScheduler("redis://x", RateLimits.uniform(Window(5, 1e-7)), key_hash="h")
    with pytest.raises(ValueError, match="scheme") as info:
        RedisScheduler("http://u:secret@h/0", key_hash="h")
    assert "secret" not in str(info.value)


async def test_retry_for_rides_out_an_outage_before_failing() -> None:
    """retry_for=0.6: an unreachable Redis is retried for 0.6 s, then waiters get the error."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    s = RedisScheduler(url, RateLimits.uniform(Window(5, 1.0)), api_key="k", retry_for=0.6)
    loop = asyncio.get_running_loop()
    try:
        started = loop.time()
        with pytest.raises(SchedulerUnavailableError):
            async with s.slot(READ):
                pass
        assert 0.6 <= loop.time() - started < 3.0
    finally:
        await s.aclose()


async def test_limits_differing_only_in_reserve_are_refused(redis_url: str, ns: str) -> None:
    """The digest covers ``RateLimits.reserve`` where the limits have one."""

    @attrs.frozen
    class WithReserve(RateLimits):
        reserve: float = 0.0

    plain = RateLimits.uniform(Window(5, 1.0))
    same = WithReserve.uniform(Window(5, 1.0))
    other = attrs.evolve(same, reserve=0.2)
    a = RedisScheduler(redis_url, plain, namespace=ns, key_hash="h")
    b = RedisScheduler(redis_url, same, namespace=ns, key_hash="h")
    c = RedisScheduler(redis_url, other, namespace=ns, key_hash="h")
    try:
        await take(a)
        await take(b)  # a reserve of 0 is no reserve
        with pytest.raises(LimitsMismatchError, match="reserve"):
            await asyncio.wait_for(take(c), 2)
    finally:
        for s in (a, b, c):
            await s.aclose()
