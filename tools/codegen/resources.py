"""Generated resources: one class per client node not written by hand."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .arguments import Arg, op_args
from .catalogue import Catalogue, Key
from .docstrings import method_doc, resource_doc, sample_class
from .naming import module_of, parser_name, resource_name
from .render import import_block, module_text, names_used, wrap
from .tree import Node

__all__ = ["resource_homes", "resource_modules"]

VERB_ORDER = ("list", "create", "retrieve", "update", "partial_update", "destroy", "bulk_create")

#: what generated resources import from ``resources/_base.py``.
BASE_HELPERS = (
    "parse_sample",
    "NOT_GIVEN",
    "NotGiven",
    "Resource",
    "body",
    "body_id",
    "build_path",
    "enum_value",
    "group",
    "id_values",
    "int_id",
    "link",
    "matches",
    "nested",
    "nested_list",
    "optional_enum",
    "optional_id",
    "query",
    "query_time",
    "require_any",
    "spec_enum",
    "strings",
    "text",
)

#: where the webhook event models (returned by the ``sample_*`` endpoints) live.
EVENTS_MODULE = "...webhooks"


def signature(op: dict[str, Any], args: list[Arg]) -> list[str]:
    """The parameters of a generated method, one per line."""
    params = ["self"]
    for param in op["path_params"]:
        params.append(f"{param['name']}: {'int' if param['type'] == 'integer' else 'str'}")
    keywords = []
    for arg in args:
        if arg.required:
            keywords.append(f"{arg.name}: {arg.annotation}")
        elif op["verb"] == "list":
            keywords.append(f"{arg.name}: {arg.annotation} | None = None")
        elif arg.annotation.endswith(" | None"):
            keywords.append(f"{arg.name}: {arg.annotation[:-7]} | NotGiven | None = NOT_GIVEN")
        else:
            keywords.append(f"{arg.name}: {arg.annotation} | NotGiven = NOT_GIVEN")
    if op["verb"] == "list":
        keywords += list_options(op)
    if keywords:
        params += ["*", *keywords]
    return params


def list_options(op: dict[str, Any]) -> list[str]:
    """The paging arguments of a list method."""
    if op["list_shape"] in ("page", "cursor"):
        return [
            "page_size: int | None = None",
            "max_items: int | None = None",
            "resume_from: str | None = None",
        ]
    return ["max_items: int | None = None"]


def path_expr(op: dict[str, Any]) -> str:
    """The expression building an operation's path (its parameters checked)."""
    template = op["path"].removeprefix("/v1")
    if not op["path_params"]:
        return f'"{template}"'
    values = []
    for param in op["path_params"]:
        name = param["name"]
        value = f'int_id("{name}", {name})' if param["type"] == "integer" else name
        values.append(f"{name}={value}")
    return f'build_path("{template}", {", ".join(values)})'


def payload_expr(args: list[Arg]) -> str:
    """The ``body(...)`` expression of a request, nested groups built with ``group``."""
    parts: dict[str, list[str]] = {}
    for arg in args:
        if arg.group is None:
            parts[arg.key] = [arg.wire]
        else:
            parts.setdefault(arg.group, []).append(f"{arg.key}={arg.wire}")
    items = []
    for key, values in parts.items():
        members = [arg for arg in args if arg.group == key]
        if not members:
            items.append(f"{key}={values[0]}")
            continue
        built = f"group({', '.join(values)})"
        if members[0].group_required and not any(arg.required for arg in members):
            names = " or ".join(arg.name for arg in members)
            built = f'require_any("{names}", {built})'
        items.append(f"{key}={built}")
    return f"body({', '.join(items)})"


def item_class(cat: Catalogue, op: dict[str, Any]) -> str:
    """The class a list yields (``str`` for the wrapped list of e-mail domains)."""
    if op["item_schema"]:
        return cat.class_of(op["item_schema"])
    (only,) = cat.props(op["response_schema"]).values()
    if only["type"] != "array" or only["items"]["type"] != "string":
        raise SystemExit(f"{op['operation_id']}: unexpected wrapped list shape")
    return "str"


def return_type(cat: Catalogue, op: dict[str, Any]) -> str:
    """The return annotation of a generated method."""
    if op["verb"] == "list":
        return f"AsyncPaginator[{item_class(cat, op)}]"
    if op["list_shape"] == "wrapped":
        return sample_class(cat, op)
    return cat.class_of(op["response_schema"]) if op["response_schema"] else "None"


def list_body(cat: Catalogue, op: dict[str, Any], args: list[Arg]) -> list[str]:
    """The statements of a list method."""
    url = path_expr(op)
    if op["list_shape"] == "wrapped":
        (key,) = cat.props(op["response_schema"])
        return [f'return self._list_wrapped({url}, "{key}", str, max_items=max_items)']
    parse = parser_name(item_class(cat, op))
    if op["list_shape"] == "array":
        return [f"return self._list({url}, {parse}, max_items=max_items)"]
    lines = []
    params = ""
    if args:
        lines.append(f"params = query({', '.join(f'{a.name}={a.wire}' for a in args)})")
        params = ", params"
    paging = "page_size=page_size, max_items=max_items, resume_from=resume_from"
    lines.append(f"return self._list({url}, {parse}{params}, {paging})")
    return lines


def call_body(cat: Catalogue, op: dict[str, Any], args: list[Arg]) -> list[str]:
    """The statements of a coroutine method: build, send, structure."""
    lines = [f"url = {path_expr(op)}"]
    extra = ""
    if op["request_schema"] is not None:
        lines.append(f"payload = {payload_expr(args)}")
        extra = ", json=payload"
    if op["operation_id"] in cat.tables.idempotent:
        extra += ", idempotent=True"
    send = f'self._client._request("{op["method"]}", url{extra})'
    result = return_type(cat, op)
    if result == "None":
        return [*lines, f"await {send}"]
    lines.append(f"data = await {send}")
    if op["list_shape"] == "wrapped":
        return [*lines, f"return parse_sample(data, {result})"]
    return [*lines, f"return structure(data, {result})"]


def method_code(cat: Catalogue, node: Node, op: dict[str, Any]) -> list[str]:
    """One generated method."""
    args = op_args(cat, op, node.ops)
    params = ", ".join(signature(op, args))
    verb = op["verb"]
    head = "def" if verb == "list" else "async def"
    lines = [f"    {head} {verb}({params}) -> {return_type(cat, op)}:"]
    lines += method_doc(cat, node, op, " " * 8)
    body = list_body(cat, op, args) if verb == "list" else call_body(cat, op, args)
    return lines + ["        " + line for line in body]


def class_code(cat: Catalogue, node: Node) -> list[str]:
    """One generated resource class; generated children are built on first access."""
    name = resource_name(cat, node.path)
    lines = [f"class {name}(Resource):", *resource_doc(node), ""]
    children = sorted((c for c in node.children.values() if not c.hand), key=_path)
    if children:
        lines.append('    __slots__ = ("__dict__",)  # caches the sub-resources')
        lines.append("")
    else:
        lines.append("    __slots__ = ()")
    for child in children:
        cls = resource_name(cat, child.path)
        module = f"._generated._{module_of(cat, child.path)}"
        lines.append(f'    {child.path[-1]}: SubResource[{cls}] = SubResource("{module}", "{cls}")')
    for verb in sorted(node.ops, key=VERB_ORDER.index):
        lines += ["", *method_code(cat, node, node.ops[verb])]
    return lines


def _path(node: Node) -> Key:
    return node.path


def resource_homes(cat: Catalogue, nodes: dict[Key, Node]) -> dict[str, str]:
    """Every generated resource class -> its module (``_assets``)."""
    return {
        resource_name(cat, n.path): f"_{module_of(cat, n.path)}"
        for n in nodes.values()
        if not n.hand
    }


def resource_modules(
    cat: Catalogue, nodes: dict[Key, Node], models: Iterable[str]
) -> dict[str, str]:
    """Every generated resource module: file name -> source.

    `models` are the public model classes (``skilljar_async.models``) methods may return.
    """
    by_module: dict[str, list[Node]] = defaultdict(list)
    for node in nodes.values():
        if not node.hand:
            by_module[module_of(cat, node.path)].append(node)
    homes = resource_homes(cat, nodes)
    return {
        f"_{m}.py": resource_module(cat, m, group, homes, models)
        for m, group in sorted(by_module.items())
    }


def resource_module(
    cat: Catalogue, name: str, nodes: list[Node], homes: dict[str, str], models: Iterable[str]
) -> str:
    """One generated resource module."""
    nodes = sorted(nodes, key=_path)
    parsers = {item_class(cat, op) for n in nodes for op in n.ops.values() if op["item_schema"]}
    body = [f"{parser_name(cls)} = structurer({cls})" for cls in sorted(parsers)]
    for node in nodes:
        body += ["", "", *class_code(cat, node)]
    used = names_used("import datetime as dt\n" + "\n".join(body))
    defined = {resource_name(cat, n.path) for n in nodes}
    sources: dict[str, Iterable[str]] = {
        "..._convert": ("structure", "structurer"),
        "...models": tuple(models),
        EVENTS_MODULE: tuple(cat.tables.sample_events.values()),
        ".._base": BASE_HELPERS,
        "..._lazy": ("SubResource",),
    }
    typing_only: dict[str, list[str]] = {"..._pagination": ["AsyncPaginator"]}
    for cls, home in sorted(homes.items()):
        if cls not in defined:
            typing_only.setdefault(f".{home}", []).append(cls)
    imports = import_block(used, sources, typing_only)
    paths = {n.path for n in nodes}
    tops = ", ".join(f"``client.{n.dotted}``" for n in nodes if n.path[:-1] not in paths)
    doc = "\n".join(wrap(f"Generated resources: {tops}.", 90)) + "\n"
    return module_text(doc, imports, sorted(defined), body)
