"""Realistic, deterministic seed data: the same `seed` always gives the same org.

Two domains (``learn.example.com`` public, ``partners.example.com`` private),
labels, tags, groups, six courses with lessons, their publications, a published
path and a plan, then `users` learners (``ada.lovelace.17@example.com``-style
e-mails), each a member of ``learn.example.com`` (every seventh also of the
partner domain) with zero to two course enrollments, some completed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from ._catalogue import Row
from ._model import add_domain_user, enroll, publish_course, publish_path
from ._seed_org import seed_organisation
from ._store import Store

__all__ = ["LEARN", "PARTNERS", "seed_store"]

LEARN = "learn.example.com"
PARTNERS = "partners.example.com"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = _words(
    "ada alan barbara claude dorothy edsger frances grace hedy ida john katherine leslie "
    "margaret niklaus radia rosalind sophie tim ursula vint whitfield yukihiro zuse"
)
_LAST = _words(
    "lovelace turing liskov shannon vaughan dijkstra allen hopper lamarr rhodes mccarthy "
    "johnson lamport hamilton wirth perlman franklin wilson berners-lee goldberg cerf diffie "
    "matsumoto konrad"
)
_COURSES = (
    ("Getting Started with Example Cloud", "onboarding", 5),
    ("Administering Workspaces", "advanced", 6),
    ("Security Fundamentals", "compliance", 4),
    ("Reporting and Analytics", "advanced", 5),
    ("API Integration Basics", "advanced", 3),
    ("Partner Sales Certification", "onboarding", 4),
)
_LESSON_TYPES = ("HTML", "ASSET", "QUIZ", "WEB_PACKAGE", "MODULAR")
_BASE = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)


def _at(offset_seconds: float) -> str:
    return (_BASE + timedelta(seconds=offset_seconds)).isoformat(timespec="microseconds")


def _put(store: Store, name: str, row: Row, *parents: str) -> Row:
    table = store.tables[name]
    row.setdefault("id", store.new_id(table, parents))
    key = table.key_of(row)
    assert key is not None
    return table.put(parents, key, row)


def _catalogue_objects(store: Store, rng: random.Random) -> list[Row]:
    for name, access, title in (
        (LEARN, "PUBLIC", "Example Academy"),
        (PARTNERS, "PRIVATE", "Example Partner Academy"),
    ):
        _put(
            store,
            "domains",
            {
                "id": store.new_id(store.tables["domains"]),
                "name": name,
                "catalog_title": title,
                "private": access != "PUBLIC",
                "access": access,
                "access_code_message_html": "",
                "marketing_message": "",
            },
        )
    for label in ("onboarding", "advanced", "compliance"):
        _put(store, "labels", {"name": label})
    for tag in ("Getting started", "Product", "Security"):
        _put(store, "tags", {"name": tag, "slug": tag.lower().replace(" ", "-")})
    category = _put(store, "group_categories", {"name": "Audience"})
    for group, domain in (("Customers", "example.com"), ("Partners", "partner.example.org")):
        _put(
            store,
            "groups",
            {
                "name": group,
                "user_count": 0,
                "discount_percent": None,
                "group_category_id": category["id"],
                "sign_up_field_rule": {"enforce": False, "require_match_all": False, "options": []},
                "rule_email_domains": [domain],
            },
        )
    courses = []
    for n, (title, label, lessons) in enumerate(_COURSES):
        created = _at(n * 86400.0)
        course = _put(
            store,
            "courses",
            {
                "title": title,
                "short_description": f"{title}: the essentials in under an hour.",
                "long_description_html": f"<p>{title}.</p>",
                "enforce_sequential_navigation": n % 2 == 0,
                "labels": [label],
                "draft_origin_id": None,
                "promo_image_url": "",
                "display_course_and_lesson_time": False,
                "manual_course_time": "",
                "display_manual_course_time": False,
                "course_and_lesson_time_format": "HOURS_MINUTES",
                "course_time": f"{lessons * 10} minutes",
                "created_at": created,
                "modified_at": created,
                "average_rating": round(3.5 + rng.random() * 1.5, 2),
                "lesson_count": lessons,
                "required_lesson_count": lessons,
            },
        )
        for order in range(lessons):
            _put(
                store,
                "lessons",
                {
                    "course_id": course["id"],
                    "title": f"{title} — part {order + 1}",
                    "order": order,
                    "type": _LESSON_TYPES[order % len(_LESSON_TYPES)],
                    "content_html": "",
                    "optional": False,
                },
            )
        courses.append(course)
    return courses


def seed_store(store: Store, *, users: int = 0, seed: int = 0) -> None:
    """Fill `store` with the seeded org (call once, on an empty store)."""
    rng = random.Random(f"seed-{seed}")
    courses = _catalogue_objects(store, rng)
    learn_pcs = [publish_course(store, LEARN, c) for c in courses]
    partner_pcs = [publish_course(store, PARTNERS, c) for c in courses[::2]]
    path = publish_path(
        store,
        LEARN,
        {"title": "Administrator Certification", "short_description": "Three courses, one badge."},
    )
    items = store.tables["domains.published_paths.path_items"]
    for order, pc in enumerate(learn_pcs[:3]):
        item_id = store.new_id(items, (LEARN, path["id"]))
        summary = {"id": pc["id"], "course_id": pc["course"]["id"], "slug": pc["slug"]}
        items.put(
            (LEARN, path["id"]),
            item_id,
            {"id": item_id, "order": order, "published_course": summary},
        )
    path["path"]["path_item_count"] = 3
    plan_table = store.tables["domains.plan"]
    plan_id = store.new_id(plan_table, (LEARN,))
    plan_table.put(
        (LEARN,),
        plan_id,
        {
            "id": plan_id,
            "name": "All-Access Annual Plan",
            "slug": "all-access",
            "plan_url": f"https://{LEARN}/plan/all-access",
            "hidden": False,
            "short_description": "Every course, for a year.",
        },
    )
    _learners(store, rng, users, learn_pcs, partner_pcs, path["id"])
    plan = plan_table.get((LEARN,), plan_id) or {}
    seed_organisation(store, LEARN, learn_pcs, path, plan)


def _learners(
    store: Store,
    rng: random.Random,
    users: int,
    learn_pcs: list[Row],
    partner_pcs: list[Row],
    path_id: str,
) -> None:
    span = 600 * 86400.0  # sign-ups spread over ~20 months, oldest first
    choice = rng.choice
    rand = rng.random
    enrollments = "domains.published_courses.enrollments"
    progress = store.tables["users.published_courses"]
    users_table = store.tables["users"]
    for i in range(users):
        first, last = choice(_FIRST), choice(_LAST)
        signed_up = _at(i * span / max(users, 1))
        person = store.add_user(
            f"{first}.{last}.{i}@example.com".replace("-", ""),
            first.capitalize(),
            last.capitalize(),
            signed_up_at=signed_up,
        )
        add_domain_user(store, LEARN, person, enrolled_at=signed_up)
        if i % 7 == 3:
            add_domain_user(store, PARTNERS, person, enrolled_at=signed_up)
            enroll(
                store, enrollments, (PARTNERS, partner_pcs[0]["id"]), person, enrolled_at=signed_up
            )
        roll = rand()
        count = 0 if roll < 0.25 else 1 if roll < 0.75 else 2
        for pc in rng.sample(learn_pcs, count):
            enroll(store, enrollments, (LEARN, pc["id"]), person, enrolled_at=signed_up)
            if rand() < 0.3:
                row = progress.get((person["id"],), pc["id"])
                if row is not None:
                    row["course_progress"]["completed_at"] = signed_up
                    row["course_progress"]["success_status"] = "PASSED"
                    users_row = users_table.get((), person["id"])
                    if users_row is not None:
                        users_row["completion_count"] += 1
        if i % 10 == 0:
            enroll(
                store,
                "domains.published_paths.published_path_enrollments",
                (LEARN, path_id),
                person,
                enrolled_at=signed_up,
            )
