"""Docstrings of generated methods and resource classes."""

from __future__ import annotations

from typing import Any

from .catalogue import Catalogue
from .naming import article, singular, words
from .render import wrap
from .tree import Node

__all__ = ["method_doc", "resource_doc", "sample_class"]

_FAMILY = {"partial_update": "update"}


def sample_class(cat: Catalogue, op: dict[str, Any]) -> str:
    """The event model a ``sample-*`` endpoint returns."""
    return cat.tables.sample_events[op["client_path"].split(".")[1].removeprefix("sample_")]


def generic_summary(cat: Catalogue, node: Node, op: dict[str, Any]) -> str:
    """A summary made from the verb and the node's name."""
    one = article(words(singular(cat, node.path[-1])))
    return {
        "list": f"List {words(node.path[-1])}.",
        "create": f"Create {one}.",
        "retrieve": f"Get {one}.",
        "update": f"Change {one} (PUT).",
        "partial_update": f"Change {one} (PATCH).",
        "destroy": f"Delete {one}.",
    }[op["verb"]]


def first_sentence(op: dict[str, Any]) -> tuple[str, str]:
    """The description's first sentence and the rest."""
    first, _, rest = " ".join(op["description"].split()).partition(". ")
    return first.rstrip(".") + ".", rest


def split_description(cat: Catalogue, node: Node, op: dict[str, Any]) -> tuple[str | None, str]:
    """(summary taken from the spec's description or None, the rest of the description)."""
    first, rest = first_sentence(op)
    if op["operation_id"] in cat.tables.summaries:
        return cat.tables.summaries[op["operation_id"]], " ".join(op["description"].split())
    family = _FAMILY.get(op["verb"], op["verb"])
    shared = any(
        first_sentence(other)[0] == first and _FAMILY.get(v, v) != family
        for v, other in node.ops.items()
    )
    if op["verb"] in ("update", "partial_update"):
        first = first[:-1] + (" (PUT)." if op["verb"] == "update" else " (PATCH).")
    if shared or first.startswith(("APIs for", "***", "Manage ")) or len(first) > 88:
        return None, " ".join(op["description"].split())
    return first, rest


_DELETE_RETRY = (
    "Retried after an attempt that may have reached the server (a timeout, a dropped "
    "connection, a 5xx), a 404 means that attempt deleted it: the call succeeds."
)


def _notes(cat: Catalogue, node: Node, op: dict[str, Any]) -> list[str]:
    """The paragraphs after the operation id: PUT semantics, paging, retry and danger notes."""
    notes = []
    op_id = op["operation_id"]
    if op["verb"] == "update" and "partial_update" in node.ops:
        notes.append("Only the arguments you pass are sent: the API treats PUT as partial.")
    if op["verb"] == "list" and op["list_shape"] == "array":
        notes.append("The API answers with one unpaginated array: the paginator yields one page.")
    if op_id in cat.tables.idempotent:
        notes.append(cat.tables.idempotent[op_id])
    if op_id in cat.tables.destructive:
        notes.append(cat.tables.destructive[op_id])
    if op["method"].upper() == "DELETE":
        notes.append(_DELETE_RETRY)
    if (op_id, "course_id") in cat.tables.required_query:
        notes.append("The API requires ``course_id``: lessons are listed per course.")
    return notes


def method_doc(cat: Catalogue, node: Node, op: dict[str, Any], indent: str) -> list[str]:
    """A method's docstring: summary, operation id and the rest of the description, notes."""
    if op["list_shape"] == "wrapped" and op["verb"] != "list":
        event = words(sample_class(cat, op).removesuffix("Event")).lower()
        head, rest = f"Get a sample {event} event (the latest real one, or an example).", ""
    else:
        found, rest = split_description(cat, node, op)
        head = found or generic_summary(cat, node, op)
    first = f"Operation ``{op['operation_id']}``." + (f" {rest}" if rest else "")
    lines = [f'{indent}"""{head}']
    for paragraph in [first, *_notes(cat, node, op)]:
        lines.append("")
        lines += [indent + line for line in wrap(paragraph, 96 - len(indent))]
    return [*lines, f'{indent}"""']


def resource_doc(node: Node) -> list[str]:
    """A resource class's docstring: what it holds and where it hangs on the client."""
    tag = next(iter(node.ops.values()))["tag"] if node.ops else ""
    title = tag.split(" > ")[-1]
    if words(node.path[-1]).split()[0].rstrip("s") not in title.lower():
        title = words(node.path[-1])
    title = title[:1].upper() + title[1:]
    one = f'    """{title} (``client.{node.dotted}``)."""'
    if len(one) <= 100:
        return [one]
    return [f'    """{title}.', "", f"    ``client.{node.dotted}``", '    """']
