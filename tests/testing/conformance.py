"""Schemathesis over a running emulator: every operation, positive and negative data.

The emulator serves its own OpenAPI document (the catalogue's, with the errata
applied) at ``/openapi.json``; this module loads it into schemathesis, draws
`examples` cases per operation and generation mode (path parameters pinned to
seeded objects so requests reach real handlers), sends them over loopback and
runs five checks on each answer. What the checks accept beyond the document is
configured here, not written into the document:

- `GENERIC_STATUSES`: the answers every operation can give through DRF's
  machinery (validation, auth, permission, not found, method, media type,
  throttle), so ``status_code_conformance`` does not flag them.
- `accepted_negative`: negative cases whose invalid part never reaches DRF
  as invalid data, or that DRF accepts on purpose: the credentials header is
  the harness's own; unknown and empty query parameters are ignored and
  `LENIENT_QUERY` values fall back; a form carries nested objects only as
  dotted keys, drops nulls and sends scalars as text, and an empty optional
  value is "not sent"; CharField trims whitespace and reads numbers as text,
  BooleanField reads 0 and 1;
  a partial update skips required fields at every depth.

``python -m tests.testing.conformance --examples 20`` (``scripts/conformance``)
runs a longer, randomly seeded pass and prints a table per check.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks as oas_checks

from skilljar_async.testing import SkilljarEmulator, Store
from skilljar_async.testing._catalogue import Operation

GENERIC_STATUSES = frozenset({400, 401, 403, 404, 405, 415, 429})
#: query parameters DRF reads leniently: a bad page_size falls back to the default, and
#: django-filter's BooleanFilter ignores a value it cannot read
LENIENT_QUERY = frozenset({"page_size", "include_searchable_content", "include_signup_field_data"})
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)


@attrs.define
class Report:
    """Per check: operations that passed and failed; the first failures' messages."""

    passed: dict[str, set[str]] = attrs.field(factory=lambda: {c: set() for c in CHECK_NAMES})
    failed: dict[str, set[str]] = attrs.field(factory=lambda: {c: set() for c in CHECK_NAMES})
    messages: list[str] = attrs.field(factory=list)
    cases: int = 0
    seconds: float = 0.0

    def record(self, check: str, operation: str, message: str | None, case: Any = None) -> None:
        if message is None:
            self.passed[check].add(operation)
            return
        if operation in self.failed[check]:
            return
        self.failed[check].add(operation)
        if case is not None:
            message += f" <- {case.media_type} {str(case.body)[:120]!r} {case.query}"
        self.messages.append(f"[{check}] {operation}: {message}")

    def table(self) -> str:
        lines = [f"{'check':<30} {'passed':>7} {'failed':>7}"]
        for check in CHECK_NAMES:
            failed = self.failed[check]
            passed = self.passed[check] - failed
            lines.append(f"{check:<30} {len(passed):>7} {len(failed):>7}")
        lines.append(f"{self.cases} cases in {self.seconds:.1f} s")
        return "\n".join(lines)

    @property
    def failures(self) -> int:
        return sum(len(f) for f in self.failed.values())


# -- what the checks accept beyond the document ---------------------------------


def accepted_negative(case: Any, response: Any) -> bool:
    """Whether DRF ignores every negated part of `case` on purpose, so a 2xx is right.

    Headers are the harness's own (it sends the credentials); unknown query
    parameters are ignored by DRF; `LENIENT_QUERY` values fall back or are ignored.
    """
    meta = case.meta
    if meta is None:
        return False
    negated = {loc.name for loc, c in meta.components.items() if c.mode.is_negative}
    negated.discard("HEADER")
    if "BODY" in negated and (
        _form_drops_negation(case)
        or _trimmed_away(case)
        or _partial_skips_required(case)
        or _coerced_by_drf(case)
    ):
        negated.discard("BODY")
    if negated - {"QUERY"}:
        return False
    if "QUERY" in negated and response.status_code < 300:
        return _query_reads_fine(case)
    return True


NUMBERS = ("number", "integer")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _form_drops_negation(case: Any) -> bool:
    """Whether every body mutation is one a form cannot carry to DRF as invalid data.

    DRF reads a form's nested object only from ``field.sub`` keys and a list
    from repeated keys; an empty value of an optional field is "not sent", and
    a null is not sent at all.
    """
    if case.media_type not in FORM_TYPES:
        return False
    mutations = _body_mutations(case)
    return bool(mutations) and all(_form_drops(case.body, m) for m in mutations)


def _body_mutations(case: Any) -> list[Any]:
    mutations = getattr(case.meta.phase.data, "mutations", ()) or ()
    return [m for m in mutations if m.parameter_location.name == "BODY"]


def _trimmed_away(case: Any) -> bool:
    """Whether every body mutation is a string DRF's CharField repairs by trimming whitespace."""
    mutations = _body_mutations(case)
    body = case.body if isinstance(case.body, dict) else {}
    return bool(mutations) and all(_sent_with_spaces(body, m) for m in mutations)


def _sent_with_spaces(body: dict[str, Any], mutation: Any) -> bool:
    value = body.get(mutation.path[0]) if len(mutation.path) == 1 else mutation.new_value
    return isinstance(value, str) and value != value.strip()


def _form_drops(body: Any, mutation: Any) -> bool:
    if len(mutation.path) > 1:
        return True  # nested values only travel as dotted keys, which schemathesis never sends
    sent = _sent_values(body, mutation.path)
    if sent and all(value in ("", None) for value in sent):
        return True  # an empty optional value is "not sent"; a null is not sent at all
    old, new = mutation.original_value, mutation.new_value
    if "type" in mutation.keywords:
        # the form carries text: null is dropped, scalars become text, an object field
        # is read from dotted keys only and a list field from repeated keys
        return new != "string" or old in ("object", "array")
    return new is None or new == "" or isinstance(old, dict | list) or isinstance(new, dict | list)


def _coerced_by_drf(case: Any) -> bool:
    """Whether every body mutation is a type DRF coerces.

    A number for a string field (CharField reads it as text), or 0 / 1 for a
    boolean field (among BooleanField's spellings).
    """
    mutations = _body_mutations(case)
    return bool(mutations) and all(_coerced(case.body, m) for m in mutations)


def _coerced(body: Any, mutation: Any) -> bool:
    values = _sent_values(body, mutation.path)
    if "type" in mutation.keywords and mutation.new_value in NUMBERS:
        if mutation.original_value == "string":
            return True
        return (
            mutation.original_value == "boolean"
            and bool(values)
            and all(_zero_or_one(v) for v in values)
        )
    if "anyOf" in mutation.keywords:  # a nullable field: 0 and 1 read as text, number, boolean
        return bool(values) and all(_zero_or_one(v) for v in values)
    return False


def _zero_or_one(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value in (0, 1)


def _sent_values(value: Any, path: tuple[Any, ...]) -> list[Any]:
    """The values at `path` in the body sent (list items expanded where the path skips them)."""
    if not path:
        return [value]
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return _sent_values(value[head], rest) if head in value else []
    if isinstance(value, list):
        if isinstance(head, int):
            return _sent_values(value[head], rest) if head < len(value) else []
        return [v for item in value for v in _sent_values(item, path)]
    return []


def _partial_skips_required(case: Any) -> bool:
    """Whether the case only leaves out required fields of a partial update (DRF skips them)."""
    mutations = _body_mutations(case)
    partial = case.operation.method.upper() in ("PATCH", "PUT")
    return partial and bool(mutations) and all(m.keywords == ("required",) for m in mutations)


def _query_reads_fine(case: Any) -> bool:
    declared = {p.name: p.definition.get("schema", {}) for p in case.operation.query}
    for name, value in (case.query or {}).items():
        schema = declared.get(name)
        if schema is None or name in LENIENT_QUERY or schema.get("type") == "boolean":
            continue
        if value == "":
            continue  # django-filter does not filter on an empty value
        if not isinstance(value, str | int) or isinstance(value, bool):
            return False
        if "enum" in schema and value not in schema["enum"]:
            return False
        if schema.get("type") == "integer" and not str(value).lstrip("-").isdigit():
            return False
    return True


def _status_code_conformance(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code in GENERIC_STATUSES:
        return None
    return oas_checks.status_code_conformance(ctx, response, case)


def _negative_data_rejection(ctx: Any, response: Any, case: Any) -> bool | None:
    if accepted_negative(case, response):
        return None
    return oas_checks.negative_data_rejection(ctx, response, case)


CHECKS: dict[str, Callable[..., bool | None]] = {
    "not_a_server_error": schemathesis.checks.not_a_server_error,
    "status_code_conformance": _status_code_conformance,
    "content_type_conformance": oas_checks.content_type_conformance,
    "response_schema_conformance": oas_checks.response_schema_conformance,
    "negative_data_rejection": _negative_data_rejection,
}


# -- the emulator on a thread ----------------------------------------------------


@contextlib.contextmanager
def emulator_thread(**options: Any) -> Iterator[SkilljarEmulator]:
    """A started emulator whose event loop runs on a daemon thread."""
    loop = asyncio.new_event_loop()
    emulator = SkilljarEmulator(**options)
    loop.run_until_complete(emulator.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield emulator
    finally:
        asyncio.run_coroutine_threadsafe(emulator.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


def existing_ids(store: Store, op: Operation) -> dict[str, str] | None:
    """Path parameters naming seeded objects for `op` (None when nothing fits)."""
    if not op.path_params:
        return {}
    is_item = op.path.endswith("}")
    collection = op.path.rsplit("/", 1)[0] if is_item else op.path
    table = store.by_template.get(collection)
    if table is None:
        return None
    if table.singleton:
        parents = next((p for p, _ in table.items()), None)
        if parents is None:
            parents = _some_parent_ids(store, table, len(op.path_params))
        return None if parents is None else dict(zip(op.path_params, parents, strict=False))
    for parents, row in table.items():
        key = table.key_of(row)
        ids = (*parents, key) if is_item else parents
        if key is not None and len(ids) == len(op.path_params):
            return dict(zip(op.path_params, map(str, ids), strict=True))
    if not is_item:
        parents = _some_parent_ids(store, table, len(op.path_params))
        return None if parents is None else dict(zip(op.path_params, parents, strict=True))
    return None


def _some_parent_ids(store: Store, table: Any, n: int) -> tuple[str, ...] | None:
    if not table.parents:
        return None
    parent, taken = table.parents[-1]
    for parents, row in parent.items():
        key = parent.key_of(row)
        ids = (*parents, str(key))
        if key is not None and len(ids) == n == taken:
            return ids
    return None


# -- the run ---------------------------------------------------------------------


def _check(case: Any, response: Any, name: str, report: Report, op_id: str) -> None:
    try:
        case.validate_response(response, checks=[CHECKS[name]])
    except FailureGroup as group:
        first = group.exceptions[0]
        lines = [line for line in first.message.splitlines() if line.strip()]
        where = [line for line in lines if line.startswith(("Schema at", "Invalid comp", "  - "))]
        detail = " | ".join(lines[:1] + where[:3])
        report.record(name, op_id, f"{first.title}: {detail}"[:300], case)
    else:
        report.record(name, op_id, None)


def _order(op: Operation) -> tuple[int, str]:
    """Deletes last, so other operations still find their seeded objects."""
    return (1 if op.method == "DELETE" else 0, op.operation_id)


def run(
    *,
    examples: int,
    seed: int,
    select: Callable[[Operation], bool] = lambda op: True,
    users: int = 30,
) -> Report:
    """Draw `examples` positive and negative cases for every selected operation."""
    report = Report()
    started = time.perf_counter()
    with emulator_thread(users=users, limits=None, record_requests=False) as emulator:
        doc = requests.get(emulator.origin + "/openapi.json", timeout=30).json()
        schema = schemathesis.openapi.from_dict(doc)
        operations = sorted(
            (op for op in emulator.store.catalogue.operations if select(op)), key=_order
        )
        session = requests.Session()
        session.headers.update(emulator.auth_header())
        for op in operations:
            api_op = schema[op.path][op.method]
            path_parameters = existing_ids(emulator.store, op)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                strategy = api_op.as_strategy(
                    generation_mode=mode, path_parameters=path_parameters or None
                )
                _drive(strategy, examples, seed, emulator.origin, session, report, op)
    report.seconds = time.perf_counter() - started
    return report


def _drive(
    strategy: Any, examples: int, seed: int, origin: str, session: Any, report: Report, op: Any
) -> None:
    @hypothesis.settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    @hypothesis.seed(seed)
    @hypothesis.given(strategy)
    def one(case: Any) -> None:
        response = case.call(base_url=origin, session=session)
        report.cases += 1
        for name in CHECK_NAMES:
            _check(case, response, name, report, op.operation_id)

    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        one()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Schemathesis over the local emulator.")
    parser.add_argument("--examples", type=int, default=20, help="cases per operation and mode")
    parser.add_argument("--seed", type=int, default=None, help="default: random")
    parser.add_argument("--match", default="", help="only operation ids containing this")
    parser.add_argument("--show", type=int, default=20, help="failure messages to print")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    report = run(examples=args.examples, seed=seed, select=lambda op: args.match in op.operation_id)
    print(f"seed {seed}, {args.examples} examples per operation and mode")
    print(report.table())
    for message in report.messages[: args.show]:
        print(message)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
