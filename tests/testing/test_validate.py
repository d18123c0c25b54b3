"""Request validation with DRF's semantics, driven by the catalogue schemas."""

from __future__ import annotations

from typing import Any

import pytest

from skilljar_async.testing import SkilljarEmulator
from skilljar_async.testing._call import ApiError
from skilljar_async.testing._catalogue import catalogue
from skilljar_async.testing._seed import LEARN
from skilljar_async.testing._validate import FormBody, validate_body

from ._helpers import api_for


def check(schema: str, body: Any, *, partial: bool = False) -> Any:
    """The accepted data, or the 400 body."""
    try:
        return validate_body(catalogue(), schema, body, partial=partial)
    except ApiError as exc:
        if exc.status != 400:
            pytest.fail(f"expected a 400, got {exc.status}")
        return exc.body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"code": "A1", "max_uses": "12", "promo_code_pool_id": "p1"}, {"max_uses": 12}),
        ({"code": "A1", "max_uses": 12.0, "promo_code_pool_id": "p1"}, {"max_uses": 12}),
        ({"code": 42, "max_uses": 1, "promo_code_pool_id": "p1"}, {"code": "42"}),
        ({"code": "  A1 ", "max_uses": 1, "promo_code_pool_id": "p1"}, {"code": "A1"}),
        (
            {"code": "A1", "max_uses": 1, "promo_code_pool_id": "p1", "active": "0"},
            {"active": False},
        ),
        (
            {"code": "A1", "max_uses": 1, "promo_code_pool_id": "p1", "active": "on"},
            {"active": True},
        ),
    ],
)
def test_coercions(body: dict[str, Any], expected: dict[str, Any]) -> None:
    """Values are coerced as DRF's fields coerce them."""
    accepted = check("PromoCodeRequest", body)
    assert {k: accepted[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"max_uses": 1, "promo_code_pool_id": "p"}, {"code": ["This field is required."]}),
        (
            {"code": "A", "max_uses": "many", "promo_code_pool_id": "p"},
            {"max_uses": ["A valid integer is required."]},
        ),
        (
            {"code": "A", "max_uses": True, "promo_code_pool_id": "p"},
            {"max_uses": ["A valid integer is required."]},
        ),
        (
            {"code": "A", "max_uses": 1, "promo_code_pool_id": "p", "active": "maybe"},
            {"active": ["Must be a valid boolean."]},
        ),
        (
            {"code": " ", "max_uses": 1, "promo_code_pool_id": "p"},
            {"code": ["This field may not be blank."]},
        ),
        (
            {"code": "x" * 41, "max_uses": 1, "promo_code_pool_id": "p"},
            {"code": ["Ensure this field has no more than 40 characters."]},
        ),
        (
            {"code": ["A"], "max_uses": 1, "promo_code_pool_id": "p"},
            {"code": ["Not a valid string."]},
        ),
    ],
)
def test_rejections(body: dict[str, Any], errors: dict[str, Any]) -> None:
    """What DRF rejects gives its field-keyed 400 body."""
    assert check("PromoCodeRequest", body) == errors


def test_formats_are_checked() -> None:
    """E-mail, URL and date-time fields reject values of the wrong format."""
    errors = check("WebHookRequest", {"target_url": "not a url"})
    assert errors == {"target_url": ["Enter a valid URL."]}
    errors = check("DomainUserCreateRequest", {"user": {"email": "nobody"}})
    assert errors == {"user": {"email": ["Enter a valid email address."]}}
    errors = check("UpdateEnrollmentRequest", {"expires_at": "tomorrow"}, partial=True)
    assert list(errors) == ["expires_at"]
    accepted = check("UpdateEnrollmentRequest", {"expires_at": "2026-01-02T03:04:05Z"})
    assert accepted == {"expires_at": "2026-01-02T03:04:05+00:00"}


def test_choices_and_nulls() -> None:
    """Choices match their string form; null only where the field is nullable."""
    assert (
        check("WebHookRequest", {"target_url": "https://x.example.com", "event_type": None})[
            "event_type"
        ]
        is None
    )
    errors = check("WebHookRequest", {"target_url": "https://x.example.com", "event_type": "NOPE"})
    assert errors == {"event_type": ['"NOPE" is not a valid choice.']}
    errors = check("WebHookRequest", {"target_url": None})
    assert errors == {"target_url": ["This field may not be null."]}


def test_body_must_be_an_object() -> None:
    """A JSON array body is DRF's non_field_errors."""
    assert check("TagRequest", [1]) == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }


def test_form_body_rules() -> None:
    """Forms: dotted nested keys, empty optional values skipped, unchecked booleans false."""
    form = FormBody([("user.email", "ada@example.com"), ("expires_at", "")])
    accepted = check("DomainUserCreateRequest", form)
    assert accepted == {
        "user": {"email": "ada@example.com"},
        "active": False,
        "marketing_optin": None,
    }
    partial = check(
        "PatchedWebHookRequest", FormBody([("target_url", "https://a.example.com")]), partial=True
    )
    assert "active" not in partial


async def test_form_values_are_stored_coerced() -> None:
    """A form-encoded promo code is stored with an integer max_uses and a boolean active."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        pool = emu.store.add("promo_code_pools", {"name": "Spring"})
        form = {
            "code": "FORM1",
            "max_uses": "7",
            "promo_code_pool_id": pool["id"],
            "active": "true",
        }
        answer = await api.call("POST", "/promo-codes", data=form)
        assert answer.status == 201, answer
        assert (answer.json["max_uses"], answer.json["active"]) == (7, True)


async def test_unsupported_media_type_and_bad_multipart() -> None:
    """Other content types are 415; a broken multipart body is a 400 parse error."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        answer = await api.call(
            "POST", "/tags", data=b"name=x", headers={"Content-Type": "text/plain"}
        )
        assert answer.status == 415
        answer = await api.call(
            "POST",
            "/tags",
            data=b"garbage",
            headers={"Content-Type": "multipart/form-data; boundary=zz"},
        )
        assert answer.status == 400
        assert "parse error" in answer.json["detail"]


async def test_negative_number_is_rejected_over_http() -> None:
    """An invalid JSON body is answered 400 and nothing is stored."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        before = emu.store.count("tags")
        answer = await api.post("/tags", {"name": ""})
        assert answer.status == 400
        assert answer.json == {"name": ["This field may not be blank."]}
        assert emu.store.count("tags") == before


async def test_query_parameters_as_django_filter_reads_them() -> None:
    """A bad page_size falls back, an unreadable boolean is ignored, a bad choice is 400."""
    async with SkilljarEmulator(limits=None, users=3) as emu, api_for(emu) as api:
        everyone = (await api.get(f"/domains/{LEARN}/users")).json["count"]
        fallback = await api.get(f"/domains/{LEARN}/users?page_size=lots")
        assert (fallback.status, fallback.json["count"]) == (200, everyone)
        ignored = await api.get(f"/domains/{LEARN}/users?active=perhaps")
        assert ignored.json["count"] == everyone
        inactive = await api.get(f"/domains/{LEARN}/users?active=false")
        assert inactive.json["count"] == 0
        bad = await api.get("/ilt-instructors?provider=carrier-pigeon")
        assert bad.status == 400
        assert list(bad.json) == ["provider"]
        when = await api.get("/vilt-session-events?starts_at__gte=someday")
        assert when.status == 400
