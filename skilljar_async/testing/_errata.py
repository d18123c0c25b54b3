"""Where the live API contradicts its published spec: the one table of known deviations.

Each `Erratum` names what the spec says, what the API was seen to do and the
source of that observation, and (when the deviation changes a response's shape)
how the emulator's OpenAPI document is corrected. The emulator serves the
corrected document at ``/openapi.json`` and its conformance test checks
responses against it, so every place where the emulator differs from the
published spec is listed here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

__all__ = ["ERRATA", "Erratum", "apply_errata", "partial_puts"]

#: what an erratum changes in the OpenAPI document
Change = Literal["none", "nullable", "page_envelope", "partial_put", "partial_put_rest"]


@attrs.frozen(kw_only=True)
class Erratum:
    """One known deviation of the live API from the published spec."""

    target: str  #: an operation id or a component schema name
    field: str  #: the property (or "response" for a whole body)
    spec_says: str
    api_does: str
    source: str  #: where the observation comes from
    change: Change = "none"  #: how the OpenAPI document is corrected ("none": nothing to correct)


def _schemas(
    *names: str, field: str, spec: str, api: str, source: str, change: Change = "none"
) -> tuple[Erratum, ...]:
    return tuple(
        Erratum(target=n, field=field, spec_says=spec, api_does=api, source=source, change=change)
        for n in names
    )


#: PUT operations whose spec text says PUT and PATCH are identical partial updates
_PARTIAL_PUT_OPERATIONS = (
    "courses_update",
    "domains_catalog_pages_update",
    "domains_plan_plan_enrollments_update",
    "domains_published_courses_enrollments_update",
    "domains_published_courses_reenrollment_rule_update",
    "domains_published_courses_update",
    "domains_published_paths_path_items_update",
    "domains_published_paths_update",
    "domains_update",
    "domains_users_update",
    "groups_update",
    "labels_update",
    "lesson_progress_update",
    "lessons_update",
    "offers_update",
    "promo_code_pools_update",
    "promo_codes_update",
    "purchases_update",
    "tags_update",
    "users_published_courses_lessons_update",
    "users_published_courses_update",
    "users_update",
    "vilt_session_registrations_update",
)
#: an enrollment without an end, a course that is no draft copy, a progress row
#: without a certificate: DRF renders the unset value as null
_UNSET_IS_NULL = (
    ("Course", "draft_origin_id", "a string", "null for a course that is not a draft copy"),
    ("Enrollment", "expires_at", "a date-time", "null for an enrollment that never expires"),
    ("PublishedPathEnrollment", "expires_at", "a date-time", "null when it never expires"),
    ("PlanEnrollment", "expires_at", "a date-time", "null when it never expires"),
    ("CreateEnrollment", "expires_at", "a date-time", "null when it never expires"),
    ("CreatePlanEnrollment", "expires_at", "a date-time", "null when it never expires"),
    ("CreatePublishedPathEnrollment", "expires_at", "a date-time", "null when it never expires"),
    ("UserPublishedPathEnrollments", "expires_at", "a date-time", "null when it never expires"),
    ("UserPlanEnrollments", "expires_at", "a date-time", "null when it never expires"),
    ("PublishedCourse", "registration_starts_at", "a date-time", "null without a window"),
    ("PublishedCourse", "registration_ends_at", "a date-time", "null without a window"),
    ("PublishedCourseDetail", "registration_starts_at", "a date-time", "null without a window"),
    ("PublishedCourseDetail", "registration_ends_at", "a date-time", "null without a window"),
    ("UserPublishedCourseProgress", "certificate", "a Certificate", "null until one is issued"),
    ("StudentPathProgress", "completed_at", "a date-time", "null until the path is completed"),
)

ERRATA: tuple[Erratum, ...] = (
    Erratum(
        target="users_list",
        field="response",
        spec_says="a bare JSON array of UserOverview (PaginatedUserOverviewList is type: array)",
        api_does="the {count, next, previous, results} envelope, cursor-paged by default",
        source="S2 live probe (csa-skilljar, 2026-08-26); NOTES §1 quirk 2, §3",
        change="page_envelope",
    ),
    *_schemas(
        "DomainUserListItem",
        "DomainUserDetail",
        "DomainUserCreate",
        field="access_code",
        spec="AccessCode object, not nullable",
        api="null for members who joined without a code (the list filter access_code=null"
        " selects them)",
        source="S1 filter description for /v1/domains/{domain_name}/users; NOTES §2 Domain users",
        change="nullable",
    ),
    *_schemas(
        "Asset",
        field="download_url",
        spec="Asset rows of GET /v1/assets carry download_url like the detail view",
        api="list rows carry no download_url; the detail view carries a presigned URL that"
        " changes on every fetch and expires after about an hour",
        source="S2 live (csa-skilljar); NOTES §1 quirk 7",
    ),
    *(
        Erratum(
            target=operation,
            field="requestBody",
            spec_says="the create schema, with its required fields",
            api_does="a partial update like PATCH (fields left out keep their value)",
            source="S1 operation text (PUT and PATCH are identical); NOTES §1",
            change="partial_put",
        )
        for operation in _PARTIAL_PUT_OPERATIONS
    ),
    Erratum(
        target="every other PUT operation",
        field="requestBody",
        spec_says="the create schema, with its required fields",
        api_does="treated as a partial update like the PUTs above (the emulator's and the"
        " client's choice: one update() sends only the fields given)",
        source="inferred (L) from the spec text of the other PUTs; NOTES §1",
        change="partial_put_rest",
    ),
    *(
        Erratum(
            target=schema,
            field=field,
            spec_says=f"{kind}, not nullable",
            api_does=does,
            source="inferred (L): the matching write schema accepts null or leaves the value"
            " unset, and DRF renders an unset value as null; NOTES §7",
            change="nullable",
        )
        for schema, field, kind, does in _UNSET_IS_NULL
    ),
    Erratum(
        target="bulk_create_domain_users",
        field="response",
        spec_says="200 DomainUserDetail (the operation text says 202, queued)",
        api_does="the request is validated all-or-nothing, then queued: users appear later",
        source="S1 operation text; NOTES §1 quirk 8, open question 8",
    ),
)


def _component(doc: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = doc["components"]["schemas"][name]
    return schema


def _nullable(doc: dict[str, Any], erratum: Erratum) -> None:
    props = _component(doc, erratum.target)["properties"]
    prop = props[erratum.field]
    if "$ref" in prop:
        prop = props[erratum.field] = {"allOf": [prop]}
    prop["nullable"] = True


def _page_envelope(doc: dict[str, Any], erratum: Erratum) -> None:
    for operation in _operations(doc):
        if operation.get("operationId") != erratum.target:
            continue
        for response in operation["responses"].values():
            media = response.get("content", {}).get("application/json")
            if media is None:
                continue
            items = _component(doc, media["schema"]["$ref"].rsplit("/", 1)[-1])["items"]
            media["schema"] = {
                "type": "object",
                "properties": {
                    "count": {"type": "integer"},
                    "next": {"type": "string", "format": "uri", "nullable": True},
                    "previous": {"type": "string", "format": "uri", "nullable": True},
                    "results": {"type": "array", "items": items},
                },
                "required": ["results"],
            }


def _operations(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [op for item in doc["paths"].values() for op in item.values() if isinstance(op, dict)]


def _partial_put(doc: dict[str, Any], erratum: Erratum) -> None:
    for operation in _operations(doc):
        if operation.get("operationId") != erratum.target:
            continue
        for media in operation["requestBody"]["content"].values():
            name = media["schema"]["$ref"].rsplit("/", 1)[-1]
            if f"Patched{name}" in doc["components"]["schemas"]:  # else: no PATCH twin
                media["schema"] = {"$ref": f"#/components/schemas/Patched{name}"}


def _partial_put_rest(doc: dict[str, Any], erratum: Erratum) -> None:
    for item in doc["paths"].values():
        put = item.get("put")
        if put is None or "requestBody" not in put:
            continue
        if put["operationId"] not in _PARTIAL_PUT_OPERATIONS:
            _partial_put(doc, attrs.evolve(erratum, target=put["operationId"]))


_APPLY = {
    "nullable": _nullable,
    "page_envelope": _page_envelope,
    "partial_put": _partial_put,
    "partial_put_rest": _partial_put_rest,
}


def apply_errata(doc: dict[str, Any], errata: tuple[Erratum, ...] = ERRATA) -> dict[str, Any]:
    """Correct an OpenAPI document (built from the spec's catalogue) in place; returns it."""
    for erratum in errata:
        apply = _APPLY.get(erratum.change)
        if apply is not None:
            apply(doc, erratum)
    return doc


def partial_puts(doc: Mapping[str, Any]) -> frozenset[str]:
    """The PUT operations `doc` (with the errata applied) describes as partial updates."""
    found = set()
    for item in doc["paths"].values():
        put = item.get("put")
        if put is None or "requestBody" not in put:
            continue
        ref = put["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        if ref.rsplit("/", 1)[-1].startswith("Patched"):
            found.add(put["operationId"])
    return frozenset(found)
