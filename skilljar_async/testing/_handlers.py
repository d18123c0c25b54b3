"""Generic handlers: every catalogue operation served from the `Store`.

An operation is bound to the table of its collection and to one of a few
kinds (list, create, retrieve, update, destroy, or a singleton's get/put/delete).
`_special` overrides the operations that need more fidelity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ._call import EMPTY, ApiError, Call, Handler, Reply, invalid_pk, not_found
from ._catalogue import Operation, Row
from ._lists import list_reply
from ._openapi import is_partial_put
from ._store import Store, Table, now_iso
from ._validate import validate_body

__all__ = [
    "EMPTY",
    "ApiError",
    "Call",
    "Dispatcher",
    "Handler",
    "Reply",
    "check_parents",
    "insert",
    "invalid_pk",
    "merge",
    "not_found",
    "validated",
]

#: id fields that name another object (DRF's PrimaryKeyRelatedField): field -> table
ID_REFERENCES = {
    "group_category_id": "group_categories",
    "promo_code_pool_id": "promo_code_pools",
    "course_id": "courses",
    "content_asset_id": "assets",
    "content_quiz_id": "quizzes",
    "content_web_package_id": "web_packages",
    "lesson": "lessons",
    "multi_session_event": "ilt_multi_session_events",
}

#: nested references resolved to real objects on writes: field -> table ("" = learners)
REF_SOURCES = {
    "user": "",
    "student": "",
    "label": "labels",
    "tag": "tags",
    "student_group": "groups",
}


# -- helpers shared with _special ------------------------------------------------


def check_parents(call: Call, table: Table, ids: tuple[str, ...]) -> None:
    if not call.store.parents_exist(table, ids):
        raise not_found()


def validated(call: Call, *, partial: bool, resolve: bool = True) -> Row:
    """The accepted fields of the request body, or DRF's 400 field errors.

    A PUT is partial, like PATCH, where the served document says so (see the
    errata: the spec's text says so for most of them, the rest follow).
    """
    if call.op.method == "PUT":
        partial = is_partial_put(call.op.operation_id)
    path = call.op.path
    table = call.store.by_template.get(path) or call.store.by_template.get(path.rsplit("/", 1)[0])
    bases = (call.op.response_schema, table.schema if table is not None else None)
    data = validate_body(
        call.catalogue, call.op.request_schema, call.body, partial=partial, bases=bases
    )
    check_id_references(call, data)
    if resolve:
        resolve_refs(call, data)
    return data


def check_id_references(call: Call, data: Row) -> None:
    """DRF's 400 for an id field naming an object that does not exist."""
    errors: Row = {}
    for field, table in ID_REFERENCES.items():
        value = data.get(field)
        if isinstance(value, str) and value and call.store.tables[table].get((), value) is None:
            errors[field] = [f'Invalid pk "{value}" - object does not exist.']
    if errors:
        raise ApiError(400, errors)


def resolve_refs(call: Call, data: Row) -> None:
    """Replace ``{"user": {"id": x}}``-style links by the real object, or 400 for unknown ids."""
    store = call.store
    for field, source in REF_SOURCES.items():
        link = data.get(field)
        if not isinstance(link, dict):
            continue
        if source == "":
            person = store.people.get(str(link["id"])) if "id" in link else None
            if person is None and "id" not in link and "email" in link:
                person = store.user_by_email(str(link["email"]))
            if person is None:
                raise invalid_pk(field, link.get("id", link.get("email")))
            data[field] = person
        elif "id" in link:
            target = store.tables[source].get((), str(link["id"]))
            if target is None:
                raise invalid_pk(field, link["id"])
            data[field] = {**target, **link} if "name" in target else link


def stamp_new(call: Call, table: Table, row: Row) -> None:
    """Give a new row its read-only timestamps (created_at, modified_at, ...)."""
    now = ""
    for schema in (call.op.response_schema, table.schema):
        for key, prop in call.catalogue.properties(schema).items():
            if (
                key not in row
                and prop.get("format") == "date-time"
                and prop.get("readOnly")
                and not prop.get("nullable")
            ):
                row[key] = now = now or now_iso()


def merge(row: Row, data: Row) -> Row:
    """Partial update (PUT and PATCH alike): nested objects are merged one level deep."""
    for key, value in data.items():
        old = row.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and key not in REF_SOURCES:
            row[key] = {**old, **value}
        else:
            row[key] = value
    if "modified_at" in row:
        row["modified_at"] = now_iso()
    return row


def insert(call: Call, table: Table, parents: tuple[str, ...], data: Row) -> tuple[Row, bool]:
    """Store a new row (generated id unless keyed by a link); (row, created)."""
    store = call.store
    key = table.key_of(data) if table.key_path != ("id",) or "id" in data else None
    if key is not None:
        existing = table.get(parents, key)
        if existing is not None:  # linking twice is idempotent: the link exists
            return merge(existing, data), False
    else:
        key = store.new_id(table, parents)
        data = {"id": int(key) if table.int_ids else key, **data}
    stamp_new(call, table, data)
    return table.put(parents, key, data), True


# -- generic kinds -----------------------------------------------------------------


def _list(call: Call, table: Table) -> Reply:
    check_parents(call, table, call.ids)
    return list_reply(call, table, table.rows(call.ids))


def _create(call: Call, table: Table) -> Reply:
    check_parents(call, table, call.ids)
    row, _ = insert(call, table, call.ids, validated(call, partial=False))
    return Reply(call.op.success_status, call.project(row))


def _item(call: Call, table: Table) -> Row:
    *parents, key = call.ids
    parents_t = tuple(parents)
    check_parents(call, table, parents_t)
    row = table.get(parents_t, key)
    if row is None:
        raise not_found()
    return row


def _retrieve(call: Call, table: Table) -> Reply:
    return Reply(call.op.success_status, call.project(_item(call, table)))


def _update(call: Call, table: Table) -> Reply:
    row = _item(call, table)
    return Reply(call.op.success_status, call.project(merge(row, validated(call, partial=True))))


def _destroy(call: Call, table: Table) -> Reply:
    _item(call, table)
    table.remove(call.ids[:-1], call.ids[-1])
    return Reply(call.op.success_status)


def _single_get(call: Call, table: Table) -> Reply:
    check_parents(call, table, call.ids)
    row = table.get(call.ids, "")
    if row is None:
        raise not_found()
    return Reply(call.op.success_status, call.project(row))


def _single_put(call: Call, table: Table) -> Reply:
    check_parents(call, table, call.ids)
    row = table.get(call.ids, "")
    data = validated(call, partial=call.op.method != "POST")
    if row is None:
        row = {"id": call.store.new_id(table, call.ids), **data}
        stamp_new(call, table, row)
        table.put(call.ids, "", row)
    else:
        merge(row, data)
    if call.op.response_schema is None:
        return Reply(call.op.success_status)
    return Reply(call.op.success_status, call.project(row))


def _single_delete(call: Call, table: Table) -> Reply:
    check_parents(call, table, call.ids)
    if table.remove(call.ids, "") is None:
        raise not_found()
    return Reply(call.op.success_status)


_KINDS: dict[str, Callable[[Call, Table], Reply]] = {
    "list": _list,
    "create": _create,
    "retrieve": _retrieve,
    "update": _update,
    "destroy": _destroy,
    "single_get": _single_get,
    "single_put": _single_put,
    "single_delete": _single_delete,
}


def kind_of(op: Operation, table: Table) -> str:
    if op.path.endswith("}"):
        return {"GET": "retrieve", "DELETE": "destroy"}.get(op.method, "update")
    if table.singleton:
        return {"GET": "single_get", "DELETE": "single_delete"}.get(op.method, "single_put")
    return {"GET": "list", "POST": "create"}.get(op.method, "single_put")


class Dispatcher:
    """Operation id -> handler, with `_special` overrides applied."""

    def __init__(self, store: Store, special: Mapping[str, Handler]) -> None:
        self.store = store
        self.handlers: dict[str, Handler] = {}
        for op in store.catalogue.operations:
            override = special.get(op.operation_id)
            if override is not None:
                self.handlers[op.operation_id] = override
                continue
            path = op.path.rsplit("/", 1)[0] if op.path.endswith("}") else op.path
            table = store.by_template[path]
            self.handlers[op.operation_id] = _bind(_KINDS[kind_of(op, table)], table)


def _bind(kind: Callable[[Call, Table], Reply], table: Table) -> Handler:
    def handler(call: Call) -> Reply:
        return kind(call, table)

    return handler
