"""The rest of the seeded organisation: every catalogue the API lists has rows.

Assets and web packages, webhooks, commerce (promo-code pools and codes,
training credit codes), domain access codes, catalog pages with their items and
blocks, a course series, signup fields, ILT instructors and sessions, a VILT
session, quizzes and question banks, a license package, progress tokens, and
the links between them (labels, tags, prerequisites, visibility overrides),
all referring to objects that exist. Learner-side rows (plan enrollments, group
memberships, registrations, seats, invites, signup values, lesson progress) are
made for the first seeded learners, so they appear only when ``users > 0``.
Fields left out here are filled from the schema defaults when rows are served.
"""

from __future__ import annotations

from ._catalogue import Row
from ._model import enroll
from ._seed_pages import at, put, ref, seed_catalog_pages, seed_events, seed_quizzes
from ._store import Store

__all__ = ["seed_organisation"]


def seed_organisation(store: Store, domain: str, pcs: list[Row], path: Row, plan: Row) -> None:
    """Fill every remaining list of the org on `domain` (after courses and learners)."""
    _content(store)
    _commerce(store, domain, pcs)
    groups = store.rows("groups")
    _links(store, domain, pcs, path, groups)
    seed_catalog_pages(store, domain, pcs, path, groups)
    seed_events(store)
    seed_quizzes(store)
    _learner_rows(store, domain, pcs, plan, groups)


def _content(store: Store) -> None:
    for name, kind in (("Product tour", "VIDEO_BOTR"), ("Admin handbook", "FILE")):
        put(
            store,
            "assets",
            {"name": name, "type": kind, "aspect_ratio": "16:9", "sync_completion": False},
        )
    for title in ("Sandbox walkthrough", "Compliance module"):
        put(
            store,
            "web_packages",
            {
                "title": title,
                "type": "SCORM_2004",
                "state": "READY",
                "redirect_on_completion": True,
                "sync_completion": False,
            },
        )
    for event, url in (
        ("COURSE_COMPLETION", "https://hooks.example.com/skilljar/completions"),
        (None, "https://hooks.example.com/skilljar/all"),
    ):
        put(
            store,
            "webhooks",
            {
                "target_url": url,
                "active": True,
                "deactivate_reason": None,
                "event_type": event,
                "basic_auth_username": "",
                "basic_auth_password": "",
                "additional_headers": {},
            },
        )
    put(
        store,
        "progresstokens",
        {"completed_at": None, "success_status": "PASSED", "score": None, "max_score": None},
    )
    for lesson in store.rows("lessons"):
        put(
            store,
            "lessons.content_items",
            {
                "header": "Introduction",
                "content_html": f"<p>{lesson.get('title', '')}</p>",
                "lesson_id": lesson["id"],
                "order": 0,
                "type": "HTML",
            },
            lesson["id"],
        )


def _commerce(store: Store, domain: str, pcs: list[Row]) -> None:
    offer_ids = [pc["offer"]["id"] for pc in pcs[:2]]
    for n, (name, percent) in enumerate((("Spring sale", 20), ("Partner launch", 50))):
        pool = put(
            store,
            "promo_code_pools",
            {
                "name": name,
                "active": True,
                "price_cents": None,
                "percent_off": percent,
                "discount_type": "PERCENT_OFF",
                "starts_at": at(n * 30),
                "expires_at": None,
                "expire_content": False,
                "single_use_per_user": True,
            },
        )
        offers = [store.get("offers", i) for i in offer_ids]
        put(store, "promo_code_pools.offers", {"offers": [o for o in offers if o]}, pool["id"])
        for i in range(2):
            code = f"{name.split()[0].upper()}-{i + 1:02d}"
            put(
                store,
                "promo_codes",
                {
                    "code": code,
                    "use_count": i,
                    "max_uses": 100,
                    "active": True,
                    "promo_code_pool_id": pool["id"],
                },
            )
    put(
        store,
        "training_credit_codes",
        {
            "training_credit_code": "TRAIN-2026",
            "credits_used": 2,
            "credits_total": 10,
            "expiration_date": None,
            "expire_content": False,
            "tracking_identifier": "partner enablement",
            "available_to_all_students": True,
            "student_groups": [],
            "available_for_all_offers": True,
            "offers": [],
        },
    )
    pool = put(
        store,
        "domains.access_code_pools",
        {
            "name": "Partner codes",
            "active": True,
            "start_date": at(0),
            "end_date": None,
            "expire_linked_to_domain_membership": False,
            "channel": None,
            "code_count": 2,
        },
        domain,
    )
    for i in range(2):
        put(
            store,
            "domains.access_code_pools.access_codes",
            {
                "code": f"WELCOME-{i + 1:02d}",
                "active": True,
                "max_uses": 100,
                "use_count": 0,
                "duration": None,
                "duration_unit": "DAYS",
                "users": [],
            },
            domain,
            pool["id"],
        )
    group = store.rows("groups")[-1]
    link = {"access_code_pool": ref(pool, "name"), "created_at": at(1)}
    put(store, "groups.access_code_pools", link, group["id"])
    domain_row = store.get("domains", domain) or {}
    put(
        store,
        "license_packages",
        {
            "name": "Partner seats 2026",
            "license_count": 50,
            "tracking_id": "LP-2026",
            "start_date": at(0),
            "end_date": at(365),
            "domain_id": domain_row.get("id", ""),
            "license_seats_remaining": 50,
            "offer_ids": offer_ids[:1],
            "max_unique_seats": None,
        },
    )


def _links(store: Store, domain: str, pcs: list[Row], path: Row, groups: list[Row]) -> None:
    labels = {row["name"]: row for row in store.rows("labels")}
    tags = store.rows("tags")
    for course in store.rows("courses"):
        for name in course.get("labels", []):
            if name in labels:
                put(store, "courses.labels", {"label": ref(labels[name], "name")}, course["id"])
    first, second = pcs[0], pcs[1]
    ids = (domain, second["id"])
    put(
        store,
        "domains.published_courses.published_course_prerequisites",
        {"published_course": {"id": first["id"]}},
        *ids,
    )
    group = ref(groups[0], "name")
    put(
        store,
        "domains.published_courses.student_group_prerequisites",
        {"student_group": group},
        *ids,
    )
    put(
        store,
        "domains.published_courses.visibility_overrides",
        {"student_group": group, "is_visible": True},
        *ids,
    )
    put(store, "domains.published_courses.tags", {"tag": ref(tags[0], "name", "slug")}, *ids)
    pp = (domain, path["id"])
    put(
        store,
        "domains.published_paths.labels",
        {"label": ref(next(iter(labels.values())), "name")},
        *pp,
    )
    put(store, "domains.published_paths.tags", {"tag": ref(tags[1], "name", "slug")}, *pp)
    put(
        store,
        "domains.published_paths.visibility_overrides",
        {"student_group": group, "is_visible": True},
        *pp,
    )
    for item in store.rows("domains.published_paths.path_items", *pp):
        pc = store.get("domains.published_courses", domain, item["published_course"]["id"]) or {}
        row = {"id": item["id"], "slug": pc.get("slug", ""), "course": pc.get("course", {})}
        put(store, "paths.path_items", row, path["path"]["id"])
    series = put(
        store,
        "domains.course_series",
        {
            "title": "Administrator Series",
            "visible_on_catalog": True,
            "series_url": f"https://{domain}/series/administrator",
            "published_course_count": 2,
            "offer": dict(first["offer"]),
        },
        domain,
    )
    for pc in pcs[1:3]:  # the same objects: an update shows in the series too
        store.tables["domains.course_series.published_courses"].put(
            (domain, series["id"]), pc["id"], pc
        )
    for n, (label, kind) in enumerate((("Company", "TEXT"), ("Role", "PICKLIST"))):
        put(
            store,
            "domains.signup_fields",
            {
                "type": kind,
                "label": label,
                "help_text": "",
                "regex_validator": "",
                "regex_validator_error_text": "",
                "required": n == 0,
                "active": True,
                "order": n,
                "options": [] if kind == "TEXT" else [{"id": f"role{n}", "value": "Admin"}],
            },
            domain,
        )


def _learner_rows(store: Store, domain: str, pcs: list[Row], plan: Row, groups: list[Row]) -> None:
    people = list(store.people.values())[:3]
    if not people:
        return
    person = people[0]
    uid = str(person["id"])
    for other in people:
        # Enrolled when they signed up, so the seed moves no one's latest_activity.
        joined = (store.tables["users"].get((), str(other["id"])) or {}).get("signed_up_at")
        table = "domains.plan.plan_enrollments"
        enroll(store, table, (domain, plan["id"]), other, enrolled_at=joined)
    group = groups[0]
    put(store, "groups.users", {"user": person, "created_at": at(2)}, group["id"])
    membership = {"id": f"gm{uid}", "group": ref(group, "name"), "joined_at": at(2)}
    store.tables["users.groups"].put((uid,), group["id"], membership)
    group["user_count"] = 1
    put(
        store,
        "domains.users.invites",
        {
            "token": "invite-token-1",
            "sent_at": at(1),
            "used_at": None,
            "invite_url": f"https://{domain}/invite/invite-token-1",
        },
        domain,
        uid,
    )
    field = store.rows("domains.signup_fields", domain)[0]
    put(
        store,
        "domains.users.signup_fields",
        {"signup_field": ref(field, "label"), "value": "Example Corp"},
        domain,
        uid,
    )
    package = store.rows("license_packages")[0]
    seat = {"id": f"seat{uid}", "student": dict(person), "enrolled_at": at(3), "active": True}
    put(store, "license_packages.students", seat, package["id"])
    package["license_seats_remaining"] = int(package["license_seats_remaining"]) - 1
    event = store.rows("vilt_session_events")[0]
    session = event["vilt_session"]
    put(
        store,
        "vilt_session_registrations",
        {
            "attended": False,
            "vilt_session": {"id": session["id"]},
            "user": dict(person),
            "student_lesson_progress": {
                "id": f"slp{uid}",
                "user": dict(person),
                "lesson": session["lesson"],
            },
        },
    )
    session["registration_count"] = 1
    for row in store.rows("users.published_courses", uid):
        pc = store.get("domains.published_courses", domain, row["published_course_id"])
        if pc is None:
            continue
        for lesson in store.find("lessons", course_id=pc["course"]["id"])[:2]:
            progress = {
                "view_count": 1,
                "last_viewed_on": at(5),
                "completed_at": None,
                "success_status": None,
                "score": None,
                "max_score": None,
                "custom_data": None,
                "lesson_progress_id": f"lp{lesson['id']}",
            }
            put(
                store,
                "users.published_courses.lessons",
                {"lesson": ref(lesson, "title"), "lesson_progress": progress},
                uid,
                pc["id"],
            )
