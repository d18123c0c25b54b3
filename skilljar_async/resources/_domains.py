"""`client.domains`: domain settings, plus the per-domain sub-resources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._convert import structure, structurer
from ..models import Domain, DomainAccess
from ._base import NOT_GIVEN, NotGiven, Resource, _ClientLike, body, domain_segment, optional_enum
from ._domain_users import DomainUsers
from ._gen_access_codes import DomainAccessCodePools
from ._gen_catalog_pages import DomainCatalogPages
from ._gen_domain_catalog import DomainCourseSeries, DomainPlans, DomainSignupFields
from ._published_courses import DomainPublishedCourses
from ._published_paths import DomainPublishedPaths

if TYPE_CHECKING:
    from .._pagination import AsyncPaginator

__all__ = ["Domains"]

_parse_domain = structurer(Domain)


class Domains(Resource):
    """Domains (catalog sites) of the organization, keyed by host name.

    Domains cannot be created or deleted through the API. Sub-resources: ``users``
    (memberships), ``published_courses``, ``published_paths``, ``access_code_pools``,
    ``catalog_pages``, ``course_series``, ``plan`` and ``signup_fields``.
    """

    __slots__ = (
        "access_code_pools",
        "catalog_pages",
        "course_series",
        "plan",
        "published_courses",
        "published_paths",
        "signup_fields",
        "users",
    )

    def __init__(self, client: _ClientLike) -> None:
        """Bind the resource and its sub-resources to `client`."""
        super().__init__(client)
        self.users = DomainUsers(client)
        self.published_courses = DomainPublishedCourses(client)
        self.published_paths = DomainPublishedPaths(client)
        self.access_code_pools = DomainAccessCodePools(client)
        self.catalog_pages = DomainCatalogPages(client)
        self.course_series = DomainCourseSeries(client)
        self.plan = DomainPlans(client)
        self.signup_fields = DomainSignupFields(client)

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
        data = await self._client._request("GET", f"/domains/{domain_segment(domain_name)}")
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
        path = f"/domains/{domain_segment(domain_name)}"
        payload = body(
            catalog_title=catalog_title,
            access=optional_enum("access", access, DomainAccess),
            access_code_message_html=access_code_message_html,
            marketing_message=marketing_message,
        )
        data = await self._client._request(method, path, json=payload)
        return structure(data, Domain)
