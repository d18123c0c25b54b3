"""The aiohttp side: one request pipeline, in DRF's order.

For every request::

    route ─ unknown path: 404, nothing else (Django never reaches DRF)
    half the latency (the request travels)
    authenticate ─ 401 (missing / unknown key), 403 (read-only key writing)
    faults ─ "error": a proxy answers `error_status` with an HTML page;
             "drop_before": the connection is closed, nothing ran
    throttle ─ per organisation and call type, a sliding log stamped on arrival;
               429 + Retry-After, and a throttled call is not counted
    view ─ 405, 400, 404 or the operation's success
    half the latency (the response travels)
    faults ─ "drop_after": the view ran (a write happened) but the response is lost

The stages are plain function calls inside one handler (cheaper than a chain of
aiohttp middlewares, and the order is explicit). Requests failing auth never get
faults, and only requests that reach the throttle stage can be counted.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import http
import json
import logging
import math
import random
from collections.abc import Iterable
from typing import Any, Literal

import attrs
from aiohttp import web

from ..ratelimit import CallType, RateLimits, SlidingLog
from ._call import EMPTY, ApiError, Call, Reply
from ._catalogue import Operation
from ._handlers import Dispatcher
from ._openapi import openapi_document
from ._routes import Router
from ._special import SPECIAL
from ._store import Store
from ._validate import JSON_NULL, FormBody

log = logging.getLogger("skilljar_async.testing")

__all__ = [
    "EmulatorState",
    "Faults",
    "Limiter",
    "RecordedRequest",
    "build_app",
    "retry_after_seconds",
]

_log = logging.getLogger("skilljar_async.testing")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DropPhase = Literal["both", "before", "after"]


@attrs.frozen
class RecordedRequest:
    """One request the emulator received, and what became of it."""

    method: str
    path: str
    query: dict[str, str]
    status: int | None  #: None when the connection was dropped before any answer
    call_type: CallType
    at: float  #: loop time at which the request reached the API (the rate limiter's stamp)
    throttled: bool  #: answered 429
    fault: str | None  #: "error", "drop_before", "drop_after" or None
    body: Any  #: the parsed request body (None when there was none)
    operation_id: str | None = None  #: None for unrouted paths
    counted: bool = False  #: counted by the rate limiter
    key: str | None = None  #: the API key used, if any


def retry_after_seconds(wait: float) -> int:
    """The Retry-After a 429 carries for `wait` seconds: whole seconds, at least 1."""
    return max(1, math.ceil(wait - 1e-9))


class Limiter:
    """Skilljar's throttle: one sliding log per call type, shared by the whole org."""

    def __init__(self, limits: RateLimits | None) -> None:
        self.limits = limits
        self.logs: dict[CallType, SlidingLog] = {}
        if limits is not None:
            for call_type in CallType:
                windows = limits.for_call_type(call_type)
                if windows:
                    self.logs[call_type] = SlidingLog(windows)
        self.counted: dict[CallType, int] = dict.fromkeys(CallType, 0)
        self.throttled: dict[CallType, int] = dict.fromkeys(CallType, 0)

    def admit(self, call_type: CallType, now: float) -> float:
        """0.0 when the call is counted now, else the seconds until it would be."""
        log = self.logs.get(call_type)
        if log is not None:
            ready = log.ready_at(now)
            if ready > now:
                self.throttled[call_type] += 1
                return ready - now
            log.acquire()
            log.release(now)
        self.counted[call_type] += 1
        return 0.0

    def in_window(self, call_type: CallType, now: float, period: float) -> int:
        """Calls of `call_type` counted in the last `period` seconds (up to the largest limit)."""
        log = self.logs.get(call_type)
        return 0 if log is None else log.in_window(now, period)


@attrs.define
class Faults:
    """What goes wrong, and how often; decisions come from a seeded `random.Random`."""

    error_rate: float = 0.0
    error_status: int = 502
    drop_rate: float = 0.0
    latency: float = 0.0
    drop_phase: DropPhase = "both"
    rng: random.Random = attrs.field(factory=random.Random)
    _drops: int = 0

    def decide(self) -> str | None:
        if self.error_rate and self.rng.random() < self.error_rate:
            return "error"
        if self.drop_rate and self.rng.random() < self.drop_rate:
            if self.drop_phase != "both":
                return "drop_" + self.drop_phase
            self._drops += 1
            return "drop_before" if self._drops % 2 else "drop_after"
        return None


class EmulatorState:
    """Everything the pipeline needs; owned by `SkilljarEmulator`."""

    def __init__(
        self,
        store: Store,
        *,
        api_keys: Iterable[str],
        read_only_keys: Iterable[str],
        limiter: Limiter,
        faults: Faults,
    ) -> None:
        self.store = store
        self.router = Router(store.catalogue.operations)
        self.dispatcher = Dispatcher(store, SPECIAL)
        self.api_keys = frozenset(api_keys)
        self.read_only_keys = frozenset(read_only_keys)
        self.limiter = limiter
        self.faults = faults
        self.requests: list[RecordedRequest] = []
        self.record = True
        self.count_429 = 0


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    data = None if body is EMPTY else json.dumps(body).encode()
    ctype = None if body is EMPTY else "application/json"
    return web.Response(status=status, body=data, content_type=ctype, headers=headers)


def _api_key(header: str | None) -> tuple[bool, str | None]:
    """(credentials given, the key if they are valid Basic ``key:`` credentials)."""
    if not header:
        return False, None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return False, None
    try:
        user, sep, password = base64.b64decode(token.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return True, None
    return True, (user if sep and not password and user else None)


async def _read_body(request: web.Request) -> tuple[Any, ApiError | None]:
    """The body as DRF's JSON, form and multipart parsers read it; 415 for other types."""
    if request.method in SAFE_METHODS or not request.body_exists:
        return None, None
    ctype = request.content_type
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            return FormBody(list((await request.post()).items())), None
        except Exception as exc:  # a malformed body of any kind is DRF's ParseError
            kind = "Multipart form" if ctype.startswith("multipart") else "Form"
            return None, ApiError(400, {"detail": f"{kind} parse error - {exc}"})
    raw = await request.read()
    if ctype not in ("application/json", "application/octet-stream") and raw:
        return None, ApiError(415, {"detail": f'Unsupported media type "{ctype}" in request.'})
    if not raw.strip():
        return None, None
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, ApiError(400, {"detail": f"JSON parse error - {exc}"})
    return (JSON_NULL if parsed is None else parsed), None


@functools.cache
def _openapi_bytes() -> bytes:
    return json.dumps(openapi_document()).encode()


def _drop(request: web.Request) -> web.Response:
    transport = request.transport
    if transport is not None:
        transport.close()
    return web.Response(status=204)


def _proxy_error(status: int) -> web.Response:
    phrase = http.HTTPStatus(status).phrase
    html = f"<html><body><h1>{status} {phrase}</h1></body></html>\n"
    return web.Response(status=status, text=html, content_type="text/html")


class Pipeline:
    """The aiohttp handler serving every path."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    async def handle(self, request: web.Request) -> web.StreamResponse:
        state = self.state
        loop = asyncio.get_running_loop()
        method = request.method
        try:
            call_type = CallType.of(method)
        except ValueError:
            call_type = CallType.READ
        latency = state.faults.latency
        if latency:
            await asyncio.sleep(latency / 2)
        rec: dict[str, Any] = {
            "method": method,
            "path": request.path,
            "query": dict(request.query),
            "status": None,
            "call_type": call_type,
            "at": loop.time(),
            "throttled": False,
            "fault": None,
            "body": None,
        }
        try:
            response = await self._serve(request, rec, call_type)
        finally:
            if state.record:
                state.requests.append(RecordedRequest(**rec))
        if latency:
            await asyncio.sleep(latency / 2)
        if rec["fault"] in ("drop_before", "drop_after"):
            return _drop(request)
        return response

    async def _serve(
        self, request: web.Request, rec: dict[str, Any], call_type: CallType
    ) -> web.StreamResponse:
        state = self.state
        if request.path == "/openapi.json" and request.method in SAFE_METHODS:
            return web.Response(body=_openapi_bytes(), content_type="application/json")
        match = state.router.match(request.path)
        if match is None:
            rec["status"] = 404
            return _json(404, {"detail": "Not found."})
        route, params = match
        method = request.method
        op = route.methods.get("GET" if method == "HEAD" else method)
        headers = {"X-Emulator-Route": op.operation_id if op else route.template}
        rec["operation_id"] = op.operation_id if op else None

        given, key = _api_key(request.headers.get("Authorization"))
        rec["key"] = key
        if key is None or (key not in state.api_keys and key not in state.read_only_keys):
            detail = (
                "Invalid username/password."
                if given
                else "Authentication credentials were not provided."
            )
            headers["WWW-Authenticate"] = 'Basic realm="api"'
            rec["status"] = 401
            return _json(401, {"detail": detail}, headers)
        if key in state.read_only_keys and key not in state.api_keys and method not in SAFE_METHODS:
            rec["status"] = 403
            return _json(
                403, {"detail": "You do not have permission to perform this action."}, headers
            )

        body, body_error = await _read_body(request)
        rec["body"] = None if body is JSON_NULL else body
        fault = state.faults.decide()
        rec["fault"] = fault
        if fault is not None:
            log.debug("emulator: injected fault %r on %s %s", fault, method, route.template)
        if fault == "error":
            rec["status"] = state.faults.error_status
            return _proxy_error(state.faults.error_status)
        if fault == "drop_before":
            return web.Response(status=204)  # never sent: the caller drops the connection

        wait = state.limiter.admit(call_type, rec["at"])  # stamped at arrival
        if wait > 0:
            seconds = retry_after_seconds(wait)
            rec["status"] = 429
            rec["throttled"] = True
            state.count_429 += 1
            log.debug("emulator: 429 on %s %s, Retry-After %d", method, route.template, seconds)
            headers["Retry-After"] = str(seconds)
            detail = f"Request was throttled. Expected available in {seconds} seconds."
            body429 = {"detail": detail, "status_code": 429, "reason": "Too Many Requests"}
            return _json(429, body429, headers)
        rec["counted"] = True

        reply = self._view(request, op, route.template, params, body, body_error)
        rec["status"] = reply.status
        if reply.headers:
            headers.update(reply.headers)
        if reply.status == 405 or method == "OPTIONS":
            headers["Allow"] = route.allow
        if method == "HEAD":
            reply.body = EMPTY
        return _json(reply.status, reply.body, headers)

    def _view(
        self,
        request: web.Request,
        op: Operation | None,
        template: str,
        params: dict[str, str],
        body: Any,
        body_error: ApiError | None,
    ) -> Reply:
        method = request.method
        if method == "OPTIONS":
            parses = [
                "application/json",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ]
            return Reply(200, {"name": template, "renders": ["application/json"], "parses": parses})
        if op is None:
            return Reply(405, {"detail": f'Method "{method}" not allowed.'})
        if body_error is not None:
            return Reply(body_error.status, body_error.body)
        self.state.store.run_due()  # queued processing finishes before the view looks
        ids = tuple(params[name] for name in op.path_params)
        call = Call(op, ids, request.query, body, request.url, self.state.store)
        try:
            return self.state.dispatcher.handlers[op.operation_id](call)
        except ApiError as exc:
            return Reply(exc.status, exc.body)
        except Exception as exc:  # an emulator bug: answer 500 with the reason, like DEBUG=True
            _log.exception("emulator error in %s", op.operation_id)
            detail = f"emulator error in {op.operation_id}: {type(exc).__name__}: {exc}"
            return Reply(500, {"detail": detail})


def build_app(state: EmulatorState) -> web.Application:
    """An aiohttp application serving the emulator on every path."""
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", Pipeline(state).handle)
    return app
