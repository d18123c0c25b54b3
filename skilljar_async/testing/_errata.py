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

__all__ = ["ERRATA", "Erratum", "apply_errata"]

#: what an erratum changes in the OpenAPI document
Change = Literal["none", "nullable", "page_envelope"]


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
        "WebPackageSummary",
        field="download_url",
        spec="Asset rows of GET /v1/assets carry download_url like the detail view",
        api="list rows carry no download_url; the detail view carries a presigned URL that"
        " changes on every fetch and expires after about an hour",
        source="S2 live (csa-skilljar); NOTES §1 quirk 7",
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


_APPLY = {"nullable": _nullable, "page_envelope": _page_envelope}


def apply_errata(doc: dict[str, Any], errata: tuple[Erratum, ...] = ERRATA) -> dict[str, Any]:
    """Correct an OpenAPI document (built from the spec's catalogue) in place; returns it."""
    for erratum in errata:
        apply = _APPLY.get(erratum.change)
        if apply is not None:
            apply(doc, erratum)
    return doc
