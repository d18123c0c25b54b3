"""Generated resources against a recording fake client: validation first, then wire shapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from operator import attrgetter
from typing import Any

import pytest

from skilljar_async import SkilljarClient, SkilljarError
from skilljar_async.models import Answer, BulkUser, IltProvider, SignupFieldOption, SignUpFieldRule
from skilljar_async.resources import (
    Assets,
    Domains,
    DomainUsers,
    Groups,
    IltInstructors,
    IltSessions,
    Lessons,
    LicensePackages,
    PromoCodePools,
    QuizQuestions,
    Quizzes,
    Tags,
    TrainingCreditCodes,
    Users,
    ViltSessionEvents,
    WebHooks,
    WebPackages,
)
from skilljar_async.webhooks import CourseCompletionEvent

from .test_resources import Call, FakeClient, PageCall

D = "learn.example.com"
AWARE = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
NAIVE = dt.datetime(2025, 3, 1, 9, 30)


class Tree:
    """The part of the client tree these tests use, over a fake client."""

    def __init__(self, fake: FakeClient) -> None:
        self.assets = Assets(fake)
        self.domains = Domains(fake)
        self.groups = Groups(fake)
        self.ilt_instructors = IltInstructors(fake)
        self.ilt_sessions = IltSessions(fake)
        self.lessons = Lessons(fake)
        self.license_packages = LicensePackages(fake)
        self.promo_code_pools = PromoCodePools(fake)
        self.quiz_questions = QuizQuestions(fake)
        self.quizzes = Quizzes(fake)
        self.tags = Tags(fake)
        self.training_credit_codes = TrainingCreditCodes(fake)
        self.users = Users(fake)
        self.vilt_session_events = ViltSessionEvents(fake)
        self.web_packages = WebPackages(fake)
        self.webhooks = WebHooks(fake)


@pytest.fixture
def fake() -> FakeClient:
    return FakeClient()


@pytest.fixture
def tree(fake: FakeClient) -> Tree:
    return Tree(fake)


def sent(fake: FakeClient) -> Call:
    """The single request recorded."""
    (call,) = fake.calls
    assert isinstance(call, Call)
    return call


BAD_CALLS: dict[str, Callable[[Tree], Any]] = {
    "empty id": lambda t: t.groups.retrieve(""),
    "id with a slash": lambda t: t.groups.users.destroy("g1", "u1/../x"),
    "bad domain": lambda t: t.domains.catalog_pages.list(".."),
    "bad body enum": lambda t: t.quizzes.create(name="Q", alignment="diagonal"),
    "bad slug pattern": lambda t: t.domains.catalog_pages.create(D, page_title="P", slug="a b"),
    "unknown time zone": lambda t: t.ilt_sessions.create(
        instructor_email="i@example.com",
        display_name="S",
        starts_at=AWARE,
        ends_at=AWARE,
        timezone="Mars/Olympus_Mons",
    ),
    "naive datetime": lambda t: t.promo_code_pools.create(
        name="P", discount_type="PERCENT_OFF", starts_at=NAIVE
    ),
    "empty required text": lambda t: t.tags.create(name=""),
    "string for a list": lambda t: t.groups.create(name="G", rule_email_domains="example.com"),
    "no student given": lambda t: t.license_packages.students.create("lp1"),
    "bool as integer id": lambda t: t.ilt_instructors.retrieve(True),
    "negative integer id": lambda t: t.ilt_instructors.retrieve(-1),
    "bad query enum": lambda t: t.ilt_instructors.list(provider="skype"),
    "naive query time": lambda t: t.vilt_session_events.list(starts_at__gte=NAIVE),
    "empty link id": lambda t: t.groups.users.create("g1", user_id=""),
    "empty course filter": lambda t: t.lessons.list(course_id=""),
    "no bulk rows": lambda t: t.domains.users.bulk_create(D, users=[]),
    "too many bulk rows": lambda t: t.domains.users.bulk_create(
        D, users=[{"email": f"{i}@example.com"} for i in range(1001)]
    ),
    "bulk row without email": lambda t: t.domains.users.bulk_create(D, users=[{"first_name": "A"}]),
    "naive bulk expiry": lambda t: t.domains.users.bulk_create(
        D, users=[BulkUser(email="a@example.com", expires_at=NAIVE)]
    ),
    "answers not a list": lambda t: t.quiz_questions.create(
        html="Q", type="FREEFORM", answers={"answer_text": "x"}
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
async def test_bad_arguments_raise_before_any_request(
    case: str, tree: Tree, fake: FakeClient
) -> None:
    """Each bad argument is a ValueError raised before the client is asked for anything."""
    with pytest.raises(ValueError):  # lists raise on call, coroutines on await
        result = BAD_CALLS[case](tree)
        if hasattr(result, "__await__"):
            await result
    assert fake.calls == []


async def test_id_links_and_flattened_objects(tree: Tree, fake: FakeClient) -> None:
    """``user_id`` becomes ``{"user": {"id": ...}}``; flattened fields regroup or vanish."""
    await tree.groups.users.create("g1", user_id="u1")
    assert sent(fake).json == {"user": {"id": "u1"}}
    fake.calls.clear()
    await tree.assets.create(content_url="https://files.example.com/a.pdf", name="Intro")
    assert sent(fake).json == {
        "content_url": "https://files.example.com/a.pdf",
        "asset": {"name": "Intro"},
    }
    fake.calls.clear()
    await tree.assets.create(content_url="https://files.example.com/b.pdf")
    assert sent(fake).json == {"content_url": "https://files.example.com/b.pdf"}


async def test_unprefixed_wrapper_body(tree: Tree, fake: FakeClient) -> None:
    """Lesson progress fields are sent under ``lesson_progress``."""
    progress = tree.users.published_courses.lessons
    await progress.partial_update("u1", "pc1", "l1", completed_at=AWARE, score=3)
    call = sent(fake)
    assert (call.method, call.path) == ("PATCH", "/users/u1/published-courses/pc1/lessons/l1")
    assert call.json == {"lesson_progress": {"completed_at": AWARE.isoformat(), "score": 3}}


async def test_models_and_mappings_as_nested_input(tree: Tree, fake: FakeClient) -> None:
    """Nested objects take a model (unset fields left out) or a mapping (sent as is)."""
    answers = [Answer(answer_text="4", correct=True), {"answer_text": "5", "correct": False}]
    await tree.quiz_questions.create(html="2+2?", type="MULTIPLE_CHOICE", answers=answers)
    assert sent(fake).json["answers"] == [
        {"answer_text": "4", "correct": True},
        {"answer_text": "5", "correct": False},
    ]
    fake.calls.clear()
    rule = SignUpFieldRule(enforce=True, options=(SignupFieldOption(id="o1"),))
    await tree.groups.create(name="G", sign_up_field_rule=rule)
    assert sent(fake).json == {
        "name": "G",
        "sign_up_field_rule": {"enforce": True, "options": [{"id": "o1"}]},
    }


async def test_id_value_mapping_and_add_remove_lists(tree: Tree, fake: FakeClient) -> None:
    """``{id: value}`` becomes the API's list; add/remove lists nest under their field."""
    await tree.domains.users.signup_fields_bulk.create(D, "u1", signup_fields={"f1": "Blue"})
    assert sent(fake).json == {"signup_fields": [{"id": "f1", "value": "Blue"}]}
    fake.calls.clear()
    await tree.training_credit_codes.partial_update(
        "t1", student_groups_add=["g1"], offers_remove=["o1"]
    )
    assert sent(fake).json == {"student_groups": {"add": ["g1"]}, "offers": {"remove": ["o1"]}}


async def test_none_sends_null_and_put_sends_only_given(tree: Tree, fake: FakeClient) -> None:
    """None clears a nullable field; a PUT with nothing given sends an empty object."""
    await tree.groups.update("g1", discount_percent=None)
    assert sent(fake).json == {"discount_percent": None}
    fake.calls.clear()
    await tree.groups.update("g1")
    assert sent(fake).json == {}


async def test_idempotent_writes_are_flagged() -> None:
    """Upserts and the bulk create may be retried; plain creates may not."""
    fake = FakeClient({"id": "x1", "signup_field": {"id": "f1"}, "value": "x"})
    tree = Tree(fake)
    await tree.domains.users.signup_fields.create(D, "u1", signup_field_id="f1", value="x")
    await tree.domains.users.bulk_create(D, users=[BulkUser(email="a@example.com")])
    await tree.tags.create(name="T")
    assert [c.idempotent for c in fake.calls if isinstance(c, Call)] == [True, True, False]
    assert fake.calls[1].json == {"users": [{"email": "a@example.com"}]}  # type: ignore[union-attr]


def test_query_filters(tree: Tree, fake: FakeClient) -> None:
    """Enum filters take members or strings; date-time filters take aware datetimes."""
    tree.ilt_instructors.list(provider=IltProvider.ZOOM_MEETING, email="i@example.com")
    tree.vilt_session_events.list(starts_at__gte=AWARE, ends_at__lte="2025-04-01")
    tree.lessons.list(course_id="c1", page_size=50)
    first, second, third = fake.calls
    assert isinstance(first, PageCall)
    assert first.params == {"email": "i@example.com", "provider": "zoom.meeting"}
    assert second.params == {"starts_at__gte": AWARE.isoformat(), "ends_at__lte": "2025-04-01"}
    assert (third.path, third.params, third.page_size) == ("/lessons", {"course_id": "c1"}, 50)


async def test_wrapped_list_yields_strings() -> None:
    """The e-mail domain rules' ``{"email_domains": [...]}`` pages as strings."""
    fake = FakeClient({"email_domains": ["example.com", "example.org"]})
    domains = [d async for d in Groups(fake).email_domain_rules.list("g1")]
    assert domains == ["example.com", "example.org"]
    assert [(c.method, c.path) for c in fake.calls] == [("GET", "/groups/g1/email-domain-rules")]


async def test_wrapped_list_refuses_another_shape() -> None:
    """An answer without the wrapped list is an error naming the key."""
    paginator = Groups(FakeClient({"unexpected": []})).email_domain_rules.list("g1")
    with pytest.raises(SkilljarError, match="email_domains"):
        await paginator


async def test_webhook_samples_are_typed_events() -> None:
    """A sample endpoint's ``{"results": [event]}`` comes back as the event model."""
    event = {"event_type": "COURSE_COMPLETION", "course": {"id": "c1", "title": "Intro"}}
    fake = FakeClient({"results": [event]})
    sample = await WebHooks(fake).sample_course_completion.retrieve()
    assert isinstance(sample, CourseCompletionEvent)
    assert sample.course is not None
    assert sample.course.title == "Intro"
    with pytest.raises(SkilljarError):
        await WebHooks(FakeClient({"results": []})).sample_course_completion.retrieve()


def test_sub_resources_of_hand_written_classes() -> None:
    """Hand-written resources carry their generated sub-resources."""
    fake = FakeClient()
    assert type(DomainUsers(fake).manager_access).__name__ == "DomainUserManagerAccess"
    assert type(Domains(fake).plan.plan_enrollments).__name__ == "PlanEnrollments"
    assert type(WebPackages(fake).lessons).__name__ == "WebPackageLessons"


DESTRUCTIVE_DOCS = {
    "courses.destroy": "drafts",
    "domains.published_courses.destroy": "content-syndication",
    "groups.destroy": "membership",
    "promo_code_pools.destroy": "ALL the promo codes",
    "question_banks.destroy": "ALL its questions",
    "users.anonymize.create": "IRREVERSIBLY",
    "assets.destroy": "400",
    "web_packages.destroy": "400",
}


@pytest.mark.parametrize("client_path", sorted(DESTRUCTIVE_DOCS))
def test_destructive_operations_say_so(client_path: str) -> None:
    """Each destructive or irreversible operation warns in its docstring."""
    client = SkilljarClient("docs-key")
    doc = " ".join((attrgetter(client_path)(client).__doc__ or "").split())
    assert DESTRUCTIVE_DOCS[client_path] in doc
