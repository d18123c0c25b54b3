"""Domains (catalog sites) and learners' memberships in them."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

import attrs

from .._fields import extra_field, redact
from ._common import User

__all__ = [
    "AccessCode",
    "AccessCodePool",
    "BulkUser",
    "BulkUserCreateResult",
    "Domain",
    "DomainAccess",
    "DomainUser",
    "SignupFieldSummary",
    "UserSignupFieldValue",
]


class DomainAccess(enum.StrEnum):
    """Who can see a domain's catalog (`AccessEnum`)."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"
    PRIVATE_CODE = "PRIVATE_CODE"


@attrs.frozen(kw_only=True)
class Domain:
    """A domain (catalog site), keyed by its host ``name`` (`Domain`).

    ``private`` and ``marketing_message`` are deprecated by the API in favour of
    ``access`` and signup fields.
    """

    name: str
    id: str | None = None
    catalog_title: str | None = None
    private: bool | None = None
    access: DomainAccess | str | None = None
    access_code_message_html: str | None = None
    marketing_message: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class AccessCodePool:
    """The pool an access code belongs to."""

    id: str
    name: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class AccessCode:
    """The access code a learner used to join a private domain."""

    id: str
    code: str | None = None
    pool: AccessCodePool | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class SignupFieldSummary:
    """Which signup field a value answers."""

    id: str
    label: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class UserSignupFieldValue:
    """A learner's answer to one signup field."""

    signup_field: SignupFieldSummary
    value: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class DomainUser:
    """A learner's membership in a domain (`DomainUserDetail` and its variants).

    ``login_token`` is a single-use SSO token, present only in create/update answers
    on token-SSO domains; it is redacted in the repr. ``signup_fields`` is empty unless
    the endpoint includes them (the list does only with ``include_signup_field_data``).
    """

    user: User
    active: bool | None = None
    marketing_optin: bool | None = None
    enrolled_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    access_code: AccessCode | None = None
    signup_fields: tuple[UserSignupFieldValue, ...] = ()
    login_token: str | None = attrs.field(default=None, repr=redact)
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class BulkUser:
    """One learner of ``client.domains.users.bulk_create`` (input; only ``email`` required).

    Unset (None) fields are not sent; ``expires_at`` must be timezone-aware.
    """

    email: str
    first_name: str | None = None
    last_name: str | None = None
    active: bool | None = None
    marketing_optin: bool | None = None
    expires_at: dt.datetime | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class BulkUserCreateResult:
    """The answer to a bulk create: the rows were accepted and are applied in the background."""

    detail: str | None = None
    count: int | None = None
    extra: Mapping[str, Any] = extra_field()
