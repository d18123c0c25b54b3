"""Production Redis: disagreeing processes, lost state, a Cluster and a Sentinel failover.

Each test that restarts or kills a server starts its own (no persistence, on
loopback); the budget's record is then checked window by window, as the
processes saw it (Redis server times).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

redis_sync = pytest.importorskip("redis")

from skilljar_async.ratelimit import (  # noqa: E402
    CallType,
    RateLimits,
    RedisScheduler,
    SlidingLog,
    Window,
)

PARTS = ("stamps", "held", "pause", "probe", "meta")

from ._procs import check_windows, finish, release_together, start  # noqa: E402
from .conftest import free_port, start_server, stop_server  # noqa: E402

pytestmark = pytest.mark.redis
SCALED = [(30, 1.0), (100, 4.0)]


def optimum(windows: list[tuple[int, float]], n: int) -> float:
    return SlidingLog([Window(limit, period) for limit, period in windows]).eta(0.0, n)


def spans_of(results: list[list[list[int]]]) -> list[tuple[int, int]]:
    return [(g, r) for out in results for g, r in out]


def test_process_with_other_limits_fails_clearly(
    redis_url: str, ns: str, reaper: list[subprocess.Popen[str]]
) -> None:
    """5 per 100 s spent; 5 per 1 s is refused at its first step; the old limits get nothing."""
    base = {"mode": "burst", "url": redis_url, "ns": ns, "key": "k", "calls": 5}
    first = start({**base, "windows": [(5, 100.0)]})
    reaper.append(first)
    release_together(redis_url, ns, [first])
    (spent,) = finish([first])
    assert len(spent) == 5
    other = start({**base, "windows": [(5, 1.0)]})
    reaper.append(other)
    release_together(redis_url, ns, [other])
    (refused,) = finish([other])
    assert "5/100s" in refused["mismatch"]
    assert "5/1s" in refused["mismatch"]
    again = start({**base, "windows": [(5, 100.0)], "calls": 1})
    reaper.append(again)
    release_together(redis_url, ns, [again])
    with pytest.raises(subprocess.TimeoutExpired):  # the window is still full: no grant
        again.communicate(timeout=3)


def test_lost_state_mid_run_never_exceeds_a_window(
    tmp_path: Path, ns: str, reaper: list[subprocess.Popen[str]]
) -> None:
    """FLUSHALL, then SHUTDOWN NOSAVE and a restart, under 4 saturating processes."""
    server, port = start_server(tmp_path)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        cfg = {"mode": "burst", "url": url, "ns": ns, "key": "k", "windows": SCALED}
        cfg |= {"calls": 100, "lease": 1.0, "retry_for": 20.0}
        reaper += [start(cfg) for _ in range(4)]
        release_together(url, ns, reaper)
        admin = redis_sync.Redis.from_url(url)
        time.sleep(3.0)
        admin.flushall()
        time.sleep(6.0)
        with contextlib.suppress(redis_sync.RedisError):
            admin.shutdown(nosave=True)
        admin.close()
        server.wait(10)
        time.sleep(0.5)
        server, _ = start_server(tmp_path, port=port)
        spans = spans_of(finish(reaper, timeout=120))
        assert len(spans) == 400
        check_windows(spans, SCALED)
        grants = sorted(g for g, _ in spans)
        # both losses paused the budget (lease + longest period each), so it took longer
        assert (grants[-1] - grants[0]) / 1e6 > optimum(SCALED, 400) + 5.0
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[int]]:
    """Three masters on loopback, every slot assigned, the cluster's state ok: their ports."""
    cli = shutil.which("redis-cli")
    if cli is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-cli is not installed: CI must install it", pytrace=False)
        pytest.skip("redis-cli is not installed (apt-get install redis-tools)")
    tmp_path = tmp_path_factory.mktemp("cluster")
    procs, ports = [], []
    try:
        for _ in range(3):
            port, bus = free_port(), free_port()  # the bus port given, not port + 10000
            proc, port = start_server(
                tmp_path,
                *("--cluster-enabled", "yes", "--cluster-config-file", f"nodes-{port}.conf"),
                *("--cluster-node-timeout", "5000", "--cluster-port", str(bus)),
                port=port,
            )
            procs.append(proc)
            ports.append(port)
        nodes = [f"127.0.0.1:{p}" for p in ports]
        subprocess.run(
            [cli, "--cluster", "create", *nodes, "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        deadline = time.monotonic() + 30
        for port in ports:
            client = redis_sync.Redis(port=port)
            while client.cluster("info").get("cluster_state") != "ok":
                assert time.monotonic() < deadline, "the cluster never became ok"
                time.sleep(0.1)
            client.close()
        yield ports
    finally:
        for proc in procs:
            stop_server(proc)


def test_cluster_saturation_is_exact_and_near_optimum(
    cluster: list[int], redis_url: str, ns: str, reaper: list[subprocess.Popen[str]]
) -> None:
    """4 processes x 100 calls through a 3-master Redis Cluster: exact, within 10% of optimal."""
    url = f"redis+cluster://127.0.0.1:{cluster[0]}"
    cfg = {"mode": "burst", "url": url, "control": redis_url, "ns": ns, "key": "k"}
    cfg |= {"windows": SCALED, "calls": 100}
    reaper += [start(cfg) for _ in range(4)]
    release_together(redis_url, ns, reaper)
    spans = spans_of(finish(reaper))
    assert len(spans) == 400
    check_windows(spans, SCALED)
    grants = sorted(g for g, _ in spans)
    makespan, best = (grants[-1] - grants[0]) / 1e6, optimum(SCALED, 400)
    print(f"cluster makespan {makespan:.3f} s, optimum {best:.3f} s")
    assert best <= makespan <= 1.10 * best, (makespan, best)


async def test_cluster_client_keys_share_one_slot_and_wake_ups_arrive(
    cluster: list[int], ns: str
) -> None:
    """A RedisCluster client: one slot for the whole budget, releases published to waiters."""
    from redis.asyncio import RedisCluster

    client = RedisCluster(host="127.0.0.1", port=cluster[1])
    a = RedisScheduler(client, RateLimits.uniform(Window(1, 0.05)), namespace=ns, key_hash="h")
    b = RedisScheduler(
        f"redis+cluster://127.0.0.1:{cluster[2]}",
        RateLimits.uniform(Window(1, 0.05)),
        namespace=ns,
        key_hash="h",
        recheck=5.0,
    )
    try:
        slots = {client.keyslot(a.key(ct, part)) for ct in CallType for part in PARTS}
        assert len(slots) == 1
        gate, inside = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            async with a.slot(CallType.READ):
                inside.set()
                await gate.wait()

        holder = asyncio.create_task(hold())
        await asyncio.wait_for(inside.wait(), 5)
        waiter = b.slot(CallType.READ)

        async def wait() -> None:
            async with waiter:
                pass

        task = asyncio.create_task(wait())
        await asyncio.sleep(0.3)
        assert not task.done()  # held slots alone fill the window: a soft wait
        gate.set()
        await holder
        await a.flush()
        released = a.snapshot().at
        await asyncio.wait_for(task, 3)
        assert waiter.granted_at is not None
        assert waiter.granted_at - released < 0.5  # the published release, not the 5 s re-check
    finally:
        await a.aclose()
        await b.aclose()
        await client.aclose()


def test_sentinel_failover_mid_run_never_exceeds_a_window(
    tmp_path: Path, redis_url: str, ns: str, reaper: list[subprocess.Popen[str]]
) -> None:
    """One master, one replica, one sentinel; the master is killed mid-run; the run completes."""
    master, mport = start_server(tmp_path)
    replica, rport = start_server(tmp_path, "--replicaof", "127.0.0.1", str(mport))
    sentinel, sport = start_server(
        tmp_path,
        f"sentinel monitor main 127.0.0.1 {mport} 1",
        "sentinel down-after-milliseconds main 500",
        "sentinel failover-timeout main 5000",
        sentinel=True,
    )
    try:
        deadline = time.monotonic() + 30
        watch = redis_sync.Redis(port=rport)
        while watch.info("replication").get("master_link_status") != "up":
            assert time.monotonic() < deadline, "the replica never synced"
            time.sleep(0.1)
        cfg = {"mode": "burst", "sentinel": ["127.0.0.1", sport], "master": "main"}
        cfg |= {"control": redis_url, "url": redis_url, "ns": ns, "key": "k"}
        cfg |= {"windows": SCALED, "calls": 100, "lease": 1.0, "retry_for": 30.0}
        reaper += [start(cfg) for _ in range(4)]
        release_together(redis_url, ns, reaper)
        time.sleep(4.0)
        master.kill()
        master.wait()
        spans = spans_of(finish(reaper, timeout=120))
        assert len(spans) == 400
        check_windows(spans, SCALED)
        assert watch.info("replication")["role"] == "master"  # the replica took over
        watch.close()
    finally:
        for proc in (sentinel, replica, master):
            stop_server(proc)
