"""Names: classes of resources and models, generated modules, enum members."""

from __future__ import annotations

import keyword
import re

from .catalogue import Catalogue, Key

__all__ = [
    "article",
    "camel",
    "human",
    "member_name",
    "module_of",
    "parser_name",
    "resource_name",
    "singular",
    "words",
]


def camel(text: str) -> str:
    """``catalog_pages`` -> ``CatalogPages``."""
    return "".join(part[:1].upper() + part[1:] for part in text.split("_"))


def singular(cat: Catalogue, segment: str) -> str:
    """A crude singular of a path segment, good enough for names and docstrings."""
    last = segment.rsplit("_", 1)[-1]
    if last in cat.tables.singular:
        return segment.removesuffix(last) + cat.tables.singular[last]
    for tail, repl in (("ies", "y"), ("sses", "ss"), ("s", "")):
        if segment.endswith(tail):
            return segment[: -len(tail)] + repl
    return segment


def words(segment: str) -> str:
    """``catalog_pages`` -> ``catalog pages``; ``CourseCompletion`` -> ``Course Completion``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", segment).replace("_", " ")


def human(cls: str) -> str:
    """``CatalogPage`` -> ``Catalog page``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", cls)
    return spaced[:1] + spaced[1:].lower()


def article(noun: str) -> str:
    """``a group`` / ``an asset``."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def resource_name(cat: Catalogue, path: Key) -> str:
    """The class implementing a generated node."""
    if path in cat.tables.resource_names:
        return cat.tables.resource_names[path]
    if len(path) == 1:
        return camel(path[0])
    parent = path[:-1]
    prefix = cat.tables.child_prefixes.get(parent) or camel(singular(cat, parent[-1]))
    if parent == ("domains",):
        prefix = "Domain"
    return prefix + camel(path[-1])


def module_of(cat: Catalogue, path: Key) -> str:
    """The generated module of a node: the longest matching prefix in the modules table."""
    for depth in range(len(path), 0, -1):
        if path[:depth] in cat.tables.modules:
            return cat.tables.modules[path[:depth]]
    raise SystemExit(f"no module for {path}: add it to tables.json's modules")


def parser_name(cls: str) -> str:
    """Module-level name of a list's row parser."""
    return "_parse_" + re.sub(r"(?<!^)(?=[A-Z])", "_", cls).lower()


def member_name(cat: Catalogue, value: str) -> str:
    """The enum member name of an API value."""
    if value in cat.tables.enum_member_names:
        return cat.tables.enum_member_names[value]
    name = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").upper()
    if not name.isidentifier() or keyword.iskeyword(name):
        raise SystemExit(f"enum value {value!r}: add it to tables.json's enum_member_names")
    return name
