"""`client.domains`: domain settings, plus the per-domain sub-resources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._convert import structure, structurer
from .._lazy import SubResource
from ..models import Domain, DomainAccess
from ._base import NOT_GIVEN, NotGiven, Resource, body, build_path, optional_enum
from ._generated import _domain_catalog

if TYPE_CHECKING:
    from .._pagination import AsyncPaginator
    from ._domain_users import DomainUsers
    from ._enrollments import PlanEnrollments
    from ._generated._access_codes import DomainAccessCodePools
    from ._generated._catalog_pages import DomainCatalogPages
    from ._generated._domain_catalog import DomainCourseSeries, DomainSignupFields
    from ._published_courses import DomainPublishedCourses
    from ._published_paths import DomainPublishedPaths

__all__ = ["DomainPlans", "Domains"]

_parse_domain = structurer(Domain)


class Domains(Resource):
    """Domains (catalog sites) of the organization, keyed by host name.

    Domains cannot be created or deleted through the API. Sub-resources: ``users``
    (memberships), ``published_courses``, ``published_paths``, ``access_code_pools``,
    ``catalog_pages``, ``course_series``, ``plan`` and ``signup_fields``.
    """

    __slots__ = ("__dict__",)  # caches the sub-resources

    users: SubResource[DomainUsers] = SubResource("._domain_users", "DomainUsers")
    published_courses: SubResource[DomainPublishedCourses] = SubResource(
        "._published_courses", "DomainPublishedCourses"
    )
    published_paths: SubResource[DomainPublishedPaths] = SubResource(
        "._published_paths", "DomainPublishedPaths"
    )
    access_code_pools: SubResource[DomainAccessCodePools] = SubResource(
        "._generated._access_codes", "DomainAccessCodePools"
    )
    catalog_pages: SubResource[DomainCatalogPages] = SubResource(
        "._generated._catalog_pages", "DomainCatalogPages"
    )
    course_series: SubResource[DomainCourseSeries] = SubResource(
        "._generated._domain_catalog", "DomainCourseSeries"
    )
    plan: SubResource[DomainPlans] = SubResource("._domains", "DomainPlans")
    signup_fields: SubResource[DomainSignupFields] = SubResource(
        "._generated._domain_catalog", "DomainSignupFields"
    )

    def list(
        self,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[Domain]:
        """List domains (``domains_list``); the API may ignore ``page_size`` here."""
        return self._list(
            "/domains",
            _parse_domain,
            page_size=page_size,
            max_items=max_items,
            resume_from=resume_from,
        )

    async def retrieve(self, domain_name: str) -> Domain:
        """Get one domain by host name (``domains_retrieve``)."""
        path = build_path("/domains/{domain_name}", domain_name=domain_name)
        data = await self._client._request("GET", path)
        return structure(data, Domain)

    async def update(
        self,
        domain_name: str,
        *,
        catalog_title: str | NotGiven = NOT_GIVEN,
        access: DomainAccess | str | NotGiven = NOT_GIVEN,
        access_code_message_html: str | NotGiven = NOT_GIVEN,
        marketing_message: str | NotGiven = NOT_GIVEN,
    ) -> Domain:
        """Change domain settings with PUT (``domains_update``); only given fields are sent."""
        return await self._save(
            "PUT", domain_name, catalog_title, access, access_code_message_html, marketing_message
        )

    async def partial_update(
        self,
        domain_name: str,
        *,
        catalog_title: str | NotGiven = NOT_GIVEN,
        access: DomainAccess | str | NotGiven = NOT_GIVEN,
        access_code_message_html: str | NotGiven = NOT_GIVEN,
        marketing_message: str | NotGiven = NOT_GIVEN,
    ) -> Domain:
        """Change domain settings with PATCH (``domains_partial_update``)."""
        return await self._save(
            "PATCH", domain_name, catalog_title, access, access_code_message_html, marketing_message
        )

    async def _save(
        self,
        method: str,
        domain_name: str,
        catalog_title: str | NotGiven,
        access: DomainAccess | str | NotGiven,
        access_code_message_html: str | NotGiven,
        marketing_message: str | NotGiven,
    ) -> Domain:
        """Send a domain update with the given HTTP method."""
        path = build_path("/domains/{domain_name}", domain_name=domain_name)
        payload = body(
            catalog_title=catalog_title,
            access=optional_enum("access", access, DomainAccess),
            access_code_message_html=access_code_message_html,
            marketing_message=marketing_message,
        )
        data = await self._client._request(method, path, json=payload)
        return structure(data, Domain)


class DomainPlans(_domain_catalog.DomainPlans):
    """Plans of a domain (``client.domains.plan``), with their enrollments."""

    __slots__ = ("__dict__",)  # caches the sub-resources

    plan_enrollments: SubResource[PlanEnrollments] = SubResource("._enrollments", "PlanEnrollments")
