"""A separate process sharing one RedisScheduler budget, for the multi-process tests.

    python tests/redis/_worker.py '{"mode": "burst", "url": ..., ...}'

Modes (all start together: each pushes to ``<ns>:ready`` and waits on ``<ns>:go``):

- ``burst``: ``calls`` zero-hold slots at once; prints one JSON list of
  ``[granted_us, released_us]`` (Redis server time) per call.
- ``hold``: takes ``calls`` slots and holds them forever; prints their grant
  times once all are held (the test then SIGKILLs it).
- ``client``: ``calls`` GET /ping through a `SkilljarClient` against ``base_url``;
  prints ``{"ok": n, "status_429": n}`` as counted on the wire.

``skew`` (seconds) shifts this process's ``time.time`` and ``time.monotonic``
(and with them ``loop.time()``) before anything runs. ``url`` is the budget's
Redis (``redis+cluster://`` for a cluster); ``sentinel`` (``[host, port]``, with
``master``) uses a Sentinel-managed master instead; ``control`` is the plain
Redis the start signal goes through (default ``url``). ``lease`` and
``retry_for`` are passed to the scheduler. A `LimitsMismatchError` is printed
as ``{"mismatch": message}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any


def _skew(seconds: float) -> None:
    mono, wall = time.monotonic, time.time
    time.monotonic = lambda: mono() + seconds
    time.time = lambda: wall() + seconds


async def _main(cfg: dict[str, Any]) -> None:
    import redis.asyncio as aioredis

    from skilljar_async.ratelimit import (
        CallType,
        LimitsMismatchError,
        RateLimits,
        RedisScheduler,
        Window,
    )

    limits = RateLimits.uniform(*(Window(limit, period) for limit, period in cfg["windows"]))
    target: Any = cfg.get("url")
    if cfg.get("sentinel"):
        sentinel = aioredis.Sentinel([tuple(cfg["sentinel"])], socket_timeout=2.0)
        target = sentinel.master_for(cfg["master"], socket_timeout=2.0)
    sched = RedisScheduler(
        target,
        limits,
        namespace=cfg["ns"],
        api_key=cfg["key"],
        lease=cfg.get("lease", 75.0),
        retry_for=cfg.get("retry_for", 0.0),
    )
    control = aioredis.Redis.from_url(cfg.get("control", cfg["url"]), socket_timeout=None)
    try:
        await control.rpush(f"{cfg['ns']}:ready", 1)
        for _ in range(60):
            if await control.blpop([f"{cfg['ns']}:go"], timeout=1) is not None:
                break
        else:
            raise SystemExit("never told to go")
        mode = cfg["mode"]
        calls = int(cfg["calls"])
        if mode == "burst":
            slots = [sched.slot(CallType.READ) for _ in range(calls)]

            async def one(slot: Any) -> None:
                async with slot:
                    pass

            try:
                await asyncio.gather(*(one(s) for s in slots))
            except LimitsMismatchError as exc:
                print(json.dumps({"mismatch": str(exc)}), flush=True)
                return
            await sched.flush()
            out = [[round(s.granted_at * 1e6), round(s.released_at * 1e6)] for s in slots]
            print(json.dumps(out), flush=True)
        elif mode == "hold":
            forever = asyncio.Event()
            held: list[int] = []

            async def hold() -> None:
                slot = sched.slot(CallType.READ)
                async with slot:
                    held.append(round(slot.granted_at * 1e6))
                    if len(held) == calls:
                        print(json.dumps(held), flush=True)
                    await forever.wait()

            await asyncio.gather(*(hold() for _ in range(calls)))
        elif mode == "client":
            await _client(cfg, sched, calls)
        else:
            raise SystemExit(f"unknown mode {mode!r}")
    finally:
        await sched.aclose()
        await control.aclose()


async def _client(cfg: dict[str, Any], sched: Any, calls: int) -> None:
    import aiohttp

    from skilljar_async import SkilljarClient

    seen = {"ok": 0, "status_429": 0}

    async def on_end(session: Any, ctx: Any, params: aiohttp.TraceRequestEndParams) -> None:
        if params.response.status == 429:
            seen["status_429"] += 1

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_end)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        async with SkilljarClient(
            cfg["key"], base_url=cfg["base_url"], scheduler=sched, session=session
        ) as client:

            async def ping() -> None:
                await client.ping.retrieve()
                seen["ok"] += 1

            await asyncio.gather(*(ping() for _ in range(calls)))
    print(json.dumps(seen), flush=True)


if __name__ == "__main__":
    config = json.loads(sys.argv[1])
    if config.get("skew"):
        _skew(float(config["skew"]))
    asyncio.run(_main(config))
