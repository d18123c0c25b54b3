"""`client.domains.users`: learners' memberships in a domain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .._convert import structure, structurer
from .._lazy import SubResource
from ..models import BulkUser, BulkUserCreateResult, DomainUser
from ._base import (
    NOT_GIVEN,
    NotGiven,
    Resource,
    body,
    body_id,
    build_path,
    nested,
    query,
    text,
)

if TYPE_CHECKING:
    from .._pagination import AsyncPaginator
    from ._generated._domain_users import (
        DomainUserInvites,
        DomainUserManagerAccess,
        DomainUserSignupFields,
        DomainUserSignupFieldsBulk,
    )

__all__ = ["DomainUsers"]

_parse_domain_user = structurer(DomainUser)

#: Most learners one bulk create accepts.
MAX_BULK_USERS = 1000
_BULK_FIELDS = ("email", "first_name", "last_name", "active", "marketing_optin", "expires_at")


def _member_path(domain_name: str, user_id: str) -> str:
    """Build one membership's path, checking both parameters."""
    return build_path(
        "/domains/{domain_name}/users/{user_id}", domain_name=domain_name, user_id=user_id
    )


def _bulk_row(index: int, user: BulkUser | Mapping[str, Any]) -> Any:
    """Check one bulk-create row and return it ready for the wire."""
    row = nested(f"users[{index}]", user, _BULK_FIELDS)
    text(f"users[{index}].email", row.get("email"))
    return row


class DomainUsers(Resource):
    """Memberships of learners in one domain.

    There is no delete: end a membership with ``active=False`` or ``expires_at``.
    Sub-resources: ``invites``, ``manager_access``, ``signup_fields`` and
    ``signup_fields_bulk``.
    """

    __slots__ = ("__dict__",)  # caches the sub-resources

    invites: SubResource[DomainUserInvites] = SubResource(
        "._generated._domain_users", "DomainUserInvites"
    )
    manager_access: SubResource[DomainUserManagerAccess] = SubResource(
        "._generated._domain_users", "DomainUserManagerAccess"
    )
    signup_fields: SubResource[DomainUserSignupFields] = SubResource(
        "._generated._domain_users", "DomainUserSignupFields"
    )
    signup_fields_bulk: SubResource[DomainUserSignupFieldsBulk] = SubResource(
        "._generated._domain_users", "DomainUserSignupFieldsBulk"
    )

    def list(
        self,
        domain_name: str,
        *,
        user__email: str | None = None,
        user__first_name: str | None = None,
        user__last_name: str | None = None,
        active: bool | None = None,
        access_code: Literal["null"] | None = None,
        access_code__code: str | None = None,
        access_code__id: str | None = None,
        access_code__pool__id: str | None = None,
        signup_field_id: str | None = None,
        signup_field_label: str | None = None,
        signup_field_value: str | None = None,
        include_signup_field_data: bool | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[DomainUser]:
        """List a domain's members (``domains_users_list``).

        Name, code, label and value filters are case-sensitive. ``access_code="null"``
        (the only value the API accepts) lists members who joined without a code;
        ``include_signup_field_data=True`` fills each row's ``signup_fields``.
        """
        if access_code is not None and access_code != "null":
            raise ValueError(f'access_code accepts only the string "null", got {access_code!r}')
        params = query(
            user__email=user__email,
            user__first_name=user__first_name,
            user__last_name=user__last_name,
            active=active,
            access_code=access_code,
            access_code__code=access_code__code,
            access_code__id=access_code__id,
            access_code__pool__id=access_code__pool__id,
            signup_field_id=signup_field_id,
            signup_field_label=signup_field_label,
            signup_field_value=signup_field_value,
            include_signup_field_data=include_signup_field_data,
        )
        return self._list(
            build_path("/domains/{domain_name}/users", domain_name=domain_name),
            _parse_domain_user,
            params,
            page_size=page_size,
            max_items=max_items,
            resume_from=resume_from,
        )

    async def create(
        self,
        domain_name: str,
        *,
        email: str,
        first_name: str | NotGiven = NOT_GIVEN,
        last_name: str | NotGiven = NOT_GIVEN,
        active: bool | NotGiven = NOT_GIVEN,
        marketing_optin: bool | NotGiven | None = NOT_GIVEN,
        expires_at: dt.datetime | NotGiven | None = NOT_GIVEN,
    ) -> DomainUser:
        """Add a learner to a domain by email (``domains_users_create``).

        An unknown email creates the learner; a known one attaches the existing
        learner and returns their current details, so the call is retried safely. On
        token-SSO domains the answer carries a single-use ``login_token``.
        """
        person = body(email=text("email", email), first_name=first_name, last_name=last_name)
        payload = body(
            user=person, active=active, marketing_optin=marketing_optin, expires_at=expires_at
        )
        path = build_path("/domains/{domain_name}/users", domain_name=domain_name)
        data = await self._client._request("POST", path, json=payload, idempotent=True)
        return structure(data, DomainUser)

    async def bulk_create(
        self, domain_name: str, *, users: Sequence[BulkUser | Mapping[str, Any]]
    ) -> BulkUserCreateResult:
        """Add up to 1000 learners to a domain in one request (``bulk_create_domain_users``).

        Each row is a `BulkUser` (or a mapping with the same keys). The API rejects the
        whole request if any row is invalid, then applies the rows in the background:
        the answer only says how many were accepted. Known emails attach the existing
        learner, so the call is retried safely.
        """
        if isinstance(users, str | bytes | Mapping) or not isinstance(users, Sequence):
            raise ValueError(f"users must be a sequence of BulkUser rows, got {users!r}")
        if not 1 <= len(users) <= MAX_BULK_USERS:
            raise ValueError(f"users must hold 1 to {MAX_BULK_USERS} rows, got {len(users)}")
        rows = [_bulk_row(index, user) for index, user in enumerate(users)]
        path = build_path("/domains/{domain_name}/users/bulk-create", domain_name=domain_name)
        data = await self._client._request("POST", path, json=body(users=rows), idempotent=True)
        return structure(data, BulkUserCreateResult)

    async def retrieve(self, domain_name: str, user_id: str) -> DomainUser:
        """Get one membership (``domains_users_retrieve``)."""
        data = await self._client._request("GET", _member_path(domain_name, user_id))
        return structure(data, DomainUser)

    async def update(
        self,
        domain_name: str,
        user_id: str,
        *,
        active: bool | NotGiven = NOT_GIVEN,
        expires_at: dt.datetime | NotGiven | None = NOT_GIVEN,
        access_code_id: str | NotGiven | None = NOT_GIVEN,
    ) -> DomainUser:
        """Change a membership with PUT (``domains_users_update``).

        ``access_code_id=None`` detaches the member's access code.
        """
        return await self._save("PUT", domain_name, user_id, active, expires_at, access_code_id)

    async def partial_update(
        self,
        domain_name: str,
        user_id: str,
        *,
        active: bool | NotGiven = NOT_GIVEN,
        expires_at: dt.datetime | NotGiven | None = NOT_GIVEN,
        access_code_id: str | NotGiven | None = NOT_GIVEN,
    ) -> DomainUser:
        """Change a membership with PATCH (``domains_users_partial_update``)."""
        return await self._save("PATCH", domain_name, user_id, active, expires_at, access_code_id)

    async def _save(
        self,
        method: str,
        domain_name: str,
        user_id: str,
        active: bool | NotGiven,
        expires_at: dt.datetime | NotGiven | None,
        access_code_id: str | NotGiven | None,
    ) -> DomainUser:
        """Send a membership update; the API wants the code as ``{"id": ...}``."""
        path = _member_path(domain_name, user_id)
        access_code: object = access_code_id
        if isinstance(access_code_id, str):
            access_code = {"id": body_id("access_code_id", access_code_id)}
        payload = body(active=active, expires_at=expires_at, access_code=access_code)
        data = await self._client._request(method, path, json=payload)
        return structure(data, DomainUser)
