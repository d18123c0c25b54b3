"""What a client tells the outside world: log records, event hooks and telemetry.

Quiet until asked. Loggers live under ``skilljar_async`` and the library adds no
handler (``SKILLJAR_LOG=debug|info`` adds one on stderr). Hooks and
OpenTelemetry cost nothing per attempt unless something listens: `Observer.watch`
returns ``None`` then, and the client's loop skips every step below.

Nothing here ever sees the API key: events and records carry the method, the
path *template* (``/users/{user_id}``: no ids, no query) and numbers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import attrs

from . import _otel
from ._http import Request, Response, TransportError
from .ratelimit import CallType, Scheduler

__all__ = [
    "HOOK_NAMES",
    "Attempt",
    "EventHook",
    "Observer",
    "RequestEvent",
    "path_template",
    "setup_logging",
]

log: Final = logging.getLogger("skilljar_async.client")

EventKind = Literal["request", "response", "retry", "throttle"]
HOOK_NAMES: Final[tuple[EventKind, ...]] = ("request", "response", "retry", "throttle")


@attrs.frozen(kw_only=True)
class RequestEvent:
    """One moment of one request attempt, as event hooks receive it.

    ``request`` fires when the attempt leaves (its slot granted); ``response``
    when it ends, with `status` or `error`; ``retry`` before the client waits
    `delay` seconds to try again (5xx, 408, a connection failure); ``throttle``
    when a 429 pauses the call type for `delay` seconds.
    """

    kind: EventKind
    attempt: int  #: 1 for the first attempt of a call
    call_type: CallType
    method: str
    url_template: str  #: the path template, e.g. ``/users/{user_id}``
    queue_wait: float = 0.0  #: seconds this attempt waited for its rate slot
    status: int | None = None
    elapsed: float | None = None  #: seconds from the slot's grant to the response
    error: str | None = None  #: the failure's type name (``TimeoutError``, …), if any
    delay: float | None = None  #: retry/throttle: seconds before the next attempt
    reason: str | None = None  #: retry: why (``status 503``, ``timeout``, …)
    unexpected: bool | None = None  #: throttle: whether known usage did not explain it


EventHook = Callable[[RequestEvent], "Awaitable[None] | None"]


def setup_logging(env: Mapping[str, str] = os.environ) -> None:
    """Add a stderr handler to the ``skilljar_async`` logger when ``SKILLJAR_LOG`` asks for one."""
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(
        env.get("SKILLJAR_LOG", "").strip().lower()
    )
    root = logging.getLogger("skilljar_async")
    if level is None or any(getattr(h, "_skilljar", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s %(levelname)s %(name)s] %(message)s"))
    handler._skilljar = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


class Observer:
    """A client's listeners: its hooks, the debug log and OpenTelemetry when configured."""

    __slots__ = ("__weakref__", "base_path", "budget_id", "hooks", "otel", "reported", "templates")

    def __init__(
        self,
        hooks: Mapping[str, Sequence[EventHook]] | None,
        base_url: str,
        otel: _otel.Telemetry | None,
        budget_id: str = "",
    ) -> None:
        self.hooks: dict[str, tuple[EventHook, ...]] = _check_hooks(hooks or {})
        self.base_path = urlsplit(base_url).path.rstrip("/")
        self.otel = otel
        self.templates: dict[tuple[str, str], str] = {}
        self.budget_id = budget_id  #: names this budget on the gauges (a hash, not the key)
        self.reported: Scheduler | None = None

    def watch(
        self, request: Request, call_type: CallType, priority: int, scheduler: Scheduler
    ) -> Attempt | None:
        """An `Attempt` tracker when anything listens to every attempt, else None (cheap)."""
        otel = self.otel
        traced = otel is not None and otel.active()
        if not (self.hooks or traced or log.isEnabledFor(logging.DEBUG)):
            return None
        if traced and scheduler is not self.reported:
            self.reported = scheduler
            _otel.watch_scheduler(self)
        return Attempt(self, request, call_type, priority, otel if traced else None)

    def template(self, method: str, url: str) -> str:
        """The path template of `url` (cached: a client sends the same paths again)."""
        key = (method, url)
        found = self.templates.get(key)
        if found is None:
            path = urlsplit(url).path
            if self.base_path and path.startswith(self.base_path):
                path = path[len(self.base_path) :]
            found = path_template(method, path)
            if len(self.templates) >= 1024:
                self.templates.clear()
            self.templates[key] = found
        return found


class Attempt:
    """One call's observation across its attempts: times, hook events, spans, metrics."""

    __slots__ = (
        "attempt",
        "call_type",
        "granted_at",
        "observer",
        "otel",
        "priority",
        "queued_at",
        "request",
        "span",
        "template",
    )

    def __init__(
        self,
        observer: Observer,
        request: Request,
        call_type: CallType,
        priority: int,
        otel: _otel.Telemetry | None,
    ) -> None:
        self.observer = observer
        self.request = request
        self.call_type = call_type
        self.priority = priority
        self.otel = otel
        self.template = observer.template(request.method, request.url)
        self.attempt = 0
        self.queued_at = self.granted_at = 0.0
        self.span: Any = None

    def queued(self, attempt: int) -> None:
        """The attempt asks for its slot now."""
        self.attempt = attempt
        self.queued_at = asyncio.get_running_loop().time()

    async def sent(self) -> None:
        """The slot is granted: the attempt leaves."""
        self.granted_at = now = asyncio.get_running_loop().time()
        wait = now - self.queued_at
        if self.otel is not None:
            self.span = self.otel.start(
                self.request, self.template, self.call_type, self.attempt, wait
            )
        if "request" in self.observer.hooks:
            await self.emit(self.event("request", queue_wait=wait))

    async def done(self, outcome: Response | TransportError) -> None:
        """The attempt ended with a response or a transport failure."""
        elapsed = asyncio.get_running_loop().time() - self.granted_at
        wait = self.granted_at - self.queued_at
        if isinstance(outcome, Response):
            status: int | None = outcome.status
            error = str(status) if outcome.status >= 400 else None
        else:
            status, error = None, _failure_name(outcome)
        log.debug(
            "%s %s -> %s in %.3fs (queued %.3fs, attempt %d)",
            self.request.method,
            self.template,
            status if status is not None else error,
            elapsed,
            wait,
            self.attempt,
        )
        if self.otel is not None:
            self.otel.finish(
                self.span,
                self.request.method,
                self.call_type,
                self.priority,
                status,
                error,
                elapsed,
                wait,
            )
            self.span = None
        if "response" in self.observer.hooks:
            event = self.event(
                "response", queue_wait=wait, status=status, elapsed=elapsed, error=error
            )
            await self.emit(event)

    def aborted(self, exc: BaseException) -> None:
        """The attempt ended with neither a response nor a transport failure (e.g. cancelled).

        No hook runs (the task may be cancelled); the span ends with the error's type.
        """
        elapsed = asyncio.get_running_loop().time() - self.granted_at
        error = type(exc).__name__
        log.debug("%s %s -> %s after %.3fs", self.request.method, self.template, error, elapsed)
        if self.otel is not None:
            wait = self.granted_at - self.queued_at
            self.otel.finish(
                self.span, self.request.method, self.call_type, self.priority,
                None, error, elapsed, wait,
            )  # fmt: skip
            self.span = None

    def event(self, kind: EventKind, **fields: Any) -> RequestEvent:
        """An event of this attempt."""
        return RequestEvent(
            kind=kind,
            attempt=self.attempt,
            call_type=self.call_type,
            method=self.request.method,
            url_template=self.template,
            **fields,
        )

    async def emit(self, event: RequestEvent) -> None:
        """Run the hooks for `event`; one that raises is logged and the request goes on."""
        for hook in self.observer.hooks.get(event.kind, ()):
            try:
                result = hook(event)
                if result is not None:  # an async hook's coroutine (or any awaitable)
                    await result
            except Exception:
                log.warning("%s event hook %r raised; ignored", event.kind, hook, exc_info=True)


async def retrying(
    observer: Observer,
    attempt: Attempt | None,
    request: Request,
    call_type: CallType,
    *,
    number: int,
    reason: str,
    delay: float,
) -> None:
    """Log (INFO) and announce a retry about to wait `delay` seconds."""
    template = attempt.template if attempt else observer.template(request.method, request.url)
    log.info(
        "Retrying %s %s in %.2f seconds (%s, attempt %d)",
        request.method,
        template,
        delay,
        reason,
        number,
    )
    if attempt is not None:
        await attempt.emit(attempt.event("retry", delay=delay, reason=reason))


async def throttled(
    observer: Observer,
    attempt: Attempt | None,
    request: Request,
    call_type: CallType,
    *,
    unexpected: bool | None,
    delay: float,
) -> None:
    """Log (WARNING), count and announce a 429 that pauses `call_type` for `delay` seconds."""
    log.warning(
        "429 on %s calls: pausing them %.2f seconds (%s; %s %s)",
        call_type.value,
        delay,
        {True: "unexpected: others spend this budget", False: "expected"}.get(
            unexpected,  # type: ignore[arg-type]
            "cause unknown",
        ),
        request.method,
        attempt.template if attempt else observer.template(request.method, request.url),
    )
    if observer.otel is not None:
        observer.otel.throttled(call_type, unexpected)
    if attempt is not None:
        await attempt.emit(attempt.event("throttle", delay=delay, unexpected=unexpected))


def unexpected_by_snapshot(
    scheduler: Scheduler, call_type: CallType, retry_after: float | None
) -> bool | None:
    """Whether this side's known use left room for the 429 (None if the scheduler cannot say).

    For schedulers that do not learn from 429s themselves (`BudgetScheduler.throttled`).
    """
    try:
        lane = scheduler.snapshot().lanes[call_type]
    except Exception:  # a scheduler that cannot describe itself: say nothing
        return None
    return lane.unexpected_429(retry_after)


def _failure_name(failure: TransportError) -> str:
    return "TimeoutError" if failure.timeout else "ConnectionError"


def _check_hooks(hooks: Mapping[str, Sequence[EventHook]]) -> dict[str, tuple[EventHook, ...]]:
    out: dict[str, tuple[EventHook, ...]] = {}
    for name, funcs in hooks.items():
        if name not in HOOK_NAMES:
            raise ValueError(f"unknown event hook {name!r}: expected one of {HOOK_NAMES}")
        funcs = tuple(funcs)
        for func in funcs:
            if not callable(func):
                raise TypeError(f"event hook {name!r} got {func!r}, which is not callable")
        if funcs:
            out[name] = funcs
    return out


# --------------------------------------------------------------------------- path templates

_Matcher = list[tuple[re.Pattern[str], str]]
_MATCHERS: dict[str, _Matcher] = {}


def path_template(method: str, path: str) -> str:
    """The catalogue's template for `path` (``/users/{user_id}``), or `path` with ids masked."""
    if not _MATCHERS:
        _load_matchers()
    for pattern, template in _MATCHERS.get(method.upper(), ()):
        if pattern.fullmatch(path):
            return template
    # Not an operation of the catalogue: keep the low-cardinality look of a template.
    return "/".join("{id}" if any(c.isdigit() for c in s) else s for s in path.split("/"))


def _load_matchers() -> None:
    import json
    from importlib import resources

    text = resources.files("skilljar_async._data").joinpath("operations.json").read_text()
    found: dict[str, list[tuple[int, re.Pattern[str], str]]] = {}
    for op in json.loads(text):
        template = op["path"].removeprefix("/v1")
        parts = re.split(r"(\{[^}/]+\})", template)
        regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        # Literal segments win over parameters: "/users/me" before "/users/{id}".
        found.setdefault(op["method"], []).append(
            (template.count("{"), re.compile(regex + "/?"), template)
        )
    for method, rows in found.items():
        rows.sort(key=lambda row: row[0])
        _MATCHERS[method] = [(pattern, template) for _, pattern, template in rows]
