"""The client over a mocked transport: headers, retries, 429s, read-only, registry, paging."""

import asyncio
import gc
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

from skilljar_async import (
    APIConnectionError,
    CallType,
    PermissionDeniedError,
    RateLimitError,
    RateLimits,
    ServerError,
    SkilljarClient,
    SkilljarError,
    SlidingWindowScheduler,
    Window,
)

BASE = "https://api.skilljar.com/v1"
pytestmark = pytest.mark.looptime


def sent(mock: aioresponses, method: str = "GET") -> list[Any]:
    return [call for (m, _), calls in mock.requests.items() if m == method for call in calls]


async def test_missing_key_fails_before_any_io(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key and no SKILLJAR_API_KEY is a clear error at construction."""
    monkeypatch.delenv("SKILLJAR_API_KEY", raising=False)
    with pytest.raises(SkilljarError, match="SKILLJAR_API_KEY"):
        SkilljarClient()


async def test_key_from_environment(
    monkeypatch: pytest.MonkeyPatch, mock_http: aioresponses
) -> None:
    """The key falls back to SKILLJAR_API_KEY and is sent as Basic auth."""
    monkeypatch.setenv("SKILLJAR_API_KEY", "sk-live-abcdeg")
    mock_http.get(f"{BASE}/ping", body=b"")
    async with SkilljarClient() as client:
        assert await client.request("GET", "/ping") is None
    headers = sent(mock_http)[0].kwargs["headers"]
    assert headers["Authorization"] == "Basic c2stbGl2ZS1hYmNkZWc6"
    assert headers["Accept"] == "application/json"
    assert "sk-live" not in repr(client)


async def test_get_is_retried_after_5xx(mock_http: aioresponses) -> None:
    """A GET that fails with 502 twice then succeeds returns the result."""
    mock_http.get(f"{BASE}/domains/x", status=502, body=b"<html>502</html>")
    mock_http.get(f"{BASE}/domains/x", status=503)
    mock_http.get(f"{BASE}/domains/x", payload={"name": "x"})
    async with SkilljarClient("k") as client:
        assert await client.request("GET", "/domains/x") == {"name": "x"}
    assert len(sent(mock_http)) == 3


async def test_retries_give_up_with_attempt_count(mock_http: aioresponses) -> None:
    """After max_retries the typed error reports every attempt."""
    for _ in range(3):
        mock_http.get(f"{BASE}/domains/x", status=500, payload={"detail": "boom"})
    async with SkilljarClient("k", max_retries=2) as client:
        with pytest.raises(ServerError) as info:
            await client.request("GET", "/domains/x")
    assert info.value.attempts == 3
    assert info.value.status == 500


async def test_post_is_not_retried_after_5xx(mock_http: aioresponses) -> None:
    """A POST that may have run is never repeated."""
    mock_http.post(f"{BASE}/webhooks", status=502)
    async with SkilljarClient("k") as client:
        with pytest.raises(ServerError):
            await client.request("POST", "/webhooks", json={"target_url": "https://x"})
    assert len(sent(mock_http, "POST")) == 1


async def test_post_after_dropped_connection_is_not_retried(mock_http: aioresponses) -> None:
    """A dropped connection may hide an executed write: the POST fails, once."""
    mock_http.post(f"{BASE}/webhooks", exception=aiohttp.ServerDisconnectedError())
    async with SkilljarClient("k") as client:
        with pytest.raises(APIConnectionError) as info:
            await client.request("POST", "/webhooks", json={})
    assert info.value.attempts == 1


async def test_post_never_sent_is_retried(mock_http: aioresponses) -> None:
    """A POST that could not connect cannot have run, so it is retried."""
    refused = aiohttp.ClientConnectorError(
        aiohttp.client_reqrep.ConnectionKey("h", 443, True, True, None, None, None),
        OSError(111, "refused"),
    )
    mock_http.post(f"{BASE}/webhooks", exception=refused)
    mock_http.post(f"{BASE}/webhooks", status=201, payload={"id": "w1"})
    async with SkilljarClient("k") as client:
        assert await client.request("POST", "/webhooks", json={}) == {"id": "w1"}


async def test_idempotent_post_is_retried(mock_http: aioresponses) -> None:
    """A naturally idempotent create is retried after an ambiguous failure."""
    mock_http.post(f"{BASE}/domains/d/users", status=502)
    mock_http.post(f"{BASE}/domains/d/users", status=201, payload={"id": "u"})
    async with SkilljarClient("k") as client:
        assert await client._request("POST", "/domains/d/users", json={}, idempotent=True)


async def test_429_pauses_the_call_type_then_retries(mock_http: aioresponses) -> None:
    """A 429 pauses that call type for Retry-After, then the call goes through."""
    mock_http.get(
        f"{BASE}/users/u",
        status=429,
        headers={"Retry-After": "30"},
        payload={"status_code": 429, "reason": "Too Many Requests"},
    )
    mock_http.get(f"{BASE}/users/u", payload={"id": "u"})
    loop = asyncio.get_running_loop()
    async with SkilljarClient("k") as client:
        t0 = loop.time()
        assert await client.request("GET", "/users/u") == {"id": "u"}
        assert loop.time() - t0 == pytest.approx(30.0)
        assert not client.scheduler.snapshot()[CallType.READ].probing


async def test_429_even_for_post_is_retried(mock_http: aioresponses) -> None:
    """A throttled POST was not executed, so it is always retried."""
    mock_http.post(f"{BASE}/webhooks", status=429, headers={"Retry-After": "1"})
    mock_http.post(f"{BASE}/webhooks", status=201, payload={"id": "w"})
    async with SkilljarClient("k") as client:
        assert await client.request("POST", "/webhooks", json={}) == {"id": "w"}


async def test_429_wait_cap_raises(mock_http: aioresponses) -> None:
    """Past the waiting cap a 429 becomes RateLimitError with retry_after."""
    for _ in range(3):
        mock_http.get(f"{BASE}/ping", status=429, headers={"Retry-After": "40"})
    async with SkilljarClient("k", max_rate_limit_wait=60) as client:
        with pytest.raises(RateLimitError) as info:
            await client.request("GET", "/ping")
    assert info.value.retry_after == 40.0
    assert info.value.attempts == 2


async def test_read_only_write_spends_nothing(mock_http: aioresponses) -> None:
    """With read_only=True a write raises before any slot or byte."""
    async with SkilljarClient("k", read_only=True) as client:
        with pytest.raises(PermissionDeniedError, match="read_only"):
            await client.request("DELETE", "/webhooks/w")
        snap = client.scheduler.snapshot()[CallType.REMOVE]
    assert snap.windows[0].used == 0
    assert mock_http.requests == {}


async def test_clients_share_one_budget(mock_http: aioresponses) -> None:
    """Same key and base URL in one loop → one scheduler; other keys → another."""
    a, b, c = SkilljarClient("k"), SkilljarClient("k"), SkilljarClient("other")
    assert a.scheduler is b.scheduler
    assert a.scheduler is not c.scheduler
    with pytest.raises(ValueError, match="different rate_limits"):
        _ = SkilljarClient("k", rate_limits=RateLimits.uniform(Window(1, 1.0))).scheduler
    own = SlidingWindowScheduler()
    assert SkilljarClient("k", scheduler=own).scheduler is own
    for client in (a, b, c):
        await client.aclose()


def test_registry_starts_clean_in_each_loop() -> None:
    """A new event loop gets a new scheduler for the same key."""

    async def scheduler_of() -> object:
        async with SkilljarClient("k") as client:
            return client.scheduler

    assert asyncio.run(scheduler_of()) is not asyncio.run(scheduler_of())


async def test_injected_session_is_not_closed(mock_http: aioresponses) -> None:
    """A session passed in belongs to the caller."""
    async with aiohttp.ClientSession() as session:
        async with SkilljarClient("k", session=session):
            pass
        assert not session.closed


async def test_unclosed_client_warns(mock_http: aioresponses) -> None:
    """A client dropped while open is reported with a ResourceWarning."""
    mock_http.get(f"{BASE}/ping", body=b"")
    client = SkilljarClient("k")
    await client.request("GET", "/ping")
    session = client._transport._session
    with pytest.warns(ResourceWarning, match="unclosed"):
        del client
        gc.collect()
    assert session is not None
    await session.close()


async def test_cancelled_while_queued_sends_nothing(mock_http: aioresponses) -> None:
    """A call cancelled while waiting for a slot spends nothing and sends nothing."""
    scheduler = SlidingWindowScheduler(RateLimits.uniform(Window(1, 60.0)))
    mock_http.get(f"{BASE}/ping", body=b"")
    async with SkilljarClient("k", scheduler=scheduler) as client:
        await client.request("GET", "/ping")
        task = asyncio.ensure_future(client.request("GET", "/ping"))
        await asyncio.sleep(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        snap = scheduler.snapshot()[CallType.READ]
    assert (snap.queued, snap.windows[0].used) == (0, 1)
    assert len(sent(mock_http)) == 1


async def test_paginator_follows_next_and_reports_total(mock_http: aioresponses) -> None:
    """Pages are followed verbatim; await gives the first page with the total."""
    mock_http.get(
        f"{BASE}/domains?page_size=2",
        payload={
            "count": 3,
            "next": f"{BASE}/domains?page=2&page_size=2",
            "previous": None,
            "results": [{"name": "a"}, {"name": "b"}],
        },
        repeat=True,
    )
    mock_http.get(
        f"{BASE}/domains?page=2&page_size=2",
        payload={"count": 3, "next": None, "previous": None, "results": [{"name": "c"}]},
    )
    async with SkilljarClient("k") as client:
        first = await client.paginate("/domains", page_size=2)
        assert (first.total, len(first.items), first.next_url) == (
            3,
            2,
            f"{BASE}/domains?page=2&page_size=2",
        )
        names = [row["name"] async for row in client.paginate("/domains", page_size=2)]
        assert names == ["a", "b", "c"]
        few = [row["name"] async for row in client.paginate("/domains", page_size=2, max_items=1)]
        assert few == ["a"]


async def test_paginator_refuses_foreign_next(mock_http: aioresponses) -> None:
    """A next link to another origin is refused: the key never leaves the API's origin."""
    mock_http.get(
        f"{BASE}/domains",
        payload={"count": 2, "next": "https://evil.example.com/v1/domains?page=2", "results": [{}]},
    )
    async with SkilljarClient("k") as client:
        with pytest.raises(SkilljarError, match="another origin"):
            _ = [row async for row in client.paginate("/domains")]


async def test_failed_page_can_be_resumed(mock_http: aioresponses) -> None:
    """A page failing after retries names the resume URL; resume_from continues there."""
    page2 = f"{BASE}/domains?page=2"
    mock_http.get(f"{BASE}/domains", payload={"count": 2, "next": page2, "results": [{"n": 1}]})
    mock_http.get(page2, status=404, payload={"detail": "Not found."})
    mock_http.get(page2, payload={"count": 2, "next": None, "results": [{"n": 2}]})
    seen: list[int] = []
    async with SkilljarClient("k") as client:
        with pytest.raises(SkilljarError) as info:
            async for row in client.paginate("/domains"):
                seen.append(row["n"])
        assert (info.value.resume_from, info.value.items_yielded) == (page2, 1)
        async for row in client.paginate("/domains", resume_from=info.value.resume_from):
            seen.append(row["n"])
    assert seen == [1, 2]


async def test_bare_array_is_one_page(mock_http: aioresponses) -> None:
    """An endpoint answering a bare JSON array yields one page without a total."""
    mock_http.get(f"{BASE}/users/u/published-courses", payload=[{"id": 1}, {"id": 2}])
    async with SkilljarClient("k") as client:
        page = await client.paginate("/users/u/published-courses")
    assert (len(page.items), page.total, page.next_url) == (2, None, None)


@pytest.mark.parametrize("size", [0, 1001, -1, True, 2.5])
async def test_page_size_is_validated(size: Any) -> None:
    """page_size outside 1..1000 is a ValueError before any request."""
    async with SkilljarClient("k") as client:
        with pytest.raises(ValueError, match="page_size"):
            client.paginate("/domains", page_size=size)


async def test_any_success_ends_probing(mock_http: aioresponses) -> None:
    """A success from a call that never saw the 429 still ends the probe for everyone."""
    async with SkilljarClient("k") as client:
        client.scheduler.pause(CallType.READ, 0.0, probe=True)  # as another call's 429 would
        mock_http.get(f"{BASE}/ping", body=b"")
        await client.request("GET", "/ping")
        assert not client.scheduler.probing(CallType.READ)
