"""The package's import graph: no cycles, and no reaching into another module's private names.

Every ``import`` statement of every module is read with `ast`, including those
under ``if TYPE_CHECKING:`` and inside functions, so a cycle hidden from the
interpreter still counts. An edge goes from a module to each module of the
package it names: ``from a.b import c`` names ``a.b.c`` if that is a module,
else ``a.b``. A package's ``__init__`` importing its own submodules (to
re-export them) is not an edge: that is how a package is assembled.

Privacy rules:

- no module imports a private name (``_x``, not a dunder) from another module;
  private *modules* are imported by module, not picked apart by name;
- a private module (``a._m``, or anything under it) is imported only from
  inside the package that holds it (``a`` and its subpackages): elsewhere go
  through ``a``'s public surface.
"""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterator

import skilljar_async

PACKAGE = "skilljar_async"
ROOT = pathlib.Path(skilljar_async.__file__).parent

# Known offenders, allowed until their own restructuring lands. Each entry is
# (importer, or a package covering every importer in it; imported module; name,
# or "" for the module itself). Tighten by deleting entries: an entry nothing
# matches any more fails `test_allowlist_is_current`.
ALLOWED: frozenset[tuple[str, str, str]] = frozenset({})


def _modules() -> dict[str, pathlib.Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _base(importer: str, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` reads from."""
    if not node.level:
        return node.module or ""
    package = importer if _is_package(importer) else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _imports(importer: str) -> Iterator[tuple[str, str]]:
    """(module, name) for each import in `importer`; name is "" for a whole module."""
    tree = ast.parse(MODULES[importer].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    yield alias.name, ""
        elif isinstance(node, ast.ImportFrom):
            base = _base(importer, node)
            if base.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    yield f"{base}.{alias.name}", ""
                else:
                    yield base, alias.name


def _is_private(segment: str) -> bool:
    return segment.startswith("_") and not (segment.startswith("__") and segment.endswith("__"))


def _edges() -> dict[str, set[str]]:
    """The import graph at module granularity, without packages' imports of their own parts."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for importer in MODULES:
        for module, _name in _imports(importer):
            if module not in MODULES or module == importer:
                continue
            if _is_package(importer) and module.startswith(importer + "."):
                continue  # a package assembling itself from its submodules
            graph[importer].add(module)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _private_owner(module: str) -> str | None:
    """The package holding the first private part of `module`'s path, if any part is private."""
    parts = module.split(".")
    for j, segment in enumerate(parts):
        if _is_private(segment):
            return ".".join(parts[:j])
    return None


def _violations() -> set[tuple[str, str, str]]:
    """(importer, module, name) of every import that breaks a privacy rule."""
    bad = set()
    for importer in MODULES:
        for module, name in _imports(importer):
            if name and _is_private(name):
                bad.add((importer, module, name))
            owner = _private_owner(module)
            inside = importer == owner or importer.startswith(f"{owner}.")
            if owner is not None and not inside:
                bad.add((importer, module, ""))
    return bad


def _allowed(offence: tuple[str, str, str], entry: tuple[str, str, str]) -> bool:
    importer, module, name = offence
    where, allowed_module, allowed_name = entry
    inside = importer == where or importer.startswith(f"{where}.")
    return inside and (module, name) == (allowed_module, allowed_name)


def test_the_graph_is_read() -> None:
    """The scan sees the package's real imports, so an empty result means something."""
    graph = _edges()
    assert len(graph) > 50
    assert "skilljar_async.ratelimit._limits" in graph["skilljar_async.ratelimit.redis._wire"]
    assert "skilljar_async._budget" in graph["skilljar_async._client"]
    # A package importing its own parts is no edge; one imported under TYPE_CHECKING is.
    assert "skilljar_async.ratelimit.redis" not in graph["skilljar_async.ratelimit"]
    assert "skilljar_async._pagination" in graph["skilljar_async.resources._domains"]


def test_no_import_cycles() -> None:
    """No group of modules imports each other in a circle, counting TYPE_CHECKING imports."""
    assert _cycles(_edges()) == []


def test_cycle_finder_finds_a_cycle() -> None:
    """The cycle check can fail: a two-module and a three-module circle are both reported."""
    graph = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}
    assert _cycles(graph) == [["a", "b"], ["c", "d", "e"]]


def test_no_private_imports_across_modules() -> None:
    """No private name crosses a module boundary; no private module is used from outside."""
    offences = _violations()
    assert {o for o in offences if not any(_allowed(o, e) for e in ALLOWED)} == set()


def test_allowlist_is_current() -> None:
    """Every allowed offender still offends, so fixing one forces its entry out."""
    offences = _violations()
    assert {e for e in ALLOWED if not any(_allowed(o, e) for o in offences)} == set()


def test_privacy_rules() -> None:
    """Which module paths are private, and to whom."""
    assert _private_owner("skilljar_async.ratelimit.redis._lane") == (
        "skilljar_async.ratelimit.redis"
    )
    assert _private_owner("skilljar_async._budget") == "skilljar_async"
    assert _private_owner("skilljar_async.ratelimit") is None
    assert not _is_private("__version__")


def _foreign_private_attributes(package: str) -> set[tuple[str, str]]:
    """(module, attribute) of each ``x._name`` under `package` where x is not self/cls."""
    found = set()
    for name, path in MODULES.items():
        if name != package and not name.startswith(f"{package}."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Attribute) and _is_private(node.attr)):
                continue
            own = isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}
            if not own:
                found.add((name, node.attr))
    return found


def test_the_rate_scheduler_uses_no_other_objects_private_attributes() -> None:
    """Scheduler parts talk through public attributes and methods, never ``other._x``."""
    assert _foreign_private_attributes("skilljar_async.ratelimit") == set()
    assert _foreign_private_attributes("skilljar_async.resources")  # the check can fail
