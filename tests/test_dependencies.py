"""Every third-party import is declared in pyproject.toml, and every dependency is used."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

#: Distributions the package imports only behind a guard, and the extra that installs them.
GUARDED = {
    "redis": "redis",  # RedisScheduler imports it when built
    "pytest": "test",  # the pytest plugin only loads under pytest
    "pytest-asyncio": "test",  # the plugin imports it when present
    "opentelemetry-api": "otel",  # imported when a client is made, if installed
    "rich": "cli",  # the command line's tables and progress bars
}


#: Import names that differ from their distribution's, for distributions not installed.
MODULE_DISTRIBUTIONS = {"yaml": "pyyaml"}

#: Namespace packages several distributions share, by the one whose API the code imports.
NAMESPACES = {"opentelemetry": ["opentelemetry-api"]}


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (PEP 503)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def _declared(*extras: str) -> set[str]:
    """Runtime dependencies plus the given extras (an extra naming the project expands)."""
    names = {_name(r) for r in PROJECT["dependencies"]}
    optional = PROJECT["optional-dependencies"]
    todo = list(extras)
    while todo:
        for requirement in optional[todo.pop()]:
            if _name(requirement) == PROJECT["name"]:
                todo += re.findall(r"[\w-]+", requirement.partition("[")[2])
            else:
                names.add(_name(requirement))
    return names


def _imported_modules(files: Iterable[Path]) -> set[str]:
    """Top-level names of every absolute import in the files, nested imports included."""
    modules: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.partition(".")[0])
    return modules


#: the repository's own top-level packages, importable from a checkout.
LOCAL_PACKAGES = frozenset({"skilljar_async", "tools", "tests", "benchmarks"})


def _distributions(folder: str) -> set[str]:
    """Normalised names of the third-party distributions the folder's modules import."""
    owners = importlib.metadata.packages_distributions()
    files = list((ROOT / folder).rglob("*.py"))
    third_party = _imported_modules(files) - set(sys.stdlib_module_names)
    third_party -= LOCAL_PACKAGES
    third_party -= {f.stem for f in files}  # a script importing a sibling script
    # Tools' extras may not be installed (the 3.13 run installs only [test]): then the
    # module's own name, or its known distribution name, stands in.
    return {
        _name(dist)
        for module in third_party
        for dist in NAMESPACES.get(module)
        or owners.get(module, [MODULE_DISTRIBUTIONS.get(module, module)])
    }


def test_package_imports_are_declared() -> None:
    """The package imports only its dependencies, or a guarded module its extra provides."""
    runtime = _declared()
    for dist in _distributions("skilljar_async") - runtime:
        assert dist in GUARDED, f"skilljar_async imports {dist}, which pyproject does not declare"
        assert dist in _declared(GUARDED[dist]), f"{dist} missing from [{GUARDED[dist]}]"


def test_every_dependency_is_imported() -> None:
    """Each runtime dependency is imported by the package: none is dead weight."""
    unused = _declared() - _distributions("skilljar_async")
    assert not unused, f"declared but never imported by skilljar_async: {sorted(unused)}"


@pytest.mark.parametrize(
    ("folder", "extra"),
    [("tests", "test"), ("benchmarks", "dev"), ("scripts", "dev"), ("tools", "dev")],
)
def test_tooling_imports_are_declared(folder: str, extra: str) -> None:
    """Tests, benchmarks and scripts import only what their extra installs."""
    undeclared = _distributions(folder) - _declared(extra)
    assert not undeclared, f"{folder} imports {sorted(undeclared)}; add them to [{extra}]"
