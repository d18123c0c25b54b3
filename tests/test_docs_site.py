"""The operations reference is current and complete; the budget picture's script is sound."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


gen = _load("gen_operations")
plot = _load("plot_budget")


def test_operations_reference_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    """The committed pages are what the catalogue and the client give (run gen_operations)."""
    assert gen.main(["--check"]) == 0, capsys.readouterr().err


def test_every_operation_is_documented_once() -> None:
    """Each of the catalogue's operations has one section, with its method, path and call type."""
    ops = json.loads((ROOT / "skilljar_async" / "_data" / "operations.json").read_text())
    pages = gen.render()
    headings = re.findall(r"^### `([a-z_.]+)`", "".join(pages.values()), flags=re.M)
    assert sorted(headings) == sorted(op["client_path"] for op in ops)
    assert len(headings) == 340
    deletes = [op for op in ops if op["method"] == "DELETE"]
    text = pages[f"{gen.family_of(deletes[0]['client_path'])}.md"]
    assert f"`DELETE {deletes[0]['path']}` · removal" in text
    assert "!!! warning" in text


def test_a_new_family_must_be_placed() -> None:
    """An operation outside every family stops the generator instead of vanishing."""
    assert gen.family_of("domains.users.invites.list") == "domain-users"
    assert gen.family_of("domains.list") == "domains"
    with pytest.raises(SystemExit, match="no family"):
        gen.family_of("brand_new.list")


def test_window_counts_step_exactly() -> None:
    """The picture counts calls in (t - period, t]: up at a stamp, down when it leaves."""
    stamps = [0.0, 0.1, 0.2, 1.0, 1.05]
    assert plot.in_window(stamps, 1.0) == [
        (0.0, 1),
        (0.1, 2),
        (0.2, 3),
        (1.0, 3),  # 0.0 left as 1.0 came
        (1.05, 4),
    ]
    assert plot.steps([(0.0, 1), (1.0, 3)]) == [(0.0, 1), (1.0, 1), (1.0, 3)]
