"""Exported lists as files for people: CSV with stable columns, JSON lines as the API nests them.

CSV columns come from the model's schema, not from the first row: every declared
field, nested objects flattened to dotted names (``user.email``,
``access_code.pool.name``), lists as JSON text. Fields the schema does not know
(the API added them later) are never dropped: the last column, ``extra``, holds
them as a JSON object keyed by dotted name. A text cell a spreadsheet would run as
a formula is neutralised (`reports.neutralise_cell`) unless ``raw``.
"""

from __future__ import annotations

import csv
import json
import types
import typing
from collections.abc import AsyncIterator, Iterator
from typing import IO, Any

import attrs

from .._convert import EXTRA_FIELD, unstructure
from ..reports import neutralise_cell

__all__ = ["csv_header", "write_export"]

Dotted = tuple[str, ...]  #: a field path, e.g. ("user", "email")


async def write_export(
    rows: AsyncIterator[Any], out: IO[str], fmt: str, model: type[object], *, raw: bool = False
) -> int:
    """Write each model as a JSON line or a CSV record; returns how many were written."""
    count = 0
    if fmt == "jsonl":
        async for row in rows:
            out.write(json.dumps(unstructure(row), default=str) + "\n")
            count += 1
        return count
    writer = csv.writer(out)
    writer.writerow(csv_header(model))
    async for row in rows:
        writer.writerow(csv_record(unstructure(row), model, raw=raw))
        count += 1
    return count


def csv_header(model: type[object]) -> list[str]:
    """Every leaf field of `model`, dotted, then ``extra``."""
    return [".".join(path) for path in _paths(model)] + [EXTRA_FIELD]


def csv_record(record: dict[str, Any], model: type[object], *, raw: bool = False) -> list[str]:
    """One record's cells in `csv_header` order."""
    cells = [_cell(_get(record, path), raw) for path in _paths(model)]
    unknown = dict(_unknown(record, model, ""))
    cells.append(json.dumps(unknown, default=str) if unknown else "")
    return cells


_PATHS: dict[type[object], tuple[Dotted, ...]] = {}
_FIELDS: dict[type[object], tuple[tuple[str, type[object] | None], ...]] = {}


def _paths(model: type[object]) -> tuple[Dotted, ...]:
    if model not in _PATHS:
        _PATHS[model] = tuple(_leaves(model, ()))
    return _PATHS[model]


def _leaves(model: type[object], prefix: Dotted) -> Iterator[Dotted]:
    for name, nested in _fields(model):
        if nested is None:
            yield (*prefix, name)
        else:
            yield from _leaves(nested, (*prefix, name))


def _fields(model: type[object]) -> tuple[tuple[str, type[object] | None], ...]:
    """Declared fields (``extra`` left out) and the model class each one nests, if any."""
    if model not in _FIELDS:
        _FIELDS[model] = _declared(model)
    return _FIELDS[model]


def _declared(model: type[object]) -> tuple[tuple[str, type[object] | None], ...]:
    hints = typing.get_type_hints(model)
    return tuple(
        (field.name, _nested_model(hints[field.name]))
        for field in attrs.fields(typing.cast(Any, model))
        if field.name != EXTRA_FIELD
    )


def _nested_model(tp: Any) -> type[object] | None:
    """The model class a field holds (``X`` or ``X | None``), else None."""
    if isinstance(tp, type) and attrs.has(tp):
        return tp
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(tp) if isinstance(a, type) and attrs.has(a)]
        others = [a for a in typing.get_args(tp) if a is not type(None) and a not in models]
        if len(models) == 1 and not others:
            return models[0]
    return None


def _get(record: Any, path: Dotted) -> Any:
    for name in path:
        if not isinstance(record, dict):
            return None
        record = record.get(name)
    return record


def _unknown(record: Any, model: type[object], prefix: str) -> Iterator[tuple[str, Any]]:
    """Keys the schema does not declare, at any depth, as (dotted name, value)."""
    if not isinstance(record, dict):
        return
    known = dict(_fields(model))
    for key, value in record.items():
        if key not in known:
            yield prefix + key, value
        elif (nested := known[key]) is not None:
            yield from _unknown(value, nested, f"{prefix}{key}.")


def _cell(value: Any, raw: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    if isinstance(value, str):
        return value if raw else neutralise_cell(value)
    return str(value)
