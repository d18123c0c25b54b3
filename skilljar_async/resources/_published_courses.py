"""`client.domains.published_courses`: courses published on a domain."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .._convert import structure, structurer
from .._lazy import SubResource
from ..models import PublishedCourse
from ._base import (
    NOT_GIVEN,
    NotGiven,
    Resource,
    body,
    body_id,
    build_path,
    query,
)

if TYPE_CHECKING:
    from .._pagination import AsyncPaginator
    from ._enrollments import PublishedCourseEnrollments
    from ._generated._published_courses import (
        PublishedCoursePrerequisites,
        PublishedCourseStudentGroupPrerequisites,
        PublishedCourseTags,
        PublishedCourseVisibilityOverrides,
        ReenrollmentRules,
    )

__all__ = ["DomainPublishedCourses"]

_parse_published_course = structurer(PublishedCourse)


def _collection_path(domain_name: str) -> str:
    """Build the collection path, checking the domain name."""
    return build_path("/domains/{domain_name}/published-courses", domain_name=domain_name)


def _item_path(domain_name: str, published_course_id: str) -> str:
    """Build one publication's path, checking both parameters."""
    return build_path(
        "/domains/{domain_name}/published-courses/{published_course_id}",
        domain_name=domain_name,
        published_course_id=published_course_id,
    )


class DomainPublishedCourses(Resource):
    """Publications of courses on one domain; ``enrollments`` lists who is enrolled.

    Other sub-resources: ``published_course_prerequisites``, ``reenrollment_rule``,
    ``student_group_prerequisites``, ``tags`` and ``visibility_overrides``.
    """

    __slots__ = ("__dict__",)  # caches the sub-resources

    enrollments: SubResource[PublishedCourseEnrollments] = SubResource(
        "._enrollments", "PublishedCourseEnrollments"
    )
    published_course_prerequisites: SubResource[PublishedCoursePrerequisites] = SubResource(
        "._generated._published_courses", "PublishedCoursePrerequisites"
    )
    reenrollment_rule: SubResource[ReenrollmentRules] = SubResource(
        "._generated._published_courses", "ReenrollmentRules"
    )
    student_group_prerequisites: SubResource[PublishedCourseStudentGroupPrerequisites] = (
        SubResource("._generated._published_courses", "PublishedCourseStudentGroupPrerequisites")
    )
    tags: SubResource[PublishedCourseTags] = SubResource(
        "._generated._published_courses", "PublishedCourseTags"
    )
    visibility_overrides: SubResource[PublishedCourseVisibilityOverrides] = SubResource(
        "._generated._published_courses", "PublishedCourseVisibilityOverrides"
    )

    def list(
        self,
        domain_name: str,
        *,
        course__id: str | None = None,
        search: str | None = None,
        include_searchable_content: bool | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[PublishedCourse]:
        """List a domain's published courses (``domains_published_courses_list``).

        ``search`` returns catalog-search results in catalog-search order;
        ``include_searchable_content=True`` adds fields that land in each row's ``extra``.
        """
        params = query(
            course__id=course__id,
            search=search,
            include_searchable_content=include_searchable_content,
        )
        return self._list(
            _collection_path(domain_name),
            _parse_published_course,
            params,
            page_size=page_size,
            max_items=max_items,
            resume_from=resume_from,
        )

    async def create(
        self,
        domain_name: str,
        *,
        course_id: str,
        slug: str | NotGiven = NOT_GIVEN,
        hidden: bool | NotGiven = NOT_GIVEN,
        strict_enforce_group_visibility: bool | NotGiven = NOT_GIVEN,
        registration_required: bool | NotGiven = NOT_GIVEN,
        registration_starts_at: dt.datetime | NotGiven = NOT_GIVEN,
        registration_ends_at: dt.datetime | NotGiven = NOT_GIVEN,
        restrict_access_start_end_dates: bool | NotGiven = NOT_GIVEN,
        allow_self_service_reenroll: bool | NotGiven = NOT_GIVEN,
        unique_progress_per_enrollment: bool | NotGiven = NOT_GIVEN,
        require_all_prerequisites: bool | NotGiven = NOT_GIVEN,
    ) -> PublishedCourse:
        """Publish a course on a domain (``domains_published_courses_create``).

        Fails if the course is already published there, so it is not retried blindly.
        """
        payload = body(
            course={"id": body_id("course_id", course_id)},
            slug=slug,
            hidden=hidden,
            strict_enforce_group_visibility=strict_enforce_group_visibility,
            registration_required=registration_required,
            registration_starts_at=registration_starts_at,
            registration_ends_at=registration_ends_at,
            restrict_access_start_end_dates=restrict_access_start_end_dates,
            allow_self_service_reenroll=allow_self_service_reenroll,
            unique_progress_per_enrollment=unique_progress_per_enrollment,
            require_all_prerequisites=require_all_prerequisites,
        )
        path = _collection_path(domain_name)
        data = await self._client._request("POST", path, json=payload)
        return structure(data, PublishedCourse)

    async def retrieve(self, domain_name: str, published_course_id: str) -> PublishedCourse:
        """Get one publication, with course descriptions (``…_published_courses_retrieve``)."""
        data = await self._client._request("GET", _item_path(domain_name, published_course_id))
        return structure(data, PublishedCourse)

    async def update(
        self,
        domain_name: str,
        published_course_id: str,
        *,
        slug: str | NotGiven = NOT_GIVEN,
        hidden: bool | NotGiven = NOT_GIVEN,
        strict_enforce_group_visibility: bool | NotGiven = NOT_GIVEN,
        registration_required: bool | NotGiven = NOT_GIVEN,
        registration_starts_at: dt.datetime | NotGiven = NOT_GIVEN,
        registration_ends_at: dt.datetime | NotGiven = NOT_GIVEN,
        restrict_access_start_end_dates: bool | NotGiven = NOT_GIVEN,
        allow_self_service_reenroll: bool | NotGiven = NOT_GIVEN,
        unique_progress_per_enrollment: bool | NotGiven = NOT_GIVEN,
        require_all_prerequisites: bool | NotGiven = NOT_GIVEN,
    ) -> PublishedCourse:
        """Change publication settings with PUT (``domains_published_courses_update``)."""
        payload = body(
            slug=slug,
            hidden=hidden,
            strict_enforce_group_visibility=strict_enforce_group_visibility,
            registration_required=registration_required,
            registration_starts_at=registration_starts_at,
            registration_ends_at=registration_ends_at,
            restrict_access_start_end_dates=restrict_access_start_end_dates,
            allow_self_service_reenroll=allow_self_service_reenroll,
            unique_progress_per_enrollment=unique_progress_per_enrollment,
            require_all_prerequisites=require_all_prerequisites,
        )
        return await self._save("PUT", domain_name, published_course_id, payload)

    async def partial_update(
        self,
        domain_name: str,
        published_course_id: str,
        *,
        slug: str | NotGiven = NOT_GIVEN,
        hidden: bool | NotGiven = NOT_GIVEN,
        strict_enforce_group_visibility: bool | NotGiven = NOT_GIVEN,
        registration_required: bool | NotGiven = NOT_GIVEN,
        registration_starts_at: dt.datetime | NotGiven = NOT_GIVEN,
        registration_ends_at: dt.datetime | NotGiven = NOT_GIVEN,
        restrict_access_start_end_dates: bool | NotGiven = NOT_GIVEN,
        allow_self_service_reenroll: bool | NotGiven = NOT_GIVEN,
        unique_progress_per_enrollment: bool | NotGiven = NOT_GIVEN,
        require_all_prerequisites: bool | NotGiven = NOT_GIVEN,
    ) -> PublishedCourse:
        """Change publication settings with PATCH (``…_published_courses_partial_update``)."""
        payload = body(
            slug=slug,
            hidden=hidden,
            strict_enforce_group_visibility=strict_enforce_group_visibility,
            registration_required=registration_required,
            registration_starts_at=registration_starts_at,
            registration_ends_at=registration_ends_at,
            restrict_access_start_end_dates=restrict_access_start_end_dates,
            allow_self_service_reenroll=allow_self_service_reenroll,
            unique_progress_per_enrollment=unique_progress_per_enrollment,
            require_all_prerequisites=require_all_prerequisites,
        )
        return await self._save("PATCH", domain_name, published_course_id, payload)

    async def destroy(self, domain_name: str, published_course_id: str) -> None:
        """IRREVERSIBLY unpublish a course from a domain (``…_published_courses_destroy``).

        Destructive: the course becomes inaccessible to learners on this domain, it is
        also removed from every content-syndication configuration, and the API offers
        no way to restore the publication.

        A 404 on a retry after an attempt that may have reached the server means that
        attempt deleted it: the call succeeds.
        """
        await self._client._request("DELETE", _item_path(domain_name, published_course_id))

    async def _save(
        self, method: str, domain_name: str, published_course_id: str, payload: dict[str, Any]
    ) -> PublishedCourse:
        """Send a publication update with the given HTTP method."""
        path = _item_path(domain_name, published_course_id)
        data = await self._client._request(method, path, json=payload)
        return structure(data, PublishedCourse)
