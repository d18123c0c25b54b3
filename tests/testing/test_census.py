"""Census: every operation of the catalogue is served, with its method, path and status."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest

from skilljar_async.testing import SkilljarEmulator, Store
from skilljar_async.testing._catalogue import catalogue
from skilljar_async.testing._handlers import ID_REFERENCES
from skilljar_async.testing._seed import LEARN

from ._helpers import api_for

OPERATIONS: list[dict[str, Any]] = json.loads(
    resources.files("skilljar_async._data").joinpath("operations.json").read_text("utf-8")
)
MADE_UP = "zz404zz"


def test_catalogue_is_complete() -> None:
    """The generated catalogue has all 340 operations on 160 paths, each with a client path."""
    assert len(OPERATIONS) == 340
    assert len({op["path"] for op in OPERATIONS}) == 160
    assert len({op["client_path"] for op in OPERATIONS}) == 340
    for op in OPERATIONS:
        names = re.findall(r"\{([^}]+)\}", op["path"])
        assert [p["name"] for p in op["path_params"]] == names


class Census:
    """Known ids for every table: a real row exists under each (seeded or put here)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.person = store.rows("users")[0]["user"]
        self.keys: dict[str, str] = {}
        cat = catalogue()
        for table in sorted(store.tables.values(), key=lambda t: t.template.count("/")):
            if table.key_param is None and not table.singleton:
                continue
            parents = tuple(self.param(table.template, p) for p in table.parent_params)
            row: dict[str, Any] = dict(cat.default_object(table.schema)) if table.schema else {}
            if table.singleton:
                store.add(table.name, row, *parents)
                continue
            existing = table.rows(parents)
            if table.name == "domains":
                key = LEARN
            elif existing and table.key_path[0] == "user":
                key = str(self.person["id"])
            else:
                key = "1" if table.int_ids else "census1"
                head, *rest = table.key_path
                if rest:
                    row[head] = {**(row.get(head) or {}), "id": key}
                else:
                    row[head] = int(key) if table.int_ids else key
                if head in ("user", "student"):
                    row[head] = self.person
                    key = str(self.person["id"])
                table.put(parents, key, row)
            self.keys[table.template] = key

    def param(self, path: str, name: str) -> str:
        """The known id for path parameter `name` of `path`."""
        prefix = path[: path.index("{" + name + "}") - 1]
        return self.keys[prefix]

    def fill(self, path: str, made_up_last: bool = False) -> str:
        names = re.findall(r"\{([^}]+)\}", path)
        values = [self.param(path, name) for name in names]
        if made_up_last:  # integer ids must still look like integers to be routed
            values[-1] = "987654" if values[-1].isdigit() else MADE_UP
        for name, value in zip(names, values, strict=True):
            path = path.replace("{" + name + "}", value)
        return path

    def body(self, schema: str | None, depth: int = 0) -> Any:
        """A minimal valid body: every required field, links pointing at census rows."""
        if schema is None:
            return None
        spec = catalogue().schemas[schema]
        links = {
            "user": {"id": self.person["id"]},
            "student": {"id": self.person["id"]},
            "course": {"id": self.keys["/v1/courses"]},
            "label": {"id": self.keys["/v1/labels"]},
            "tag": {"id": self.keys["/v1/tags"]},
            "student_group": {"id": self.keys["/v1/groups"]},
            "published_course": {"id": self.keys["/v1/domains/{domain_name}/published-courses"]},
        }
        out: dict[str, Any] = {}
        for name in spec.get("required", []):
            prop = spec["properties"][name]
            target = catalogue().schemas.get(prop.get("ref", ""), {})
            if name in links and depth == 0 and "id" in target.get("properties", {}):
                out[name] = links[name]
            elif name == "web_package_id":
                out[name] = self.keys["/v1/web-packages"]
            elif name in ID_REFERENCES:
                out[name] = self.keys["/v1/" + ID_REFERENCES[name].replace("_", "-")]
            else:
                out[name] = self.value(prop, depth)
        return out

    def value(self, prop: dict[str, Any], depth: int) -> Any:
        ref = prop.get("ref")
        if ref is not None:
            target = catalogue().schemas[ref]
            return target["enum"][0] if "enum" in target else self.body(ref, depth + 1)
        kind = prop.get("type")
        if kind == "array":
            item = prop.get("items", {})
            return [self.value(item, depth + 1)] if "ref" in item else ["x"]
        fmt = prop.get("format")
        return {
            "integer": 1,
            "number": 1.0,
            "boolean": True,
            "string": {"email": "census@example.com", "date-time": "2025-01-01T00:00:00Z"}.get(
                fmt or "", "https://example.com/x" if fmt == "uri" else "x"
            ),
        }.get(kind or "string", {})


@pytest.mark.skilljar_emulator(users=3, limits=None)
async def test_every_operation_answers_its_success_status(
    skilljar_emulator: SkilljarEmulator,
) -> None:
    """Each of the 340 operations, called on existing objects, answers its catalogue status."""
    census = Census(skilljar_emulator.store)
    ordered = sorted(OPERATIONS, key=lambda op: (op["method"] == "DELETE", -op["path"].count("/")))
    failures = []
    async with api_for(skilljar_emulator) as api:
        for op in ordered:
            params = (
                {"course_id": census.keys["/v1/courses"]} if op["path"] == "/v1/lessons" else None
            )
            answer = await api.call(
                op["method"],
                census.fill(op["path"]),
                json=census.body(op["request_schema"]),
                params=params,
            )
            route = answer.headers.get("X-Emulator-Route")
            if answer.status != op["success_status"] or route != op["operation_id"]:
                failures.append((op["operation_id"], answer.status, route, answer.text[:200]))
    assert failures == []


@pytest.mark.skilljar_emulator(users=3, limits=None)
async def test_made_up_ids_are_routed_404s(skilljar_emulator: SkilljarEmulator) -> None:
    """Every operation addressed with a made-up last id is a routed "Not found." (never 405/500)."""
    census = Census(skilljar_emulator.store)
    failures = []
    async with api_for(skilljar_emulator) as api:
        for op in OPERATIONS:
            if "{" not in op["path"]:
                continue
            answer = await api.call(
                op["method"],
                census.fill(op["path"], made_up_last=True),
                json=census.body(op["request_schema"]),
            )
            route = answer.headers.get("X-Emulator-Route")
            if answer.status != 404 or route != op["operation_id"]:
                failures.append((op["operation_id"], answer.status, route, answer.text[:200]))
    assert failures == []


@pytest.mark.skilljar_emulator(limits=None)
async def test_top_level_lists_are_200(skilljar_emulator: SkilljarEmulator) -> None:
    """Every list on a top-level collection answers 200 in its list shape, with no setup."""
    async with api_for(skilljar_emulator) as api:
        for op in OPERATIONS:
            if op["method"] != "GET" or "{" in op["path"] or op["list_shape"] is None:
                continue
            params = {"course_id": "x"} if op["path"] == "/v1/lessons" else None
            answer = await api.get(op["path"], params=params)
            assert answer.status == 200, op["operation_id"]
            assert answer.headers["X-Emulator-Route"] == op["operation_id"]
            if op["list_shape"] in ("page", "cursor"):
                assert {"count", "next", "previous", "results"} <= set(answer.json)
