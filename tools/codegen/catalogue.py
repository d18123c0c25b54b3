"""The catalogue the generator works from: operations, schemas and override tables."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skilljar_async._sansio import SECRET_KEYS

__all__ = ["Catalogue", "Key", "Tables", "is_input_only", "load_catalogue"]

Key = tuple[str, ...]


def _path_keys(table: Mapping[str, str]) -> dict[Key, str]:
    return {tuple(key.split(".")): value for key, value in table.items()}


def _pairs(keys: list[str]) -> frozenset[tuple[str, str]]:
    return frozenset((a, b) for a, b in (key.split(".", 1) for key in keys))


@dataclass(frozen=True)
class Tables:
    """The overrides in ``tables.json``: naming, wire quirks and docstring notes."""

    hand_nodes: frozenset[Key]  # client nodes written by hand: not generated
    hand_schemas: Mapping[str, str]  # schema -> hand-written model class standing for it
    model_names: Mapping[str, str]  # schema -> generated class (variants share one)
    spec_enums: frozenset[str]  # enums too long for a class: ``str`` checked at call time
    enum_member_names: Mapping[str, str]  # enum values that are not identifiers
    input_models: frozenset[str]  # generated models accepted as input (``id`` optional)
    model_inputs: Mapping[str, str]  # nested request schema -> model passed whole
    unprefixed: frozenset[str]  # nested request schemas flattened without a prefix
    renames: Mapping[tuple[str, str], str]  # (request schema, property) -> argument
    id_value_maps: frozenset[tuple[str, str]]  # sent as [{"id": k, "value": v}]
    required_query: frozenset[tuple[str, str]]  # (operation, query) the API requires
    idempotent: Mapping[str, str]  # creates safe to retry -> why
    destructive: Mapping[str, str]  # operation -> warning in its docstring
    resource_names: Mapping[Key, str]  # node -> class where the default reads badly
    child_prefixes: Mapping[Key, str]  # node -> prefix of its children's class names
    singular: Mapping[str, str]  # irregular singulars
    modules: Mapping[Key, str]  # node prefix -> generated module (longest wins)
    sample_events: Mapping[str, str]  # sample endpoint -> event model
    summaries: Mapping[str, str]  # operation -> method summary
    secret_fields: frozenset[str]  # the library's one secrets list

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tables:
        """Build the tables from ``tables.json``'s content."""
        return cls(
            hand_nodes=frozenset(tuple(n.split(".")) for n in data["hand_nodes"]),
            hand_schemas=data["hand_schemas"],
            model_names=data["model_names"],
            spec_enums=frozenset(data["spec_enums"]),
            enum_member_names=data["enum_member_names"],
            input_models=frozenset(data["input_models"]),
            model_inputs=data["model_inputs"],
            unprefixed=frozenset(data["unprefixed"]),
            renames=_pairs_map(data["renames"]),
            id_value_maps=_pairs(data["id_value_maps"]),
            required_query=_pairs(data["required_query"]),
            idempotent=data["idempotent"],
            destructive=data["destructive"],
            resource_names=_path_keys(data["resource_names"]),
            child_prefixes=_path_keys(data["child_prefixes"]),
            singular=data["singular"],
            modules=_path_keys(data["modules"]),
            sample_events=data["sample_events"],
            summaries=data["summaries"],
            secret_fields=SECRET_KEYS,
        )


def _pairs_map(table: Mapping[str, str]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for key, value in table.items():
        schema, prop = key.split(".", 1)
        out[schema, prop] = value
    return out


@dataclass(frozen=True)
class Catalogue:
    """The operations, the schemas and the tables, with the lookups every stage needs."""

    ops: list[dict[str, Any]]
    schemas: Mapping[str, dict[str, Any]]
    tables: Tables

    def props(self, schema: str) -> dict[str, dict[str, Any]]:
        """The properties of a schema."""
        result: dict[str, dict[str, Any]] = self.schemas[schema].get("properties", {})
        return result

    def is_enum(self, schema: str | None) -> bool:
        """Tell whether a schema is an enum."""
        return schema is not None and "enum" in self.schemas[schema]

    def class_of(self, schema: str) -> str:
        """The Python class standing for a (response or enum) schema."""
        tables = self.tables
        return tables.hand_schemas.get(schema) or tables.model_names.get(schema, schema)

    @property
    def hand_models(self) -> frozenset[str]:
        """The hand-written model classes generated code may use (public names)."""
        return frozenset(self.tables.hand_schemas.values())


def is_input_only(schema: str) -> bool:
    """Tell whether a schema only describes a request body (no model is made for it)."""
    return schema.endswith("Request") or schema.startswith("Paginated") or schema == "NullEnum"


def load_catalogue(data_dir: Path) -> Catalogue:
    """Read the catalogue from `data_dir` and the tables shipped with the generator."""
    ops = json.loads((data_dir / "operations.json").read_text("utf-8"))
    schemas = json.loads((data_dir / "schemas.json").read_text("utf-8"))
    tables = json.loads((Path(__file__).with_name("tables.json")).read_text("utf-8"))
    return Catalogue(ops, schemas, Tables.from_json(tables))
