"""List responses: filters, DRF page-number and cursor envelopes, bare arrays.

Page mode: ``page`` is 1-based, ``page_size`` defaults to 100 (250 for promo
codes, promo-code pools, tags, quizzes, question banks) and is capped at 1,000
silently; a page out of range is 404 ``{"detail": "Invalid page."}``; ``next``
and ``previous`` are absolute URLs keeping every original query parameter.
Cursor mode (``GET /v1/users`` unless ``?page=`` is given): ``cursor`` is
base64 of ``p=<position>`` (``r=1&p=...`` going back), with a ``count``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from .._sansio import MAX_PAGE_SIZE
from ._call import ApiError, Call, Reply
from ._catalogue import Row
from ._store import MISSING, Table, lookup

__all__ = ["filter_rows", "list_reply"]

DEFAULT_PAGE_SIZE = 100
#: lists that default to 250 rows a page since the 2025-12 pagination update
PAGE_SIZE_250 = frozenset({"promo_codes", "promo_code_pools", "tags", "quizzes", "question_banks"})
#: query parameters that are not row filters
NOT_FILTERS = frozenset(
    {
        "page",
        "page_size",
        "cursor",
        "search",
        "include_searchable_content",
        "include_signup_field_data",
    }
)
#: filters named differently from the row field they test, per table
FILTER_ALIASES: dict[str, dict[str, str]] = {
    "users": {
        "email": "user__email",
        "first_name": "user__first_name",
        "last_name": "user__last_name",
    },
}

_BOOLEAN_SPELLINGS = frozenset({"true", "false", "1", "0", "yes", "no"})

# -- lists -------------------------------------------------------------------------


def _matches(value: Any, wanted: str) -> bool:
    if value is MISSING:
        return True  # the filter does not apply to rows without that field
    if isinstance(value, bool):
        if wanted.lower() not in _BOOLEAN_SPELLINGS:
            return True  # django-filter's BooleanFilter ignores a value it cannot read
        return value == (wanted.lower() in ("true", "1", "yes"))
    if value is None:
        return wanted.lower() in ("null", "none", "")
    if isinstance(value, dict):
        value = value.get("id", value)
    return str(value) == wanted


def _out_of_range(how: str, value: Any, wanted: str) -> bool:
    return str(value) < wanted if how == "gte" else str(value) > wanted


def check_filters(call: Call) -> None:
    """django-filter's 400 for a choice it does not know or a date-time it cannot read."""
    errors: dict[str, list[str]] = {}
    for name, choices in call.op.query_choices.items():
        value = call.query.get(name)
        if value not in (None, "") and value not in choices:
            errors[name] = [f"Select a valid choice. {value} is not one of the available choices."]
    for name in call.op.query_params:
        value = call.query.get(name)
        if name.endswith(("_at__gte", "_at__lte")) and value and not _is_datetime(value):
            errors[name] = ["Enter a valid date/time."]
    if errors:
        raise ApiError(400, errors)


def _is_datetime(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def filter_rows(call: Call, table: Table, rows: list[Row]) -> list[Row]:
    """Exact-match (and ``__gte``/``__lte``) filters the operation declares."""
    check_filters(call)
    aliases = FILTER_ALIASES.get(table.name, {})
    checks: list[tuple[tuple[str, ...], str, str]] = []
    for name in call.op.query_params:
        if name in NOT_FILTERS or name not in call.query:
            continue
        wanted = call.query[name]
        parts = aliases.get(name, name).split("__")
        how = "eq"
        if parts[-1] in ("gte", "lte") and len(parts) > 1:
            how = parts.pop()
        checks.append((tuple(parts), how, wanted))
    if not checks:
        return rows
    out = []
    for row in rows:
        for path, how, wanted in checks:
            value = lookup(row, path)
            if how == "eq":
                if not _matches(value, wanted):
                    break
            elif value is not MISSING and value is not None and _out_of_range(how, value, wanted):
                break
        else:
            out.append(row)
    return out


def page_size(call: Call, default: int) -> int:
    raw = call.query.get("page_size")
    try:
        size = int(raw) if raw is not None else default
    except ValueError:
        return default
    return default if size < 1 else min(size, MAX_PAGE_SIZE)


def page_envelope(call: Call, rows: list[Row], default: int, schema: str | None) -> Reply:
    """DRF PageNumberPagination: absolute next/previous links, 404 "Invalid page."."""
    size = page_size(call, default)
    count = len(rows)
    pages = max(1, math.ceil(count / size))
    raw = call.query.get("page", "1")
    try:
        page = pages if raw == "last" else int(raw)
    except ValueError:
        raise ApiError(404, {"detail": "Invalid page."}) from None
    if not 1 <= page <= pages:
        raise ApiError(404, {"detail": "Invalid page."})
    url = str(call.url)
    nxt = replace_query_param(url, "page", page + 1) if page < pages else None
    if page == 1:
        prev = None
    elif page == 2:
        prev = replace_query_param(url, "page", None)
    else:
        prev = replace_query_param(url, "page", page - 1)
    project = call.catalogue.project
    results = [project(schema, r) for r in rows[(page - 1) * size : page * size]]
    return Reply(200, {"count": count, "next": nxt, "previous": prev, "results": results})


def replace_query_param(url: str, key: str, value: object) -> str:
    """`url` with `key` set to `value` (None: removed), query sorted and encoded as DRF does."""
    scheme, netloc, path, query, fragment = urlsplit(url)
    params = parse_qs(query, keep_blank_values=True)
    if value is None:
        params.pop(key, None)
    else:
        params[key] = [str(value)]
    return urlunsplit(
        (scheme, netloc, path, urlencode(sorted(params.items()), doseq=True), fragment)
    )


def _cursor(reverse: bool, position: int) -> str:
    text = f"r=1&p={position}" if reverse else f"p={position}"
    return base64.b64encode(text.encode()).decode()


def cursor_envelope(call: Call, rows: list[Row], default: int, schema: str | None) -> Reply:
    """DRF CursorPagination (``cursor`` = base64 of ``p=<position>``), plus a count."""
    size = page_size(call, default)
    raw = call.query.get("cursor")
    start, stop = 0, size
    if raw is not None:
        try:
            fields = dict(
                part.split("=", 1)
                for part in base64.b64decode(raw, validate=True).decode().split("&")
            )
            position = int(fields["p"])
        except (ValueError, KeyError, binascii.Error, UnicodeDecodeError):
            raise ApiError(404, {"detail": "Invalid cursor"}) from None
        if fields.get("r") == "1":
            start, stop = max(0, position - size), position
        else:
            start, stop = position + 1, position + 1 + size
    url = str(call.url)
    nxt = replace_query_param(url, "cursor", _cursor(False, stop - 1)) if stop < len(rows) else None
    prev = replace_query_param(url, "cursor", _cursor(True, start)) if start > 0 else None
    project = call.catalogue.project
    results = [project(schema, r) for r in rows[start:stop]]
    return Reply(200, {"count": len(rows), "next": nxt, "previous": prev, "results": results})


def list_reply(call: Call, table: Table, rows: list[Row]) -> Reply:
    """`rows` in the operation's list shape."""
    op = call.op
    rows = filter_rows(call, table, rows)
    default = 250 if table.name in PAGE_SIZE_250 else DEFAULT_PAGE_SIZE
    if op.list_shape == "array":
        project = call.catalogue.project
        return Reply(200, [project(op.item_schema, r) for r in rows])
    if op.list_shape == "cursor" and "page" not in call.query:
        return cursor_envelope(call, rows, default, op.item_schema)
    return page_envelope(call, rows, default, op.item_schema)
