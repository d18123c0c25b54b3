"""OpenTelemetry: a CLIENT span per attempt, the instruments, and nothing without an SDK."""

import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from skilljar_async import CallType, SkilljarClient, _otel
from skilljar_async.testing import MockTransport
from skilljar_async.transport import Request, Response

pytestmark = pytest.mark.looptime

OK = Response.from_json({"id": "u1"})


class Sdk:
    """An SDK tracer and meter provider wired to in-memory exporters."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self, name: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        assert data is not None
        return [
            point
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
            if metric.name == name
            for point in metric.data.data_points
        ]


@pytest.fixture
def sdk(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sdk]:
    """The client's telemetry on an SDK of the test's own (the globals stay untouched)."""
    made = Sdk()
    telemetry = _otel.Telemetry(lambda: made.tracer_provider, lambda: made.meter_provider)
    monkeypatch.setattr(_otel, "_current", telemetry)
    yield made
    made.tracer_provider.shutdown()
    made.meter_provider.shutdown()


def replies(*answers: Response) -> MockTransport:
    queue = list(answers)
    return MockTransport(lambda request: queue.pop(0))


async def test_one_client_span_per_attempt(sdk: Sdk) -> None:
    """Each attempt is a CLIENT span named by method and template, with HTTP attributes."""
    mock = replies(Response(503), OK)
    async with SkilljarClient(
        "k", transport=mock, base_url="https://api.example.com:8443/v1"
    ) as sk:
        await sk.request("GET", "/users/u1", params={"page_size": 5})
    first, second = sdk.finished()
    assert first.name == second.name == "GET /users/{user_id}"
    assert first.kind is trace.SpanKind.CLIENT
    attrs = dict(first.attributes or {})
    assert attrs["http.request.method"] == "GET"
    assert attrs["url.full"] == "https://api.example.com:8443/v1/users/u1?page_size=5"
    assert attrs["url.template"] == "/users/{user_id}"
    assert attrs["server.address"] == "api.example.com"
    assert attrs["server.port"] == 8443
    assert attrs["http.response.status_code"] == 503
    assert attrs["error.type"] == "503"
    assert attrs["skilljar.call_type"] == "read"
    assert "http.request.resend_count" not in attrs
    assert first.status.status_code is trace.StatusCode.ERROR
    attrs2 = dict(second.attributes or {})
    assert attrs2["http.request.resend_count"] == 1
    assert attrs2["http.response.status_code"] == 200
    assert "error.type" not in attrs2
    assert attrs2["skilljar.queue_wait"] >= 0


async def test_instruments(sdk: Sdk) -> None:
    """Duration, scheduler wait, 429 count, remaining budget and queue depth are reported."""
    mock = replies(Response(429, {"Retry-After": "2"}), OK)
    async with SkilljarClient("k", transport=mock) as sk:
        await sk.request("GET", "/ping")
        durations = sdk.points("skilljar.client.request.duration")
        statuses = sorted(p.attributes["http.response.status_code"] for p in durations)
        assert statuses == [200, 429]
        assert all(p.attributes["skilljar.call_type"] == "read" for p in durations)
        waits = sdk.points("skilljar.scheduler.wait")
        assert sum(p.count for p in waits) == 2
        assert max(p.max for p in waits) == pytest.approx(2.0)
        assert waits[0].attributes["skilljar.priority"] == "foreground"
        [throttled] = sdk.points("skilljar.throttled")
        assert throttled.value == 1
        assert throttled.attributes == {"skilljar.call_type": "read", "unexpected": True}
        remaining = {
            (p.attributes["skilljar.call_type"], p.attributes["skilljar.window"]): p.value
            for p in sdk.points("skilljar.budget.remaining")
        }
        snapshot = sk.scheduler.snapshot()
        assert remaining[("read", 60.0)] == snapshot[CallType.READ].windows[0].remaining
        assert remaining[("modify", 3600.0)] == snapshot[CallType.MODIFY].windows[1].remaining
        depth = sdk.points("skilljar.queue.depth")
        assert {p.attributes["skilljar.call_type"] for p in depth} == {"read", "modify", "remove"}
        assert all(p.value == 0 for p in depth)


async def test_nothing_recorded_without_an_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the API's no-op providers the client starts no span and records nothing."""
    telemetry = _otel.Telemetry(trace.NoOpTracerProvider, metrics.NoOpMeterProvider)
    monkeypatch.setattr(_otel, "_current", telemetry)
    async with SkilljarClient("k", transport=replies(OK)) as sk:
        await sk.request("GET", "/ping")
    assert not telemetry.active()
    assert telemetry.tracer is None


async def test_sdk_configured_after_the_client_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """An SDK set up after the client was made is picked up on the next request."""
    current: list[Any] = [trace.NoOpTracerProvider()]
    made = Sdk()
    telemetry = _otel.Telemetry(lambda: current[0], lambda: made.meter_provider)
    monkeypatch.setattr(_otel, "_current", telemetry)
    current[0] = trace.NoOpTracerProvider()
    async with SkilljarClient("k", transport=replies(OK, OK)) as sk:
        await sk.request("GET", "/ping")
        current[0] = made.tracer_provider
        await sk.request("GET", "/ping")
    assert len(made.finished()) == 1


def test_absent_api_imports_nothing() -> None:
    """Without opentelemetry-api the client works and imports nothing of it."""
    code = (
        "import sys; sys.modules['opentelemetry'] = None\n"
        "import asyncio, skilljar_async\n"
        "from skilljar_async import _otel\n"
        "from skilljar_async.testing import MockTransport\n"
        "from skilljar_async.transport import Response\n"
        "async def main():\n"
        "    mock = MockTransport(lambda r: Response.from_json({}))\n"
        "    async with skilljar_async.SkilljarClient('k', transport=mock) as sk:\n"
        "        await sk.request('GET', '/ping')\n"
        "asyncio.run(main())\n"
        "assert _otel.telemetry() is None\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_does_not_load_opentelemetry() -> None:
    """``import skilljar_async`` leaves OpenTelemetry unloaded until a client is made."""
    code = "import sys, skilljar_async; print('opentelemetry' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        ("https://u:pw@api.example.com/v1/x", None, "https://api.example.com/v1/x"),
        (
            "https://api.example.com/v1/x?page=2",
            {"q": "a"},
            "https://api.example.com/v1/x?page=2&q=a",
        ),
        (
            "https://files.example.com/a.zip?X-Amz-Signature=abc&X-Amz-Credential=def&v=1",
            None,
            "https://files.example.com/a.zip?X-Amz-Signature=<redacted>"
            "&X-Amz-Credential=<redacted>&v=1",
        ),
        ("https://x.example.com/h?token=t1", None, "https://x.example.com/h?token=<redacted>"),
    ],
)
def test_safe_url(url: str, params: dict[str, str] | None, expected: str) -> None:
    """url.full drops credentials and redacts presigned and secret query values."""
    assert _otel.safe_url(url, params) == expected


def test_request_type_is_what_the_span_reads() -> None:
    """The span reads the request's URL and params as the transport sends them."""
    request = Request("GET", "https://api.example.com/v1/ping", {}, {"a": "1"})
    assert _otel.safe_url(request.url, request.params) == "https://api.example.com/v1/ping?a=1"


SECRETS = {
    "key": "sk-live-SECRET-KEY-1",
    "webhook": "WEBHOOK-PASSWORD-2",
    "target": "SECRET-TARGET-3",
    "token": "LOGIN-TOKEN-4",
    "download": "DOWNLOAD-SIG-5",
    "redis": "REDIS-PASSWORD-6",
}


def secret_server(request: Request) -> Response:
    """Answers with secrets in bodies, headers and links, after a 429, a 503 and a 400."""
    path, count = request.path, len(seen_paths)
    seen_paths.append(path)
    if count == 0:
        return Response(429, {"Retry-After": "1"})
    if count == 1:
        return Response(503)
    if path.endswith("/webhooks/w1"):
        body = {
            "id": "w1",
            "target_url": f"https://hooks.example.com/{SECRETS['target']}",
            "basic_auth_password": SECRETS["webhook"],
        }
        return Response.from_json(body)
    if path.endswith("/login-token"):
        return Response.from_json({"token": SECRETS["token"], "detail": "bad"}, status=400)
    sig = f"X-Amz-Signature={SECRETS['download']}"
    return Response.from_json(
        {"results": [{"download_url": f"https://files.example.com/a.zip?{sig}"}], "next": None}
    )


seen_paths: list[str] = []


async def test_no_secret_reaches_logs_events_or_spans(
    sdk: Sdk, caplog: pytest.LogCaptureFixture
) -> None:
    """A run with 429s, retries, errors and a Redis outage leaks no secret anywhere."""
    from skilljar_async import SlidingWindowScheduler, ValidationError
    from skilljar_async.ratelimit import RedisScheduler

    seen_paths.clear()
    caplog.set_level(logging.DEBUG)
    events: list[Any] = []
    hooks = {name: [events.append] for name in ("request", "response", "retry", "throttle")}
    redis = RedisScheduler(
        f"redis://:{SECRETS['redis']}@127.0.0.1:9/0",
        api_key=SECRETS["key"],
        fallback=SlidingWindowScheduler(),
    )
    mock = MockTransport(secret_server)
    async with SkilljarClient(
        SECRETS["key"], transport=mock, scheduler=redis, event_hooks=hooks
    ) as sk:
        await sk.request("GET", "/webhooks/w1")
        with pytest.raises(ValidationError):
            await sk.request("POST", "/users/u1/login-token", json={})
        await sk.request("GET", f"/assets?X-Amz-Signature={SECRETS['download']}")
    await redis.aclose()
    formatter = logging.Formatter("%(name)s %(message)s")
    haystack = [formatter.format(record) for record in caplog.records]
    haystack += [repr(event) for event in events]
    haystack += [span.to_json() for span in sdk.finished()]
    assert any("Redis" in line for line in haystack)  # the outage was logged
    assert any("Retrying" in line for line in haystack)
    assert any("429" in h for h in haystack)
    assert len(sdk.finished()) >= 5
    for name, secret in SECRETS.items():
        leaks = [line for line in haystack if secret in line]
        assert not leaks, f"the {name} secret leaked: {leaks[0]}"


def paged(request: Request) -> Response:
    """Three pages of two rows, linked by ``next``."""
    page = int(request.query.get("page", "1"))
    nxt = f"https://api.skilljar.com/v1/users?page={page + 1}" if page < 3 else None
    return Response.from_json({"count": 6, "next": nxt, "results": [{"id": page}] * 2})


async def test_paginator_scan_is_one_parent_span(sdk: Sdk) -> None:
    """Every page's attempt, read-ahead included, nests in one span for the whole scan."""
    async with SkilljarClient("k", transport=MockTransport(paged)) as sk:
        rows = [row async for row in sk.paginate("/users")]
    assert len(rows) == 6
    spans = sdk.finished()
    [scan] = [s for s in spans if s.name == "paginate"]
    pages = [s for s in spans if s.name == "GET /users"]
    assert len(pages) == 3
    assert all(p.parent is not None and p.parent.span_id == scan.context.span_id for p in pages)
    assert scan.status.status_code is trace.StatusCode.UNSET
    assert scan.end_time is not None
    assert scan.end_time >= max(p.end_time or 0 for p in pages)


async def test_bulk_job_is_one_parent_span(sdk: Sdk) -> None:
    """A bulk job's requests nest in one span for the whole job."""
    from skilljar_async import bulk

    async with SkilljarClient("k", transport=MockTransport(lambda r: OK)) as sk:
        summary = await bulk.run(
            sk, ["a", "b", "c"], lambda item: sk.request("GET", f"/users/{item}"), key=str
        )
    assert summary.succeeded == 3
    spans = sdk.finished()
    [job] = [s for s in spans if s.name == "bulk job"]
    calls = [s for s in spans if s.name == "GET /users/{user_id}"]
    assert len(calls) == 3
    assert all(c.parent is not None and c.parent.span_id == job.context.span_id for c in calls)


async def test_spans_without_parent_outside_a_scan(sdk: Sdk) -> None:
    """A single request's span is a root span (no operation around it)."""
    async with SkilljarClient("k", transport=replies(OK)) as sk:
        await sk.request("GET", "/ping")
    [span] = sdk.finished()
    assert span.parent is None


GLOBAL_SDK = """
import asyncio
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from skilljar_async import SkilljarClient
from skilljar_async.testing import MockTransport
from skilljar_async.transport import Response

async def main():
    mock = MockTransport(lambda r: Response.from_json({}))
    async with SkilljarClient("k", transport=mock) as sk:
        await sk.request("GET", "/ping")  # no SDK yet: no span
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        await sk.request("GET", "/users/u1")
    print([span.name for span in exporter.get_finished_spans()])

asyncio.run(main())
"""


def test_global_provider_set_after_the_client_is_used() -> None:
    """The client follows the global tracer provider, even one set after its first request."""
    out = subprocess.run(
        [sys.executable, "-c", GLOBAL_SDK], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['GET /users/{user_id}']"


async def test_cancelled_attempt_ends_its_span(sdk: Sdk) -> None:
    """A request cancelled while in flight still ends its span, marked CancelledError."""
    import asyncio

    gate = asyncio.Event()

    async def hang(request: Request) -> Response:
        await gate.wait()
        return OK

    async with SkilljarClient("k", transport=MockTransport(hang)) as sk:
        call = asyncio.ensure_future(sk.request("GET", "/ping"))
        await asyncio.sleep(1)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
    [span] = sdk.finished()
    assert dict(span.attributes or {})["error.type"] == "CancelledError"
    assert "http.response.status_code" not in dict(span.attributes or {})
