"""`SkilljarClient`: one shared session, every request through the rate scheduler."""

from __future__ import annotations

import asyncio
import contextvars
import math
import os
import random
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Coroutine, Mapping, Sequence
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
from multidict import CIMultiDict, CIMultiDictProxy

from . import _observe, _otel
from ._budget import API_KEY_ENV as _API_KEY_ENV
from ._budget import BASE_URL_ENV as _BASE_URL_ENV
from ._budget import budget_hash, organization_hash
from ._errors import APIConnectionError, APITimeoutError, PermissionDeniedError, SkilljarError
from ._http import AsyncTransport, Request, Response, TransportError, current_request
from ._lazy import SubResource
from ._pagination import AsyncPaginator
from ._retry import RetryPolicy, done_by_earlier_attempt, retryable_status
from ._sansio import (
    auth_headers,
    check_base_url,
    check_page_size,
    encode_params,
    error_for,
    parse_body,
    parse_retry_after,
    resolve_url,
)
from .ratelimit import BudgetScheduler, CallType, RateLimits, Scheduler, SlidingWindowScheduler

if TYPE_CHECKING:
    import aiohttp

    from ._transport import AiohttpTransport
    from .resources import (
        Assets,
        Courses,
        Domains,
        GroupCategories,
        Groups,
        IltInstructors,
        IltMultiSessionEvents,
        IltSessions,
        Labels,
        LessonProgressRecords,
        Lessons,
        LicensePackages,
        Offers,
        Paths,
        Ping,
        ProgressTokens,
        PromoCodePools,
        PromoCodes,
        Purchases,
        QuestionBanks,
        QuizQuestions,
        Quizzes,
        Tags,
        TrainingCreditCodes,
        Users,
        ViltSessionEvents,
        ViltSessionRegistrations,
        WebHooks,
        WebPackages,
    )

__all__ = [
    "DEFAULT_BASE_URL",
    "CallStats",
    "SkilljarClient",
    "request_max_queue_wait",
    "request_priority",
]

T = TypeVar("T")

DEFAULT_BASE_URL: Final = "https://api.skilljar.com/v1"

#: Scheduler priority for requests made in this context (bulk jobs run below 0).
request_priority: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "skilljar_request_priority", default=None
)

#: Longest wait for a rate slot for requests made in this context, in seconds,
#: overriding the client's `max_queue_wait` (``math.inf``: wait as long as it takes).
request_max_queue_wait: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "skilljar_request_max_queue_wait", default=None
)


@attrs.define
class CallStats:
    """What a client has sent: requests per call type, 429s seen, retries made.

    A 429 is *expected* when the scheduler already knew others spend the window
    (its outside estimate explains it) and *unexpected* otherwise: evidence of
    another integration spending the organization's budget, which the scheduler
    then learns. A scheduler that does not learn counts every 429 unexpected.
    """

    requests: dict[CallType, int] = attrs.Factory(lambda: dict.fromkeys(CallType, 0))
    retries: int = 0
    throttled_expected: int = 0
    throttled_unexpected: int = 0

    @property
    def throttled(self) -> int:
        """Every 429 seen, expected or not."""
        return self.throttled_expected + self.throttled_unexpected


class SkilljarClient:
    """An asyncio client for the Skilljar REST API v1.

    Every request takes a slot from the organization's rate scheduler, goes
    through the transport (one aiohttp session unless ``transport=`` supplies
    another, such as `skilljar_async.testing.MockTransport`) and maps failures
    to typed errors. Use it as ``async with SkilljarClient() as client:`` or
    call `aclose()` when done.

    The API key defaults to the ``SKILLJAR_API_KEY`` environment variable and
    the base URL to ``SKILLJAR_BASE_URL`` (https, or http on loopback such as
    the local emulator), else Skilljar's API (`DEFAULT_BASE_URL`).

    Resources hang off the client and follow the API's paths:
    ``client.domains.published_courses.enrollments.create(domain, course_id, user_id=...)``.

    Skilljar's limits are per organization, not per key or client: every
    client in the process that names the same `organization` and base URL
    shares one scheduler, whatever key it uses, across event loops and
    threads. Without `organization` the API key stands for its organization,
    so name it when several keys of one organization run in one process.
    Pass ``scheduler=`` to choose one yourself (e.g. a `RedisScheduler` to
    share the budget between processes).

    `max_queue_wait` (seconds) bounds how long a request may wait for a rate
    slot: when the budget cannot grant one in time the call raises
    `BudgetExhaustedError` at once, with nothing sent (a web handler can turn
    it into a 503 with ``Retry-After``). `request_max_queue_wait` overrides it
    in a context.

    ``event_hooks={"request": [...], "response": [...], "retry": [...],
    "throttle": [...]}`` calls each hook (sync or async) with a
    `RequestEvent`: ``request`` as an attempt leaves (its rate slot granted),
    ``response`` when it ends (a status or a transport failure), ``retry``
    before waiting to try again, ``throttle`` when a 429 pauses its call type.
    Async hooks are awaited in line; a hook that raises is logged and ignored.
    """

    # Resources: each is built, and its module imported, on first access.
    assets: SubResource[Assets] = SubResource("._generated._assets", "Assets")
    courses: SubResource[Courses] = SubResource("._courses", "Courses")
    domains: SubResource[Domains] = SubResource("._domains", "Domains")
    group_categories: SubResource[GroupCategories] = SubResource(
        "._generated._groups", "GroupCategories"
    )
    groups: SubResource[Groups] = SubResource("._generated._groups", "Groups")
    ilt_instructors: SubResource[IltInstructors] = SubResource("._generated._ilt", "IltInstructors")
    ilt_multi_session_events: SubResource[IltMultiSessionEvents] = SubResource(
        "._generated._ilt", "IltMultiSessionEvents"
    )
    ilt_sessions: SubResource[IltSessions] = SubResource("._generated._ilt", "IltSessions")
    labels: SubResource[Labels] = SubResource("._generated._labels", "Labels")
    lesson_progress: SubResource[LessonProgressRecords] = SubResource(
        "._generated._progress", "LessonProgressRecords"
    )
    lessons: SubResource[Lessons] = SubResource("._generated._lessons", "Lessons")
    license_packages: SubResource[LicensePackages] = SubResource(
        "._generated._license_packages", "LicensePackages"
    )
    offers: SubResource[Offers] = SubResource("._generated._commerce", "Offers")
    paths: SubResource[Paths] = SubResource("._generated._paths", "Paths")
    ping: SubResource[Ping] = SubResource("._ping", "Ping")
    progresstokens: SubResource[ProgressTokens] = SubResource(
        "._generated._progress", "ProgressTokens"
    )
    promo_code_pools: SubResource[PromoCodePools] = SubResource(
        "._generated._promo_codes", "PromoCodePools"
    )
    promo_codes: SubResource[PromoCodes] = SubResource("._generated._promo_codes", "PromoCodes")
    purchases: SubResource[Purchases] = SubResource("._generated._commerce", "Purchases")
    question_banks: SubResource[QuestionBanks] = SubResource(
        "._generated._quizzes", "QuestionBanks"
    )
    quiz_questions: SubResource[QuizQuestions] = SubResource(
        "._generated._quizzes", "QuizQuestions"
    )
    quizzes: SubResource[Quizzes] = SubResource("._generated._quizzes", "Quizzes")
    tags: SubResource[Tags] = SubResource("._generated._labels", "Tags")
    training_credit_codes: SubResource[TrainingCreditCodes] = SubResource(
        "._generated._commerce", "TrainingCreditCodes"
    )
    users: SubResource[Users] = SubResource("._users", "Users")
    vilt_session_events: SubResource[ViltSessionEvents] = SubResource(
        "._generated._ilt", "ViltSessionEvents"
    )
    vilt_session_registrations: SubResource[ViltSessionRegistrations] = SubResource(
        "._generated._ilt", "ViltSessionRegistrations"
    )
    web_packages: SubResource[WebPackages] = SubResource("._generated._assets", "WebPackages")
    webhooks: SubResource[WebHooks] = SubResource("._webhooks", "WebHooks")

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        rate_limits: RateLimits | None = None,
        scheduler: Scheduler | None = None,
        session: aiohttp.ClientSession | None = None,
        transport: AsyncTransport | None = None,
        timeout: float | None = None,
        max_retries: int = 3,
        read_only: bool = False,
        max_rate_limit_wait: float = 900.0,
        priority: int = 0,
        organization: str | None = None,
        max_queue_wait: float | None = None,
        event_hooks: Mapping[str, Sequence[_observe.EventHook]] | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(_API_KEY_ENV)
        if not key or not isinstance(key, str):
            raise SkilljarError(
                f"no API key: pass api_key=... or set the {_API_KEY_ENV} environment variable"
            )
        if scheduler is not None and rate_limits is not None:
            raise ValueError("pass either scheduler= or rate_limits=, not both")
        if transport is not None and (session is not None or timeout is not None):
            raise ValueError(
                "pass either transport= or session=/timeout=, not both: "
                "session= and timeout= configure the default aiohttp transport"
            )
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
        _check_max_queue_wait(max_queue_wait)
        from_env = None
        if base_url is None:
            from_env = os.environ.get(_BASE_URL_ENV) or None
            base_url = from_env or DEFAULT_BASE_URL
        self.base_url = base_url.rstrip("/")
        try:
            check_base_url(self.base_url)  # before the key could be sent in cleartext
        except ValueError as exc:
            if from_env is None:
                raise
            raise ValueError(f"{_BASE_URL_ENV}: {exc}") from None
        resolve_url(self.base_url, "/ping")  # a malformed base URL fails here, not later
        self.read_only = read_only
        self.priority = priority
        # Read-only and case-insensitive once: aiohttp copies such headers as they are.
        self._headers: Mapping[str, str] = CIMultiDictProxy(CIMultiDict(auth_headers(key)))
        self.organization = organization
        self.max_queue_wait = max_queue_wait
        self._key_hash = (
            budget_hash(key, self.base_url)
            if organization is None
            else organization_hash(organization, self.base_url)
        )
        # A BudgetScheduler fails fast and learns from 429s; the shared one always is.
        self._learner: BudgetScheduler | None = (
            scheduler if isinstance(scheduler, BudgetScheduler) else None
        )
        if scheduler is not None and self._learner is None and max_queue_wait is not None:
            raise ValueError(
                f"max_queue_wait needs a scheduler that can fail fast; {scheduler!r} cannot"
            )
        self._rate_limits = rate_limits
        self._scheduler = scheduler
        self._retry = RetryPolicy(max_retries=max_retries, rate_limit_max_wait=max_rate_limit_wait)
        self._rng = random.Random()
        self._urls: dict[str, str] = {}  # path -> URL
        # The transport we create is ours to close; an injected one is the caller's.
        self._own_transport: AiohttpTransport | None = None
        if transport is None:
            from ._transport import AiohttpTransport  # aiohttp only when it is used

            transport = self._own_transport = AiohttpTransport(
                session, timeout=60.0 if timeout is None else timeout
            )
        self._transport: AsyncTransport = transport
        self._closed = False
        self.stats = CallStats()
        _observe.setup_logging()
        self._observer = _observe.Observer(
            event_hooks, self.base_url, _otel.telemetry(), self._key_hash[:12]
        )

    def __repr__(self) -> str:
        return f"<SkilljarClient {self.base_url} read_only={self.read_only}>"

    async def __aenter__(self) -> SkilljarClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session this client created (an injected session or transport stays open)."""
        self._closed = True
        if self._own_transport is not None:
            await self._own_transport.aclose()

    def __del__(self, _warn: Callable[..., None] = warnings.warn) -> None:
        own = getattr(self, "_own_transport", None)
        if own is not None and own.is_open:
            _warn(f"unclosed {self!r}: use 'async with' or aclose()", ResourceWarning, source=self)

    @property
    def scheduler(self) -> Scheduler:
        """The rate scheduler this client's requests go through."""
        if self._scheduler is None:
            shared = _shared_scheduler(self, self._key_hash, self._rate_limits)
            self._scheduler = self._learner = shared
        return self._scheduler

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one request and return the parsed JSON body (None when empty).

        `path` is relative to `base_url` (``"/users"``) or an absolute URL on
        the same origin. POSTs are retried only when that cannot duplicate a write.
        A DELETE retried after an attempt that may have reached the server (a
        timeout, a dropped connection, a 5xx) and answered 404 returns None: the
        earlier attempt deleted it. A 3xx is an `APIStatusError`: no redirect is followed.
        """
        return await self._request(method, path, params=params, json=json)

    def paginate(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[dict[str, Any]]:
        """Stream a list endpoint's rows as dicts; see `AsyncPaginator`."""
        return self._paginate(
            path,
            parse=_as_row,
            params=params,
            page_size=page_size,
            max_items=max_items,
            resume_from=resume_from,
        )

    def _paginate(
        self,
        path: str,
        *,
        parse: Callable[[Any], T],
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
        read_ahead: bool = True,
    ) -> AsyncPaginator[T]:
        check_page_size(page_size)
        if resume_from is not None:
            url, query = resolve_url(self.base_url, resume_from), None
        else:
            url = resolve_url(self.base_url, path)
            query = dict(params or {})
            if page_size is not None:
                query["page_size"] = page_size
        return AsyncPaginator(
            self._fetch_page,
            url,
            parse=parse,
            params=query or None,
            max_items=max_items,
            read_ahead=read_ahead,
        )

    async def _fetch_page(self, url: str, params: Mapping[str, Any] | None) -> Any:
        return await self._request("GET", url, params=params)

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool = False,
        priority: int | None = None,
    ) -> Coroutine[Any, Any, Any]:
        """Check the call now (before any slot is spent) and return the coroutine sending it.

        A plain function, so a call costs one coroutine frame, `_send`'s, not two.
        """
        call_type = _CALL_TYPES.get(method)
        if call_type is None:
            method = method.upper()
            call_type = CallType.of(method)
        url = self._urls.get(path) or self._resolve(path)
        if self.read_only and call_type is not CallType.READ:
            raise PermissionDeniedError(
                "read_only=True: this client never sends writes",
                status=403,
                method=method,
                url=url,
            )
        if self._closed:
            raise SkilljarError("the client is closed", method=method, url=url)
        if priority is None:
            priority = request_priority.get()
            if priority is None:
                priority = self.priority
        query = encode_params(params) if params else None
        frozen = None if query is None else MappingProxyType(query)
        request = Request(method, url, self._headers, frozen, json)
        return self._send(request, call_type, priority, idempotent)

    def _resolve(self, path: str) -> str:
        """`resolve_url`, remembered: a client sends the same paths again and again."""
        url = resolve_url(self.base_url, path)
        if len(self._urls) >= _URL_CACHE_SIZE:
            self._urls.clear()  # ids in paths make the set unbounded: start over
        self._urls[path] = url
        return url

    async def _send(
        self, request: Request, call_type: CallType, priority: int, idempotent: bool
    ) -> Any:
        """Attempts until a result or an error, each one holding a scheduler slot."""
        scheduler = self._scheduler or self.scheduler
        learner = self._learner  # the scheduler, when it fails fast and learns from 429s
        max_wait = request_max_queue_wait.get()
        if max_wait is None:
            max_wait = self.max_queue_wait
        if max_wait is None or max_wait == math.inf or learner is None:
            slot = scheduler.slot(call_type, priority=priority)
        else:
            slot = learner.slot(call_type, priority=priority, max_wait=max_wait)
        handle = self._transport.handle
        stats = self.stats
        failures: _Failures | None = None  # made at the first failure, if any
        # None unless hooks, telemetry or the debug log listen: then no step below costs.
        watch = self._observer.watch(request, call_type, priority, scheduler)
        attempts = 0
        while True:
            attempts += 1
            if watch is not None:
                watch.queued(attempts)
            async with slot:  # BudgetExhaustedError here: nothing was sent
                # Counted once the request leaves: a call cancelled in the queue sent nothing.
                stats.requests[call_type] += 1
                if attempts > 1:
                    stats.retries += 1
                if watch is not None:
                    await watch.sent()
                try:
                    response: Response | TransportError = await handle(request)
                except TransportError as exc:
                    response = exc
                except BaseException as exc:  # cancelled, or a transport's own bug
                    if watch is not None:
                        watch.aborted(exc)
                    raise
            if watch is not None:
                await watch.done(response)
            if isinstance(response, TransportError):
                failures = failures or _Failures(self, request, idempotent, call_type, watch)
                await failures.after_failure(response, attempts)
            elif response.status < 300:
                if learner is not None:  # ends probing and lets the outside estimate decay
                    learner.succeeded(call_type)
                # Any success ends probing, whichever call saw the 429.
                elif (failures is not None and failures.throttles) or scheduler.probing(call_type):
                    scheduler.recover(call_type)
                current_request.set(request)  # names the request if its body does not parse
                return parse_body(response.body)
            else:
                failures = failures or _Failures(self, request, idempotent, call_type, watch)
                if done_by_earlier_attempt(
                    request.method, response.status, may_have_arrived=failures.may_have_arrived
                ):
                    return None  # a retried DELETE: the first attempt deleted it
                await failures.after_status(response, attempts, scheduler, call_type)


#: The methods as the resources spell them, for a lookup instead of a parse.
_CALL_TYPES: Final = {m: CallType.of(m) for m in ("GET", "POST", "PUT", "PATCH", "DELETE")}
_URL_CACHE_SIZE: Final = 256


class _Failures:
    """One call's failures so far: backoffs, 429 pauses, or the error to raise."""

    __slots__ = (
        "call_type",
        "client",
        "failures",
        "first_throttle",
        "idempotent",
        "may_have_arrived",
        "request",
        "throttles",
        "watch",
    )

    def __init__(
        self,
        client: SkilljarClient,
        request: Request,
        idempotent: bool,
        call_type: CallType,
        watch: _observe.Attempt | None,
    ) -> None:
        self.client = client
        self.request = request
        self.idempotent = idempotent
        self.call_type = call_type
        self.watch = watch
        self.failures = 0  # 5xx/408/connection failures (429s are counted apart)
        self.throttles = 0
        self.first_throttle: float | None = None
        self.may_have_arrived = False  # an attempt the server may have carried out

    async def after_failure(self, failure: TransportError, attempts: int) -> None:
        """Back off before another attempt, or raise when that could duplicate a write."""
        client = self.client
        method, url = self.request.method, self.request.url
        self.failures += 1
        self.may_have_arrived |= failure.sent
        if not client._retry.may_retry(
            method, attempts=self.failures, sent=failure.sent, idempotent=self.idempotent
        ):
            cls = APITimeoutError if failure.timeout else APIConnectionError
            raise cls(str(failure), method=method, url=url, attempts=attempts)
        delay = client._retry.backoff(self.failures, client._rng)
        reason = "timeout" if failure.timeout else "connection error"
        await self.retrying(attempts, reason, delay)
        await asyncio.sleep(delay)

    async def retrying(self, attempts: int, reason: str, delay: float) -> None:
        """Log and announce the retry about to wait `delay` seconds."""
        await _observe.retrying(
            self.client._observer,
            self.watch,
            self.request,
            self.call_type,
            number=attempts + 1,
            reason=reason,
            delay=delay,
        )

    async def after_status(
        self, response: Response, attempts: int, scheduler: Scheduler, call_type: CallType
    ) -> None:
        """Pause the call type after a 429, back off after a 5xx, or raise the typed error."""
        client = self.client
        policy = client._retry
        method = self.request.method
        status = response.status
        retry_after = parse_retry_after(response.header("Retry-After"), now=time.time())
        if status == 429:
            # The slot is released: the scheduler counts the call exactly once.
            learner = client._learner
            unexpected: bool | None
            if learner is not None:
                unexpected = learner.throttled(call_type, retry_after)
            else:
                unexpected = _observe.unexpected_by_snapshot(scheduler, call_type, retry_after)
            if unexpected is False:
                client.stats.throttled_expected += 1
            else:
                client.stats.throttled_unexpected += 1
            self.throttles += 1
            now = asyncio.get_running_loop().time()
            self.first_throttle = self.first_throttle if self.first_throttle is not None else now
            wait = retry_after
            if wait is None:
                wait = policy.rate_limit_pause(self.throttles, client._rng)
            if now + wait - self.first_throttle <= policy.rate_limit_max_wait:
                scheduler.pause(call_type, wait, probe=True)
                await _observe.throttled(
                    client._observer,
                    self.watch,
                    self.request,
                    call_type,
                    unexpected=unexpected,
                    delay=wait,
                )
                return
        elif retryable_status(status):
            self.failures += 1
            self.may_have_arrived = True
            if policy.may_retry(
                method, attempts=self.failures, sent=True, idempotent=self.idempotent
            ):
                delay = policy.backoff(self.failures, client._rng)
                await self.retrying(attempts, f"status {status}", delay)
                await asyncio.sleep(delay)
                return
        body = parse_body(response.body, response.content_type)
        raise error_for(
            status,
            body,
            method=method,
            url=self.request.url,
            attempts=attempts,
            retry_after=retry_after,
            location=response.header("Location") if 300 <= status < 400 else None,
        )


def _as_row(item: Any) -> dict[str, Any]:
    return item  # type: ignore[no-any-return]


def _check_max_queue_wait(value: float | None) -> None:
    if value is not None and (isinstance(value, bool) or not value >= 0):
        raise ValueError(f"max_queue_wait must be None or >= 0 seconds, got {value!r}")


class _Budget:
    """One organization's scheduler in the registry and the clients using it."""

    __slots__ = ("clients", "scheduler")

    def __init__(self, scheduler: SlidingWindowScheduler) -> None:
        self.scheduler = scheduler
        self.clients: weakref.WeakSet[SkilljarClient] = weakref.WeakSet()


# budget name -> the organization's scheduler, one per process: every event loop
# and thread shares it (the scheduler joins their clocks). A budget no client
# uses any more stays until its windows are empty (`idle()`), so a script that
# runs one asyncio.run() batch after another keeps the window it has spent.
_REGISTRY: dict[str, _Budget] = {}
_REGISTRY_LOCK = threading.Lock()


def forget_budgets() -> None:
    """Drop every shared budget of the process, as if it had just started.

    The pytest plugin calls it before each test, so each test starts with empty
    windows (clients in one test still share theirs).
    """
    with _REGISTRY_LOCK:
        _REGISTRY.clear()


def _shared_scheduler(
    client: SkilljarClient, name: str, limits: RateLimits | None
) -> SlidingWindowScheduler:
    with _REGISTRY_LOCK:
        for old in [n for n, b in _REGISTRY.items() if not b.clients and b.scheduler.idle()]:
            del _REGISTRY[old]
        budget = _REGISTRY.get(name)
        if budget is not None and limits is not None and budget.scheduler.limits != limits:
            if budget.clients:
                raise ValueError(
                    "another client in this process already uses different rate_limits for "
                    "this organization (or API key) and base URL; Skilljar's budget is per "
                    "organization, so share one scheduler (omit rate_limits, or pass "
                    "scheduler=...)"
                )
            budget = None  # nobody uses it any more: the new limits start afresh
        if budget is None:
            budget = _REGISTRY[name] = _Budget(
                SlidingWindowScheduler(limits or RateLimits.skilljar())
            )
        budget.clients.add(client)
        return budget.scheduler
