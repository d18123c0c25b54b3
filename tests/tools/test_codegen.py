"""The generator's pure pieces: catalogue loading, naming, rendering, argument building."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from skilljar_async._sansio import SECRET_KEYS
from tools.codegen.arguments import op_args
from tools.codegen.catalogue import Catalogue, load_catalogue
from tools.codegen.naming import camel, member_name, module_of, resource_name, singular
from tools.codegen.render import import_block, index_module, wrap
from tools.codegen.tree import build_tree

DATA = Path(__file__).resolve().parents[2] / "skilljar_async" / "_data"


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    """The committed catalogue with the generator's tables."""
    return load_catalogue(DATA)


def test_catalogue_tables_use_the_one_secrets_list(cat: Catalogue) -> None:
    """The generator redacts exactly the library's secrets list."""
    assert cat.tables.secret_fields == SECRET_KEYS
    assert ("domains", "users") in cat.tables.hand_nodes


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("catalog_pages", "catalog_page"),
        ("quizzes", "quiz"),
        ("series", "series"),
        ("categories", "category"),
        ("addresses", "address"),
        ("progress", "progress"),
    ],
)
def test_singular(cat: Catalogue, segment: str, expected: str) -> None:
    """Path segments get the singular their class names use."""
    assert singular(cat, segment) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("groups",), "Groups"),
        (("groups", "users"), "GroupUsers"),
        (("domains", "catalog_pages"), "DomainCatalogPages"),
        (("domains", "plan"), "DomainPlans"),
        (("quizzes", "questions"), "QuizQuestionSummaries"),
    ],
)
def test_resource_name(cat: Catalogue, path: tuple[str, ...], expected: str) -> None:
    """Classes are named from the path, with the table's overrides."""
    assert resource_name(cat, path) == expected


def test_module_of_takes_the_longest_prefix(cat: Catalogue) -> None:
    """A node lives in the module of its longest listed prefix."""
    assert module_of(cat, ("domains", "catalog_pages", "content_blocks")) == "catalog_blocks"
    assert module_of(cat, ("domains", "catalog_pages")) == "catalog_pages"
    assert module_of(cat, ("domains", "signup_fields")) == "domain_catalog"
    with pytest.raises(SystemExit, match="no module"):
        module_of(cat, ("nowhere",))


def test_member_names(cat: Catalogue) -> None:
    """Enum values become upper-case identifiers; the table names the odd ones."""
    assert member_name(cat, "in-progress") == "IN_PROGRESS"
    assert member_name(cat, "16:9") == "RATIO_16_9"
    with pytest.raises(SystemExit, match="enum_member_names"):
        member_name(cat, "9lives")


def test_camel_and_wrap() -> None:
    """Small text helpers behave."""
    assert camel("catalog_pages") == "CatalogPages"
    assert wrap("a bb ccc dddd", 6) == ["a bb", "ccc", "dddd"]


def test_import_block_puts_typing_only_names_under_type_checking() -> None:
    """Names needed only by annotations are imported under ``TYPE_CHECKING``."""
    lines = import_block(
        {"Asset", "AsyncPaginator", "Mapping"},
        {"...models": ("Asset", "Course")},
        {"..._pagination": ["AsyncPaginator"]},
    )
    text = "\n".join(lines)
    assert "from ...models import Asset\n" in text + "\n"
    assert "Course" not in text
    assert text.endswith("if TYPE_CHECKING:\n    from ..._pagination import AsyncPaginator")
    assert "from typing import TYPE_CHECKING" in text


def test_index_module_is_lazy_and_complete() -> None:
    """A generated index imports nothing at run time and exports every name it maps."""
    text = index_module("Doc.", {"B": "_two", "A": "_one"})
    tree = ast.parse(text)
    runtime = [
        n
        for n in tree.body
        if isinstance(n, ast.ImportFrom) and n.module not in ("__future__", "typing")
    ]
    assert runtime == []
    assert '__all__ = ["A", "B"]' in text
    namespace: dict[str, object] = {"__name__": "x"}
    exec(compile(text, "<index>", "exec"), namespace)
    with pytest.raises(AttributeError, match="no attribute 'C'"):
        namespace["__getattr__"]("C")  # type: ignore[operator]


def test_put_is_partial_where_patch_exists(cat: Catalogue) -> None:
    """A PUT on a node that also has PATCH takes only optional arguments."""
    node = build_tree(cat)[("groups",)]
    update = op_args(cat, node.ops["update"], node.ops)
    create = op_args(cat, node.ops["create"], node.ops)
    assert update
    assert not any(arg.required for arg in update)
    assert any(arg.required for arg in create)
