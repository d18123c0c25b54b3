"""OpenTelemetry gauges over a RedisScheduler: its last-known state of the shared budget."""

import pytest

from skilljar_async import SkilljarClient, _otel
from skilljar_async.ratelimit import RateLimits, RedisScheduler, Window
from skilljar_async.testing import MockTransport
from skilljar_async.transport import Response
from tests.test_otel import Sdk

pytestmark = pytest.mark.redis


async def test_gauges_read_the_shared_budget(
    redis_url: str, ns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """budget.remaining and queue.depth report what Redis said at the last step."""
    sdk = Sdk()
    telemetry = _otel.Telemetry(lambda: sdk.tracer_provider, lambda: sdk.meter_provider)
    monkeypatch.setattr(_otel, "_current", telemetry)
    limits = RateLimits.uniform(Window(10, 60.0))
    mock = MockTransport(lambda request: Response.from_json({}))
    async with (
        RedisScheduler(redis_url, limits, api_key="k", namespace=ns) as shared,
        SkilljarClient("k", transport=mock, scheduler=shared) as sk,
    ):
        for _ in range(3):
            await sk.request("GET", "/ping")
        await shared.fetch_snapshot()
        remaining = {
            p.attributes["skilljar.call_type"]: p.value
            for p in sdk.points("skilljar.budget.remaining")
            if p.attributes["skilljar.budget"] == sk._key_hash[:12]
        }
        assert remaining == {"read": 7, "modify": 10, "remove": 10}
        depth = [p.value for p in sdk.points("skilljar.queue.depth")]
        assert depth
        assert set(depth) == {0}
    sdk.tracer_provider.shutdown()
    sdk.meter_provider.shutdown()
