"""Importing the package loads no generated code; names and resources load on first use."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import skilljar_async
import skilljar_async.models
import skilljar_async.resources
from skilljar_async import SkilljarClient
from skilljar_async._lazy import SubResource
from skilljar_async.resources import Resource

GENERATED = ("skilljar_async.models._generated", "skilljar_async.resources._generated")


def modules_after(code: str) -> list[str]:
    """The ``skilljar_async`` modules a fresh interpreter holds after running `code`."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return [name for name in json.loads(out) if name.startswith("skilljar_async")]


def test_import_loads_no_generated_module() -> None:
    """After ``import skilljar_async`` no generated resource or model module is loaded."""
    loaded = modules_after("import skilljar_async")
    assert "skilljar_async" in loaded
    assert [name for name in loaded if name.startswith(GENERATED)] == []


def test_building_a_client_loads_no_resource_module() -> None:
    """A client builds its resources on first access, not in ``__init__``."""
    loaded = modules_after("import skilljar_async; skilljar_async.SkilljarClient('k')")
    assert [n for n in loaded if n.startswith("skilljar_async.resources")] == []
    assert [n for n in loaded if n.startswith("skilljar_async.models")] == []


def test_first_access_loads_only_that_family() -> None:
    """``client.assets`` imports the assets modules, not the other families."""
    loaded = modules_after("import skilljar_async; skilljar_async.SkilljarClient('k').assets")
    assert "skilljar_async.resources._generated._assets" in loaded
    assert "skilljar_async.resources._generated._quizzes" not in loaded
    assert "skilljar_async.models._generated._quizzes" not in loaded


def test_resources_are_built_once_per_owner() -> None:
    """A resource attribute is cached: two reads give the same object, bound to its client."""
    client = SkilljarClient("lazy-key")
    assert client.domains is client.domains
    assert client.domains.published_courses.enrollments is (
        client.domains.published_courses.enrollments
    )
    assert client.domains.plan.plan_enrollments._client is client
    assert SkilljarClient("other-key").domains is not client.domains


def test_every_exported_name_resolves() -> None:
    """Each name in the packages' ``__all__`` resolves through the lazy ``__getattr__``."""
    for module in (skilljar_async.models, skilljar_async.resources):
        for name in module.__all__:
            assert getattr(module, name) is not None, name
        assert set(module.__all__) <= set(dir(module))


def test_indexes_reexport_every_generated_name() -> None:
    """The hand-written indexes list every name the generated indexes export."""
    from skilljar_async.models import _generated as models
    from skilljar_async.resources import _generated as resources

    assert set(models.__all__) <= set(skilljar_async.models.__all__)
    assert set(resources.__all__) <= set(skilljar_async.resources.__all__)


def test_client_resources_are_all_lazy() -> None:
    """Every resource on the client is a `SubResource` descriptor yielding a `Resource`."""
    client = SkilljarClient("lazy-key")
    names = [
        name
        for name in dir(SkilljarClient)
        if isinstance(inspect.getattr_static(SkilljarClient, name), SubResource)
    ]
    assert len(names) == 29
    assert all(isinstance(getattr(client, name), Resource) for name in names)
