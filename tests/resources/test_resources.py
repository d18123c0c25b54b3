"""Resources against a recording fake client: paths, params, bodies and validation."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs
import pytest

from skilljar_async.models import (
    Course,
    CourseTimeFormat,
    Domain,
    DomainAccess,
    DomainUser,
    Enrollment,
    EnrollmentPurchase,
    Price,
    PublishedCourse,
    PublishedPath,
    PurchaseState,
    SuccessStatus,
    User,
    UserOverview,
    UserPublishedCourseProgress,
    WebHook,
    WebHookEventType,
    WebHookPingResult,
)
from skilljar_async.resources import (
    NOT_GIVEN,
    Courses,
    DomainPublishedCourses,
    DomainPublishedPaths,
    Domains,
    DomainUsers,
    NotGiven,
    Ping,
    PublishedCourseEnrollments,
    PublishedPathEnrollments,
    UserAnonymize,
    UserPublishedCourses,
    Users,
    WebHookPing,
    WebHooks,
)

D = "learn.example.com"
WHEN = dt.datetime(2024, 1, 10, 8, 0, tzinfo=dt.UTC)
WHEN_WIRE = "2024-01-10T08:00:00+00:00"

# One answer that satisfies every model's required fields; the rest lands in `extra`.
CANNED: dict[str, Any] = {
    "id": "x1",
    "name": D,
    "user": {"id": "u1"},
    "target_url": "https://hooks.example.com/in",
    "published_course_id": "pc1",
    "course_progress": {},
}


@attrs.define
class Call:
    """One recorded `_request`."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    idempotent: bool = False


@attrs.define
class PageCall:
    """One recorded `_paginate`."""

    path: str
    parse: Callable[[Any], Any]
    params: Mapping[str, Any] | None = None
    page_size: int | None = None
    max_items: int | None = None
    resume_from: str | None = None


class FakeClient:
    """Implements the client interface resources rely on, recording every call."""

    def __init__(self, answer: Any = None) -> None:
        self.answer: Any = CANNED if answer is None else answer
        self.calls: list[Call | PageCall] = []

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool = False,
    ) -> Any:
        self.calls.append(Call(method, path, params, json, idempotent))
        return None if method == "DELETE" else self.answer

    def _paginate(
        self,
        path: str,
        *,
        parse: Callable[[Any], Any],
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> Any:  # a PageCall standing in for the paginator
        call = PageCall(path, parse, params, page_size, max_items, resume_from)
        self.calls.append(call)
        return call


class Tree:
    """The attribute tree the real client will expose."""

    def __init__(self, fake: FakeClient) -> None:
        self.ping = Ping(fake)
        self.users = Users(fake)
        self.domains = Domains(fake)
        self.courses = Courses(fake)
        self.webhooks = WebHooks(fake)


@pytest.fixture
def fake() -> FakeClient:
    return FakeClient()


@pytest.fixture
def client(fake: FakeClient) -> Tree:
    return Tree(fake)


def only_call(fake: FakeClient) -> Call:
    """Return the single `_request` recorded."""
    assert len(fake.calls) == 1
    call = fake.calls[0]
    assert isinstance(call, Call)
    return call


# --- the attribute tree ----------------------------------------------------------------------


def test_attribute_tree(client: Tree) -> None:
    """Sub-resources hang where the naming rule puts them."""
    assert isinstance(client.users.published_courses, UserPublishedCourses)
    assert isinstance(client.users.anonymize, UserAnonymize)
    assert isinstance(client.domains.users, DomainUsers)
    assert isinstance(client.domains.published_courses, DomainPublishedCourses)
    assert isinstance(client.domains.published_courses.enrollments, PublishedCourseEnrollments)
    assert isinstance(client.domains.published_paths, DomainPublishedPaths)
    assert isinstance(
        client.domains.published_paths.published_path_enrollments, PublishedPathEnrollments
    )
    assert isinstance(client.webhooks.ping, WebHookPing)


def test_resource_repr_hides_the_client(client: Tree) -> None:
    """A resource's repr names only its class."""
    assert repr(client.domains.users) == "<DomainUsers>"


# --- every request-making method -----------------------------------------------------------

Op = Callable[[Tree], Awaitable[Any]]

REQUEST_CASES: list[tuple[str, Op, Call, type[Any] | None]] = [
    ("ping.retrieve", lambda c: c.ping.retrieve(), Call("GET", "/ping"), None),
    ("ping()", lambda c: c.ping(), Call("GET", "/ping"), None),
    ("users.retrieve", lambda c: c.users.retrieve("u1"), Call("GET", "/users/u1"), UserOverview),
    (
        "users.update",
        lambda c: c.users.update("u1", email="a@example.com", last_name="L"),
        Call("PUT", "/users/u1", json={"email": "a@example.com", "last_name": "L"}),
        User,
    ),
    (
        "users.partial_update",
        lambda c: c.users.partial_update("u1", first_name="Ada"),
        Call("PATCH", "/users/u1", json={"first_name": "Ada"}),
        User,
    ),
    (
        "users.anonymize.create",
        lambda c: c.users.anonymize.create("u1"),
        Call("POST", "/users/u1/anonymize"),
        UserOverview,
    ),
    (
        "users.anonymize()",
        lambda c: c.users.anonymize("u1"),
        Call("POST", "/users/u1/anonymize"),
        UserOverview,
    ),
    (
        "users.published_courses.retrieve",
        lambda c: c.users.published_courses.retrieve("u1", "pc1"),
        Call("GET", "/users/u1/published-courses/pc1"),
        UserPublishedCourseProgress,
    ),
    (
        "users.published_courses.update",
        lambda c: c.users.published_courses.update(
            "u1", "pc1", completed_at=WHEN, success_status=SuccessStatus.PASSED, score=9
        ),
        Call(
            "PUT",
            "/users/u1/published-courses/pc1",
            json={
                "course_progress": {
                    "completed_at": WHEN_WIRE,
                    "score": 9,
                    "success_status": "PASSED",
                }
            },
        ),
        UserPublishedCourseProgress,
    ),
    (
        "users.published_courses.partial_update",
        lambda c: c.users.published_courses.partial_update("u1", "pc1", completed_at=None),
        Call(
            "PATCH",
            "/users/u1/published-courses/pc1",
            json={"course_progress": {"completed_at": None}},
        ),
        UserPublishedCourseProgress,
    ),
    ("domains.retrieve", lambda c: c.domains.retrieve(D), Call("GET", f"/domains/{D}"), Domain),
    (
        "domains.update",
        lambda c: c.domains.update(D, access=DomainAccess.PRIVATE, catalog_title="<h1>x</h1>"),
        Call("PUT", f"/domains/{D}", json={"catalog_title": "<h1>x</h1>", "access": "PRIVATE"}),
        Domain,
    ),
    (
        "domains.partial_update",
        lambda c: c.domains.partial_update(D, access="PUBLIC"),
        Call("PATCH", f"/domains/{D}", json={"access": "PUBLIC"}),
        Domain,
    ),
    (
        "domains.users.create",
        lambda c: c.domains.users.create(
            D, email="ada@example.com", first_name="Ada", active=True, expires_at=WHEN
        ),
        Call(
            "POST",
            f"/domains/{D}/users",
            json={
                "user": {"email": "ada@example.com", "first_name": "Ada"},
                "active": True,
                "expires_at": WHEN_WIRE,
            },
            idempotent=True,
        ),
        DomainUser,
    ),
    (
        "domains.users.retrieve",
        lambda c: c.domains.users.retrieve(D, "u1"),
        Call("GET", f"/domains/{D}/users/u1"),
        DomainUser,
    ),
    (
        "domains.users.update",
        lambda c: c.domains.users.update(D, "u1", active=False, access_code_id="ac1"),
        Call("PUT", f"/domains/{D}/users/u1", json={"active": False, "access_code": {"id": "ac1"}}),
        DomainUser,
    ),
    (
        "domains.users.partial_update",
        lambda c: c.domains.users.partial_update(D, "u1", access_code_id=None, expires_at=None),
        Call("PATCH", f"/domains/{D}/users/u1", json={"expires_at": None, "access_code": None}),
        DomainUser,
    ),
    (
        "domains.published_courses.create",
        lambda c: c.domains.published_courses.create(
            D, course_id="c1", slug="intro-to-widgets", hidden=True, registration_starts_at=WHEN
        ),
        Call(
            "POST",
            f"/domains/{D}/published-courses",
            json={
                "course": {"id": "c1"},
                "slug": "intro-to-widgets",
                "hidden": True,
                "registration_starts_at": WHEN_WIRE,
            },
        ),
        PublishedCourse,
    ),
    (
        "domains.published_courses.retrieve",
        lambda c: c.domains.published_courses.retrieve(D, "pc1"),
        Call("GET", f"/domains/{D}/published-courses/pc1"),
        PublishedCourse,
    ),
    (
        "domains.published_courses.update",
        lambda c: c.domains.published_courses.update(D, "pc1", require_all_prerequisites=False),
        Call(
            "PUT",
            f"/domains/{D}/published-courses/pc1",
            json={"require_all_prerequisites": False},
        ),
        PublishedCourse,
    ),
    (
        "domains.published_courses.partial_update",
        lambda c: c.domains.published_courses.partial_update(D, "pc1", slug="new-slug"),
        Call("PATCH", f"/domains/{D}/published-courses/pc1", json={"slug": "new-slug"}),
        PublishedCourse,
    ),
    (
        "domains.published_courses.destroy",
        lambda c: c.domains.published_courses.destroy(D, "pc1"),
        Call("DELETE", f"/domains/{D}/published-courses/pc1"),
        None,
    ),
    (
        "domains.published_courses.enrollments.create",
        lambda c: c.domains.published_courses.enrollments.create(
            D, "pc1", user_id="u1", enrolled_at=WHEN, active=True
        ),
        Call(
            "POST",
            f"/domains/{D}/published-courses/pc1/enrollments",
            json={"user": {"id": "u1"}, "enrolled_at": WHEN_WIRE, "active": True},
            idempotent=True,
        ),
        Enrollment,
    ),
    (
        "domains.published_courses.enrollments.retrieve",
        lambda c: c.domains.published_courses.enrollments.retrieve(D, "pc1", "e1"),
        Call("GET", f"/domains/{D}/published-courses/pc1/enrollments/e1"),
        Enrollment,
    ),
    (
        "domains.published_courses.enrollments.update",
        lambda c: c.domains.published_courses.enrollments.update(D, "pc1", "e1", active=False),
        Call("PUT", f"/domains/{D}/published-courses/pc1/enrollments/e1", json={"active": False}),
        Enrollment,
    ),
    (
        "domains.published_courses.enrollments.partial_update",
        lambda c: c.domains.published_courses.enrollments.partial_update(
            D, "pc1", "e1", expires_at=None
        ),
        Call(
            "PATCH",
            f"/domains/{D}/published-courses/pc1/enrollments/e1",
            json={"expires_at": None},
        ),
        Enrollment,
    ),
    (
        "domains.published_paths.create",
        lambda c: c.domains.published_paths.create(
            D,
            slug="widget-master",
            title="Widget Master",
            course_name_plural="modules",
            hidden=False,
        ),
        Call(
            "POST",
            f"/domains/{D}/published-paths",
            json={
                "slug": "widget-master",
                "path": {"title": "Widget Master", "course_name_plural": "modules"},
                "hidden": False,
            },
        ),
        PublishedPath,
    ),
    (
        "domains.published_paths.retrieve",
        lambda c: c.domains.published_paths.retrieve(D, "pp1"),
        Call("GET", f"/domains/{D}/published-paths/pp1"),
        PublishedPath,
    ),
    (
        "domains.published_paths.update",
        lambda c: c.domains.published_paths.update(D, "pp1", unique_progress_per_enrollment=True),
        Call(
            "PUT",
            f"/domains/{D}/published-paths/pp1",
            json={"unique_progress_per_enrollment": True},
        ),
        PublishedPath,
    ),
    (
        "domains.published_paths.partial_update",
        lambda c: c.domains.published_paths.partial_update(D, "pp1", hidden=True),
        Call("PATCH", f"/domains/{D}/published-paths/pp1", json={"hidden": True}),
        PublishedPath,
    ),
    (
        "domains.published_paths.destroy",
        lambda c: c.domains.published_paths.destroy(D, "pp1"),
        Call("DELETE", f"/domains/{D}/published-paths/pp1"),
        None,
    ),
    (
        "domains.published_paths.published_path_enrollments.create",
        lambda c: c.domains.published_paths.published_path_enrollments.create(
            D, "pp1", user_id="u1", enrolled_at=WHEN
        ),
        Call(
            "POST",
            f"/domains/{D}/published-paths/pp1/published-path-enrollments",
            json={"user": {"id": "u1"}, "enrolled_at": WHEN_WIRE},
            idempotent=True,
        ),
        Enrollment,
    ),
    (
        "domains.published_paths.published_path_enrollments.retrieve",
        lambda c: c.domains.published_paths.published_path_enrollments.retrieve(D, "pp1", "pe1"),
        Call("GET", f"/domains/{D}/published-paths/pp1/published-path-enrollments/pe1"),
        Enrollment,
    ),
    (
        "domains.published_paths.published_path_enrollments.update",
        lambda c: c.domains.published_paths.published_path_enrollments.update(
            D, "pp1", "pe1", expires_at=WHEN
        ),
        Call(
            "PUT",
            f"/domains/{D}/published-paths/pp1/published-path-enrollments/pe1",
            json={"expires_at": WHEN_WIRE},
        ),
        Enrollment,
    ),
    (
        "domains.published_paths.published_path_enrollments.partial_update",
        lambda c: c.domains.published_paths.published_path_enrollments.partial_update(
            D, "pp1", "pe1", active=True
        ),
        Call(
            "PATCH",
            f"/domains/{D}/published-paths/pp1/published-path-enrollments/pe1",
            json={"active": True},
        ),
        Enrollment,
    ),
    (
        "courses.create",
        lambda c: c.courses.create(
            title="Widgets",
            short_description="All about widgets",
            enforce_sequential_navigation=True,
            labels=("beginner", "widgets"),
            course_and_lesson_time_format=CourseTimeFormat.MINUTES_VERBOSE,
        ),
        Call(
            "POST",
            "/courses",
            json={
                "title": "Widgets",
                "short_description": "All about widgets",
                "enforce_sequential_navigation": True,
                "labels": ["beginner", "widgets"],
                "course_and_lesson_time_format": "MINUTES_VERBOSE",
            },
        ),
        Course,
    ),
    ("courses.retrieve", lambda c: c.courses.retrieve("c1"), Call("GET", "/courses/c1"), Course),
    (
        "courses.update",
        lambda c: c.courses.update("c1", title="New", labels=[]),
        Call("PUT", "/courses/c1", json={"title": "New", "labels": []}),
        Course,
    ),
    (
        "courses.partial_update",
        lambda c: c.courses.partial_update("c1", display_manual_course_time=True),
        Call("PATCH", "/courses/c1", json={"display_manual_course_time": True}),
        Course,
    ),
    ("courses.destroy", lambda c: c.courses.destroy("c1"), Call("DELETE", "/courses/c1"), None),
    (
        "webhooks.create",
        lambda c: c.webhooks.create(
            target_url="https://hooks.example.com/in",
            event_type=WebHookEventType.PATH_COMPLETION,
            basic_auth_username="sj",
            basic_auth_password="pw",
            additional_headers={"X-Secret": "s"},
        ),
        Call(
            "POST",
            "/webhooks",
            json={
                "target_url": "https://hooks.example.com/in",
                "event_type": "PATH_COMPLETION",
                "basic_auth_username": "sj",
                "basic_auth_password": "pw",
                "additional_headers": {"X-Secret": "s"},
            },
        ),
        WebHook,
    ),
    (
        "webhooks.retrieve",
        lambda c: c.webhooks.retrieve("w1"),
        Call("GET", "/webhooks/w1"),
        WebHook,
    ),
    (
        "webhooks.update",
        lambda c: c.webhooks.update("w1", event_type=None, active=True),
        Call("PUT", "/webhooks/w1", json={"active": True, "event_type": None}),
        WebHook,
    ),
    (
        "webhooks.partial_update",
        lambda c: c.webhooks.partial_update("w1", event_type="QUIZ_COMPLETION"),
        Call("PATCH", "/webhooks/w1", json={"event_type": "QUIZ_COMPLETION"}),
        WebHook,
    ),
    ("webhooks.destroy", lambda c: c.webhooks.destroy("w1"), Call("DELETE", "/webhooks/w1"), None),
    (
        "webhooks.ping.create",
        lambda c: c.webhooks.ping.create("w1"),
        Call("POST", "/webhooks/w1/ping"),
        WebHookPingResult,
    ),
    (
        "webhooks.ping()",
        lambda c: c.webhooks.ping("w1"),
        Call("POST", "/webhooks/w1/ping"),
        WebHookPingResult,
    ),
]


@pytest.mark.parametrize(
    ("op", "expected", "result_type"),
    [case[1:] for case in REQUEST_CASES],
    ids=[case[0] for case in REQUEST_CASES],
)
async def test_request_is_built_and_answer_structured(
    fake: FakeClient, client: Tree, op: Op, expected: Call, result_type: type[Any] | None
) -> None:
    """Each method sends the expected method, path, body and retry flag, and types the answer."""
    result = await op(client)
    assert only_call(fake) == expected
    if result_type is None:
        assert result is None
    else:
        assert isinstance(result, result_type)


# --- list methods ---------------------------------------------------------------------------

ListOp = Callable[[Tree], Any]

LIST_CASES: list[tuple[str, ListOp, str, dict[str, str] | None, type[Any], dict[str, Any]]] = [
    (
        "users.list",
        lambda c: c.users.list(email="a@example.com", is_inactive=False, page_size=500),
        "/users",
        {"email": "a@example.com", "is_inactive": "false"},
        UserOverview,
        {"page_size": 500},
    ),
    (
        "users.published_courses.list",
        lambda c: c.users.published_courses.list("u1", max_items=3),
        "/users/u1/published-courses",
        None,
        UserPublishedCourseProgress,
        {"max_items": 3},
    ),
    ("domains.list", lambda c: c.domains.list(), "/domains", None, Domain, {}),
    (
        "domains.users.list",
        lambda c: c.domains.users.list(
            D,
            user__email="a@example.com",
            active=True,
            access_code="null",
            include_signup_field_data=True,
            signup_field_label="Company",
        ),
        f"/domains/{D}/users",
        {
            "user__email": "a@example.com",
            "active": "true",
            "access_code": "null",
            "include_signup_field_data": "true",
            "signup_field_label": "Company",
        },
        DomainUser,
        {},
    ),
    (
        "domains.published_courses.list",
        lambda c: c.domains.published_courses.list(D, course__id="c1", search="widgets"),
        f"/domains/{D}/published-courses",
        {"course__id": "c1", "search": "widgets"},
        PublishedCourse,
        {},
    ),
    (
        "domains.published_courses.enrollments.list",
        lambda c: c.domains.published_courses.enrollments.list(
            D, "pc1", resume_from="https://api.skilljar.com/v1/x?page=3"
        ),
        f"/domains/{D}/published-courses/pc1/enrollments",
        None,
        Enrollment,
        {"resume_from": "https://api.skilljar.com/v1/x?page=3"},
    ),
    (
        "domains.published_paths.list",
        lambda c: c.domains.published_paths.list(D, label__name="core"),
        f"/domains/{D}/published-paths",
        {"label__name": "core"},
        PublishedPath,
        {},
    ),
    (
        "domains.published_paths.published_path_enrollments.list",
        lambda c: c.domains.published_paths.published_path_enrollments.list(D, "pp1", page_size=1),
        f"/domains/{D}/published-paths/pp1/published-path-enrollments",
        None,
        Enrollment,
        {"page_size": 1},
    ),
    (
        "courses.list",
        lambda c: c.courses.list(label__name="beginner", page_size=1000),
        "/courses",
        {"label__name": "beginner"},
        Course,
        {"page_size": 1000},
    ),
    (
        "webhooks.list",
        lambda c: c.webhooks.list(max_items=10),
        "/webhooks",
        None,
        WebHook,
        {"max_items": 10},
    ),
]


@pytest.mark.parametrize(
    ("op", "path", "params", "row_type", "paging"),
    [case[1:] for case in LIST_CASES],
    ids=[case[0] for case in LIST_CASES],
)
def test_list_hands_off_to_the_paginator(
    fake: FakeClient,
    client: Tree,
    op: ListOp,
    path: str,
    params: dict[str, str] | None,
    row_type: type[Any],
    paging: dict[str, Any],
) -> None:
    """List methods are plain calls that pass path, filters, paging and a row parser."""
    pager = op(client)
    assert fake.calls == [pager]
    assert isinstance(pager, PageCall)
    assert pager.path == path
    assert pager.params == params
    assert pager.page_size == paging.get("page_size")
    assert pager.max_items == paging.get("max_items")
    assert pager.resume_from == paging.get("resume_from")
    assert isinstance(pager.parse(CANNED), row_type)


# --- validation happens before any request ----------------------------------------------------

BAD_CALLS: list[tuple[str, Callable[[Tree], Any], str]] = [
    ("empty id", lambda c: c.users.retrieve(""), "user_id"),
    ("non-str id", lambda c: c.users.retrieve(123), "user_id"),  # type: ignore[arg-type]
    ("slash in id", lambda c: c.courses.retrieve("c1/../x"), "course_id"),
    ("space in id", lambda c: c.webhooks.destroy("w 1"), "webhook_id"),
    ("empty domain", lambda c: c.domains.retrieve(""), "domain_name"),
    ("upper-case domain", lambda c: c.domains.retrieve("Learn.Example.com"), "domain_name"),
    ("dot-only domain", lambda c: c.domains.users.list(".."), "domain_name"),
    ("slash in domain", lambda c: c.domains.retrieve("a.com/x"), "domain_name"),
    (
        "bad nested id",
        lambda c: c.domains.published_courses.enrollments.retrieve(D, "pc1", "e/1"),
        "enrollment_id",
    ),
    (
        "bad parent id",
        lambda c: c.domains.published_paths.published_path_enrollments.list(D, ""),
        "published_path_id",
    ),
    (
        "bad body id",
        lambda c: c.domains.published_courses.enrollments.create(D, "pc1", user_id="u 1"),
        "user_id",
    ),
    (
        "bad course id",
        lambda c: c.domains.published_courses.create(D, course_id=""),
        "course_id",
    ),
    (
        "bad access code id",
        lambda c: c.domains.users.update(D, "u1", access_code_id=""),
        "access_code_id",
    ),
    ("bad enum", lambda c: c.domains.update(D, access="SECRET"), "PUBLIC, PRIVATE, PRIVATE_CODE"),
    ("bad event type", lambda c: c.webhooks.create(target_url="https://x", event_type="X"), "QUIZ"),
    (
        "bad time format",
        lambda c: c.courses.partial_update("c1", course_and_lesson_time_format="hh"),
        "HOURS_MINUTES",
    ),
    (
        "bad success status",
        lambda c: c.users.published_courses.update("u1", "pc1", success_status="OK"),
        "PASSED, FAILED",
    ),
    (
        "bad purchase state",
        lambda c: c.domains.published_courses.enrollments.create(
            D, "pc1", user_id="u1", purchase=EnrollmentPurchase(purchase_state="PAID")
        ),
        "purchase.purchase_state",
    ),
    ("page_size 0", lambda c: c.users.list(page_size=0), "page_size"),
    ("page_size 1001", lambda c: c.courses.list(page_size=1001), "page_size"),
    ("page_size bool", lambda c: c.webhooks.list(page_size=True), "page_size"),
    ("page_size str", lambda c: c.domains.list(page_size="10"), "page_size"),  # type: ignore[arg-type]
    ("access_code filter", lambda c: c.domains.users.list(D, access_code="abc"), "null"),  # type: ignore[arg-type]
    ("non-str filter", lambda c: c.courses.list(label__name=3), "label__name"),  # type: ignore[arg-type]
    (
        "naive datetime",
        lambda c: c.domains.users.create(D, email="a@b.c", expires_at=dt.datetime(2024, 1, 1)),
        "expires_at",
    ),
    ("empty email", lambda c: c.domains.users.create(D, email=""), "email"),
    (
        "empty path title",
        lambda c: c.domains.published_paths.create(D, slug="s", title=""),
        "title",
    ),
    ("labels as str", lambda c: c.courses.update("c1", labels="beginner"), "labels"),
    ("empty label", lambda c: c.courses.update("c1", labels=["ok", ""]), "labels"),
    ("empty target url", lambda c: c.webhooks.create(target_url=""), "target_url"),
    (
        "headers not a mapping",
        lambda c: c.webhooks.create(target_url="u", additional_headers=["a"]),  # type: ignore[arg-type]
        "additional_headers",
    ),
    (
        "header value not str",
        lambda c: c.webhooks.update("w1", additional_headers={"X-N": 1}),  # type: ignore[dict-item]
        "X-N",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"), [case[1:] for case in BAD_CALLS], ids=[case[0] for case in BAD_CALLS]
)
async def test_bad_arguments_fail_before_any_request(
    fake: FakeClient, client: Tree, call: Callable[[Tree], Any], message: str
) -> None:
    """Invalid arguments raise ValueError naming the problem, and nothing is sent."""
    with pytest.raises(ValueError, match=message) as info:
        result = call(client)
        if hasattr(result, "__await__"):
            await result
    assert fake.calls == []
    assert "<coroutine" not in str(info.value)


async def test_secrets_are_not_echoed_in_validation_errors(fake: FakeClient, client: Tree) -> None:
    """Errors about a target URL or header value do not repeat the secret."""
    with pytest.raises(ValueError) as info:
        await client.webhooks.update("w1", additional_headers={"X-Token": 42})  # type: ignore[dict-item]
    assert "42" not in str(info.value)
    with pytest.raises(ValueError) as info:
        await client.webhooks.update("w1", target_url=b"https://x/?token=SECRET")  # type: ignore[arg-type]
    assert "SECRET" not in str(info.value)


@pytest.mark.parametrize("size", [1, 1000, None])
def test_page_size_bounds_accept(fake: FakeClient, client: Tree, size: int | None) -> None:
    """1 and 1000 are valid page sizes; None leaves it to the paginator."""
    pager: Any = client.users.list(page_size=size)
    assert pager.page_size == size


# --- path quoting -----------------------------------------------------------------------------


async def test_domain_with_port_is_quoted(fake: FakeClient, client: Tree) -> None:
    """Characters outside the unreserved set are percent-encoded in path segments."""
    await client.domains.published_courses.retrieve("localhost:8000", "pc1")
    assert only_call(fake).path == "/domains/localhost%3A8000/published-courses/pc1"


async def test_valid_mixed_case_id_is_accepted(fake: FakeClient, client: Tree) -> None:
    """Ids may hold upper-case letters and digits."""
    await client.webhooks.retrieve("AbC123")
    assert only_call(fake).path == "/webhooks/AbC123"


# --- NOT_GIVEN versus None ----------------------------------------------------------------------


async def test_not_given_fields_are_left_out(fake: FakeClient, client: Tree) -> None:
    """An update with no arguments sends an empty body."""
    await client.domains.published_courses.enrollments.partial_update(D, "pc1", "e1")
    assert only_call(fake).json == {}


async def test_none_sends_null(fake: FakeClient, client: Tree) -> None:
    """None is a real value: it clears the field."""
    await client.domains.users.update(D, "u1", expires_at=None)
    assert only_call(fake).json == {"expires_at": None}


async def test_explicit_not_given_equals_omission(fake: FakeClient, client: Tree) -> None:
    """Passing NOT_GIVEN explicitly is the same as not passing the argument."""
    await client.users.update("u1", email=NOT_GIVEN, first_name="Ada")
    assert only_call(fake).json == {"first_name": "Ada"}


def test_not_given_is_a_falsy_singleton() -> None:
    """NOT_GIVEN reprs as its name, is falsy, and survives pickling as itself."""
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert not NOT_GIVEN
    assert NotGiven() is NOT_GIVEN
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN


# --- details of particular bodies --------------------------------------------------------------


async def test_enrollment_purchase_sends_only_writable_fields(
    fake: FakeClient, client: Tree
) -> None:
    """Read-only purchase fields are dropped; the price amount travels as a string."""
    purchase = EnrollmentPurchase(
        order_id="ignored",
        quantity=1,
        purchase_price=Price(amount=Decimal("39.20"), currency_code="EUR"),
        purchase_state=PurchaseState.SUCCESS,
        purchased_at=WHEN,
    )
    await client.domains.published_courses.enrollments.create(
        D, "pc1", user_id="u1", purchase=purchase, enrolled_at=WHEN
    )
    assert only_call(fake).json == {
        "user": {"id": "u1"},
        "enrolled_at": WHEN_WIRE,
        "purchase": {
            "purchase_price": {"amount": "39.20", "currency_code": "EUR"},
            "purchase_state": "SUCCESS",
            "purchased_at": WHEN_WIRE,
        },
    }


async def test_enrollment_purchase_none_sends_null(fake: FakeClient, client: Tree) -> None:
    """purchase=None is sent as null, like every other nullable field."""
    await client.domains.published_paths.published_path_enrollments.create(
        D, "pp1", user_id="u1", purchase=None, active=None, enrolled_at=WHEN
    )
    assert only_call(fake).json == {
        "user": {"id": "u1"},
        "enrolled_at": WHEN_WIRE,
        "active": None,
        "purchase": None,
    }


async def test_enrollment_create_pins_enrolled_at(fake: FakeClient, client: Tree) -> None:
    """Without enrolled_at the call sends now (UTC), so its retries repeat one natural key."""
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    await client.domains.published_courses.enrollments.create(D, "pc1", user_id="u1")
    sent_at = dt.datetime.fromisoformat(only_call(fake).json["enrolled_at"])
    assert before <= sent_at <= dt.datetime.now(dt.UTC)
    assert only_call(fake).idempotent


async def test_domain_user_create_answer_keeps_login_token(fake: FakeClient) -> None:
    """The create answer's single-use token reaches the caller (redacted in repr)."""
    fake.answer = {"user": {"id": "u1", "email": "a@b.c"}, "login_token": "tok-1"}
    member = await DomainUsers(fake).create(D, email="a@b.c")
    assert member.login_token == "tok-1"
    assert "tok-1" not in repr(member)


async def test_offset_datetimes_keep_their_offset(fake: FakeClient, client: Tree) -> None:
    """Aware datetimes are sent in ISO 8601 with their own offset."""
    when = dt.datetime(2024, 1, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    await client.domains.published_courses.enrollments.update(D, "pc1", "e1", expires_at=when)
    assert only_call(fake).json == {"expires_at": "2024-01-10T09:00:00+01:00"}
