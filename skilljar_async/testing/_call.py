"""What handlers receive and return: `Call`, `Reply`, `ApiError`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import yarl

from ._catalogue import Catalogue, Operation, Row
from ._store import MISSING, Store

__all__ = ["EMPTY", "ApiError", "Call", "Handler", "Reply", "invalid_pk", "not_found"]

#: a reply body meaning "no body at all"
EMPTY: Any = object()


class ApiError(Exception):
    """Stop handling and answer `status` with JSON `body`."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def not_found() -> ApiError:
    return ApiError(404, {"detail": "Not found."})


def invalid_pk(field: str, value: Any) -> ApiError:
    return ApiError(400, {field: {"id": [f'Invalid pk "{value}" - object does not exist.']}})


class Reply:
    """What a handler answers: a status, a JSON-able body (or `EMPTY`), extra headers."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: Any = EMPTY, headers: dict[str, str] | None = None):
        self.status = status
        self.body = body
        self.headers = headers


class Call:
    """One routed request as handlers see it."""

    __slots__ = ("body", "catalogue", "ids", "op", "query", "store", "url")

    def __init__(
        self,
        op: Operation,
        ids: tuple[str, ...],
        query: Mapping[str, str],
        body: Any,
        url: yarl.URL,
        store: Store,
    ) -> None:
        self.op = op
        self.ids = ids
        self.query = query
        self.body = body
        self.url = url
        self.store = store
        self.catalogue: Catalogue = store.catalogue

    def project(self, row: Row, schema: str | None = MISSING) -> Row:
        name = self.op.response_schema if schema is MISSING else schema
        return self.catalogue.project(name, row)


Handler = Callable[[Call], Reply]
