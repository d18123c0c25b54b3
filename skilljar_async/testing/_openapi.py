"""The emulator's OpenAPI 3 document, built from the catalogue data with the errata applied.

Paths, parameters, request bodies (JSON, form and multipart, as the spec
declares for every write), success responses and component schemas all come
from ``operations.json`` and ``schemas.json``; `apply_errata` then corrects the
places where the live API is known to differ. Served at ``/openapi.json``.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from ._catalogue import Catalogue, Operation, catalogue
from ._errata import apply_errata, partial_puts

__all__ = ["BODY_TYPES", "is_partial_put", "openapi_document"]

BODY_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
_PLAIN_KEYS = (
    "type",
    "format",
    "enum",
    "nullable",
    "readOnly",
    "writeOnly",
    "maxLength",
    "minLength",
    "minimum",
    "maximum",
    "pattern",
    "default",
    "deprecated",
    "maxItems",
    "minItems",
)
#: the body of the ten ``GET /v1/webhooks/sample-*`` operations: one event wrapped in results
_SAMPLE_BODY = {
    "type": "object",
    "properties": {"results": {"type": "array", "items": {"type": "object"}}},
}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def to_schema(record: dict[str, Any]) -> dict[str, Any]:
    """One catalogue property (``ref`` for a component) as an OpenAPI 3.0 schema."""
    out: dict[str, Any] = {k: copy.deepcopy(record[k]) for k in _PLAIN_KEYS if k in record}
    if "items" in record:
        out["items"] = to_schema(record["items"])
    if "properties" in record:
        out["properties"] = {k: to_schema(v) for k, v in record["properties"].items()}
    ref = record.get("ref")
    if ref is None:
        return out
    if not out:
        return _ref(ref)
    return {"allOf": [_ref(ref)], **out}


def _component(record: dict[str, Any]) -> dict[str, Any]:
    out = to_schema(record)
    if record.get("required"):
        out["required"] = list(record["required"])
    return out


def _parameter(record: dict[str, Any], where: str) -> dict[str, Any]:
    schema = {k: record[k] for k in ("type", "format", "pattern", "enum") if k in record}
    return {
        "name": record["name"],
        "in": where,
        "required": where == "path" or bool(record.get("required")),
        "schema": schema,
    }


def _response_schema(op: Operation) -> dict[str, Any] | None:
    if op.list_shape == "array" and op.item_schema is not None:
        return {"type": "array", "items": _ref(op.item_schema)}
    if op.response_schema is not None:
        return _ref(op.response_schema)
    if op.list_shape == "wrapped":
        return copy.deepcopy(_SAMPLE_BODY)
    return None


def _operation(op: Operation, record: dict[str, Any]) -> dict[str, Any]:
    params = [_parameter(p, "path") for p in record["path_params"]]
    params += [_parameter(q, "query") for q in record["query_params"]]
    schema = _response_schema(op)
    response: dict[str, Any] = {"description": ""}
    if schema is not None and op.success_status != 204:
        response["content"] = {"application/json": {"schema": schema}}
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "parameters": params,
        "responses": {str(op.success_status): response},
        "security": [{"OrganizationApiKey": []}],
    }
    if op.request_schema is not None:
        out["requestBody"] = {
            "required": bool(record.get("request_body_required")),
            "content": {t: {"schema": _ref(op.request_schema)} for t in BODY_TYPES},
        }
    return out


def build_document(cat: Catalogue, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The OpenAPI document of `cat` (without errata)."""
    paths: dict[str, dict[str, Any]] = {}
    for op, record in zip(cat.operations, records, strict=True):
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, record)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Skilljar API v1 (skilljar-async emulator)", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {name: _component(s) for name, s in cat.schemas.items()},
            "securitySchemes": {"OrganizationApiKey": {"type": "http", "scheme": "basic"}},
        },
    }


@functools.cache
def _document() -> dict[str, Any]:
    from ._catalogue import load_json

    return apply_errata(build_document(catalogue(), load_json("operations.json")))


def openapi_document() -> dict[str, Any]:
    """The served document: the catalogue's, with `ERRATA` applied (a fresh copy)."""
    return copy.deepcopy(_document())


@functools.cache
def _partial_puts() -> frozenset[str]:
    return partial_puts(_document())


def is_partial_put(operation_id: str) -> bool:
    """Whether the served document describes this PUT as a partial update (see the errata)."""
    return operation_id in _partial_puts()
