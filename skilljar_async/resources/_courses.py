"""`client.courses`: course definitions (publishing is under `client.domains`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._convert import structure, structurer
from .._lazy import SubResource
from ..models import Course, CourseTimeFormat
from ._base import (
    NOT_GIVEN,
    NotGiven,
    Resource,
    body,
    build_path,
    optional_enum,
    query,
    text,
)

if TYPE_CHECKING:
    from .._pagination import AsyncPaginator
    from ._generated._courses import CourseLabels

__all__ = ["Courses"]

_parse_course = structurer(Course)


def _item_path(course_id: str) -> str:
    """Build one course's path, checking the id."""
    return build_path("/courses/{course_id}", course_id=course_id)


def _labels(labels: Sequence[str] | NotGiven) -> Any:
    """Check label names and send them as a JSON list."""
    if isinstance(labels, NotGiven):
        return labels
    if isinstance(labels, str):
        # A bare string would otherwise be sent as a list of its characters.
        raise ValueError(f"labels must be a sequence of label names, got the string {labels!r}")
    return [text("labels[]", label) for label in labels]


def _settings(
    long_description_html: str | NotGiven,
    labels: Sequence[str] | NotGiven,
    display_course_and_lesson_time: bool | NotGiven,
    manual_course_time: str | NotGiven,
    display_manual_course_time: bool | NotGiven,
    course_and_lesson_time_format: CourseTimeFormat | str | NotGiven,
) -> dict[str, Any]:
    """Build the optional part of a course body shared by create and the updates."""
    time_format = optional_enum(
        "course_and_lesson_time_format", course_and_lesson_time_format, CourseTimeFormat
    )
    return body(
        long_description_html=long_description_html,
        labels=_labels(labels),
        display_course_and_lesson_time=display_course_and_lesson_time,
        manual_course_time=manual_course_time,
        display_manual_course_time=display_manual_course_time,
        course_and_lesson_time_format=time_format,
    )


class Courses(Resource):
    """Courses of the organization (`/v1/courses`); ``labels`` links labels to a course."""

    __slots__ = ("__dict__",)  # caches the sub-resources

    labels: SubResource[CourseLabels] = SubResource("._generated._courses", "CourseLabels")

    def list(
        self,
        *,
        label__name: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[Course]:
        """List courses (``courses_list``); ``label__name`` matches a label name exactly."""
        return self._list(
            "/courses",
            _parse_course,
            query(label__name=label__name),
            page_size=page_size,
            max_items=max_items,
            resume_from=resume_from,
        )

    async def create(
        self,
        *,
        title: str,
        short_description: str,
        enforce_sequential_navigation: bool,
        long_description_html: str | NotGiven = NOT_GIVEN,
        labels: Sequence[str] | NotGiven = NOT_GIVEN,
        display_course_and_lesson_time: bool | NotGiven = NOT_GIVEN,
        manual_course_time: str | NotGiven = NOT_GIVEN,
        display_manual_course_time: bool | NotGiven = NOT_GIVEN,
        course_and_lesson_time_format: CourseTimeFormat | str | NotGiven = NOT_GIVEN,
    ) -> Course:
        """Create a course (``courses_create``); ``labels`` are label names."""
        payload = {
            "title": text("title", title),
            "short_description": text("short_description", short_description),
            "enforce_sequential_navigation": enforce_sequential_navigation,
            **_settings(
                long_description_html,
                labels,
                display_course_and_lesson_time,
                manual_course_time,
                display_manual_course_time,
                course_and_lesson_time_format,
            ),
        }
        data = await self._client._request("POST", "/courses", json=payload)
        return structure(data, Course)

    async def retrieve(self, course_id: str) -> Course:
        """Get one course (``courses_retrieve``)."""
        data = await self._client._request("GET", _item_path(course_id))
        return structure(data, Course)

    async def update(
        self,
        course_id: str,
        *,
        title: str | NotGiven = NOT_GIVEN,
        short_description: str | NotGiven = NOT_GIVEN,
        enforce_sequential_navigation: bool | NotGiven = NOT_GIVEN,
        long_description_html: str | NotGiven = NOT_GIVEN,
        labels: Sequence[str] | NotGiven = NOT_GIVEN,
        display_course_and_lesson_time: bool | NotGiven = NOT_GIVEN,
        manual_course_time: str | NotGiven = NOT_GIVEN,
        display_manual_course_time: bool | NotGiven = NOT_GIVEN,
        course_and_lesson_time_format: CourseTimeFormat | str | NotGiven = NOT_GIVEN,
    ) -> Course:
        """Change a course with PUT (``courses_update``); only given fields are sent."""
        payload = {
            **body(
                title=title,
                short_description=short_description,
                enforce_sequential_navigation=enforce_sequential_navigation,
            ),
            **_settings(
                long_description_html,
                labels,
                display_course_and_lesson_time,
                manual_course_time,
                display_manual_course_time,
                course_and_lesson_time_format,
            ),
        }
        return await self._save("PUT", course_id, payload)

    async def partial_update(
        self,
        course_id: str,
        *,
        title: str | NotGiven = NOT_GIVEN,
        short_description: str | NotGiven = NOT_GIVEN,
        enforce_sequential_navigation: bool | NotGiven = NOT_GIVEN,
        long_description_html: str | NotGiven = NOT_GIVEN,
        labels: Sequence[str] | NotGiven = NOT_GIVEN,
        display_course_and_lesson_time: bool | NotGiven = NOT_GIVEN,
        manual_course_time: str | NotGiven = NOT_GIVEN,
        display_manual_course_time: bool | NotGiven = NOT_GIVEN,
        course_and_lesson_time_format: CourseTimeFormat | str | NotGiven = NOT_GIVEN,
    ) -> Course:
        """Change a course with PATCH (``courses_partial_update``)."""
        payload = {
            **body(
                title=title,
                short_description=short_description,
                enforce_sequential_navigation=enforce_sequential_navigation,
            ),
            **_settings(
                long_description_html,
                labels,
                display_course_and_lesson_time,
                manual_course_time,
                display_manual_course_time,
                course_and_lesson_time_format,
            ),
        }
        return await self._save("PATCH", course_id, payload)

    async def destroy(self, course_id: str) -> None:
        """PERMANENTLY delete a course AND all its drafts (``courses_destroy``).

        Destructive and irreversible: the course and every draft version of it are
        deleted; there is no undo.
        """
        await self._client._request("DELETE", _item_path(course_id))

    async def _save(self, method: str, course_id: str, payload: dict[str, Any]) -> Course:
        """Send a course update with the given HTTP method."""
        data = await self._client._request(method, _item_path(course_id), json=payload)
        return structure(data, Course)
