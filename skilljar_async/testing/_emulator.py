"""`SkilljarEmulator`: a local Skilljar v1 API for tests and benchmarks.

Time is the running event loop's ``loop.time()``, so under looptime the
emulator's rate limiter runs on the same virtual clock as a client sharing its
loop; latency is an ``asyncio.sleep``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import random
from collections.abc import Iterable
from types import TracebackType
from typing import Self

from aiohttp import web

from ..ratelimit import CallType, RateLimits
from ._app import (
    DropPhase,
    EmulatorState,
    Faults,
    Limiter,
    RecordedRequest,
    build_app,
    retry_after_seconds,
)
from ._catalogue import catalogue
from ._seed import seed_store
from ._store import Store

__all__ = ["ForeignConsumer", "SkilljarEmulator"]

SKILLJAR_LIMITS = RateLimits.skilljar()


def _call_type(value: CallType | str) -> CallType:
    if isinstance(value, CallType):
        return value
    try:
        return CallType(value.lower())
    except ValueError:
        return CallType.of(value)


class ForeignConsumer:
    """Another integration of the same organisation spending calls in the background.

    By default it calls at a steady rate whatever the answer. A `polite` one
    behaves like a well-made integration: after a 429 it waits the Retry-After
    the server would send (whole seconds, at least 1) before calling again.
    """

    def __init__(
        self, limiter: Limiter, call_type: CallType, rate_per_s: float, *, polite: bool = False
    ) -> None:
        if not rate_per_s > 0:
            raise ValueError(f"rate_per_s must be > 0, got {rate_per_s!r}")
        self.call_type = call_type
        self.rate_per_s = rate_per_s
        self.polite = polite
        self.spent = 0  #: calls the org's limiter counted
        self.throttled = 0  #: calls it refused (a 429 the foreign consumer got)
        self._limiter = limiter
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        interval = 1.0 / self.rate_per_s
        while True:
            wait = self._limiter.admit(self.call_type, loop.time())
            if wait == 0.0:
                self.spent += 1
            else:
                self.throttled += 1
                if self.polite:  # honour Retry-After as the server words it
                    await asyncio.sleep(retry_after_seconds(wait))
                    continue
            await asyncio.sleep(interval)

    @property
    def running(self) -> bool:
        return not self._task.done()

    def stop(self) -> None:
        """Stop spending (idempotent)."""
        self._task.cancel()

    async def wait_stopped(self) -> None:
        self.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class SkilljarEmulator:
    """An in-process Skilljar API v1 on ``http://host:port/v1`` (aiohttp)."""

    def __init__(
        self,
        *,
        api_keys: Iterable[str] = ("test-key",),
        read_only_keys: Iterable[str] = ("read-only-key",),
        limits: RateLimits | None = SKILLJAR_LIMITS,
        users: int = 0,
        seed: int = 0,
        latency: float = 0.0,
        error_rate: float = 0.0,
        error_status: int = 502,
        drop_rate: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        record_requests: bool = True,
    ) -> None:
        self.api_keys = tuple(api_keys)
        self.read_only_keys = tuple(read_only_keys)
        self.limits = limits
        self.seed = seed
        self.host = host
        self.port = port
        self.store = Store(catalogue(), seed)
        seed_store(self.store, users=users, seed=seed)
        self.limiter = Limiter(limits)
        faults = Faults(
            error_rate=error_rate,
            error_status=error_status,
            drop_rate=drop_rate,
            latency=latency,
            rng=random.Random(f"faults-{seed}"),
        )
        self.state = EmulatorState(
            self.store,
            api_keys=self.api_keys,
            read_only_keys=self.read_only_keys,
            limiter=self.limiter,
            faults=faults,
        )
        self.state.record = record_requests
        self._runner: web.AppRunner | None = None
        self._consumers: list[ForeignConsumer] = []

    # -- lifecycle -----------------------------------------------------------------

    async def start(self) -> Self:
        """Listen on (host, port); port 0 picks a free one."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already started")
        self.store.clock = asyncio.get_running_loop().time
        runner = web.AppRunner(build_app(self.state), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Stop the foreign consumers and the server (idempotent)."""
        for consumer in self._consumers:
            await consumer.wait_stopped()
        self._consumers.clear()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- addresses and credentials ---------------------------------------------------

    @property
    def origin(self) -> str:
        """``http://host:port`` (no path)."""
        if self._runner is None:
            raise RuntimeError("the emulator is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API root, ``http://host:port/v1``."""
        return self.origin + "/v1"

    @property
    def api_key(self) -> str:
        """The first full-access key."""
        return self.api_keys[0]

    @property
    def read_only_key(self) -> str:
        """The first read-only key."""
        return self.read_only_keys[0]

    def auth_header(self, key: str | None = None) -> dict[str, str]:
        """``{"Authorization": "Basic base64(key:)"}`` for `key` (default: `api_key`)."""
        token = base64.b64encode(f"{key or self.api_key}:".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    # -- what happened ------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in arrival order (empty with ``record_requests=False``)."""
        return self.state.requests

    def clear_requests(self) -> None:
        """Forget the recorded requests (and reset `count_429`)."""
        self.state.requests.clear()
        self.state.count_429 = 0

    @property
    def count_429(self) -> int:
        """How many requests were answered 429 (foreign consumers' refusals not included)."""
        return self.state.count_429

    def counted(self, call_type: CallType | str) -> int:
        """Calls of `call_type` the limiter has counted so far (yours and foreign ones)."""
        return self.limiter.counted[_call_type(call_type)]

    def in_window(self, call_type: CallType | str, period: float) -> int:
        """Calls of `call_type` counted in the last `period` seconds, now.

        Exact up to the largest configured limit; 0 when unlimited.
        """
        now = asyncio.get_running_loop().time()
        return self.limiter.in_window(_call_type(call_type), now, period)

    # -- the shared budget -----------------------------------------------------------------

    def spend(self, call_type: CallType | str, n: int = 1) -> int:
        """A foreign consumer makes `n` calls now; returns how many were counted (not throttled)."""
        ct = _call_type(call_type)
        now = asyncio.get_running_loop().time()
        return sum(1 for _ in range(n) if self.limiter.admit(ct, now) == 0.0)

    def foreign_consumer(
        self, call_type: CallType | str, rate_per_s: float, *, polite: bool = False
    ) -> ForeignConsumer:
        """Start a background consumer making `rate_per_s` calls a second; `.stop()` ends it.

        A `polite` one waits out Retry-After after each 429 (see `ForeignConsumer`).
        """
        consumer = ForeignConsumer(self.limiter, _call_type(call_type), rate_per_s, polite=polite)
        self._consumers.append(consumer)
        return consumer

    # -- asynchronous processing ---------------------------------------------------------

    def finish_processing(self) -> int:
        """Complete every queued job now (asset and web-package processing, bulk user creation).

        Jobs otherwise finish `PROCESSING_SECONDS` after they were queued, on the
        loop's clock, when the next request arrives. Returns how many ran.
        """
        return self.store.run_due(everything=True)

    # -- faults ------------------------------------------------------------------------------

    def set_faults(
        self,
        *,
        error_rate: float | None = None,
        drop_rate: float | None = None,
        latency: float | None = None,
        error_status: int | None = None,
        drop_phase: DropPhase | None = None,
    ) -> None:
        """Change fault injection at runtime; arguments left out keep their value."""
        faults = self.state.faults
        if error_rate is not None:
            faults.error_rate = error_rate
        if drop_rate is not None:
            faults.drop_rate = drop_rate
        if latency is not None:
            faults.latency = latency
        if error_status is not None:
            faults.error_status = error_status
        if drop_phase is not None:
            faults.drop_phase = drop_phase
