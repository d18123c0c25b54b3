"""The client over a mock transport: headers, retries, 429s, read-only, registry, paging."""

import asyncio
import math
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from skilljar_async import (
    APIConnectionError,
    APITimeoutError,
    BudgetExhaustedError,
    CallType,
    PermissionDeniedError,
    RateLimitError,
    RateLimits,
    ServerError,
    SkilljarClient,
    SkilljarError,
    SlidingWindowScheduler,
    ValidationError,
    Window,
    request_max_queue_wait,
)
from skilljar_async.testing import MockTransport
from skilljar_async.transport import Request, Response, TransportError

BASE = "https://api.skilljar.com/v1"
pytestmark = pytest.mark.looptime


def replies(*answers: Response | TransportError) -> MockTransport:
    """A transport answering each request with the next answer (raising the errors)."""
    queue = list(answers)

    def handler(request: Request) -> Response:
        answer = queue.pop(0)
        if isinstance(answer, TransportError):
            raise answer
        return answer

    return MockTransport(handler)


def routes(table: dict[str, Callable[[Request], Response]]) -> MockTransport:
    """A transport answering by path; an unknown path fails the test."""
    return MockTransport(lambda request: table[request.path](request))


def client(transport: MockTransport, **kwargs: Any) -> SkilljarClient:
    return SkilljarClient(kwargs.pop("api_key", "k"), transport=transport, **kwargs)


EMPTY = Response(200)


async def test_missing_key_fails_before_any_io(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key and no SKILLJAR_API_KEY is a clear error at construction."""
    monkeypatch.delenv("SKILLJAR_API_KEY", raising=False)
    with pytest.raises(SkilljarError, match="SKILLJAR_API_KEY"):
        SkilljarClient()


async def test_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key falls back to SKILLJAR_API_KEY and is sent as Basic auth."""
    monkeypatch.setenv("SKILLJAR_API_KEY", "sk-live-abcdeg")
    mock = replies(EMPTY)
    async with SkilljarClient(transport=mock) as sk:
        assert await sk.request("GET", "/ping") is None
    (sent,) = mock.requests
    assert (sent.method, sent.url, sent.params, sent.json) == ("GET", f"{BASE}/ping", None, None)
    assert sent.headers["Authorization"] == "Basic c2stbGl2ZS1hYmNkZWc6"
    assert sent.headers["Accept"] == "application/json"
    assert "sk-live" not in repr(sk)
    assert "c2stbGl2ZS1hYmNkZWc6" not in repr(sent)


async def test_request_sends_params_and_json() -> None:
    """Query parameters go out as strings (None dropped), the body as JSON."""
    mock = replies(Response.from_json({"id": "w"}, status=201))
    async with client(mock) as sk:
        answer = await sk.request(
            "post", "/webhooks", params={"a": True, "b": None, "c": 3}, json={"x": [1]}
        )
    assert answer == {"id": "w"}
    (sent,) = mock.requests
    assert (sent.method, dict(sent.params or {}), sent.json) == (
        "POST",
        {"a": "true", "c": "3"},
        {"x": [1]},
    )


async def test_get_is_retried_after_5xx() -> None:
    """A GET that fails with 502 twice then succeeds returns the result."""
    mock = replies(
        Response(502, {"Content-Type": "text/html"}, b"<html>502</html>"),
        Response(503),
        Response.from_json({"name": "x"}),
    )
    async with client(mock) as sk:
        assert await sk.request("GET", "/domains/x") == {"name": "x"}
        assert (sk.stats.requests[CallType.READ], sk.stats.retries) == (3, 2)
    assert len(mock.requests) == 3


async def test_retries_give_up_with_attempt_count() -> None:
    """After max_retries the typed error reports every attempt."""
    mock = replies(*[Response.from_json({"detail": "boom"}, status=500)] * 3)
    async with client(mock, max_retries=2) as sk:
        with pytest.raises(ServerError) as info:
            await sk.request("GET", "/domains/x")
    assert info.value.attempts == 3
    assert info.value.status == 500
    assert len(mock.requests) == 3


async def test_post_is_not_retried_after_5xx() -> None:
    """A POST that may have run is never repeated."""
    mock = replies(Response(502), Response(201))
    async with client(mock) as sk:
        with pytest.raises(ServerError):
            await sk.request("POST", "/webhooks", json={"target_url": "https://x"})
    assert len(mock.requests) == 1


async def test_post_after_dropped_connection_is_not_retried() -> None:
    """A dropped connection may hide an executed write: the POST fails, once."""
    mock = replies(TransportError("server closed the connection", sent=True), Response(201))
    async with client(mock) as sk:
        with pytest.raises(APIConnectionError) as info:
            await sk.request("POST", "/webhooks", json={})
    assert info.value.attempts == 1
    assert len(mock.requests) == 1


async def test_post_never_sent_is_retried() -> None:
    """A POST that could not connect cannot have run, so it is retried."""
    mock = replies(
        TransportError("cannot connect", sent=False), Response.from_json({"id": "w1"}, status=201)
    )
    async with client(mock) as sk:
        assert await sk.request("POST", "/webhooks", json={}) == {"id": "w1"}
    assert len(mock.requests) == 2


async def test_timeouts_are_retried_then_raise_api_timeout_error() -> None:
    """A GET that keeps timing out is retried, then raises APITimeoutError (a TimeoutError)."""
    mock = replies(*[TransportError("request timed out", timeout=True, sent=True)] * 3)
    async with client(mock, max_retries=2) as sk:
        with pytest.raises(APITimeoutError) as info:
            await sk.request("GET", "/ping")
    assert isinstance(info.value, TimeoutError)
    assert (info.value.attempts, len(mock.requests)) == (3, 3)


async def test_idempotent_post_is_retried() -> None:
    """A naturally idempotent create is retried after an ambiguous failure."""
    mock = replies(Response(502), Response.from_json({"id": "u"}, status=201))
    async with client(mock) as sk:
        assert await sk._request("POST", "/domains/d/users", json={}, idempotent=True)
    assert len(mock.requests) == 2


async def test_429_pauses_the_call_type_then_retries() -> None:
    """A 429 pauses that call type for Retry-After, then the call goes through."""
    mock = replies(
        Response.from_json(
            {"status_code": 429, "reason": "Too Many Requests"},
            status=429,
            headers={"Retry-After": "30"},
        ),
        Response.from_json({"id": "u"}),
    )
    loop = asyncio.get_running_loop()
    async with client(mock) as sk:
        t0 = loop.time()
        assert await sk.request("GET", "/users/u") == {"id": "u"}
        assert loop.time() - t0 == pytest.approx(30.0)
        assert not sk.scheduler.snapshot()[CallType.READ].probing
        assert sk.stats.throttled == 1


async def test_retry_after_header_is_case_insensitive() -> None:
    """A transport's plain-dict headers are looked up whatever their case."""
    mock = replies(Response(429, {"retry-after": "12"}), EMPTY)
    loop = asyncio.get_running_loop()
    async with client(mock) as sk:
        t0 = loop.time()
        await sk.request("GET", "/ping")
        assert loop.time() - t0 == pytest.approx(12.0)


async def test_429_even_for_post_is_retried() -> None:
    """A throttled POST was not executed, so it is always retried."""
    mock = replies(Response(429, {"Retry-After": "1"}), Response.from_json({"id": "w"}, status=201))
    async with client(mock) as sk:
        assert await sk.request("POST", "/webhooks", json={}) == {"id": "w"}


async def test_429_wait_cap_raises() -> None:
    """Past the waiting cap a 429 becomes RateLimitError with retry_after."""
    mock = replies(*[Response(429, {"Retry-After": "40"})] * 3)
    async with client(mock, max_rate_limit_wait=60) as sk:
        with pytest.raises(RateLimitError) as info:
            await sk.request("GET", "/ping")
    assert info.value.retry_after == 40.0
    assert info.value.attempts == 2


async def test_error_body_secrets_are_redacted() -> None:
    """An error echoing a secret field carries it redacted, in the body and the message."""
    body = {"target_url": "https://hooks.example.com/s3cr3t", "detail": "bad"}
    mock = replies(Response.from_json(body, status=400))
    async with client(mock) as sk:
        with pytest.raises(ValidationError) as info:
            await sk.request("POST", "/webhooks", json={})
    assert "s3cr3t" not in str(info.value)
    assert info.value.body == {"target_url": "<redacted>", "detail": "bad"}


async def test_read_only_write_spends_nothing() -> None:
    """With read_only=True a write raises before any slot or byte."""
    mock = replies()
    async with client(mock, read_only=True) as sk:
        with pytest.raises(PermissionDeniedError, match="read_only"):
            await sk.request("DELETE", "/webhooks/w")
        snap = sk.scheduler.snapshot()[CallType.REMOVE]
    assert snap.windows[0].used == 0
    assert mock.requests == []


async def test_closed_client_sends_nothing() -> None:
    """A request after aclose() is an error, and nothing reaches the transport."""
    mock = replies(EMPTY)
    sk = client(mock)
    await sk.aclose()
    with pytest.raises(SkilljarError, match="closed"):
        await sk.request("GET", "/ping")
    assert mock.requests == []


async def test_clients_share_one_budget() -> None:
    """Same key and base URL in one loop → one scheduler; other keys → another."""
    a, b, c = SkilljarClient("k"), SkilljarClient("k"), SkilljarClient("other")
    assert a.scheduler is b.scheduler
    assert a.scheduler is not c.scheduler
    with pytest.raises(ValueError, match="different rate_limits"):
        _ = SkilljarClient("k", rate_limits=RateLimits.uniform(Window(1, 1.0))).scheduler
    own = SlidingWindowScheduler()
    assert SkilljarClient("k", scheduler=own).scheduler is own
    for each in (a, b, c):
        await each.aclose()


def test_registry_keeps_the_budget_across_loops() -> None:
    """A second asyncio.run() gets the same scheduler, with the window the first one spent."""
    limits = RateLimits.uniform(Window(3, 3600.0))

    async def batch() -> tuple[object, int]:
        async with client(
            MockTransport(lambda r: EMPTY), api_key="k-loops", rate_limits=limits
        ) as sk:
            await sk.request("GET", "/ping")
            return sk.scheduler, sk.scheduler.snapshot()[CallType.READ].windows[0].used

    first, used_first = asyncio.run(batch())
    second, used_second = asyncio.run(batch())
    assert first is second
    assert (used_first, used_second) == (1, 2)


async def test_organization_names_the_budget() -> None:
    """Keys naming one organization share a scheduler; without it each key has its own."""
    a = SkilljarClient("k1", organization="acme")
    b = SkilljarClient("k2", organization="acme")
    c = SkilljarClient("k1")
    d = SkilljarClient("k1", organization="other")
    assert a.scheduler is b.scheduler
    assert len({id(a.scheduler), id(c.scheduler), id(d.scheduler)}) == 3
    for each in (a, b, c, d):
        await each.aclose()


@pytest.mark.parametrize("bad", ["", " acme", "acme\n", "x" * 201, 7])
def test_organization_is_validated(bad: Any) -> None:
    """An empty, padded, unprintable, overlong or non-str organization is refused."""
    with pytest.raises((ValueError, TypeError), match="organization"):
        SkilljarClient("k", organization=bad, transport=MockTransport(lambda r: EMPTY))


async def test_max_queue_wait_raises_with_nothing_sent() -> None:
    """With the window spent, a call that cannot get a slot in time raises; nothing is sent."""
    mock = MockTransport(lambda r: EMPTY)
    limits = RateLimits.uniform(Window(1, 60.0))
    async with client(mock, api_key="k-deadline", rate_limits=limits, max_queue_wait=0.2) as sk:
        await sk.request("GET", "/ping")
        with pytest.raises(BudgetExhaustedError) as caught:
            await sk.request("GET", "/ping")
        assert caught.value.retry_after == pytest.approx(60.0)
        assert len(mock.requests) == 1
        assert sk.stats.requests[CallType.READ] == 1
        token = request_max_queue_wait.set(math.inf)  # this context waits as long as it takes
        try:
            await sk.request("GET", "/ping")
        finally:
            request_max_queue_wait.reset(token)
        assert len(mock.requests) == 2


def test_max_queue_wait_is_validated() -> None:
    """A negative max_queue_wait, or one with a scheduler that cannot fail fast, is refused."""
    mock = MockTransport(lambda r: EMPTY)
    with pytest.raises(ValueError, match="max_queue_wait"):
        client(mock, max_queue_wait=-1.0)

    class Plain:
        """Not a BudgetScheduler."""

    with pytest.raises(ValueError, match="max_queue_wait"):
        client(mock, scheduler=Plain(), max_queue_wait=1.0)


async def test_unexpected_429_is_learned_and_counted_apart() -> None:
    """A 429 with room left is unexpected: counted so, and the scheduler learns outside usage."""
    mock = replies(
        Response(429, {"Retry-After": "1"}), EMPTY, Response(429, {"Retry-After": "1"}), EMPTY
    )
    limits = RateLimits.uniform(Window(10, 1.0))
    async with client(mock, api_key="k-learn", rate_limits=limits) as sk:
        await sk.request("GET", "/ping")
        assert (sk.stats.throttled_unexpected, sk.stats.throttled_expected) == (1, 0)
        window = sk.scheduler.snapshot()[CallType.READ].windows[0]
        assert window.outside > 0
        assert window.effective_limit < 10
        await sk.request("GET", "/ping")
        assert sk.stats.throttled == 2


async def test_injected_session_is_not_closed() -> None:
    """A session passed in belongs to the caller."""
    async with aiohttp.ClientSession() as session:
        async with SkilljarClient("k", session=session):
            pass
        assert not session.closed


async def test_injected_transport_is_not_closed() -> None:
    """A transport passed in belongs to the caller: aclose() leaves it open."""
    mock = replies()
    async with client(mock):
        pass
    assert not mock.closed


@pytest.mark.parametrize("other", [{"session": object()}, {"timeout": 5.0}])
def test_transport_excludes_session_and_timeout(other: dict[str, Any]) -> None:
    """transport= with session= or timeout= is a ValueError: those configure the default."""
    with pytest.raises(ValueError, match="transport="):
        SkilljarClient("k", transport=replies(), **other)


@pytest.mark.parametrize("timeout", [0, -1.0])
def test_timeout_must_be_positive(timeout: float) -> None:
    """A timeout that is not > 0 is refused at construction."""
    with pytest.raises(ValueError, match="timeout"):
        SkilljarClient("k", timeout=timeout)


async def test_cancelled_while_queued_sends_nothing() -> None:
    """A call cancelled while waiting for a slot spends nothing and sends nothing."""
    scheduler = SlidingWindowScheduler(RateLimits.uniform(Window(1, 60.0)))
    mock = MockTransport(lambda request: EMPTY)
    async with client(mock, scheduler=scheduler) as sk:
        await sk.request("GET", "/ping")
        task = asyncio.ensure_future(sk.request("GET", "/ping"))
        await asyncio.sleep(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        snap = scheduler.snapshot()[CallType.READ]
    assert (snap.queued, snap.windows[0].used) == (0, 1)
    assert len(mock.requests) == 1


async def test_every_attempt_holds_a_slot() -> None:
    """The transport runs only inside a slot: one held while each attempt is in flight."""
    scheduler = SlidingWindowScheduler(RateLimits.uniform(Window(10, 60.0)))
    held: list[int] = []

    async def handler(request: Request) -> Response:
        held.append(scheduler.snapshot()[CallType.READ].held)
        return Response(503) if len(held) < 3 else EMPTY

    async with client(MockTransport(handler), scheduler=scheduler) as sk:
        await sk.request("GET", "/ping")
        snap = scheduler.snapshot()[CallType.READ]
    assert held == [1, 1, 1]
    assert (snap.held, snap.windows[0].used) == (0, 3)


async def test_paginator_follows_next_and_reports_total() -> None:
    """Pages are followed verbatim; await gives the first page with the total."""
    page2 = f"{BASE}/domains?page=2&page_size=2"

    def domains(request: Request) -> Response:
        if request.query.get("page") == "2":
            return Response.from_json({"count": 3, "next": None, "results": [{"name": "c"}]})
        assert request.query == {"page_size": "2"}
        rows = [{"name": "a"}, {"name": "b"}]
        return Response.from_json({"count": 3, "next": page2, "previous": None, "results": rows})

    mock = routes({"/v1/domains": domains})
    async with client(mock) as sk:
        first = await sk.paginate("/domains", page_size=2)
        assert (first.total, len(first.items), first.next_url) == (3, 2, page2)
        names = [row["name"] async for row in sk.paginate("/domains", page_size=2)]
        assert names == ["a", "b", "c"]
        few = [row["name"] async for row in sk.paginate("/domains", page_size=2, max_items=1)]
        assert few == ["a"]
    assert page2 in [r.url for r in mock.requests]


async def test_paginator_refuses_foreign_next() -> None:
    """A next link to another origin is refused: the key never leaves the API's origin."""
    evil = "https://evil.example.com/v1/domains?page=2"
    mock = replies(Response.from_json({"count": 2, "next": evil, "results": [{}]}))
    async with client(mock) as sk:
        with pytest.raises(SkilljarError, match="another origin"):
            _ = [row async for row in sk.paginate("/domains")]
    assert all("evil" not in r.url for r in mock.requests)


async def test_failed_page_can_be_resumed() -> None:
    """A page failing after retries names the resume URL; resume_from continues there."""
    page2 = f"{BASE}/domains?page=2"
    mock = replies(
        Response.from_json({"count": 2, "next": page2, "results": [{"n": 1}]}),
        Response.from_json({"detail": "Not found."}, status=404),
        Response.from_json({"count": 2, "next": None, "results": [{"n": 2}]}),
    )
    seen: list[int] = []
    async with client(mock) as sk:
        with pytest.raises(SkilljarError) as info:
            async for row in sk.paginate("/domains"):
                seen.append(row["n"])
        assert (info.value.resume_from, info.value.items_yielded) == (page2, 1)
        async for row in sk.paginate("/domains", resume_from=info.value.resume_from):
            seen.append(row["n"])
    assert seen == [1, 2]
    assert [r.url for r in mock.requests] == [f"{BASE}/domains", page2, page2]


async def test_bare_array_is_one_page() -> None:
    """An endpoint answering a bare JSON array yields one page without a total."""
    mock = replies(Response.from_json([{"id": 1}, {"id": 2}]))
    async with client(mock) as sk:
        page = await sk.paginate("/users/u/published-courses")
    assert (len(page.items), page.total, page.next_url) == (2, None, None)


@pytest.mark.parametrize("size", [0, 1001, -1, True, 2.5])
async def test_page_size_is_validated(size: Any) -> None:
    """page_size outside 1..1000 is a ValueError before any request."""
    mock = replies()
    async with client(mock) as sk:
        with pytest.raises(ValueError, match="page_size"):
            sk.paginate("/domains", page_size=size)
    assert mock.requests == []


async def test_any_success_ends_probing() -> None:
    """A success from a call that never saw the 429 still ends the probe for everyone."""
    async with client(replies(EMPTY)) as sk:
        sk.scheduler.pause(CallType.READ, 0.0, probe=True)  # as another call's 429 would
        await sk.request("GET", "/ping")
        assert not sk.scheduler.probing(CallType.READ)


async def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """SKILLJAR_BASE_URL replaces the default base URL; an explicit base_url wins over it."""
    monkeypatch.setenv("SKILLJAR_BASE_URL", "http://127.0.0.1:8765/v1/")
    mock = replies(EMPTY, EMPTY)
    async with client(mock) as sk:
        assert sk.base_url == "http://127.0.0.1:8765/v1"
        await sk.request("GET", "/ping")
    async with client(mock, base_url="https://eu.example.com/v1") as sk:
        await sk.request("GET", "/ping")
    assert [r.url for r in mock.requests] == [
        "http://127.0.0.1:8765/v1/ping",
        "https://eu.example.com/v1/ping",
    ]
    monkeypatch.setenv("SKILLJAR_BASE_URL", "")
    async with client(replies()) as sk:
        assert sk.base_url == BASE


@pytest.mark.parametrize(
    "url",
    [
        "http://api.example.com/v1",
        "ftp://127.0.0.1/v1",
        "127.0.0.1:8765",
        "http://127.0.0.1.example.com",
    ],
)
async def test_base_url_from_environment_must_not_leak_the_key(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """Plain http from the environment is for loopback only: the key goes with every request."""
    monkeypatch.setenv("SKILLJAR_BASE_URL", url)
    with pytest.raises(ValueError, match="SKILLJAR_BASE_URL"):
        client(replies())


async def test_forget_budgets_starts_afresh(request: pytest.FixtureRequest) -> None:
    """`forget_budgets()` drops the shared budgets; the plugin does it before every test."""
    from skilljar_async import _client

    assert "fresh_skilljar_budgets" in request.fixturenames
    a = SkilljarClient("k-forget")
    first = a.scheduler
    _client.forget_budgets()
    b = SkilljarClient("k-forget")
    assert b.scheduler is not first
    for each in (a, b):
        await each.aclose()
