"""Generate skilljar_async/_data/operations.json and schemas.json from the OpenAPI spec.

Usage::

    .venv/bin/python -m tools.codegen.spec SPEC [--out DIR]

SPEC is Skilljar's published v1 OpenAPI document (served at
https://api.skilljar.com/docs/schema.yml). This step needs PyYAML (the dev extra); the
package itself never does: it only reads the generated JSON files, and neither the
package nor its tests need the spec. Run it again whenever the spec changes, review the
diff of the JSON files, then run ``python -m tools.codegen``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "skilljar_async" / "_data"

METHODS = ("get", "post", "put", "patch", "delete")
CALL_TYPES = {
    "GET": "read",
    "POST": "modify",
    "PUT": "modify",
    "PATCH": "modify",
    "DELETE": "remove",
}

# operationIds that do not read "<path segments>_<verb>": mapped by hand.
ODD_OPERATIONS: dict[str, tuple[str, str]] = {
    # POST /v1/domains/{domain_name}/users/bulk-create
    "bulk_create_domain_users": ("bulk_create", "domains.users.bulk_create"),
}

# GET operations whose 200 body is one object wrapping a list (no count/next).
WRAPPED_LISTS = {"/v1/groups/{group_id}/email-domain-rules"}

# The DRF "Paginated<X>List" envelope for GET /v1/users is cursor-paged.
CURSOR_LISTS = {"/v1/users"}


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def schema_ref(schema: dict[str, Any] | None) -> str | None:
    if not schema:
        return None
    if "$ref" in schema:
        return ref_name(schema["$ref"])
    return None


def json_schema_of(body: dict[str, Any] | None) -> dict[str, Any] | None:
    if not body:
        return None
    content = body.get("content") or {}
    media = content.get("application/json")
    if media is None:
        return None
    schema: dict[str, Any] | None = media.get("schema")
    return schema


_VERB_WORDS = {
    "list": "List",
    "create": "Create",
    "retrieve": "Retrieve",
    "update": "Update",
    "partial_update": "Partially update",
    "destroy": "Delete",
}


def first_line(op: dict[str, Any], method: str, path: str) -> str:
    """The summary, else the description's first line (its first sentence if long), <= 200."""
    text = op.get("summary") or op.get("description") or ""
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        if len(line) > 200 and ". " in line:
            line = line.split(". ", 1)[0] + "."
        return line if len(line) <= 200 else line[:197].rstrip() + "..."
    verb = op["operationId"].rsplit("_", 1)[-1]
    return f"{_VERB_WORDS.get(verb, method.title())} {path}."


def literal_segments(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    assert parts[0] == "v1", path
    return [p.replace("-", "_") for p in parts[1:] if not p.startswith("{")]


def verb_and_client_path(operation_id: str, path: str) -> tuple[str, str, bool]:
    """(verb, client_path, follows_rule) for one operation."""
    if operation_id in ODD_OPERATIONS:
        verb, client_path = ODD_OPERATIONS[operation_id]
        return verb, client_path, False
    segments = literal_segments(path)
    prefix = "_".join(segments) + "_"
    if not operation_id.startswith(prefix):
        raise SystemExit(f"unmapped odd operationId {operation_id!r} on {path}: add it to ODD")
    verb = operation_id[len(prefix) :]
    return verb, ".".join([*segments, verb]), True


def param_record(param: dict[str, Any], *, in_query: bool) -> dict[str, Any]:
    schema = param.get("schema") or {}
    record: dict[str, Any] = {"name": param["name"], "type": schema.get("type", "string")}
    for key in ("format", "pattern", "enum"):
        if key in schema:
            record[key] = schema[key]
    if in_query:
        record["required"] = bool(param.get("required", False))
    return record


def list_shape(
    method: str, path: str, schema: dict[str, Any] | None, schemas: dict[str, Any]
) -> tuple[str | None, str | None]:
    """(list_shape, item schema name) of a GET response."""
    if method != "GET" or schema is None:
        return None, None
    if path in WRAPPED_LISTS:
        return "wrapped", None
    if path.startswith("/v1/webhooks/sample-"):
        return "wrapped", None
    if schema.get("type") == "array":
        return "array", schema_ref(schema.get("items"))
    name = schema_ref(schema)
    if name and name.startswith("Paginated") and name.endswith("List"):
        target = schemas[name]
        if target.get("type") == "array":  # the spec mislabels /v1/users as a bare array
            item = schema_ref(target.get("items"))
        else:
            item = schema_ref(target["properties"]["results"].get("items"))
        return ("cursor" if path in CURSOR_LISTS else "page"), item
    return None, None


def build_operations(spec: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    schemas = spec["components"]["schemas"]
    records: list[dict[str, Any]] = []
    notes: list[str] = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method_lc in METHODS:
            op = item.get(method_lc)
            if op is None:
                continue
            method = method_lc.upper()
            params = [*shared, *op.get("parameters", [])]
            oid = op["operationId"]
            # In path order (the spec lists them in no particular order).
            path_params = sorted(
                (p for p in params if p["in"] == "path"),
                key=lambda p: path.index("{" + p["name"] + "}"),
            )
            if [p["name"] for p in path_params] != re.findall(r"\{([^}]+)\}", path):
                raise SystemExit(f"path parameters of {oid} do not match {path}")
            verb, client_path, regular = verb_and_client_path(oid, path)
            if not regular:
                notes.append(f"{oid} ({method} {path}) -> {client_path}")
            codes = sorted(int(c) for c in op["responses"] if str(c).startswith("2"))
            success = codes[0]
            response = json_schema_of(op["responses"][str(success)])
            shape, item_schema = list_shape(method, path, response, schemas)
            records.append(
                {
                    "operation_id": oid,
                    "method": method,
                    "path": path,
                    "call_type": CALL_TYPES[method],
                    "success_status": success,
                    "path_params": [param_record(p, in_query=False) for p in path_params],
                    "query_params": [
                        param_record(p, in_query=True) for p in params if p["in"] == "query"
                    ],
                    "request_schema": schema_ref(json_schema_of(op.get("requestBody"))),
                    "request_body_required": bool(
                        (op.get("requestBody") or {}).get("required", False)
                    ),
                    "response_schema": schema_ref(response),
                    "item_schema": item_schema,
                    "list_shape": shape,
                    "verb": verb,
                    "client_path": client_path,
                    "tag": (op.get("tags") or [None])[0],
                    "description": first_line(op, method, path),
                }
            )
    return records, notes


PROPERTY_KEYS = (
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


def property_record(prop: dict[str, Any]) -> dict[str, Any]:
    """Flatten one property: allOf/oneOf wrappers around a $ref become ``ref``."""
    out: dict[str, Any] = {k: prop[k] for k in PROPERTY_KEYS if k in prop}
    if "$ref" in prop:
        out["ref"] = ref_name(prop["$ref"])
    for combinator in ("allOf", "oneOf", "anyOf"):
        for sub in prop.get(combinator, []):
            if "$ref" in sub:
                name = ref_name(sub["$ref"])
                if name == "NullEnum":
                    out["nullable"] = True
                else:
                    out["ref"] = name
    if "items" in prop:
        out["items"] = property_record(prop["items"])
    if "properties" in prop:  # inline object (rare)
        out["properties"] = {k: property_record(v) for k, v in prop["properties"].items()}
    return out


def build_schemas(spec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, schema in spec["components"]["schemas"].items():
        record: dict[str, Any] = {"type": schema.get("type", "object")}
        if "enum" in schema:
            record["enum"] = schema["enum"]
        if "properties" in schema:
            record["properties"] = {k: property_record(v) for k, v in schema["properties"].items()}
        if "items" in schema:
            record["items"] = property_record(schema["items"])
        if schema.get("required"):
            record["required"] = list(schema["required"])
        out[name] = record
    return out


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", help="the v1 OpenAPI document (YAML)")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args(argv)
    try:
        import yaml  # type: ignore[import-untyped]  # only this step reads YAML
    except ImportError:
        sys.exit("reading the spec needs PyYAML: .venv/bin/pip install pyyaml")
    with open(args.spec, encoding="utf-8") as fh:
        spec = yaml.safe_load(fh)
    operations, notes = build_operations(spec)
    schemas = build_schemas(spec)

    seen: dict[str, str] = {}
    for op in operations:
        other = seen.setdefault(op["client_path"], op["operation_id"])
        if other != op["operation_id"]:
            oid = op["operation_id"]
            raise SystemExit(f"client_path collision: {op['client_path']} ({other}, {oid})")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "__init__.py").touch()
    ops_text = "[\n" + ",\n".join(compact(op) for op in operations) + "\n]\n"
    (out / "operations.json").write_text(ops_text, encoding="utf-8")
    # One record a line: compact, yet reviewable as a diff.
    schema_lines = ",\n".join(f"{compact(name)}:{compact(body)}" for name, body in schemas.items())
    (out / "schemas.json").write_text("{\n" + schema_lines + "\n}\n", encoding="utf-8")
    paths = len(spec["paths"])
    print(f"{len(operations)} operations on {paths} paths; {len(schemas)} schemas -> {out}")
    for note in notes:
        print(f"odd operationId: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
