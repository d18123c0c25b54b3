"""Enrollments in published courses, published paths and plans (one shape, three collections)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from .._convert import structure, structurer, unstructure
from ..models import Enrollment, EnrollmentPurchase, PurchaseState
from ._base import (
    NOT_GIVEN,
    NotGiven,
    Resource,
    body,
    body_id,
    build_path,
    enum_value,
)

if TYPE_CHECKING:
    from .._pagination import AsyncPaginator

__all__ = ["PlanEnrollments", "PublishedCourseEnrollments", "PublishedPathEnrollments"]

_parse_enrollment = structurer(Enrollment)


_PURCHASE_WRITABLE = ("purchase_price", "purchase_state", "purchased_at", "tax_price_cents")


def _purchase_body(purchase: EnrollmentPurchase | NotGiven | None) -> Any:
    """Keep the set, writable fields of a purchase (the others are server data)."""
    if purchase is None or isinstance(purchase, NotGiven):
        return purchase
    fields = {
        name: value for name in _PURCHASE_WRITABLE if (value := getattr(purchase, name)) is not None
    }
    if "purchase_state" in fields:
        enum_value("purchase.purchase_state", fields["purchase_state"], PurchaseState)
    if "purchase_price" in fields:
        price = unstructure(fields["purchase_price"])
        fields["purchase_price"] = {key: val for key, val in price.items() if val is not None}
    return body(**fields)


class _Enrollments(Resource):
    """Shared request building; subclasses name the collection and their parameters."""

    __slots__ = ()

    _collection_template: ClassVar[str]  # the collection path, its parameters in braces
    _parent_param: ClassVar[str]
    _item_param: ClassVar[str]

    def _collection_path(self, domain: str, parent_id: str) -> str:
        """Build the collection path, checking both path parameters."""
        params = {"domain_name": domain, self._parent_param: parent_id}
        return build_path(self._collection_template, **params)

    def _item_path(self, domain: str, parent_id: str, item_id: str) -> str:
        """Build one enrollment's path, checking all three path parameters."""
        params = {"domain_name": domain, self._parent_param: parent_id, self._item_param: item_id}
        return build_path(f"{self._collection_template}/{{{self._item_param}}}", **params)

    def _list_enrollments(
        self,
        domain: str,
        parent_id: str,
        page_size: int | None,
        max_items: int | None,
        resume_from: str | None,
    ) -> AsyncPaginator[Enrollment]:
        """Start listing a collection."""
        return self._list(
            self._collection_path(domain, parent_id),
            _parse_enrollment,
            page_size=page_size,
            max_items=max_items,
            resume_from=resume_from,
        )

    async def _create(
        self,
        domain: str,
        parent_id: str,
        user_id: str,
        enrolled_at: dt.datetime | NotGiven,
        expires_at: dt.datetime | NotGiven,
        active: bool | NotGiven | None,
        purchase: EnrollmentPurchase | NotGiven | None,
    ) -> Enrollment:
        """Enroll a learner; safe to retry, as the API dedupes same user + ``enrolled_at``.

        When the caller gives no ``enrolled_at`` we pin it to now (UTC) before the
        first attempt, so every retry of this call repeats the same natural key.
        """
        path = self._collection_path(domain, parent_id)
        if isinstance(enrolled_at, NotGiven):
            enrolled_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        payload = body(
            user={"id": body_id("user_id", user_id)},
            enrolled_at=enrolled_at,
            expires_at=expires_at,
            active=active,
            purchase=_purchase_body(purchase),
        )
        data = await self._client._request("POST", path, json=payload, idempotent=True)
        return structure(data, Enrollment)

    async def _get(self, domain: str, parent_id: str, item_id: str) -> Enrollment:
        """Fetch one enrollment."""
        data = await self._client._request("GET", self._item_path(domain, parent_id, item_id))
        return structure(data, Enrollment)

    async def _save(
        self,
        method: str,
        domain: str,
        parent_id: str,
        item_id: str,
        expires_at: dt.datetime | NotGiven | None,
        active: bool | NotGiven,
    ) -> Enrollment:
        """Send an enrollment update; only ``expires_at`` and ``active`` can change."""
        path = self._item_path(domain, parent_id, item_id)
        payload = body(expires_at=expires_at, active=active)
        data = await self._client._request(method, path, json=payload)
        return structure(data, Enrollment)


class PublishedCourseEnrollments(_Enrollments):
    """`client.domains.published_courses.enrollments`: learners enrolled in a course.

    There is no delete: deactivate (``active=False``) or set ``expires_at`` instead.
    """

    __slots__ = ()

    _collection_template = (
        "/domains/{domain_name}/published-courses/{published_course_id}/enrollments"
    )
    _parent_param = "published_course_id"
    _item_param = "enrollment_id"

    def list(
        self,
        domain_name: str,
        published_course_id: str,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[Enrollment]:
        """List a course's enrollments (``domains_published_courses_enrollments_list``)."""
        return self._list_enrollments(
            domain_name, published_course_id, page_size, max_items, resume_from
        )

    async def create(
        self,
        domain_name: str,
        published_course_id: str,
        *,
        user_id: str,
        enrolled_at: dt.datetime | NotGiven = NOT_GIVEN,
        expires_at: dt.datetime | NotGiven = NOT_GIVEN,
        active: bool | NotGiven | None = NOT_GIVEN,
        purchase: EnrollmentPurchase | NotGiven | None = NOT_GIVEN,
    ) -> Enrollment:
        """Enroll a domain member in a course (``domains_published_courses_enrollments_create``).

        The learner must already belong to the domain. Repeating the call for the same
        learner and ``enrolled_at`` returns the same enrollment, so it is retried safely.
        """
        return await self._create(
            domain_name, published_course_id, user_id, enrolled_at, expires_at, active, purchase
        )

    async def retrieve(
        self, domain_name: str, published_course_id: str, enrollment_id: str
    ) -> Enrollment:
        """Get one enrollment (``domains_published_courses_enrollments_retrieve``)."""
        return await self._get(domain_name, published_course_id, enrollment_id)

    async def update(
        self,
        domain_name: str,
        published_course_id: str,
        enrollment_id: str,
        *,
        expires_at: dt.datetime | NotGiven | None = NOT_GIVEN,
        active: bool | NotGiven = NOT_GIVEN,
    ) -> Enrollment:
        """Change expiry or active flag with PUT (``…_enrollments_update``)."""
        return await self._save(
            "PUT", domain_name, published_course_id, enrollment_id, expires_at, active
        )

    async def partial_update(
        self,
        domain_name: str,
        published_course_id: str,
        enrollment_id: str,
        *,
        expires_at: dt.datetime | NotGiven | None = NOT_GIVEN,
        active: bool | NotGiven = NOT_GIVEN,
    ) -> Enrollment:
        """Change expiry or active flag with PATCH (``…_enrollments_partial_update``)."""
        return await self._save(
            "PATCH", domain_name, published_course_id, enrollment_id, expires_at, active
        )


class PublishedPathEnrollments(_Enrollments):
    """`client.domains.published_paths.published_path_enrollments`: learners on a path.

    There is no delete: deactivate (``active=False``) or set ``expires_at`` instead.
    """

    __slots__ = ()

    _collection_template = (
        "/domains/{domain_name}/published-paths/{published_path_id}/published-path-enrollments"
    )
    _parent_param = "published_path_id"
    _item_param = "published_path_enrollment_id"

    def list(
        self,
        domain_name: str,
        published_path_id: str,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[Enrollment]:
        """List a path's enrollments (``…_published_path_enrollments_list``)."""
        return self._list_enrollments(
            domain_name, published_path_id, page_size, max_items, resume_from
        )

    async def create(
        self,
        domain_name: str,
        published_path_id: str,
        *,
        user_id: str,
        enrolled_at: dt.datetime | NotGiven = NOT_GIVEN,
        expires_at: dt.datetime | NotGiven = NOT_GIVEN,
        active: bool | NotGiven | None = NOT_GIVEN,
        purchase: EnrollmentPurchase | NotGiven | None = NOT_GIVEN,
    ) -> Enrollment:
        """Enroll a domain member in a path (``…_published_path_enrollments_create``).

        The learner must already belong to the domain. Repeating the call for the same
        learner and ``enrolled_at`` returns the same enrollment, so it is retried safely.
        """
        return await self._create(
            domain_name, published_path_id, user_id, enrolled_at, expires_at, active, purchase
        )

    async def retrieve(
        self, domain_name: str, published_path_id: str, published_path_enrollment_id: str
    ) -> Enrollment:
        """Get one path enrollment (``…_published_path_enrollments_retrieve``)."""
        return await self._get(domain_name, published_path_id, published_path_enrollment_id)

    async def update(
        self,
        domain_name: str,
        published_path_id: str,
        published_path_enrollment_id: str,
        *,
        expires_at: dt.datetime | NotGiven | None = NOT_GIVEN,
        active: bool | NotGiven = NOT_GIVEN,
    ) -> Enrollment:
        """Change expiry or active flag with PUT (``…_published_path_enrollments_update``)."""
        return await self._save(
            "PUT", domain_name, published_path_id, published_path_enrollment_id, expires_at, active
        )

    async def partial_update(
        self,
        domain_name: str,
        published_path_id: str,
        published_path_enrollment_id: str,
        *,
        expires_at: dt.datetime | NotGiven | None = NOT_GIVEN,
        active: bool | NotGiven = NOT_GIVEN,
    ) -> Enrollment:
        """Change expiry or active flag with PATCH (``…_partial_update``)."""
        return await self._save(
            "PATCH",
            domain_name,
            published_path_id,
            published_path_enrollment_id,
            expires_at,
            active,
        )


class PlanEnrollments(_Enrollments):
    """`client.domains.plan.plan_enrollments`: learners enrolled in a plan.

    There is no delete: deactivate (``active=False``) or set ``expires_at`` instead.
    """

    __slots__ = ()

    _collection_template = "/domains/{domain_name}/plan/{plan_id}/plan-enrollments"
    _parent_param = "plan_id"
    _item_param = "plan_enrollment_id"

    def list(
        self,
        domain_name: str,
        plan_id: str,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[Enrollment]:
        """List a plan's enrollments (``domains_plan_plan_enrollments_list``)."""
        return self._list_enrollments(domain_name, plan_id, page_size, max_items, resume_from)

    async def create(
        self,
        domain_name: str,
        plan_id: str,
        *,
        user_id: str,
        enrolled_at: dt.datetime | NotGiven = NOT_GIVEN,
        expires_at: dt.datetime | NotGiven = NOT_GIVEN,
        active: bool | NotGiven | None = NOT_GIVEN,
        purchase: EnrollmentPurchase | NotGiven | None = NOT_GIVEN,
    ) -> Enrollment:
        """Enroll a domain member in a plan (``domains_plan_plan_enrollments_create``).

        The learner must already belong to the domain. Repeating the call for the same
        learner and ``enrolled_at`` returns the same enrollment, so it is retried safely.
        """
        return await self._create(
            domain_name, plan_id, user_id, enrolled_at, expires_at, active, purchase
        )

    async def retrieve(self, domain_name: str, plan_id: str, plan_enrollment_id: str) -> Enrollment:
        """Get one plan enrollment (``domains_plan_plan_enrollments_retrieve``)."""
        return await self._get(domain_name, plan_id, plan_enrollment_id)

    async def update(
        self,
        domain_name: str,
        plan_id: str,
        plan_enrollment_id: str,
        *,
        expires_at: dt.datetime | NotGiven | None = NOT_GIVEN,
        active: bool | NotGiven = NOT_GIVEN,
    ) -> Enrollment:
        """Change expiry or active flag with PUT (``domains_plan_plan_enrollments_update``)."""
        return await self._save("PUT", domain_name, plan_id, plan_enrollment_id, expires_at, active)

    async def partial_update(
        self,
        domain_name: str,
        plan_id: str,
        plan_enrollment_id: str,
        *,
        expires_at: dt.datetime | NotGiven | None = NOT_GIVEN,
        active: bool | NotGiven = NOT_GIVEN,
    ) -> Enrollment:
        """Change expiry or active flag with PATCH (``…_plan_enrollments_partial_update``)."""
        return await self._save(
            "PATCH", domain_name, plan_id, plan_enrollment_id, expires_at, active
        )
