"""Resources over the real client and a mocked transport: the two halves fit together."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aioresponses import aioresponses

from skilljar_async import SkilljarClient
from skilljar_async.models import DomainAccess, Enrollment, UserOverview
from skilljar_async.resources import Domains, Ping, Users

BASE = "https://api.skilljar.com/v1"


def sent(mock: aioresponses, method: str) -> list[Any]:
    """Every request the mock saw with `method`, in order."""
    return [call for (m, _), calls in mock.requests.items() if m == method for call in calls]


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


async def test_cursor_listing_yields_models(mock_http: aioresponses) -> None:
    """`users.list` follows the cursor link and yields `UserOverview` rows."""
    next_url = f"{BASE}/users?cursor=cD0y&page_size=2"
    mock_http.get(
        f"{BASE}/users?is_inactive=false&page_size=2",
        payload={"next": next_url, "previous": None, "results": [user_row("a"), user_row("b")]},
    )
    mock_http.get(next_url, payload={"next": None, "previous": None, "results": [user_row("c")]})
    async with SkilljarClient("k") as client:
        rows = [row async for row in Users(client).list(is_inactive=False, page_size=2)]
    assert [row.user.id for row in rows] == ["a", "b", "c"]
    assert all(isinstance(row, UserOverview) for row in rows)


async def test_bare_array_listing_is_one_page(mock_http: aioresponses) -> None:
    """The unpaginated published-courses array comes through as one page of models."""
    mock_http.get(
        f"{BASE}/users/u1/published-courses",
        payload=[{"published_course_id": "pc1", "course_progress": {"score": 3}}],
    )
    async with SkilljarClient("k") as client:
        items = [item async for item in Users(client).published_courses.list("u1")]
    assert [(i.published_course_id, i.course_progress.score) for i in items] == [("pc1", 3)]


async def test_enrollment_create_sends_json(mock_http: aioresponses) -> None:
    """A create sends its JSON body and structures the 201 answer."""
    url = f"{BASE}/domains/learn.example.com/published-courses/pc1/enrollments"
    mock_http.post(url, status=201, payload={"id": "e1", "user": {"id": "u1"}, "active": True})
    async with SkilljarClient("k") as client:
        enrollment = await Domains(client).published_courses.enrollments.create(
            "learn.example.com",
            "pc1",
            user_id="u1",
            enrolled_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        )
    assert isinstance(enrollment, Enrollment)
    assert sent(mock_http, "POST")[0].kwargs["json"] == {
        "user": {"id": "u1"},
        "enrolled_at": "2024-01-01T00:00:00+00:00",
    }


async def test_update_and_ping(mock_http: aioresponses) -> None:
    """A PATCH sends the enum's value; the empty ping answer is accepted."""
    mock_http.patch(f"{BASE}/domains/learn.example.com", payload={"name": "learn.example.com"})
    mock_http.get(f"{BASE}/ping", body=b"")
    async with SkilljarClient("k") as client:
        domain = await Domains(client).partial_update("learn.example.com", access="PUBLIC")
        await Ping(client)()
    assert domain.name == "learn.example.com"
    assert len(sent(mock_http, "GET")) == 1
    assert sent(mock_http, "PATCH")[0].kwargs["json"] == {"access": DomainAccess.PUBLIC.value}
