"""Skilljar-aware writes shared by the seed and the request handlers.

These keep the derived tables in step: enrolling a learner in a published course
also creates their ``/v1/users/{id}/published-courses`` progress row and counts
the registration; publishing a path creates its ``/v1/paths`` definition; and
enrollment creates are naturally idempotent for the same user and
``enrolled_at`` (quirk 9).
"""

from __future__ import annotations

import re
from typing import Any

from ._catalogue import Row
from ._store import Store, now_iso

__all__ = [
    "add_domain_user",
    "touch_activity",
    "course_summary",
    "enroll",
    "make_offer",
    "publish_course",
    "publish_path",
    "slugify",
]

#: enrollment table -> (derived per-user table, key of the published thing, summary key)
_ENROLLMENTS = {
    "domains.published_courses.enrollments": ("users.published_courses", "published_course_id"),
    "domains.published_paths.published_path_enrollments": (
        "users.published_path_enrollments",
        "published_path_id",
    ),
    "domains.plan.plan_enrollments": ("users.plan_enrollments", "plan_id"),
}


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


def course_summary(course: Row) -> Row:
    """What a published course embeds about its course."""
    lessons = int(course.get("lesson_count", 0) or 0)
    return {
        "id": course["id"],
        "title": course.get("title", ""),
        "lesson_count": lessons,
        "required_lesson_count": int(course.get("required_lesson_count", lessons) or 0),
        "short_description": course.get("short_description", ""),
        "long_description_html": course.get("long_description_html", ""),
    }


def make_offer(store: Store, domain: str, kind: str, target_id: str, url: str) -> Row:
    """Create the default (free) offer of a published course/path/plan; its embedded form."""
    offers = store.tables["offers"]
    offer_id = store.new_id(offers)
    row: Row = {
        "id": offer_id,
        "domain_name": domain,
        "offer_type": kind,
        f"{kind}_id": target_id,
        "price_cents": 0,
        "currency_code": "USD",
        "price_credits": None,
        "sku": f"{kind}-{target_id}",
        "max_quantity": 1,
        "active": True,
        "linked_to_plan": False,
    }
    offers.put((), offer_id, row)
    return {
        "id": offer_id,
        "registration_open": True,
        "registration_url": url,
        "price": {"amount": "0.00", "currency_code": "USD"},
    }


def publish_course(store: Store, domain: str, course: Row, **fields: Any) -> Row:
    """Publish `course` on `domain` (no validation: callers check the course exists)."""
    table = store.tables["domains.published_courses"]
    pc_id = store.new_id(table, (domain,))
    slug = fields.pop("slug", None) or f"{slugify(str(course.get('title', 'course')))}-{pc_id[:4]}"
    url = f"https://{domain}/{slug}"
    row: Row = {
        "id": pc_id,
        "course": course_summary(course),
        "slug": slug,
        "course_url": url,
        "hidden": False,
        "strict_enforce_group_visibility": False,
        "registration_required": False,
        "registration_starts_at": None,
        "registration_ends_at": None,
        "restrict_access_start_end_dates": False,
        "allow_self_service_reenroll": False,
        "unique_progress_per_enrollment": False,
        "require_all_prerequisites": False,
        "timezone": None,
        "offer": make_offer(store, domain, "published_course", pc_id, url),
    }
    row.update(fields)
    return table.put((domain,), pc_id, row)


def publish_path(store: Store, domain: str, path_fields: Row, **fields: Any) -> Row:
    """Publish a new path on `domain`; also creates its ``/v1/paths`` definition."""
    paths = store.tables["paths"]
    path_id = store.new_id(paths)
    path: Row = {
        "id": path_id,
        "title": "",
        "promo_image_url": "",
        "short_description": "",
        "long_description_html": "",
        "header_html": "",
        "course_name_singular": "course",
        "course_name_plural": "courses",
        "path_item_count": 0,
        **path_fields,
    }
    paths.put((), path_id, path)
    table = store.tables["domains.published_paths"]
    pp_id = store.new_id(table, (domain,))
    slug = fields.pop("slug", None) or slugify(str(path["title"]))
    url = f"https://{domain}/path/{slug}"
    now = now_iso()
    row: Row = {
        "id": pp_id,
        "slug": slug,
        "path": path,
        "path_url": url,
        "hidden": False,
        "strict_enforce_group_visibility": False,
        "offer": make_offer(store, domain, "published_path", pp_id, url),
        "unique_progress_per_enrollment": False,
        "created_at": now,
        "modified_at": now,
    }
    row.update(fields)
    return table.put((domain,), pp_id, row)


def add_domain_user(store: Store, domain: str, person: Row, **fields: Any) -> tuple[Row, bool]:
    """Add a learner to a domain; an existing membership is returned as is. (row, created)."""
    table = store.tables["domains.users"]
    uid = str(person["id"])
    existing = table.get((domain,), uid)
    if existing is not None:
        return existing, False
    row: Row = {
        "user": person,
        "active": True,
        "marketing_optin": None,
        "enrolled_at": fields.pop("enrolled_at", None) or now_iso(),
        "expires_at": None,
        "access_code": None,
        "signup_fields": [],
    }
    row.update(fields)
    return table.put((domain,), uid, row), True


def enroll(
    store: Store, table_name: str, parents: tuple[str, str], person: Row, **fields: Any
) -> tuple[Row, bool]:
    """Enroll a learner (course, path or plan enrollment table); idempotent per user+enrolled_at.

    Returns (enrollment row, created).
    """
    table = store.tables[table_name]
    requested_at = fields.get("enrolled_at")
    natural = (table_name, *parents, str(person["id"]), requested_at)
    existing_key = store.natural_keys.get(natural)
    if existing_key is not None:
        existing = table.get(parents, existing_key)
        if existing is not None:
            return existing, False
    key = store.new_id(table, parents)
    row: Row = {
        "id": key,
        "user": person,
        "enrolled_at": requested_at or now_iso(),
        "expires_at": fields.get("expires_at"),
        "active": True if fields.get("active") is None else fields["active"],
        "purchase": fields.get("purchase"),
    }
    if table_name == "domains.published_courses.enrollments":
        row["rating"] = None
        row["feedback"] = None
    table.put(parents, key, row)
    store.natural_keys[natural] = key
    _derive(store, table_name, parents, person, row)
    touch_activity(store, str(person["id"]), str(row["enrolled_at"]))
    return row, True


def touch_activity(store: Store, user_id: str, at: str | None = None) -> None:
    """Move a learner's ``latest_activity`` forward to `at` (default: now)."""
    users_row = store.tables["users"].get((), user_id)
    if users_row is not None:
        stamp = at or now_iso()
        if stamp > str(users_row.get("latest_activity") or ""):
            users_row["latest_activity"] = stamp


def _derive(store: Store, table_name: str, parents: tuple[str, str], person: Row, row: Row) -> None:
    derived_name, id_field = _ENROLLMENTS[table_name]
    derived = store.tables[derived_name]
    domain, target_id = parents
    uid = str(person["id"])
    base: Row = {
        id_field: target_id,
        "domain_name": domain,
        "enrolled_at": row["enrolled_at"],
        "enrollment_id": row["id"],
    }
    if table_name == "domains.published_courses.enrollments":
        users_row = store.tables["users"].get((), uid)
        if users_row is not None:
            users_row["registration_count"] += 1
            users_row["latest_activity"] = row["enrolled_at"]
        previous = derived.get((uid,), target_id)
        progress_id = store.new_id(derived, (uid,))
        history = {
            "course_progress_id": progress_id,
            "active": row["active"],
            "expires_at": row["expires_at"],
            "enrollment_id": row["id"],
        }
        if previous is not None:
            previous["all_enrollments"].append(history)
            previous["enrollment_id"] = row["id"]
            return
        pc = store.tables["domains.published_courses"].get((domain,), target_id) or {}
        course = pc.get("course") or {"id": "", "title": ""}
        base["course"] = {k: course.get(k, 0) for k in ("lesson_count", "required_lesson_count")}
        base["course"].update(id=course.get("id", ""), title=course.get("title", ""))
        base["course_progress"] = {
            "course_progress_id": progress_id,
            "completed_lesson_count": 0,
            "completed_required_lesson_count": 0,
            "completed_at": None,
            "latest_activity": row["enrolled_at"],
            "score": None,
            "max_score": None,
            "credits_earned": "0",
            "credit_unit_plural": "credits",
            "success_status": None,
        }
        base["certificate"] = None
        base["all_enrollments"] = [history]
        derived.put((uid,), target_id, base)
        return
    base["expires_at"] = row["expires_at"]
    base["active"] = row["active"]
    if id_field == "published_path_id":
        pp = store.tables["domains.published_paths"].get((domain,), target_id) or {}
        path = pp.get("path") or {}
        base["published_path"] = {
            "id": target_id,
            "title": path.get("title", ""),
            "course_count": path.get("path_item_count", 0),
        }
        base["published_path_progress"] = {
            "path_progress_id": store.new_id(derived, (uid,)),
            "completed_course_count": 0,
            "completed_required_course_count": 0,
            "completed_at": None,
            "latest_activity": row["enrolled_at"],
        }
    else:
        plan = store.tables["domains.plan"].get((domain,), target_id) or {}
        base["plan"] = {"id": target_id, "title": plan.get("name", "")}
    derived.put((uid,), str(row["id"]), base)
