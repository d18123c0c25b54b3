"""Client census: every catalogue operation is a client method that the emulator routes.

For each of the 340 operations the test resolves ``client.<client_path>``, checks its
call type (plain ``def`` for lists, coroutine otherwise), calls it with placeholder
arguments on objects that exist, and checks that the emulator recorded exactly that
operation, with the catalogue's method and success status. Catalogue, client and
emulator drifting apart fails here.
"""

from __future__ import annotations

import datetime as dt
import inspect
import typing
from collections.abc import AsyncIterator, Callable, Mapping
from operator import attrgetter
from typing import Any

import pytest

from skilljar_async import AsyncPaginator, Page, SkilljarClient
from skilljar_async._lazy import SubResource
from skilljar_async.resources import Resource
from skilljar_async.testing import SkilljarEmulator

from ..testing.test_census import OPERATIONS, Census

#: table (path prefix) whose key a ``<name>`` argument refers to, when the body has none.
ID_TABLES = {
    "course_id": "/v1/courses",
    "lesson_id": "/v1/lessons",
    "label_id": "/v1/labels",
    "tag_id": "/v1/tags",
    "student_group_id": "/v1/groups",
    "published_course_id": "/v1/domains/{domain_name}/published-courses",
    "new_web_package_id": "/v1/web-packages",
    "prerequisite_published_course_id": "/v1/domains/{domain_name}/published-courses",
}

#: operations needing an argument the spec marks optional (one of several alternatives).
EXTRA_ARGS: dict[str, Callable[[Census], dict[str, Any]]] = {
    "license_packages_students_create": lambda census: {"student_id": census.person["id"]},
}


def ordered_operations() -> list[dict[str, Any]]:
    """Deepest paths first, deletes last: children exist while their parents do."""
    return sorted(OPERATIONS, key=lambda op: (op["method"] == "DELETE", -op["path"].count("/")))


def wire_value(name: str, wire: Mapping[str, Any]) -> Any:
    """Find the wire value a (possibly flattened) argument stands for."""
    if name in wire:
        return wire[name]
    if name.endswith("_id") and isinstance(wire.get(name[:-3]), Mapping):
        return wire[name[:-3]].get("id")
    for key, value in wire.items():
        if isinstance(value, Mapping) and name.startswith(key + "_"):
            return value.get(name[len(key) + 1 :])
    for value in wire.values():
        if isinstance(value, Mapping) and name in value:
            return value[name]
    return None


def convert(value: Any, hint: str) -> Any:
    """Turn a wire value into what the argument's annotation asks for."""
    if isinstance(value, str) and "datetime" in hint:
        return dt.datetime.fromisoformat(value)
    if isinstance(value, list) and "Mapping[str, str]" in hint and "Sequence" not in hint:
        return {item["id"]: item["value"] for item in value}
    return value


def fallback(name: str, hint: str, census: Census) -> Any:
    """A placeholder for an argument the wire body does not mention."""
    if name in ID_TABLES:
        return census.keys[ID_TABLES[name]]
    if "datetime" in hint:
        return dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    if "int" in hint:
        return 1
    if "bool" in hint:
        return True
    return "x"


def placeholders(
    method: Callable[..., Any], op: dict[str, Any], census: Census
) -> tuple[list[Any], dict[str, Any]]:
    """Positional path ids and the required keyword arguments for one call."""
    args: list[Any] = []
    for param in op["path_params"]:
        value = census.param(op["path"], param["name"])
        args.append(int(value) if param["type"] == "integer" else value)
    wire = census.body(op["request_schema"]) or {}
    extra = EXTRA_ARGS.get(op["operation_id"])
    kwargs: dict[str, Any] = extra(census) if extra else {}
    for name, param in inspect.signature(method).parameters.items():
        if param.kind is not param.KEYWORD_ONLY or param.default is not param.empty:
            continue
        hint = str(param.annotation)  # the source text: annotations are postponed
        value = wire_value(name, wire)
        if value is None:
            value = fallback(name, hint, census)
        kwargs[name] = convert(value, hint)
    return args, kwargs


async def call(method: Callable[..., Any], op: dict[str, Any], args: list[Any], kw: Any) -> Any:
    """Call one method the way its call type says (a list is awaited for its first page)."""
    if op["verb"] == "list":
        paginator = method(*args, **kw)
        assert isinstance(paginator, AsyncPaginator)
        page = await paginator
        assert isinstance(page, Page)
        return page
    return await method(*args, **kw)


@pytest.fixture
async def census_client(
    skilljar_emulator: SkilljarEmulator,
) -> AsyncIterator[SkilljarClient]:
    """A client on the census emulator."""
    async with SkilljarClient(
        skilljar_emulator.api_key, base_url=skilljar_emulator.base_url, max_retries=0
    ) as client:
        yield client


def resolve(client: SkilljarClient, op: dict[str, Any]) -> Callable[..., Any]:
    """The bound method for an operation's client path, checked for its call type."""
    method = attrgetter(op["client_path"])(client)
    owner = attrgetter(op["client_path"].rsplit(".", 1)[0])(client)
    assert isinstance(owner, Resource), op["client_path"]
    is_coroutine = inspect.iscoroutinefunction(method)
    assert is_coroutine == (op["verb"] != "list"), f"{op['client_path']}: wrong call type"
    return typing.cast(Callable[..., Any], method)


@pytest.mark.skilljar_emulator(users=3, limits=None)
async def test_every_operation_is_a_client_method_the_emulator_routes(
    skilljar_emulator: SkilljarEmulator, census_client: SkilljarClient
) -> None:
    """All 340 operations: right call type, exactly one request, the right route and status."""
    census = Census(skilljar_emulator.store)
    failures = []
    for op in ordered_operations():
        method = resolve(census_client, op)
        args, kwargs = placeholders(method, op, census)
        before = len(skilljar_emulator.requests)
        try:
            await call(method, op, args, kwargs)
        except Exception as exc:  # collected: one report for every drifted operation
            failures.append((op["operation_id"], repr(exc)[:300]))
            continue
        seen = [(r.operation_id, r.method, r.status) for r in skilljar_emulator.requests[before:]]
        expected = (op["operation_id"], op["method"], op["success_status"])
        if seen != [expected]:
            failures.append((op["operation_id"], f"recorded {seen}"))
    assert failures == [], "\n".join(f"{op}: {why}" for op, why in failures)
    assert len(OPERATIONS) == 340


def test_client_tree_holds_nothing_but_catalogue_operations() -> None:
    """No public method on the resource tree lacks a catalogue operation (``__call__`` aside)."""
    client = SkilljarClient("census-key")
    expected = {op["client_path"] for op in OPERATIONS}
    found: set[str] = set()

    def walk(prefix: str, resource: Resource) -> None:
        for name in dir(resource):
            if name.startswith("_"):
                continue
            value = getattr(resource, name)
            if isinstance(value, Resource):
                walk(f"{prefix}.{name}", value)
            elif callable(value):
                found.add(f"{prefix}.{name}".lstrip("."))

    for name in dir(SkilljarClient):
        # Resources are class-level descriptors, built on first access.
        if isinstance(inspect.getattr_static(SkilljarClient, name), SubResource):
            walk(name, getattr(client, name))
    assert found == expected
