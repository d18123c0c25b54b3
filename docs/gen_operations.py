"""Write the operations reference: every API operation, grouped by family, one page each.

    python docs/gen_operations.py          # (re)write docs/reference/operations/
    python docs/gen_operations.py --check  # exit 1 if a committed page is stale

Each operation's HTTP method, path and call type come from the operations catalogue
(``skilljar_async/_data/operations.json``); its Python name, signature and summary from
the client's attribute tree, so a page cannot name a method the client does not have.
Destructive operations (every delete; with the cascade spelt out where the generator's
tables warn of one) say so.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "reference" / "operations"
CATALOGUE = ROOT / "skilljar_async" / "_data" / "operations.json"
TABLES = ROOT / "tools" / "codegen" / "tables.json"

#: (page, title, client-path prefixes). The longest prefix that matches an operation wins.
FAMILIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ping", "Ping", ("ping",)),
    ("assets", "Assets and web packages", ("assets", "web_packages")),
    ("courses", "Courses and lessons", ("courses", "lessons")),
    ("progress", "Lesson progress and progress tokens", ("lesson_progress", "progresstokens")),
    ("paths", "Paths", ("paths",)),
    ("domains", "Domains, plans, course series and signup fields", ("domains",)),
    ("domain-users", "Domain users", ("domains.users",)),
    ("access-codes", "Access codes", ("domains.access_code_pools",)),
    ("published-courses", "Published courses", ("domains.published_courses",)),
    ("published-paths", "Published paths", ("domains.published_paths",)),
    ("catalog-pages", "Catalog pages", ("domains.catalog_pages",)),
    ("users", "Users", ("users",)),
    ("groups", "Groups", ("groups", "group_categories")),
    ("labels-tags", "Labels and tags", ("labels", "tags")),
    ("quizzes", "Quizzes and question banks", ("quizzes", "quiz_questions", "question_banks")),
    (
        "training",
        "Instructor-led and virtual training",
        (
            "ilt_instructors",
            "ilt_multi_session_events",
            "ilt_sessions",
            "vilt_session_events",
            "vilt_session_registrations",
        ),
    ),
    (
        "commerce",
        "Offers, purchases, promo and credit codes",
        ("offers", "purchases", "training_credit_codes", "promo_codes", "promo_code_pools"),
    ),
    ("license-packages", "License packages", ("license_packages",)),
    ("webhooks", "Webhooks", ("webhooks",)),
)

_CALL_TYPES = {"read": "read", "modify": "modification", "remove": "removal"}


def family_of(client_path: str) -> str:
    """The page an operation belongs on (longest matching prefix)."""
    best, best_len = None, -1
    for page, _title, prefixes in FAMILIES:
        for prefix in prefixes:
            if (client_path == prefix or client_path.startswith(prefix + ".")) and len(
                prefix
            ) > best_len:
                best, best_len = page, len(prefix)
    if best is None:
        raise SystemExit(f"no family for {client_path}: add its prefix to FAMILIES")
    return best


def method_of(client: Any, client_path: str) -> Callable[..., Any]:
    """Walk the client's attribute tree: ``domains.users.list`` → the bound method."""
    obj = client
    for part in client_path.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise SystemExit(f"client.{client_path} is not callable")
    return obj  # type: ignore[no-any-return]


def _signature(method: Callable[..., Any]) -> tuple[str, str]:
    """The call as written (names and defaults, no annotations) and its return annotation."""
    sig = inspect.signature(method)
    parts: list[str] = []
    star = False
    for param in sig.parameters.values():
        if param.kind is param.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        text = param.name
        if param.default is not param.empty:
            default = param.default
            text += "=" + ("NOT_GIVEN" if type(default).__name__ == "NotGiven" else repr(default))
        parts.append(text)
    returns = sig.return_annotation
    returned = returns if isinstance(returns, str) else getattr(returns, "__name__", str(returns))
    return ", ".join(parts), returned.replace("'", "")


def _summary(method: Callable[..., Any], fallback: str) -> str:
    doc = inspect.getdoc(method) or fallback
    first = doc.strip().split("\n\n")[0]
    return " ".join(first.split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _anchor(client_path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", client_path.lower()).strip("-")


def render() -> dict[str, str]:
    """Every page's Markdown, by file name."""
    from skilljar_async import SkilljarClient  # the package must be importable (installed)

    ops = json.loads(CATALOGUE.read_text())
    warnings: dict[str, str] = json.loads(TABLES.read_text())["destructive"]
    client = SkilljarClient("reference-only", transport=_NoTransport())
    by_page: dict[str, list[dict[str, Any]]] = {page: [] for page, _, _ in FAMILIES}
    for op in ops:
        by_page[family_of(op["client_path"])].append(op)
    pages: dict[str, str] = {}
    index = [
        _HEADER,
        "# Operations",
        "",
        f"All {len(ops)} operations of the Skilljar API v1, as methods of `SkilljarClient`. "
        "A method's name follows the path's literal segments "
        "(`/v1/domains/{domain_name}/users` → `client.domains.users`) and its verb the "
        "operation: `list` (an `AsyncPaginator`), `create`, `retrieve`, `update`, "
        "`partial_update`, `destroy`. Path ids are positional, filters and fields are "
        "keyword-only, checked before any rate slot is spent.",
        "",
        "Call types are what Skilljar's limits count apart: *read* (GET), *modification* "
        "(POST, PUT, PATCH) and *removal* (DELETE), each 600 per minute and 5,000 per hour. "
        "Every delete is **destructive** (there is no undo); where a delete also removes "
        "other objects the page says which.",
        "",
        "| Family | Operations | Reads | Modifications | Removals |",
        "|---|---:|---:|---:|---:|",
    ]
    for page, title, _prefixes in FAMILIES:
        family = by_page[page]
        counts = {ct: sum(op["call_type"] == ct for op in family) for ct in _CALL_TYPES}
        index.append(
            f"| [{title}]({page}.md) | {len(family)} | {counts['read']} | "
            f"{counts['modify']} | {counts['remove']} |"
        )
        pages[f"{page}.md"] = _family_page(title, family, client, warnings)
    index.append(f"| **Total** | **{len(ops)}** | | | |")
    pages["index.md"] = "\n".join(index) + "\n"
    return pages


def _family_page(
    title: str, family: list[dict[str, Any]], client: Any, warnings: dict[str, str]
) -> str:
    lines = [
        _HEADER,
        f"# {title}",
        "",
        "| Method | HTTP | Call type | Destructive |",
        "|---|---|---|---|",
    ]
    details: list[str] = []
    for op in sorted(family, key=lambda o: o["client_path"]):
        path = op["client_path"]
        method = method_of(client, path)
        args, returns = _signature(method)
        destructive = ""
        if op["call_type"] == "remove":
            destructive = "yes, cascades" if op["operation_id"] in warnings else "yes"
        lines.append(
            f"| [`{path}`](#{_anchor(path)}) | `{op['method']} {_cell(op['path'])}` | "
            f"{_CALL_TYPES[op['call_type']]} | {destructive} |"
        )
        details += [
            f"### `{path}` {{#{_anchor(path)}}}",
            "",
            f"`{op['method']} {op['path']}` · {_CALL_TYPES[op['call_type']]} · "
            f"returns `{_cell(returns)}`",
            "",
            _summary(method, op["description"]),
            "",
        ]
        if op["call_type"] == "remove":
            note = warnings.get(op["operation_id"], "Destructive: there is no undo.")
            details += ["!!! warning", f"    {note}", ""]
        details += ["```text", f"client.{path}({args})", "```", ""]
    return "\n".join([*lines, "", *details]).rstrip() + "\n"


_HEADER = "<!-- Written by docs/gen_operations.py from the operations catalogue; do not edit. -->\n"


class _NoTransport:
    """The reference only walks the client's attributes: nothing is ever sent."""

    async def handle(self, request: Any) -> Any:
        raise AssertionError("the operations reference sends no request")

    async def aclose(self) -> None:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a page is stale")
    args = parser.parse_args(argv)
    pages = render()
    stale = sorted(
        name
        for name, text in pages.items()
        if not (OUT / name).is_file() or (OUT / name).read_text() != text
    )
    extra = sorted(p.name for p in OUT.glob("*.md") if p.name not in pages)
    if args.check:
        for name in stale + extra:
            print(f"stale: docs/reference/operations/{name}", file=sys.stderr)
        if stale or extra:
            print("run: python docs/gen_operations.py", file=sys.stderr)
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name in extra:
        (OUT / name).unlink()
    for name in stale:
        (OUT / name).write_text(pages[name])
    print(f"{len(pages)} pages, {len(stale)} written, {len(extra)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
