"""Method arguments: request bodies and query filters as checked keyword arguments."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from .catalogue import Catalogue, is_input_only

__all__ = ["Arg", "op_args"]


@dataclass
class Arg:
    """One keyword argument of a generated method and how it reaches the wire."""

    name: str
    annotation: str  # without the NotGiven / None default part
    required: bool
    wire: str  # the expression sent (it validates the value)
    key: str  # the body or query key it fills
    group: str | None = None  # the nested body object it is flattened into
    group_required: bool = False  # the nested object is required (some field must be given)


def py_type(cat: Catalogue, prop: dict[str, Any]) -> str:
    """The annotation of a scalar (or string-list) request property."""
    ref = prop.get("ref")
    if ref is not None:
        return "str" if ref in cat.tables.spec_enums else f"{cat.class_of(ref)} | str"
    kind = prop.get("type")
    if kind == "array":
        return "Sequence[str]"
    if kind == "string":
        return {"date-time": "dt.datetime", "date": "dt.date"}.get(prop.get("format", ""), "str")
    return {"integer": "int", "number": "float", "boolean": "bool"}.get(kind or "", "Any")


def check(cat: Catalogue, name: str, prop: dict[str, Any], required: bool) -> str:
    """The expression that validates a scalar argument before it is sent."""
    ref = prop.get("ref")
    if ref in cat.tables.spec_enums:
        return f'spec_enum("{name}", {name}, "{ref}")'
    if ref is not None:
        helper = "enum_value" if required else "optional_enum"
        return f'{helper}("{name}", {name}, {cat.class_of(ref)})'
    if prop.get("type") == "array":
        return f'strings("{name}", {name})'
    if prop.get("type") != "string" or prop.get("format") in ("date-time", "date"):
        return name
    if "pattern" in prop:
        return f'matches("{name}", {name}, r"{prop["pattern"]}")'
    if name.endswith("_id"):
        return f'body_id("{name}", {name})' if required else f'optional_id("{name}", {name})'
    return f'text("{name}", {name})' if required else name


def scalar_arg(
    cat: Catalogue,
    schema: str,
    key: str,
    required: bool,
    prefix: str = "",
    group: str | None = None,
) -> Arg:
    """The argument for one scalar (or string-list) property of a request schema."""
    prop = cat.props(schema)[key]
    name = cat.tables.renames.get((schema, key), prefix + key)
    if (schema, key) in cat.tables.id_value_maps:
        return Arg(name, "Mapping[str, str]", required, f'id_values("{name}", {name})', key, group)
    annotation = py_type(cat, prop) + (" | None" if prop.get("nullable") else "")
    return Arg(name, annotation, required, check(cat, name, prop, required), key, group)


def nested_args(cat: Catalogue, schema: str, key: str, required: bool) -> list[Arg]:
    """Arguments for a nested object: an id reference, a model, or flattened fields."""
    prop = cat.props(schema)[key]
    ref = prop.get("ref") or prop["items"]["ref"]
    nullable = " | None" if prop.get("nullable") else ""
    fields = tuple(cat.props(ref))
    model_inputs = cat.tables.model_inputs
    if prop.get("type") == "array":
        annotation = f"Sequence[{model_inputs[ref]} | Mapping[str, Any]]"
        return [Arg(key, annotation, required, f'nested_list("{key}", {key}, {fields!r})', key)]
    if fields == ("id",):
        name = cat.tables.renames.get((schema, key), f"{key}_id")
        wire = f'{{"id": body_id("{name}", {name})}}' if required else f'link("{name}", {name})'
        return [Arg(name, "str" + nullable, required, wire, key)]
    if ref in model_inputs:
        annotation = f"{model_inputs[ref]} | Mapping[str, Any]{nullable}"
        return [Arg(key, annotation, required, f'nested("{key}", {key}, {fields!r})', key)]
    prefix = "" if ref in cat.tables.unprefixed else f"{key}_"
    inner = set(cat.schemas[ref].get("required", [])) if required else set()
    args = [scalar_arg(cat, ref, sub, sub in inner, prefix, group=key) for sub in fields]
    for arg in args:
        arg.group_required = required
    return args


def is_nested(cat: Catalogue, schema: str, key: str) -> bool:
    """Whether a request property holds an object (or a list of objects)."""
    prop = cat.props(schema)[key]
    ref = prop.get("ref") or prop.get("items", {}).get("ref")
    return (
        ref is not None and not cat.is_enum(ref) and (schema, key) not in cat.tables.id_value_maps
    )


def body_args(cat: Catalogue, schema: str, all_optional: bool) -> list[Arg]:
    """The keyword arguments of a request body schema."""
    required = set() if all_optional else set(cat.schemas[schema].get("required", []))
    args: list[Arg] = []
    for key in cat.props(schema):
        if is_nested(cat, schema, key):
            args += nested_args(cat, schema, key, key in required)
        else:
            args.append(scalar_arg(cat, schema, key, key in required))
    return args


def enum_class_for(cat: Catalogue, values: list[str]) -> str:
    """The enum class whose values a query parameter's enum lists."""
    for schema, spec in cat.schemas.items():
        if set(spec.get("enum", [None])) == set(values) and not is_input_only(schema):
            return cat.class_of(schema)
    raise SystemExit(f"no enum schema with the values {values}")


def query_arg(cat: Catalogue, op: dict[str, Any], param: dict[str, Any]) -> Arg:
    """The argument for one query filter."""
    name = param["name"]
    required = (op["operation_id"], name) in cat.tables.required_query or bool(
        param.get("required")
    )
    annotation, wire = ("bool" if param.get("type") == "boolean" else "str"), name
    if name.endswith(("_at__gte", "_at__lte")):
        annotation, wire = "dt.datetime | str", f'query_time("{name}", {name})'
    elif "enum" in param:
        cls = enum_class_for(cat, param["enum"])
        annotation, wire = f"{cls} | str", f'optional_enum("{name}", {name}, {cls})'
    elif required:
        wire = f'body_id("{name}", {name})' if name.endswith("_id") else f'text("{name}", {name})'
    return Arg(name, annotation, required, wire, name)


def op_args(cat: Catalogue, op: dict[str, Any], verbs: Collection[str]) -> list[Arg]:
    """All keyword arguments of an operation's method, required ones first.

    `verbs` are the verbs of the operation's node (PUT is partial where PATCH exists).
    """
    if op["verb"] == "list":
        paging = ("page", "page_size")
        return [query_arg(cat, op, q) for q in op["query_params"] if q["name"] not in paging]
    schema = op["request_schema"]
    if schema is None:
        return []
    # PUT is a partial update wherever the API also offers PATCH (NOTES §1).
    all_optional = op["verb"] == "partial_update" or (
        op["verb"] == "update" and "partial_update" in verbs
    )
    in_path = {param["name"] for param in op["path_params"]}
    args = []
    for arg in body_args(cat, schema, all_optional):
        if arg.name in in_path and op["verb"] == "create":
            continue
        if arg.name in in_path:
            arg.wire = arg.wire.replace(
                f'"{arg.name}", {arg.name}', f'"new_{arg.name}", new_{arg.name}'
            )
            arg.name = f"new_{arg.name}"
        args.append(arg)
    names = [arg.name for arg in args] + sorted(in_path)
    if len(names) != len(set(names)):
        raise SystemExit(f"{op['operation_id']}: argument names clash: {names}")
    return sorted(args, key=lambda arg: not arg.required)
