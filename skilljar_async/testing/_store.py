"""The emulator's in-memory store: one table per collection of the catalogue.

Every collection path of the spec becomes a `Table` named by its literal path
segments (``/v1/domains/{d}/published-courses/{pc}/enrollments`` is
``"domains.published_courses.enrollments"``; a name's last segment alone works
when it is unambiguous, e.g. ``"enrollments"``). Rows are plain JSON-ready
dicts grouped by their parent ids and keyed by their own id (a dict lookup, no
scan). A row's key is usually its ``id``; association rows are keyed by the id
of what they link (``label.id``, ``user.id``, ...), domains by ``name``.

Learners ("people") are shared: the ``user`` dict inside a users row, a domain
user row and an enrollment row is the same object, so a rename shows everywhere.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from ._catalogue import Catalogue, Row

__all__ = ["MISSING", "Store", "Table", "lookup", "now_iso"]

MISSING: Any = object()

# Tables whose key the naming heuristic below gets wrong, and list-only tables.
_KEY_OVERRIDES: dict[str, tuple[str, ...]] = {
    "license_packages.students": ("student", "id"),
    "users.plan_enrollments": ("enrollment_id",),
    "users.published_path_enrollments": ("enrollment_id",),
    "users.groups": ("group", "id"),
}


def now_iso() -> str:
    """The current UTC time as Skilljar formats it (ISO 8601, microseconds, offset)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def lookup(row: Any, path: tuple[str, ...]) -> Any:
    """``row[path[0]][path[1]]...``, or `MISSING`."""
    for part in path:
        if not isinstance(row, dict):
            return MISSING
        row = row.get(part, MISSING)
        if row is MISSING:
            return MISSING
    return row


class Table:
    """Rows of one collection, grouped by parent ids and keyed by their own key."""

    def __init__(
        self,
        name: str,
        template: str,
        parent_params: tuple[str, ...],
        key_param: str | None,
        key_path: tuple[str, ...],
        *,
        singleton: bool = False,
        int_ids: bool = False,
    ) -> None:
        self.name = name
        self.template = template
        self.parent_params = parent_params
        self.key_param = key_param  # the item path parameter; None for list-only tables
        self.key_path = key_path
        #: one row per parent (e.g. reenrollment_rule, manager-access), stored under key ""
        self.singleton = singleton
        #: the schema a stored row is shaped like (the retrieve or list item schema)
        self.schema: str | None = None
        self.int_ids = int_ids
        #: (table, number of leading path ids it takes) for every parent that is a real table
        self.parents: list[tuple[Table, int]] = []
        self._groups: dict[tuple[str, ...], dict[str, Row]] = {}
        self._lists: dict[tuple[str, ...], list[Row]] = {}
        self._next_int = 1

    def __repr__(self) -> str:
        return f"<Table {self.name} {sum(map(len, self._groups.values()))} rows>"

    def key_of(self, row: Row) -> str | None:
        value = lookup(row, self.key_path)
        return None if value is MISSING or value is None else str(value)

    def get(self, parents: tuple[str, ...], key: str) -> Row | None:
        group = self._groups.get(parents)
        return None if group is None else group.get(key)

    def put(self, parents: tuple[str, ...], key: str, row: Row) -> Row:
        """Insert or replace the row stored under `key`."""
        group = self._groups.get(parents)
        if group is None:
            group = self._groups[parents] = {}
        group[key] = row
        self._lists.pop(parents, None)
        return row

    def remove(self, parents: tuple[str, ...], key: str) -> Row | None:
        group = self._groups.get(parents)
        if group is None:
            return None
        row = group.pop(key, None)
        if row is not None:
            self._lists.pop(parents, None)
        return row

    def rows(self, parents: tuple[str, ...]) -> list[Row]:
        """The rows under `parents`, oldest first (cached until the next write)."""
        cached = self._lists.get(parents)
        if cached is None:
            group = self._groups.get(parents)
            cached = [] if group is None else list(group.values())
            self._lists[parents] = cached
        return cached

    def items(self, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Row]]:
        """Every (parents, row) whose parent ids start with `prefix`."""
        n = len(prefix)
        for parents, group in self._groups.items():
            if parents[:n] == prefix:
                for row in group.values():
                    yield parents, row

    def next_int(self) -> int:
        value = self._next_int
        self._next_int += 1
        return value

    def clear(self) -> None:
        self._groups.clear()
        self._lists.clear()


def _key_path(catalogue: Catalogue, table: str, param: str, schema: str | None) -> tuple[str, ...]:
    """Which field of a row holds the value of the item path parameter `param`."""
    if table in _KEY_OVERRIDES:
        return _KEY_OVERRIDES[table]
    props = catalogue.properties(schema)
    if param == "domain_name":
        return ("name",)
    if param in props or param == "id":
        return (param,)
    stem = param.removesuffix("_id")
    if stem == table.rsplit(".", 1)[-1].removesuffix("s") and "id" in props:
        return ("id",)
    words = stem.split("_")
    for i in range(len(words)):
        candidate = "_".join(words[i:])
        if "ref" in props.get(candidate, {}):
            return (candidate, "id")
    return ("id",)


class Store:
    """All tables, plus the learners ("people") registry with its e-mail index."""

    def __init__(self, catalogue: Catalogue, seed: int = 0) -> None:
        self.catalogue = catalogue
        self.rng = random.Random(f"ids-{seed}")
        self.tables: dict[str, Table] = {}
        self.by_template: dict[str, Table] = {}
        self._aliases: dict[str, list[str]] = {}
        self.people: dict[str, Row] = {}
        self.people_by_email: dict[str, str] = {}
        #: natural keys of idempotent creates (e.g. enrollment per user + enrolled_at) -> row key
        self.natural_keys: dict[tuple[Any, ...], str] = {}
        #: the clock deferred work runs on (the emulator sets its event loop's time)
        self.clock: Callable[[], float] = time.monotonic
        self._later: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._build()

    # -- construction --------------------------------------------------------

    def _build(self) -> None:
        by_path: dict[str, list[Any]] = {}
        for op in self.catalogue.operations:
            by_path.setdefault(op.path, []).append(op)
        item_of: dict[str, str] = {}
        for path in by_path:
            head, _, last = path.rpartition("/")
            if last.startswith("{"):
                item_of[head] = path
        collections = set(item_of)
        collections.update(p for p, ops in by_path.items() if any(o.verb == "list" for o in ops))
        for path, ops in by_path.items():
            if not path.rpartition("/")[2].startswith("{") and path not in collections:
                params = ops[0].path_params
                self._add_table(path, params, None, ops, singleton=True)
        for path in sorted(collections):
            item = item_of.get(path)
            item_ops = by_path.get(item, []) if item else []
            ops = by_path.get(path, [])
            params = (item_ops or ops)[0].path_params
            key_param = params[-1] if item else None
            parent_params = params[:-1] if item else params
            self._add_table(path, parent_params, key_param, [*ops, *item_ops])
        for table in self.tables.values():
            self._link_parents(table)

    def _add_table(
        self,
        path: str,
        parent_params: tuple[str, ...],
        key_param: str | None,
        ops: list[Any],
        *,
        singleton: bool = False,
    ) -> None:
        segments = [s.replace("-", "_") for s in path.split("/")[2:] if not s.startswith("{")]
        name = ".".join(segments)
        schema = None
        for op in ops:
            if op.method == "GET":
                schema = op.item_schema or op.response_schema
                if op.verb != "list":
                    break
        if schema is None:
            schema = next((op.response_schema for op in ops if op.response_schema), None)
        int_ids = False
        key_path = _KEY_OVERRIDES.get(name, ("id",))
        if key_param is not None:
            key_path = _key_path(self.catalogue, name, key_param, schema)
            int_ids = any(
                op.param_patterns and op.param_patterns[-1].pattern == "[0-9]+"
                for op in ops
                if op.path.endswith("{" + key_param + "}")
            )
        table = Table(
            name, path, parent_params, key_param, key_path, singleton=singleton, int_ids=int_ids
        )
        table.schema = schema
        self.tables[name] = table
        self.by_template[path] = table
        self._aliases.setdefault(segments[-1], []).append(name)

    def _link_parents(self, table: Table) -> None:
        parts = table.template.split("/")
        taken = 0
        for i, part in enumerate(parts):
            if part.startswith("{") and taken < len(table.parent_params):
                taken += 1
                parent = self.by_template.get("/".join(parts[:i]))
                if parent is not None and parent.key_param is not None:
                    table.parents.append((parent, taken))

    # -- deferred work (asynchronous processing on the API side) ---------------

    def later(self, delay: float, work: Callable[[], None]) -> None:
        """Run `work` once `delay` seconds of `clock` have passed (at the next `run_due`)."""
        heapq.heappush(self._later, (self.clock() + delay, next(self._order), work))

    def run_due(self, *, everything: bool = False) -> int:
        """Run the deferred work that is due (all of it with `everything`); how many ran."""
        now = self.clock()
        ran = 0
        while self._later and (everything or self._later[0][0] <= now):
            _, _, work = heapq.heappop(self._later)
            work()
            ran += 1
        return ran

    @property
    def pending(self) -> int:
        """Deferred work not yet run."""
        return len(self._later)

    # -- lookup ----------------------------------------------------------------

    def table(self, name: str) -> Table:
        """A table by full dotted name, or by its last segment when unambiguous."""
        table = self.tables.get(name) or self.tables.get(name.replace("-", "_"))
        if table is not None:
            return table
        candidates = self._aliases.get(name.replace("-", "_"), [])
        if len(candidates) == 1:
            return self.tables[candidates[0]]
        hint = f"; did you mean one of {sorted(candidates)}" if candidates else ""
        raise KeyError(f"no table {name!r}{hint}")

    def parents_exist(self, table: Table, ids: tuple[str, ...]) -> bool:
        """Whether every parent object named by the path ids exists."""
        return all(parent.get(ids[: n - 1], ids[n - 1]) is not None for parent, n in table.parents)

    def new_id(self, table: Table, parents: tuple[str, ...] = ()) -> str:
        """A fresh lowercase alphanumeric id (or the next integer for integer-keyed tables)."""
        if table.int_ids:
            return str(table.next_int())
        bits = self.rng.getrandbits
        while True:
            new = f"{bits(48):012x}"  # 12 lowercase hex digits: a valid ^[0-9a-z]+$ id
            if table.get(parents, new) is None:
                return new

    # -- the small public API used by tests --------------------------------------

    def get(self, name: str, *ids: str) -> Row | None:
        """One row: ``get("domains.published_courses", "learn.example.com", pc_id)``."""
        table = self.table(name)
        if table.singleton:
            return table.get(tuple(ids), "")
        return table.get(tuple(ids[:-1]), ids[-1]) if ids else None

    def add(self, name: str, row: Row, *parents: str) -> Row:
        """Store `row` under `parents`; an ``id`` is generated when its key is missing."""
        table = self.table(name)
        parents_t = tuple(parents)
        if table.singleton:
            return table.put(parents_t, "", row)
        key = table.key_of(row)
        if key is None:
            key = self.new_id(table, parents_t)
            row["id"] = int(key) if table.int_ids else key
            if table.key_path != ("id",):
                key = table.key_of(row) or key
        return table.put(parents_t, key, row)

    def rows(self, name: str, *parents: str) -> list[Row]:
        """All rows under `parents` (a prefix of the parent ids; none = every row)."""
        table = self.table(name)
        if len(parents) == len(table.parent_params):
            return list(table.rows(tuple(parents)))
        return [row for _, row in table.items(tuple(parents))]

    def find(self, name: str, *parents: str, **where: Any) -> list[Row]:
        """Rows matching every ``field__sub=value`` in `where` exactly."""
        paths = [(tuple(k.split("__")), v) for k, v in where.items()]
        return [
            row for row in self.rows(name, *parents) if all(lookup(row, p) == v for p, v in paths)
        ]

    def count(self, name: str, *parents: str, **where: Any) -> int:
        """How many rows `find` would return."""
        if not where:
            return len(self.rows(name, *parents))
        return len(self.find(name, *parents, **where))

    def delete(self, name: str, *ids: str) -> bool:
        table = self.table(name)
        if table.singleton:
            return table.remove(tuple(ids), "") is not None
        return table.remove(tuple(ids[:-1]), ids[-1]) is not None

    def user_by_email(self, email: str) -> Row | None:
        """The learner (``{"id", "email", "first_name", "last_name"}``) with this e-mail."""
        user_id = self.people_by_email.get(email.lower())
        return None if user_id is None else self.people.get(user_id)

    def add_user(
        self,
        email: str,
        first_name: str = "",
        last_name: str = "",
        *,
        user_id: str | None = None,
        signed_up_at: str | None = None,
    ) -> Row:
        """Create a learner and their ``users`` row; an existing e-mail returns that learner."""
        existing = self.user_by_email(email)
        if existing is not None:
            return existing
        users = self.tables["users"]
        uid = user_id or self.new_id(users)
        person: Row = {"id": uid, "email": email, "first_name": first_name, "last_name": last_name}
        stamp = signed_up_at or now_iso()
        users.put(
            (),
            uid,
            {
                "user": person,
                "registration_count": 0,
                "completion_count": 0,
                "signed_up_at": stamp,
                "latest_activity": stamp,
                "inactive_at": None,
            },
        )
        self.people[uid] = person
        self.people_by_email[email.lower()] = uid
        return person

    def rename_user(self, person: Row, email: str) -> None:
        """Change a learner's e-mail, keeping the index in step."""
        self.people_by_email.pop(str(person["email"]).lower(), None)
        person["email"] = email
        self.people_by_email[email.lower()] = str(person["id"])
