"""Resources over the real client and a mock transport: the two halves fit together."""

from __future__ import annotations

import datetime as dt
from typing import Any

from skilljar_async import SkilljarClient
from skilljar_async.models import DomainAccess, Enrollment, UserOverview
from skilljar_async.resources import Domains, Ping, Users
from skilljar_async.testing import MockTransport
from skilljar_async.transport import Request, Response

BASE = "https://api.skilljar.com/v1"


def answering(*answers: Response) -> MockTransport:
    """A transport answering each request with the next of `answers`."""
    queue = list(answers)
    return MockTransport(lambda request: queue.pop(0))


def sent(mock: MockTransport, method: str) -> list[Request]:
    """Every request the mock saw with `method`, in order."""
    return [request for request in mock.requests if request.method == method]


def user_row(user_id: str) -> dict[str, Any]:
    """A `/v1/users` row."""
    return {
        "user": {"id": user_id, "email": f"{user_id}@example.com"},
        "registration_count": 1,
        "completion_count": 0,
        "signed_up_at": "2024-01-01T00:00:00Z",
        "latest_activity": None,
        "inactive_at": None,
    }


async def test_cursor_listing_yields_models() -> None:
    """`users.list` follows the cursor link and yields `UserOverview` rows."""
    next_url = f"{BASE}/users?cursor=cD0y&page_size=2"
    mock = answering(
        Response.from_json(
            {"next": next_url, "previous": None, "results": [user_row("a"), user_row("b")]}
        ),
        Response.from_json({"next": None, "previous": None, "results": [user_row("c")]}),
    )
    async with SkilljarClient("k", transport=mock) as client:
        rows = [row async for row in Users(client).list(is_inactive=False, page_size=2)]
    assert [row.user.id for row in rows] == ["a", "b", "c"]
    assert all(isinstance(row, UserOverview) for row in rows)
    first, second = mock.requests
    assert (first.url, first.query) == (f"{BASE}/users", {"is_inactive": "false", "page_size": "2"})
    assert (second.url, second.params) == (next_url, None)


async def test_bare_array_listing_is_one_page() -> None:
    """The unpaginated published-courses array comes through as one page of models."""
    mock = answering(
        Response.from_json([{"published_course_id": "pc1", "course_progress": {"score": 3}}])
    )
    async with SkilljarClient("k", transport=mock) as client:
        items = [item async for item in Users(client).published_courses.list("u1")]
    assert [(i.published_course_id, i.course_progress.score) for i in items] == [("pc1", 3)]
    assert mock.requests[0].url == f"{BASE}/users/u1/published-courses"


async def test_enrollment_create_sends_json() -> None:
    """A create sends its JSON body and structures the 201 answer."""
    url = f"{BASE}/domains/learn.example.com/published-courses/pc1/enrollments"
    mock = answering(
        Response.from_json({"id": "e1", "user": {"id": "u1"}, "active": True}, status=201)
    )
    async with SkilljarClient("k", transport=mock) as client:
        enrollment = await Domains(client).published_courses.enrollments.create(
            "learn.example.com",
            "pc1",
            user_id="u1",
            enrolled_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        )
    assert isinstance(enrollment, Enrollment)
    (post,) = sent(mock, "POST")
    assert post.url == url
    assert post.json == {
        "user": {"id": "u1"},
        "enrolled_at": "2024-01-01T00:00:00+00:00",
    }


async def test_update_and_ping() -> None:
    """A PATCH sends the enum's value; the empty ping answer is accepted."""
    mock = answering(Response.from_json({"name": "learn.example.com"}), Response(200))
    async with SkilljarClient("k", transport=mock) as client:
        domain = await Domains(client).partial_update("learn.example.com", access="PUBLIC")
        await Ping(client)()
    assert domain.name == "learn.example.com"
    assert [(r.method, r.url) for r in mock.requests] == [
        ("PATCH", f"{BASE}/domains/learn.example.com"),
        ("GET", f"{BASE}/ping"),
    ]
    assert sent(mock, "PATCH")[0].json == {"access": DomainAccess.PUBLIC.value}
