"""OpenTelemetry traces and metrics, through the API package on the global providers.

`telemetry()` returns None when ``opentelemetry-api`` is not installed (nothing is
imported then, nothing costs). Otherwise a client traces and measures once the
application configures an SDK: until then the API's providers are proxies and
`Telemetry.active` is False, so the client skips every span and measurement.

Span and attribute names follow the semantic conventions for HTTP clients; the
``skilljar.*`` attributes and instruments are this library's own.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from typing import Any, Final, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._http import Request
from ._sansio import REDACTED, SECRET_KEYS
from ._version import __version__
from .ratelimit import CallType, Scheduler

__all__ = [
    "Reporter",
    "Telemetry",
    "end",
    "operation",
    "safe_url",
    "telemetry",
    "watch_scheduler",
    "within",
]

_NAME: Final = "skilljar_async"
#: Query keys of presigned URLs (S3, CloudFront, GCS): never recorded.
_PRESIGNED: Final = ("x-amz-", "x-goog-", "signature", "sig", "policy", "key-pair-id", "expires")

_UNSET: Any = object()
_current: Any = _UNSET  # Telemetry | None once looked up


def telemetry() -> Telemetry | None:
    """The process's `Telemetry` on the global providers; None without ``opentelemetry-api``."""
    global _current
    if _current is _UNSET:
        try:
            from opentelemetry import metrics, trace
        except ImportError:
            _current = None
        else:
            # The public getters also materialise providers named by OTEL_* variables.
            trace.get_tracer_provider()
            metrics.get_meter_provider()
            internal = getattr(metrics, "_internal", None)
            if hasattr(trace, "_TRACER_PROVIDER") and hasattr(internal, "_METER_PROVIDER"):
                _current = _GlobalTelemetry(trace, internal)
            else:  # a release that moved them: the public getters, slower but right
                _current = Telemetry(trace.get_tracer_provider, metrics.get_meter_provider)
    return _current  # type: ignore[no-any-return]


class Reporter(Protocol):
    """What the gauges read: a live client's scheduler and its budget's short id."""

    reported: Scheduler | None
    budget_id: str  #: a prefix of the budget's hash, never the key


# Clients' observers, held weakly: a closed and collected client drops out by itself.
_REPORTERS: weakref.WeakSet[Any] = weakref.WeakSet()


def watch_scheduler(reporter: Reporter) -> None:
    """Report `reporter`'s scheduler's budget and queues on the observable gauges."""
    _REPORTERS.add(reporter)


class Telemetry:
    """A tracer, a meter and the library's instruments, made on first use."""

    def __init__(self, tracer_provider: Any, meter_provider: Any) -> None:
        # Callables returning the providers: the globals can be set after a client starts.
        self._get_tracer_provider = tracer_provider
        self._get_meter_provider = meter_provider
        self._seen: Any = None
        self._seen_meter: Any = None
        self._active = False
        self.tracer: Any = None
        self._metrics: Any = None
        self._urls: dict[str, dict[str, Any]] = {}

    def active(self) -> bool:
        """Whether an SDK is configured (the API's own providers are proxies or no-ops)."""
        provider = self._get_tracer_provider()
        meter = self._get_meter_provider()
        if provider is not self._seen or meter is not self._seen_meter:
            self._seen, self._seen_meter = provider, meter
            traced, measured = _configured(provider), _configured(meter)
            self._active = traced or measured
            # Either may be configured alone: only a configured one is used.
            self.tracer = provider.get_tracer(_NAME, __version__) if traced else None
            self._metrics = _Instruments(meter.get_meter(_NAME, __version__)) if measured else None
        return self._active

    def start(
        self, request: Request, template: str, call_type: CallType, number: int, queue_wait: float
    ) -> Any:
        """A CLIENT span for attempt `number` of `request`, started now."""
        if self.tracer is None:
            return None
        from opentelemetry.trace import SpanKind

        attributes: dict[str, Any] = {
            "http.request.method": request.method,
            **self._url_attributes(request.url, request.params),
            "url.template": template,
            "skilljar.call_type": call_type.value,
            "skilljar.queue_wait": queue_wait,
        }
        if number > 1:
            attributes["http.request.resend_count"] = number - 1
        name = f"{request.method} {template}"
        return self.tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)

    def _url_attributes(self, url: str, params: Any) -> dict[str, Any]:
        """url.full, server.address and server.port (cached for URLs without params)."""
        found = self._urls.get(url) if not params else None
        if found is None:
            parts = urlsplit(url)
            found = {
                "url.full": safe_url(url, params),
                "server.address": parts.hostname or "",
                "server.port": parts.port or (443 if parts.scheme == "https" else 80),
            }
            if not params:
                if len(self._urls) >= 1024:
                    self._urls.clear()
                self._urls[url] = found
        return found

    def finish(
        self,
        span: Any,
        method: str,
        call_type: CallType,
        priority: int,
        status: int | None,
        error: str | None,
        elapsed: float,
        queue_wait: float,
    ) -> None:
        """End the attempt's span and record its duration and queue wait."""
        if span is not None:
            if status is not None:
                span.set_attribute("http.response.status_code", status)
            if error is not None:
                from opentelemetry.trace import Status, StatusCode

                span.set_attribute("error.type", error)
                span.set_status(Status(StatusCode.ERROR))
            span.end()
        instruments = self._metrics
        if instruments is not None:
            kind = call_type.value
            instruments.duration.record(
                elapsed,
                {
                    "http.request.method": method,
                    "skilljar.call_type": kind,
                    "http.response.status_code": status if status is not None else 0,
                },
            )
            share = "background" if priority < 0 else "foreground"
            instruments.wait.record(
                queue_wait, {"skilljar.call_type": kind, "skilljar.priority": share}
            )

    def throttled(self, call_type: CallType, unexpected: bool | None) -> None:
        """Count a 429."""
        if self.active() and self._metrics is not None:
            self._metrics.throttled.add(
                1, {"skilljar.call_type": call_type.value, "unexpected": bool(unexpected)}
            )


class _GlobalTelemetry(Telemetry):
    """`Telemetry` on the global providers, read from where ``set_*_provider`` puts them.

    The public getters check the environment on every call (about 2 µs, more than
    the rest of an unobserved request's bookkeeping); the two module globals they
    read are None until the application installs a provider.
    """

    def __init__(self, trace_module: Any, metrics_module: Any) -> None:
        super().__init__(
            lambda: trace_module._TRACER_PROVIDER, lambda: metrics_module._METER_PROVIDER
        )
        self._trace = trace_module
        self._metrics_module = metrics_module

    def active(self) -> bool:
        """As `Telemetry.active`, with no function call while nothing changed."""
        if (
            self._trace._TRACER_PROVIDER is self._seen
            and self._metrics_module._METER_PROVIDER is self._seen_meter
        ):
            return self._active
        return super().active()


class _Instruments:
    __slots__ = ("duration", "throttled", "wait")

    def __init__(self, meter: Any) -> None:
        from opentelemetry.metrics import CallbackOptions, Observation

        self.duration = meter.create_histogram(
            "skilljar.client.request.duration", unit="s", description="Each attempt's duration"
        )
        self.wait = meter.create_histogram(
            "skilljar.scheduler.wait", unit="s", description="Time waited for a rate slot"
        )
        self.throttled = meter.create_counter(
            "skilljar.throttled", unit="{response}", description="429 responses"
        )

        def remaining(options: CallbackOptions) -> Iterator[Observation]:
            for _, budget, lane in _lanes():
                for window in lane.windows:
                    attributes = {
                        "skilljar.call_type": lane.call_type.value,
                        "skilljar.window": window.period,
                        "skilljar.budget": budget,
                    }
                    yield Observation(window.remaining, attributes)

        def depth(options: CallbackOptions) -> Iterator[Observation]:
            for _, budget, lane in _lanes():
                attributes = {"skilljar.call_type": lane.call_type.value, "skilljar.budget": budget}
                yield Observation(lane.queued, attributes)

        meter.create_observable_gauge(
            "skilljar.budget.remaining", [remaining], unit="{request}", description="Free slots"
        )
        meter.create_observable_gauge(
            "skilljar.queue.depth", [depth], unit="{request}", description="Calls waiting"
        )


def _lanes() -> Iterator[tuple[Any, str, Any]]:
    """Every watched scheduler's lanes (a `RedisScheduler`'s last-known state)."""
    schedulers = {id(r.reported): (r.reported, r.budget_id) for r in list(_REPORTERS)}
    for scheduler, budget in schedulers.values():
        if scheduler is None:
            continue
        try:
            snapshot = scheduler.snapshot()
        except Exception:  # a scheduler that cannot describe itself is skipped
            continue
        for lane in snapshot.lanes.values():
            yield scheduler, budget, lane


def _configured(provider: Any) -> bool:
    # The API's proxies and no-ops live in the API package; any SDK's provider does not.
    if provider is None:
        return False
    module = type(provider).__module__
    return not module.startswith(("opentelemetry.trace", "opentelemetry.metrics"))


def safe_url(url: str, params: Any = None) -> str:
    """`url` with its query, minus credentials and presigned or secret values."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc += f":{parts.port}"
    query = parse_qsl(parts.query, keep_blank_values=True)
    if params:
        query += list(params.items())
    safe = [(k, REDACTED if _secret(k) else v) for k, v in query]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(safe, safe="<>"), ""))


def _secret(key: str) -> bool:
    lowered = key.lower()
    return lowered in SECRET_KEYS or lowered.startswith(_PRESIGNED)


def operation(
    name: str,
    *,
    url: str | None = None,
    params: Any = None,
    attributes: dict[str, Any] | None = None,
) -> Any:
    """A started INTERNAL span for a whole paginated scan or bulk job; None without an SDK."""
    current = telemetry()
    if current is None or not current.active() or current.tracer is None:
        return None
    from opentelemetry.trace import SpanKind

    attributes = dict(attributes or {})
    if url is not None:
        attributes["url.full"] = safe_url(url, params)
    return current.tracer.start_span(name, kind=SpanKind.INTERNAL, attributes=attributes)


@contextlib.contextmanager
def within(span: Any) -> Iterator[None]:
    """Make `span` the parent of the spans started inside (nothing when `span` is None).

    Enter and leave it within one coroutine, never across a ``yield`` of an async
    generator: the context it attaches belongs to the task running it.
    """
    if span is None:
        yield
        return
    from opentelemetry import context, trace

    token = context.attach(trace.set_span_in_context(span))
    try:
        yield
    finally:
        context.detach(token)


def end(span: Any, error: BaseException | None = None) -> None:
    """End an `operation` span (None: nothing), marking it failed if `error` is given."""
    if span is None:
        return
    if error is not None:
        from opentelemetry.trace import Status, StatusCode

        span.set_attribute("error.type", type(error).__name__)
        span.set_status(Status(StatusCode.ERROR))
    span.end()
