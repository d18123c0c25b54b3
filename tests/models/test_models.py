"""Models and the converter: structuring real-looking payloads, and back."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from decimal import Decimal
from typing import Any

import attrs
import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skilljar_async import ResponseParseWarning, ResponseValidationError, _convert
from skilljar_async._convert import (
    converter,
    make_converter,
    structure,
    structure_strict,
    structurer,
    unstructure,
)
from skilljar_async._fields import redact, redact_values
from skilljar_async.models import (
    Course,
    CourseTimeFormat,
    Domain,
    DomainAccess,
    DomainUser,
    Enrollment,
    Offer,
    PaymentProcessor,
    Price,
    PublishedCourse,
    PublishedPath,
    PurchaseState,
    SuccessStatus,
    User,
    UserOverview,
    UserPublishedCourseProgress,
    WebHook,
    WebHookDeactivateReason,
    WebHookEventType,
    WebHookPingResult,
)

UTC = dt.UTC

# --- payloads shaped like the API's answers (spec schemas + observed examples) -----------

USER_ROW: dict[str, Any] = {
    "user": {
        "id": "3b6pgnkyhsoq",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
    },
    "registration_count": 4,
    "completion_count": 2,
    "signed_up_at": "2021-04-22T21:40:31.918508+00:00",
    "latest_activity": "2024-03-01T09:15:00Z",
    "inactive_at": None,
}

COURSE_PROGRESS: dict[str, Any] = {
    "published_course_id": "1ck9ybz4ipd6a",
    "domain_name": "learn.example.com",
    "enrolled_at": "2024-01-10T08:00:00.123456+00:00",
    "enrollment_id": "2ppa3yl7k0rmz",
    "course": {
        "id": "3kce9j4e0t1vi",
        "title": "Intro to Widgets",
        "lesson_count": 12,
        "required_lesson_count": 10,
    },
    "course_progress": {
        "course_progress_id": "1zjnp5gmwsqvd",
        "completed_lesson_count": 12,
        "completed_required_lesson_count": 10,
        "completed_at": "2024-02-02T17:30:00+01:00",
        "latest_activity": "2024-02-02T17:30:00+01:00",
        "score": 93,
        "max_score": 100,
        "credits_earned": "1.5",
        "credit_unit_plural": "CPE credits",
        "success_status": "PASSED",
    },
    "certificate": {
        "code": "ABCD-1234",
        "validate_url": "https://learn.example.com/certificates/ABCD-1234",
        "issued_at": "2024-02-02T17:31:00+01:00",
        "expires_at": None,
    },
    "all_enrollments": [
        {
            "course_progress_id": "1zjnp5gmwsqvd",
            "active": True,
            "expires_at": None,
            "enrollment_id": "2ppa3yl7k0rmz",
        }
    ],
}

DOMAIN: dict[str, Any] = {
    "id": "2f0lqc2i5dwn4",
    "name": "learn.example.com",
    "catalog_title": "<h1>Learn</h1>",
    "private": True,
    "access": "PRIVATE_CODE",
    "access_code_message_html": "<p>Enter your code</p>",
    "marketing_message": "",
}

DOMAIN_USER: dict[str, Any] = {
    "user": {
        "id": "3b6pgnkyhsoq",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "full_name": "Ada Lovelace",
    },
    "active": True,
    "marketing_optin": None,
    "enrolled_at": "2023-05-06T07:08:09.000001+00:00",
    "expires_at": None,
    "access_code": {"id": "1a2b3c", "code": "WELCOME", "pool": {"id": "9z8y", "name": "Launch"}},
    "signup_fields": [{"signup_field": {"id": "sf1", "label": "Company"}, "value": "Initech"}],
    "login_token": "sso-login-token-5f1e",
}

COURSE: dict[str, Any] = {
    "id": "3kce9j4e0t1vi",
    "enforce_sequential_navigation": False,
    "long_description_html": "<p>All about widgets.</p>",
    "short_description": "Widgets 101",
    "title": "Intro to Widgets",
    "labels": ["beginner", "widgets"],
    "draft_origin_id": "",
    "promo_image_url": "https://cdn.example.com/promo.png",
    "display_course_and_lesson_time": True,
    "manual_course_time": "",
    "display_manual_course_time": False,
    "course_and_lesson_time_format": "HOURS_MINUTES",
    "course_time": "01:33",
    "created_at": "2020-01-02T03:04:05.678901+00:00",
    "modified_at": "2024-06-07T08:09:10+00:00",
    "average_rating": 4.6,
}

OFFER: dict[str, Any] = {
    "id": "off1",
    "registration_open": True,
    "registration_url": "https://learn.example.com/checkout/off1",
    "price": {"amount": "49.00", "currency_code": "USD"},
}

PUBLISHED_COURSE: dict[str, Any] = {
    "id": "1ck9ybz4ipd6a",
    "course": {"id": "3kce9j4e0t1vi", "title": "Intro to Widgets", "lesson_count": 12},
    "slug": "intro-to-widgets",
    "course_url": "https://learn.example.com/intro-to-widgets",
    "hidden": False,
    "strict_enforce_group_visibility": False,
    "registration_required": True,
    "registration_starts_at": "2024-01-01T00:00:00+00:00",
    "registration_ends_at": "2024-12-31T23:59:59+00:00",
    "restrict_access_start_end_dates": False,
    "allow_self_service_reenroll": True,
    "unique_progress_per_enrollment": False,
    "require_all_prerequisites": True,
    "timezone": "America/Los_Angeles",
    "offer": OFFER,
}

PUBLISHED_PATH: dict[str, Any] = {
    "id": "pp7",
    "slug": "widget-master",
    "path": {
        "id": "p7",
        "title": "Widget Master",
        "promo_image_url": "",
        "short_description": "Three courses",
        "long_description_html": "",
        "header_html": "",
        "course_name_singular": "module",
        "course_name_plural": "modules",
        "path_item_count": 3,
    },
    "path_url": "https://learn.example.com/path/widget-master",
    "hidden": False,
    "strict_enforce_group_visibility": False,
    "offer": OFFER,
    "unique_progress_per_enrollment": True,
    "created_at": "2022-02-02T02:02:02+00:00",
    "modified_at": "2022-03-03T03:03:03+00:00",
}

ENROLLMENT: dict[str, Any] = {
    "id": "2ppa3yl7k0rmz",
    "user": {
        "id": "3b6pgnkyhsoq",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "L",
    },
    "enrolled_at": "2024-01-10T08:00:00.123456+00:00",
    "expires_at": "2025-01-10T08:00:00+00:00",
    "active": True,
    "purchase": {
        "order_id": "ord-77",
        "offer_price": {"amount": "49.00", "currency_code": "USD"},
        "purchase_price": {"amount": "39.20", "currency_code": "USD"},
        "quantity": 1,
        "purchase_state": "SUCCESS",
        "payment_processor": "STRIPE",
        "purchase_id": "pur9",
        "purchased_at": "2024-01-10T07:59:00+00:00",
        "tax_price_cents": 0,
    },
    "rating": 5,
    "feedback": "Great course",
}

WEBHOOK_SECRETS = ("tok-7c1f9e", "hunter2-pw", "32-char-shared-secret-value-0001")

WEBHOOK: dict[str, Any] = {
    "id": "wh1",
    "target_url": f"https://hooks.example.com/skilljar?token={WEBHOOK_SECRETS[0]}",
    "active": False,
    "deactivate_reason": "HTTP_4XX_RESPONSE",
    "event_type": "COURSE_COMPLETION",
    "basic_auth_username": "skilljar",
    "basic_auth_password": WEBHOOK_SECRETS[1],
    "additional_headers": {"X-Skilljar-Secret": WEBHOOK_SECRETS[2]},
}

ALL_PAYLOADS: list[tuple[dict[str, Any], type[Any]]] = [
    (USER_ROW, UserOverview),
    (COURSE_PROGRESS, UserPublishedCourseProgress),
    (DOMAIN, Domain),
    (DOMAIN_USER, DomainUser),
    (COURSE, Course),
    (PUBLISHED_COURSE, PublishedCourse),
    (PUBLISHED_PATH, PublishedPath),
    (ENROLLMENT, Enrollment),
    (WEBHOOK, WebHook),
    ({"succeeded": False, "http_status_code": 503, "message": "down"}, WebHookPingResult),
]


def _id(case: tuple[dict[str, Any], type[Any]]) -> str:
    return case[1].__name__


# --- structuring each model ---------------------------------------------------------------


def test_user_overview_row_nests_the_person() -> None:
    """A `/v1/users` row has the person under `user`, counts and aware datetimes."""
    row = structure(USER_ROW, UserOverview)
    assert row.user == User(
        id="3b6pgnkyhsoq", email="ada@example.com", first_name="Ada", last_name="Lovelace"
    )
    assert (row.registration_count, row.completion_count) == (4, 2)
    assert row.signed_up_at == dt.datetime(2021, 4, 22, 21, 40, 31, 918508, tzinfo=UTC)
    assert row.latest_activity == dt.datetime(2024, 3, 1, 9, 15, tzinfo=UTC)
    assert row.inactive_at is None


def test_user_course_progress() -> None:
    """The published-courses array element keeps progress, certificate and history."""
    item = structure(COURSE_PROGRESS, UserPublishedCourseProgress)
    assert item.published_course_id == "1ck9ybz4ipd6a"
    assert item.course is not None
    assert item.course.required_lesson_count == 10
    progress = item.course_progress
    assert progress.success_status is SuccessStatus.PASSED
    assert progress.completed_at == dt.datetime(
        2024, 2, 2, 17, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    assert progress.credits_earned == "1.5"
    assert item.certificate is not None
    assert item.certificate.expires_at is None
    assert [e.enrollment_id for e in item.all_enrollments] == ["2ppa3yl7k0rmz"]
    assert isinstance(item.all_enrollments, tuple)


def test_domain_access_enum() -> None:
    """`access` becomes a `DomainAccess` member."""
    domain = structure(DOMAIN, Domain)
    assert domain.access is DomainAccess.PRIVATE_CODE
    assert domain.name == "learn.example.com"


def test_domain_user_nested_objects() -> None:
    """Memberships carry the user, access code with pool, and signup values."""
    member = structure(DOMAIN_USER, DomainUser)
    assert member.user.full_name == "Ada Lovelace"
    assert member.access_code is not None
    assert member.access_code.pool is not None
    assert member.access_code.pool.name == "Launch"
    assert member.signup_fields[0].signup_field.label == "Company"
    assert member.signup_fields[0].value == "Initech"
    assert member.login_token == "sso-login-token-5f1e"
    assert member.enrolled_at == dt.datetime(2023, 5, 6, 7, 8, 9, 1, tzinfo=UTC)


def test_course_labels_and_time_format() -> None:
    """Labels are a tuple of names; the time format is an enum member."""
    course = structure(COURSE, Course)
    assert course.labels == ("beginner", "widgets")
    assert course.course_and_lesson_time_format is CourseTimeFormat.HOURS_MINUTES
    assert course.average_rating == pytest.approx(4.6)


def test_published_course_offer_price_is_decimal() -> None:
    """The offer price amount is an exact `Decimal`, written back as the same string."""
    published = structure(PUBLISHED_COURSE, PublishedCourse)
    assert published.offer is not None
    assert published.offer.price is not None
    assert published.offer.price.amount == Decimal("49.00")
    assert published.offer.price.currency_code == "USD"
    assert unstructure(published)["offer"]["price"]["amount"] == "49.00"
    assert published.course is not None
    assert published.course.title == "Intro to Widgets"


def test_published_path_nests_path() -> None:
    """A published path nests its path definition."""
    published = structure(PUBLISHED_PATH, PublishedPath)
    assert published.path is not None
    assert published.path.title == "Widget Master"
    assert published.path.path_item_count == 3


def test_enrollment_with_purchase() -> None:
    """Enrollments carry user, purchase (enums, prices) and rating."""
    enrollment = structure(ENROLLMENT, Enrollment)
    assert enrollment.user.id == "3b6pgnkyhsoq"
    purchase = enrollment.purchase
    assert purchase is not None
    assert purchase.purchase_state is PurchaseState.SUCCESS
    assert purchase.payment_processor is PaymentProcessor.STRIPE
    assert purchase.purchase_price is not None
    assert purchase.purchase_price.amount == Decimal("39.20")
    assert enrollment.rating == 5


def test_path_enrollment_has_no_rating() -> None:
    """Path enrollments share the model; rating and feedback default to None."""
    payload = {k: v for k, v in ENROLLMENT.items() if k not in ("rating", "feedback", "purchase")}
    enrollment = structure(payload, Enrollment)
    assert (enrollment.rating, enrollment.feedback, enrollment.purchase) == (None, None, None)


def test_webhook_fields() -> None:
    """Webhook enums are members; secrets are available on the attributes."""
    hook = structure(WEBHOOK, WebHook)
    assert hook.event_type is WebHookEventType.COURSE_COMPLETION
    assert hook.deactivate_reason is WebHookDeactivateReason.HTTP_4XX_RESPONSE
    assert hook.basic_auth_password == WEBHOOK_SECRETS[1]
    assert hook.additional_headers == {"X-Skilljar-Secret": WEBHOOK_SECRETS[2]}


def test_event_type_none_means_all_events() -> None:
    """A null event type stays None."""
    hook = structure({**WEBHOOK, "event_type": None}, WebHook)
    assert hook.event_type is None


def test_webhook_ping_result() -> None:
    """The ping answer is a small record."""
    result = structure(
        {"succeeded": True, "http_status_code": 200, "message": ""}, WebHookPingResult
    )
    assert result == WebHookPingResult(succeeded=True, http_status_code=200, message="")


def test_there_are_ten_event_types() -> None:
    """The spec lists ten subscribable event types."""
    assert len(WebHookEventType) == 10


# --- round trips and unknown fields ------------------------------------------------------


@pytest.mark.parametrize("case", ALL_PAYLOADS, ids=_id)
def test_full_payload_round_trips(case: tuple[dict[str, Any], type[Any]]) -> None:
    """structure → unstructure gives back an equal payload (datetimes compared as values)."""
    payload, cls = case
    again = structure(unstructure(structure(payload, cls)), cls)
    assert again == structure(payload, cls)


@pytest.mark.parametrize("case", ALL_PAYLOADS, ids=_id)
def test_unknown_fields_are_kept_and_written_back(case: tuple[dict[str, Any], type[Any]]) -> None:
    """Keys a model does not declare land in `extra` and come back out."""
    payload, cls = case
    enriched = {**payload, "brand_new_field": {"nested": [1, 2]}, "extra": "literal"}
    obj = structure(enriched, cls)
    assert obj.extra == {"brand_new_field": {"nested": [1, 2]}, "extra": "literal"}
    out = unstructure(obj)
    assert out["brand_new_field"] == {"nested": [1, 2]}
    assert out["extra"] == "literal"


def test_nested_unknown_fields_are_kept() -> None:
    """Unknown keys inside nested objects are kept on the nested model."""
    payload = copy.deepcopy(USER_ROW)
    payload["user"]["locale"] = "en-GB"
    row = structure(payload, UserOverview)
    assert row.user.extra == {"locale": "en-GB"}
    assert row.extra == {}
    assert unstructure(row)["user"]["locale"] == "en-GB"


def test_exact_round_trip_of_wire_strings() -> None:
    """Payloads that use the API's own formats round-trip to identical JSON."""
    payload = {
        "succeeded": True,
        "http_status_code": 200,
        "message": "ok",
        "elapsed_ms": 12,
    }
    assert unstructure(structure(payload, WebHookPingResult)) == payload
    assert unstructure(structure(OFFER, Offer)) == OFFER


def test_unstructure_declared_fields_win_over_extra() -> None:
    """A hand-built model repeating a declared key in `extra` writes the declared value."""
    user = User(id="u1", email="real@example.com", extra={"email": "stale", "x": 1})
    assert unstructure(user)["email"] == "real@example.com"
    assert unstructure(user)["x"] == 1


def test_extra_defaults_to_empty() -> None:
    """Models built by hand have an empty `extra`."""
    assert User(id="u1").extra == {}


# --- unknown enum values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "payload", "field"),
    [
        (Domain, {**DOMAIN, "access": "INVITE_ONLY"}, "access"),
        (
            Course,
            {**COURSE, "course_and_lesson_time_format": "SECONDS"},
            "course_and_lesson_time_format",
        ),
        (WebHook, {**WEBHOOK, "event_type": "CERTIFICATE_ISSUED"}, "event_type"),
        (WebHook, {**WEBHOOK, "deactivate_reason": "MANUAL"}, "deactivate_reason"),
    ],
)
def test_unknown_enum_value_is_kept_as_str(
    cls: type[Any], payload: dict[str, Any], field: str
) -> None:
    """A value this version does not know stays a plain string, and round-trips."""
    obj = structure(payload, cls)
    value = getattr(obj, field)
    assert type(value) is str
    assert value == payload[field]
    assert unstructure(obj)[field] == payload[field]


def test_known_enum_values_compare_equal_to_strings() -> None:
    """StrEnum members equal their wire strings, so callers can compare either way."""
    assert structure(DOMAIN, Domain).access == "PRIVATE_CODE"


def test_enum_field_rejects_non_strings() -> None:
    """An enum field holding a number is not passed through: kept raw in `extra`, with a warning."""
    with pytest.warns(ResponseParseWarning, match=r"Domain: .*access"):
        domain = structure({**DOMAIN, "access": 3}, Domain)
    assert domain.access is None
    assert domain.extra["access"] == 3


# --- secrets ---------------------------------------------------------------------------------


def test_webhook_repr_redacts_secrets() -> None:
    """Neither repr nor str of a webhook shows its URL token, password or header values."""
    hook = structure(WEBHOOK, WebHook)
    for text in (repr(hook), str(hook)):
        for secret in WEBHOOK_SECRETS:
            assert secret not in text
        assert "hooks.example.com" not in text
        assert "target_url='<redacted>'" in text
        assert "basic_auth_password='<redacted>'" in text
        assert "{'X-Skilljar-Secret': '<redacted>'}" in text
        assert "basic_auth_username='skilljar'" in text


def test_webhook_repr_shows_unset_secrets_as_unset() -> None:
    """Empty or missing secrets are shown as such: knowing they are unset is harmless."""
    hook = structure(
        {"id": "wh2", "target_url": "https://h.example.com/", "basic_auth_password": ""}, WebHook
    )
    assert "basic_auth_password=''" in repr(hook)
    assert "additional_headers=None" in repr(hook)


def test_domain_user_repr_redacts_login_token() -> None:
    """The SSO login token never appears in the repr."""
    member = structure(DOMAIN_USER, DomainUser)
    assert "sso-login-token-5f1e" not in repr(member)
    assert "login_token='<redacted>'" in repr(member)


def test_extra_repr_shows_keys_not_values() -> None:
    """Unknown fields are visible by name, but their values (maybe secrets) are not."""
    hook = structure({**WEBHOOK, "signing_secret": "brand-new-secret"}, WebHook)
    assert "'signing_secret': ..." in repr(hook)
    assert "brand-new-secret" not in repr(hook)


# --- missing and malformed data ----------------------------------------------------------------


def test_missing_optional_fields_default() -> None:
    """Absent optional fields become None, absent lists become empty tuples."""
    course = structure({"id": "c1"}, Course)
    assert course.title is None
    assert course.labels == ()
    member = structure({"user": {"id": "u1"}}, DomainUser)
    assert member.signup_fields == ()
    assert member.login_token is None


@pytest.mark.parametrize(
    ("payload", "cls", "where"),
    [
        ({"name": "x"}, Course, "$.id"),
        ({"registration_count": 1}, UserOverview, "$.user"),
        ({"user": {"email": "a@b.c"}}, UserOverview, "$.user.id"),
        ({"id": "wh"}, WebHook, "$.target_url"),
        ({"course_progress": {}}, UserPublishedCourseProgress, "$.published_course_id"),
    ],
)
def test_missing_required_field_names_it(
    payload: dict[str, Any], cls: type[Any], where: str
) -> None:
    """A missing required field fails with an error that names the field's path."""
    with pytest.raises(ResponseValidationError) as info:
        structure(payload, cls)
    assert (info.value.model, info.value.path) == (cls.__name__, where.removeprefix("$."))
    with pytest.raises(cattrs.ClassValidationError) as strict:
        structure_strict(payload, cls)
    assert any(where in note for note in strict.value.__notes__)
    assert any(where in message for message in cattrs.transform_error(strict.value))


def test_structurer_also_names_missing_fields() -> None:
    """The list-row parser names the field the same way."""
    with pytest.raises(ResponseValidationError, match=r"UserOverview\.user") as info:
        structurer(UserOverview)({})
    assert info.value.path == "user"


def test_non_object_payload_is_rejected() -> None:
    """A list where an object belongs is an error."""
    with pytest.raises(ResponseValidationError, match="expected a JSON object, got list"):
        structure([DOMAIN], Domain)
    with pytest.raises(TypeError, match="JSON object for Domain"):
        structure_strict([DOMAIN], Domain)


@pytest.mark.parametrize("bad", ["not a date", 20240101])
def test_bad_datetime_is_kept_raw(bad: object) -> None:
    """A malformed date-time is not passed through: the field is None, `extra` keeps it."""
    with pytest.warns(ResponseParseWarning, match="signed_up_at"):
        row = structure({**USER_ROW, "signed_up_at": bad}, UserOverview)
    assert row.signed_up_at is None
    assert row.extra["signed_up_at"] == bad
    with pytest.raises(cattrs.ClassValidationError):
        structure_strict({**USER_ROW, "signed_up_at": bad}, UserOverview)


@pytest.mark.parametrize("bad", ["forty", True])
def test_bad_decimal_is_kept_raw(bad: object) -> None:
    """A malformed amount is not passed through: the field is None, `extra` keeps it."""
    with pytest.warns(ResponseParseWarning, match="amount"):
        price = structure({"amount": bad, "currency_code": "USD"}, Price)
    assert (price.amount, price.currency_code, price.extra) == (None, "USD", {"amount": bad})


# --- datetimes and dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T09:15:00Z", dt.datetime(2024, 3, 1, 9, 15, tzinfo=UTC)),
        ("2024-03-01T09:15:00+00:00", dt.datetime(2024, 3, 1, 9, 15, tzinfo=UTC)),
        ("2024-03-01T09:15:00.5+00:00", dt.datetime(2024, 3, 1, 9, 15, 0, 500000, tzinfo=UTC)),
        (
            "2024-03-01T14:45:00.918508+05:30",
            dt.datetime(2024, 3, 1, 9, 15, 0, 918508, tzinfo=UTC),
        ),
        ("2024-03-01T09:15:00", dt.datetime(2024, 3, 1, 9, 15, tzinfo=UTC)),
    ],
)
def test_datetime_formats(text: str, expected: dt.datetime) -> None:
    """Offsets, 'Z', fractions and (as UTC) naive strings all parse to aware values."""
    parsed = converter.structure(text, dt.datetime)
    assert parsed == expected
    assert parsed.tzinfo is not None


def test_offset_is_preserved() -> None:
    """The sender's offset is kept, not normalised away."""
    parsed = converter.structure("2024-03-01T14:45:00+05:30", dt.datetime)
    assert parsed.utcoffset() == dt.timedelta(hours=5, minutes=30)
    assert unstructure(parsed) == "2024-03-01T14:45:00+05:30"


def test_dates() -> None:
    """Calendar dates use `datetime.date` both ways."""
    assert converter.structure("2025-12-01", dt.date) == dt.date(2025, 12, 1)
    assert unstructure(dt.date(2025, 12, 1)) == "2025-12-01"


@given(st.datetimes(timezones=st.timezones()))
def test_any_aware_datetime_round_trips(value: dt.datetime) -> None:
    """Every aware datetime survives unstructure → structure: same wall time, same offset."""
    parsed = converter.structure(unstructure(value), dt.datetime)
    # Compared by parts: `==` between a ZoneInfo value in a DST fold and a fixed
    # offset is always False by design, even for the same instant.
    assert parsed.replace(tzinfo=None) == value.replace(tzinfo=None)
    assert parsed.utcoffset() == value.utcoffset()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


_USER_FIELDS = {"id", "email", "first_name", "last_name", "full_name", "inactive_at"}


@given(st.dictionaries(st.text().filter(lambda k: k not in _USER_FIELDS), json_values, max_size=5))
def test_any_unknown_keys_round_trip(unknown: dict[str, Any]) -> None:
    """Whatever undeclared keys arrive are written back unchanged."""
    payload = {"id": "u1", **unknown}
    obj = structure(payload, User)
    assert obj.extra == unknown
    out = unstructure(obj)
    assert {k: out[k] for k in unknown} == unknown


# --- model behaviour ---------------------------------------------------------------------------


def test_models_are_frozen_hashable_and_picklable() -> None:
    """Models are immutable values: hashable (extra aside) and picklable."""
    row = structure(USER_ROW, UserOverview)
    with pytest.raises(AttributeError):
        row.completion_count = 3  # type: ignore[misc]
    assert hash(row) == hash(structure(USER_ROW, UserOverview))
    assert pickle.loads(pickle.dumps(row)) == row


def test_models_are_keyword_only() -> None:
    """Positional construction is refused, so field order can evolve."""
    with pytest.raises(TypeError):
        User("u1")  # type: ignore[call-arg]


def test_make_converter_builds_an_equivalent_converter() -> None:
    """`make_converter` gives a fresh converter with the same rules."""
    fresh = make_converter()
    assert fresh is not converter
    assert fresh.structure(DOMAIN, Domain) == structure(DOMAIN, Domain)
    assert _convert.converter is converter


def test_structuring_a_thousand_rows() -> None:
    """A 1,000-row page structures in one go (a sanity check, not a timing assertion)."""
    parse = structurer(UserOverview)
    rows = [{**USER_ROW, "user": {**USER_ROW["user"], "id": f"u{i}"}} for i in range(1000)]
    parsed = [parse(row) for row in rows]
    assert len(parsed) == 1000
    assert parsed[-1].user.id == "u999"
    assert all(isinstance(row.signed_up_at, dt.datetime) for row in parsed)


def _redacts(field: attrs.Attribute[Any]) -> bool:
    """Whether a field's repr hides its value."""
    return field.repr in (redact, redact_values)


def test_model_reprs_redact_exactly_the_secrets_list() -> None:
    """Every model field named in `SECRET_KEYS` hides its value in repr, and no other does."""
    from skilljar_async import models, webhooks
    from skilljar_async._sansio import SECRET_KEYS

    classes = [getattr(models, name) for name in models.__all__]
    classes += [getattr(webhooks, name) for name in webhooks.__all__]
    seen: set[str] = set()
    for cls in classes:
        if not attrs.has(cls):
            continue
        for field in attrs.fields(cls):
            assert _redacts(field) == (field.name in SECRET_KEYS), f"{cls.__name__}.{field.name}"
            if field.name in SECRET_KEYS:
                seen.add(field.name)
    assert seen <= SECRET_KEYS
    assert {"token", "invite_url", "download_url", "login_token"} <= seen
