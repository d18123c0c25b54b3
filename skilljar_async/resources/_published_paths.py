"""`client.domains.published_paths`: learning paths published on a domain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._convert import structure, structurer
from .._lazy import SubResource
from ..models import PublishedPath
from ._base import (
    NOT_GIVEN,
    NotGiven,
    Resource,
    body,
    build_path,
    query,
    text,
)

if TYPE_CHECKING:
    from .._pagination import AsyncPaginator
    from ._enrollments import PublishedPathEnrollments
    from ._generated._published_paths import (
        PublishedPathItems,
        PublishedPathLabels,
        PublishedPathTags,
        PublishedPathVisibilityOverrides,
    )

__all__ = ["DomainPublishedPaths"]

_parse_published_path = structurer(PublishedPath)


def _collection_path(domain_name: str) -> str:
    """Build the collection path, checking the domain name."""
    return build_path("/domains/{domain_name}/published-paths", domain_name=domain_name)


def _item_path(domain_name: str, published_path_id: str) -> str:
    """Build one published path's path, checking both parameters."""
    return build_path(
        "/domains/{domain_name}/published-paths/{published_path_id}",
        domain_name=domain_name,
        published_path_id=published_path_id,
    )


class DomainPublishedPaths(Resource):
    """Learning paths published on one domain.

    ``published_path_enrollments`` holds who is enrolled (named after its URL segment,
    like every attribute of the client); also ``labels``, ``path_items``, ``tags`` and
    ``visibility_overrides``.
    """

    __slots__ = ("__dict__",)  # caches the sub-resources

    published_path_enrollments: SubResource[PublishedPathEnrollments] = SubResource(
        "._enrollments", "PublishedPathEnrollments"
    )
    labels: SubResource[PublishedPathLabels] = SubResource(
        "._generated._published_paths", "PublishedPathLabels"
    )
    path_items: SubResource[PublishedPathItems] = SubResource(
        "._generated._published_paths", "PublishedPathItems"
    )
    tags: SubResource[PublishedPathTags] = SubResource(
        "._generated._published_paths", "PublishedPathTags"
    )
    visibility_overrides: SubResource[PublishedPathVisibilityOverrides] = SubResource(
        "._generated._published_paths", "PublishedPathVisibilityOverrides"
    )

    def list(
        self,
        domain_name: str,
        *,
        label__name: str | None = None,
        search: str | None = None,
        include_searchable_content: bool | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[PublishedPath]:
        """List a domain's published paths (``domains_published_paths_list``).

        ``label__name`` matches a label name exactly; ``search`` gives catalog-search
        order; ``include_searchable_content=True`` adds fields that land in ``extra``.
        """
        params = query(
            label__name=label__name,
            search=search,
            include_searchable_content=include_searchable_content,
        )
        return self._list(
            _collection_path(domain_name),
            _parse_published_path,
            params,
            page_size=page_size,
            max_items=max_items,
            resume_from=resume_from,
        )

    async def create(
        self,
        domain_name: str,
        *,
        slug: str,
        title: str,
        short_description: str | NotGiven = NOT_GIVEN,
        long_description_html: str | NotGiven = NOT_GIVEN,
        header_html: str | NotGiven = NOT_GIVEN,
        course_name_singular: str | NotGiven = NOT_GIVEN,
        course_name_plural: str | NotGiven = NOT_GIVEN,
        hidden: bool | NotGiven = NOT_GIVEN,
        strict_enforce_group_visibility: bool | NotGiven = NOT_GIVEN,
        unique_progress_per_enrollment: bool | NotGiven = NOT_GIVEN,
    ) -> PublishedPath:
        """Create a learning path and publish it (``domains_published_paths_create``).

        The path fields (``title`` through ``course_name_plural``) are sent nested
        under ``path``; the API attaches a default offer.
        """
        path_fields = body(
            title=text("title", title),
            short_description=short_description,
            long_description_html=long_description_html,
            header_html=header_html,
            course_name_singular=course_name_singular,
            course_name_plural=course_name_plural,
        )
        payload = body(
            slug=text("slug", slug),
            path=path_fields,
            hidden=hidden,
            strict_enforce_group_visibility=strict_enforce_group_visibility,
            unique_progress_per_enrollment=unique_progress_per_enrollment,
        )
        data = await self._client._request("POST", _collection_path(domain_name), json=payload)
        return structure(data, PublishedPath)

    async def retrieve(self, domain_name: str, published_path_id: str) -> PublishedPath:
        """Get one published path (``domains_published_paths_retrieve``)."""
        data = await self._client._request("GET", _item_path(domain_name, published_path_id))
        return structure(data, PublishedPath)

    async def update(
        self,
        domain_name: str,
        published_path_id: str,
        *,
        slug: str | NotGiven = NOT_GIVEN,
        hidden: bool | NotGiven = NOT_GIVEN,
        strict_enforce_group_visibility: bool | NotGiven = NOT_GIVEN,
        unique_progress_per_enrollment: bool | NotGiven = NOT_GIVEN,
    ) -> PublishedPath:
        """Change a published path with PUT (``domains_published_paths_update``).

        ``slug`` is the path's URL; the API advises against changing it once published.
        """
        payload = body(
            slug=slug,
            hidden=hidden,
            strict_enforce_group_visibility=strict_enforce_group_visibility,
            unique_progress_per_enrollment=unique_progress_per_enrollment,
        )
        return await self._save("PUT", domain_name, published_path_id, payload)

    async def partial_update(
        self,
        domain_name: str,
        published_path_id: str,
        *,
        slug: str | NotGiven = NOT_GIVEN,
        hidden: bool | NotGiven = NOT_GIVEN,
        strict_enforce_group_visibility: bool | NotGiven = NOT_GIVEN,
        unique_progress_per_enrollment: bool | NotGiven = NOT_GIVEN,
    ) -> PublishedPath:
        """Change a published path with PATCH (``domains_published_paths_partial_update``)."""
        payload = body(
            slug=slug,
            hidden=hidden,
            strict_enforce_group_visibility=strict_enforce_group_visibility,
            unique_progress_per_enrollment=unique_progress_per_enrollment,
        )
        return await self._save("PATCH", domain_name, published_path_id, payload)

    async def destroy(self, domain_name: str, published_path_id: str) -> None:
        """Delete a published path (``domains_published_paths_destroy``).

        Destructive: also deletes the path's associated course series on the domain.

        A 404 on a retry after an attempt that may have reached the server means that
        attempt deleted it: the call succeeds.
        """
        await self._client._request("DELETE", _item_path(domain_name, published_path_id))

    async def _save(
        self, method: str, domain_name: str, published_path_id: str, payload: dict[str, Any]
    ) -> PublishedPath:
        """Send a published-path update with the given HTTP method."""
        path = _item_path(domain_name, published_path_id)
        data = await self._client._request(method, path, json=payload)
        return structure(data, PublishedPath)
