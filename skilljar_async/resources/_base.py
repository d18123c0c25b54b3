"""What every resource shares: the client interface, `NOT_GIVEN`, argument checks.

Resources are thin: a method validates its arguments, builds a path, query and body,
and hands them to the client's `_request` or `_paginate`. All validation happens
before anything is sent, so a bad argument never costs a request (or a rate-limit slot).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, final
from urllib.parse import quote

from .._convert import unstructure

if TYPE_CHECKING:
    # The paginator lives beside the client; only its type is needed here.
    from .._pagination import AsyncPaginator

__all__ = [
    "MAX_PAGE_SIZE",
    "NOT_GIVEN",
    "NotGiven",
    "Resource",
]

T = TypeVar("T")

#: Largest `page_size` the API accepts (since December 2025).
MAX_PAGE_SIZE: Final = 1000

_ID = re.compile(r"[0-9a-zA-Z]+")
_DOMAIN_NAME = re.compile(r"[-:.0-9a-z]+")
_HAS_ALNUM = re.compile(r"[0-9a-z]")


@final
class NotGiven:
    """Type of `NOT_GIVEN`: marks an argument the caller did not pass.

    Update methods send only the fields that were given, and ``None`` means "send
    null" (clear the value), so "not given" needs its own marker.
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        """Return the single instance."""
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        """Render as the constant's name."""
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        """Be falsy, like the absence it stands for."""
        return False

    def __reduce__(self) -> str:
        """Unpickle to the same singleton."""
        return "NOT_GIVEN"


#: Default of every optional body argument: leave the field out of the request.
NOT_GIVEN: Final = NotGiven()


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


def check_page_size(value: int | None) -> int | None:
    """Check a page size against the API's 1..1000 range."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"page_size must be an integer, got {value!r}")
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {value}")
    return value


# --- building requests -------------------------------------------------------------


def query(**filters: object) -> dict[str, str]:
    """Build query parameters: None is left out, booleans become "true"/"false"."""
    params: dict[str, str] = {}
    for key, value in filters.items():
        if value is None:
            continue
        if isinstance(value, bool):
            params[key] = "true" if value else "false"
        elif isinstance(value, str):
            params[key] = value
        else:
            raise ValueError(f"{key} must be a string or a boolean, got {value!r}")
    return params


def _wire(name: str, value: object) -> Any:
    """Convert one body value to JSON-ready data, refusing naive date-times."""
    if isinstance(value, dt.datetime) and value.utcoffset() is None:
        # A naive time would be read in the server's zone, silently shifting it.
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return unstructure(value)


def body(**fields: object) -> dict[str, Any]:
    """Build a JSON body from the given fields, leaving out those that are `NOT_GIVEN`."""
    return {key: _wire(key, value) for key, value in fields.items() if value is not NOT_GIVEN}
