"""What every resource shares: the client interface, `NOT_GIVEN`, argument checks.

Resources are thin: a method validates its arguments, builds a path, query and body,
and hands them to the client's `_request` or `_paginate`. All validation happens
before anything is sent, so a bad argument never costs a request (or a rate-limit slot).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import re
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from .._convert import structure, unstructure
from .._errors import SkilljarError
from .._pagination import AsyncPaginator
from .._sansio import MAX_PAGE_SIZE, check_page_size, encode_params, refuse_naive
from .._types import NOT_GIVEN, NotGiven

__all__ = [
    "MAX_PAGE_SIZE",
    "NOT_GIVEN",
    "NotGiven",
    "Resource",
]

T = TypeVar("T")

_ID = re.compile(r"[0-9a-zA-Z]+")
_DOMAIN_NAME = re.compile(r"[-:.0-9a-z]+")
_HAS_ALNUM = re.compile(r"[0-9a-z]")


class _ClientLike(Protocol):
    """The two client methods resources use (implemented by the real client)."""

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool = False,
    ) -> Any: ...

    def _paginate(
        self,
        path: str,
        *,
        parse: Callable[[Any], T],
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[T]: ...


class Resource:
    """Base of all resource classes: holds the client they send requests through."""

    __slots__ = ("_client",)

    def __init__(self, client: _ClientLike) -> None:
        """Bind the resource to `client`."""
        self._client = client

    def __repr__(self) -> str:
        """Name the resource class only; the client may hold credentials."""
        return f"<{type(self).__name__}>"

    def _list(
        self,
        path: str,
        parse: Callable[[Any], T],
        params: Mapping[str, str] | None = None,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        resume_from: str | None = None,
    ) -> AsyncPaginator[T]:
        """Start a paginated listing after checking the page size."""
        return self._client._paginate(
            path,
            parse=parse,
            params=params or None,
            page_size=check_page_size(page_size),
            max_items=max_items,
            resume_from=resume_from,
        )

    def _list_wrapped(
        self, path: str, key: str, parse: Callable[[Any], T], *, max_items: int | None = None
    ) -> AsyncPaginator[T]:
        """List the array an endpoint wraps in a one-key object (``{key: [...]}``, no paging)."""

        async def fetch(url: str, params: Mapping[str, Any] | None) -> Any:
            data = await self._client._request("GET", url, params=params)
            if not isinstance(data, Mapping) or not isinstance(data.get(key), list):
                raise SkilljarError(f"expected an object with a {key!r} list", url=url)
            return data[key]

        return AsyncPaginator(fetch, path, parse=parse, max_items=max_items, read_ahead=False)


# --- argument checks (each returns the value ready for the wire) -----------------------


def id_segment(name: str, value: object) -> str:
    """Check an object id used in a path and return it URL-quoted."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if not _ID.fullmatch(value):
        raise ValueError(f"{name} must contain only letters and digits, got {value!r}")
    return quote(value, safe="")


def domain_segment(value: object, name: str = "domain_name") -> str:
    """Check a domain host name used in a path and return it URL-quoted."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    # Besides the API's pattern, demand a letter or digit: a name made only of dots
    # ("..") would otherwise turn into a path-traversal segment.
    if not _DOMAIN_NAME.fullmatch(value) or not _HAS_ALNUM.search(value):
        raise ValueError(
            f"{name} must be a lower-case host name such as 'learn.example.com', got {value!r}"
        )
    return quote(value, safe="")


def body_id(name: str, value: object) -> str:
    """Check an id sent inside a request body (not quoted: it travels as JSON)."""
    id_segment(name, value)
    return str(value)


def text(name: str, value: object) -> str:
    """Check a required, non-empty string argument."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def enum_value(name: str, value: object, enum_cls: type[enum.StrEnum]) -> str:
    """Check that `value` is one of `enum_cls`'s values and return it as a string."""
    allowed = [member.value for member in enum_cls]
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return str(value)


def optional_enum(
    name: str, value: str | NotGiven | None, enum_cls: type[enum.StrEnum]
) -> str | NotGiven | None:
    """Like `enum_value`, but let `NOT_GIVEN` and None (send null) through."""
    if value is None or isinstance(value, NotGiven):
        return value
    return enum_value(name, value, enum_cls)


# --- building requests -------------------------------------------------------------


def query(**filters: object) -> dict[str, str]:
    """Check query filters (strings or booleans; None leaves one out) and encode them."""
    for key, value in filters.items():
        if value is not None and not isinstance(value, str | bool):
            raise ValueError(f"{key} must be a string or a boolean, got {value!r}")
    return encode_params(filters) or {}


def _wire(name: str, value: object) -> Any:
    """Convert one body value to JSON-ready data, refusing naive date-times."""
    refuse_naive(name, value)
    return unstructure(value)


def body(**fields: object) -> dict[str, Any]:
    """Build a JSON body from the given fields, leaving out those that are `NOT_GIVEN`."""
    return {key: _wire(key, value) for key, value in fields.items() if value is not NOT_GIVEN}


# --- helpers of the generated resources -------------------------------------------------

_PATH_PARAM = re.compile(r"\{([a-z_]+)\}")


def segment(name: str, value: object) -> str:
    """Check one path parameter by its kind and return it URL-quoted.

    ``domain_name`` is a host name; every other parameter is an object id of letters
    and digits (a numeric id arrives here as the string `int_id` made of it).
    """
    if name == "domain_name":
        return domain_segment(value)
    return id_segment(name, value)


def build_path(template: str, **params: object) -> str:
    """Fill a path template such as ``/groups/{group_id}/users``, checking every parameter."""
    names = _PATH_PARAM.findall(template)
    if sorted(names) != sorted(params):
        # A generator bug, not a caller's: the template and the arguments disagree.
        raise TypeError(f"path {template!r} takes {names}, got {sorted(params)}")
    return template.format_map({name: segment(name, params[name]) for name in names})


def int_id(name: str, value: int) -> str:
    """Check an integer path id (a few endpoints key objects by number); return its digits."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return str(value)


def optional_id(name: str, value: T) -> T:
    """Check an id sent in a body unless it is `NOT_GIVEN` or None."""
    if value is None or isinstance(value, NotGiven):
        return value
    body_id(name, value)
    return value


def link(name: str, value: str | NotGiven | None) -> Any:
    """Send an id as the ``{"id": ...}`` reference the API expects (None sends null)."""
    if value is None or isinstance(value, NotGiven):
        return value
    return {"id": body_id(name, value)}


def matches(name: str, value: T, pattern: str) -> T:
    """Check a string field against the API's pattern unless it is `NOT_GIVEN` or None."""
    if value is None or isinstance(value, NotGiven):
        return value
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ValueError(f"{name} must match {pattern}, got {value!r}")
    return value


def strings(name: str, values: object) -> Any:
    """Check a list of strings (not one bare string) and send it as a JSON list."""
    if values is None or isinstance(values, NotGiven):
        return values
    if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
        # A bare string would otherwise be sent as a list of its characters.
        raise ValueError(f"{name} must be a sequence of strings, got {values!r}")
    items = list(values)
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"{name} must hold strings only, got {item!r}")
    return items


def _drop_nulls(value: Any) -> Any:
    """Remove None values from the dicts of an unstructured model, at every depth."""
    if isinstance(value, dict):
        return {key: _drop_nulls(val) for key, val in value.items() if val is not None}
    if isinstance(value, list):
        return [_drop_nulls(item) for item in value]
    return value


def nested(name: str, value: object, fields: tuple[str, ...]) -> Any:
    """Send a nested object given as a model or a mapping.

    A model keeps only the request's `fields` that are set (None means "unset" in a
    model); a mapping is sent as it is.
    """
    if value is None or isinstance(value, NotGiven):
        return value
    if isinstance(value, Mapping):
        for key, item in value.items():
            refuse_naive(f"{name}.{key}", item)
        return dict(value)
    for key in fields:
        refuse_naive(f"{name}.{key}", getattr(value, key, None))
    data = unstructure(value)
    if not isinstance(data, dict):
        raise ValueError(f"{name} must be a model or a mapping, got {value!r}")
    return _drop_nulls({key: data[key] for key in fields if data.get(key) is not None})


def nested_list(name: str, values: object, fields: tuple[str, ...]) -> Any:
    """Send a list of nested objects, each a model or a mapping."""
    if isinstance(values, NotGiven):
        return values
    if isinstance(values, str | bytes | Mapping) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a sequence of objects, got {values!r}")
    return [nested(f"{name}[]", value, fields) for value in values]


def id_values(name: str, values: Mapping[str, str] | NotGiven) -> Any:
    """Send ``{id: value}`` as the API's ``[{"id": id, "value": value}, ...]`` list."""
    if isinstance(values, NotGiven):
        return values
    if not isinstance(values, Mapping):
        raise ValueError(f"{name} must map ids to values, got {values!r}")
    return [{"id": body_id(f"{name} key", key), "value": val} for key, val in values.items()]


def group(**fields: object) -> Any:
    """Build a nested body from flattened arguments; `NOT_GIVEN` when none was given."""
    payload = body(**fields)
    return payload if payload else NOT_GIVEN


def require_any(names: str, value: T) -> T:
    """Refuse a required nested object none of whose (optional) fields was given."""
    if isinstance(value, NotGiven):
        raise ValueError(f"give {names}")
    return value


def query_time(name: str, value: dt.datetime | str | None) -> str | None:
    """Render a date-time filter: an aware datetime as ISO 8601, a string as it is."""
    refuse_naive(name, value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


@functools.cache
def _spec_enum(schema: str) -> frozenset[str]:
    """Read the values of an enum too long for a class (time zones) from the catalogue."""
    text = resources.files("skilljar_async._data").joinpath("schemas.json").read_text("utf-8")
    return frozenset(json.loads(text)[schema]["enum"])


def spec_enum(name: str, value: T, schema: str) -> T:
    """Check a value against one of the catalogue's enums unless it is `NOT_GIVEN` or None."""
    if value is None or isinstance(value, NotGiven):
        return value
    if not isinstance(value, str) or value not in _spec_enum(schema):
        raise ValueError(f"{name} must be one of the API's {schema} values, got {value!r}")
    return value


def parse_sample(data: Any, cls: type[T]) -> T:
    """Unwrap a ``sample-*`` endpoint's ``{"results": [event]}`` answer into `cls`."""
    results = data.get("results") if isinstance(data, Mapping) else None
    if not isinstance(results, list) or not results:
        raise SkilljarError('expected a sample answer shaped {"results": [event]}')
    return structure(results[0], cls)
