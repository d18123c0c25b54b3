"""`client.users`: learners, their course progress, and anonymization."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .._convert import structure, structurer
from .._lazy import SubResource
from ..models import SuccessStatus, User, UserOverview, UserPublishedCourseProgress
from ._base import (
    NOT_GIVEN,
    NotGiven,
    Resource,
    body,
    build_path,
    optional_enum,
    query,
)

if TYPE_CHECKING:
    from .._pagination import AsyncPaginator
    from ._generated._users import (
        UserGroups,
        UserPlanEnrollments,
        UserPublishedCourseLessons,
        UserPublishedPathEnrollments,
    )

__all__ = ["UserAnonymize", "UserPublishedCourses", "Users"]

_parse_overview = structurer(UserOverview)
_parse_progress = structurer(UserPublishedCourseProgress)


class Users(Resource):
    """Learners registered on at least one domain (`/v1/users`).

    Learners cannot be created here: add them to a domain with
    ``client.domains.users.create``. Sub-resources: ``published_courses`` (progress),
    ``anonymize``, ``groups``, ``plan_enrollments`` and ``published_path_enrollments``.
    """

    __slots__ = ("__dict__",)  # caches the sub-resources

    anonymize: SubResource[UserAnonymize] = SubResource("._users", "UserAnonymize")
    published_courses: SubResource[UserPublishedCourses] = SubResource(
        "._users", "UserPublishedCourses"
    )
    groups: SubResource[UserGroups] = SubResource("._generated._users", "UserGroups")
    plan_enrollments: SubResource[UserPlanEnrollments] = SubResource(
        "._generated._users", "UserPlanEnrollments"
    )
    published_path_enrollments: SubResource[UserPublishedPathEnrollments] = SubResource(
        "._generated._users", "UserPublishedPathEnrollments"
    )

    def list(
        self,
        *,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        is_inactive: bool | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[UserOverview]:
        """List learners (``users_list``); the API pages this one by cursor.

        Rows nest the person under ``user``. Name filters are case-sensitive;
        ``is_inactive=True`` lists deactivated learners, ``False`` active ones.
        """
        params = query(
            email=email, first_name=first_name, last_name=last_name, is_inactive=is_inactive
        )
        return self._list(
            "/users",
            _parse_overview,
            params,
            page_size=page_size,
            max_items=max_items,
            resume_from=resume_from,
        )

    async def retrieve(self, user_id: str) -> UserOverview:
        """Get one learner with activity totals (``users_retrieve``)."""
        path = build_path("/users/{user_id}", user_id=user_id)
        data = await self._client._request("GET", path)
        return structure(data, UserOverview)

    async def update(
        self,
        user_id: str,
        *,
        email: str | NotGiven = NOT_GIVEN,
        first_name: str | NotGiven = NOT_GIVEN,
        last_name: str | NotGiven = NOT_GIVEN,
    ) -> User:
        """Change a learner's email or name with PUT (``users_update``).

        Only the fields you pass are sent (the API treats PUT as a partial update).
        """
        return await self._save("PUT", user_id, email, first_name, last_name)

    async def partial_update(
        self,
        user_id: str,
        *,
        email: str | NotGiven = NOT_GIVEN,
        first_name: str | NotGiven = NOT_GIVEN,
        last_name: str | NotGiven = NOT_GIVEN,
    ) -> User:
        """Change a learner's email or name with PATCH (``users_partial_update``)."""
        return await self._save("PATCH", user_id, email, first_name, last_name)

    async def _save(
        self,
        method: str,
        user_id: str,
        email: str | NotGiven,
        first_name: str | NotGiven,
        last_name: str | NotGiven,
    ) -> User:
        """Send a user update with the given HTTP method."""
        path = build_path("/users/{user_id}", user_id=user_id)
        payload = body(email=email, first_name=first_name, last_name=last_name)
        data = await self._client._request(method, path, json=payload)
        return structure(data, User)


class UserAnonymize(Resource):
    """`POST /v1/users/{user_id}/anonymize`; also callable: ``client.users.anonymize(user_id)``."""

    __slots__ = ()

    async def create(self, user_id: str) -> UserOverview:
        """IRREVERSIBLY anonymize a learner (``users_anonymize_create``).

        Destructive: all personal data is obfuscated for good and the learner loses
        platform access. There is no undo.
        """
        path = build_path("/users/{user_id}/anonymize", user_id=user_id)
        data = await self._client._request("POST", path)
        return structure(data, UserOverview)

    async def __call__(self, user_id: str) -> UserOverview:
        """Same as `create` (irreversible)."""
        return await self.create(user_id)


class UserPublishedCourses(Resource):
    """A learner's enrollments and progress per published course; ``lessons`` per lesson."""

    __slots__ = ("__dict__",)  # caches the sub-resources

    lessons: SubResource[UserPublishedCourseLessons] = SubResource(
        "._generated._users", "UserPublishedCourseLessons"
    )

    def list(
        self, user_id: str, *, max_items: int | None = None
    ) -> AsyncPaginator[UserPublishedCourseProgress]:
        """List a learner's courses with progress (``users_published_courses_list``).

        The API answers with one unpaginated array, so the paginator yields one page.
        """
        path = build_path("/users/{user_id}/published-courses", user_id=user_id)
        return self._list(path, _parse_progress, max_items=max_items)

    async def retrieve(self, user_id: str, published_course_id: str) -> UserPublishedCourseProgress:
        """Get a learner's progress in one course (``users_published_courses_retrieve``).

        Caution: the API resolves this by the underlying course, so for a course
        published on several domains it may return another domain's publication. To be
        sure, filter `list` by ``published_course_id`` instead.
        """
        data = await self._client._request("GET", self._path(user_id, published_course_id))
        return structure(data, UserPublishedCourseProgress)

    async def update(
        self,
        user_id: str,
        published_course_id: str,
        *,
        completed_at: dt.datetime | NotGiven | None = NOT_GIVEN,
        score: int | NotGiven | None = NOT_GIVEN,
        max_score: int | NotGiven | None = NOT_GIVEN,
        credits_earned: str | NotGiven = NOT_GIVEN,
        credit_unit_plural: str | NotGiven = NOT_GIVEN,
        success_status: SuccessStatus | str | NotGiven | None = NOT_GIVEN,
    ) -> UserPublishedCourseProgress:
        """Set course progress with PUT (``users_published_courses_update``).

        Setting ``completed_at`` completes the course; ``completed_at=None`` reopens it.
        """
        progress = body(
            completed_at=completed_at,
            score=score,
            max_score=max_score,
            credits_earned=credits_earned,
            credit_unit_plural=credit_unit_plural,
            success_status=optional_enum("success_status", success_status, SuccessStatus),
        )
        return await self._save("PUT", user_id, published_course_id, progress)

    async def partial_update(
        self,
        user_id: str,
        published_course_id: str,
        *,
        completed_at: dt.datetime | NotGiven | None = NOT_GIVEN,
        score: int | NotGiven | None = NOT_GIVEN,
        max_score: int | NotGiven | None = NOT_GIVEN,
        credits_earned: str | NotGiven = NOT_GIVEN,
        credit_unit_plural: str | NotGiven = NOT_GIVEN,
        success_status: SuccessStatus | str | NotGiven | None = NOT_GIVEN,
    ) -> UserPublishedCourseProgress:
        """Set course progress with PATCH (``users_published_courses_partial_update``)."""
        progress = body(
            completed_at=completed_at,
            score=score,
            max_score=max_score,
            credits_earned=credits_earned,
            credit_unit_plural=credit_unit_plural,
            success_status=optional_enum("success_status", success_status, SuccessStatus),
        )
        return await self._save("PATCH", user_id, published_course_id, progress)

    @staticmethod
    def _path(user_id: str, published_course_id: str) -> str:
        """Build the path of one learner-course pair, checking both ids."""
        return build_path(
            "/users/{user_id}/published-courses/{published_course_id}",
            user_id=user_id,
            published_course_id=published_course_id,
        )

    async def _save(
        self, method: str, user_id: str, published_course_id: str, progress: dict[str, object]
    ) -> UserPublishedCourseProgress:
        """Send a progress update; the API wants the fields under ``course_progress``."""
        path = self._path(user_id, published_course_id)
        data = await self._client._request(method, path, json={"course_progress": progress})
        return structure(data, UserPublishedCourseProgress)
