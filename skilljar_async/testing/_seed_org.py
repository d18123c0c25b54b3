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

from datetime import UTC, datetime, timedelta

from ._catalogue import Row
from ._model import enroll
from ._store import Store

__all__ = ["seed_organisation"]

_DAY = timedelta(days=1)
_START = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def _at(days: float) -> str:
    return (_START + days * _DAY).isoformat()


def _put(store: Store, name: str, row: Row, *parents: str) -> Row:
    return store.add(name, row, *parents)


def _ref(row: Row, *keys: str) -> Row:
    return {k: row[k] for k in ("id", *keys) if k in row}


def seed_organisation(store: Store, domain: str, pcs: list[Row], path: Row, plan: Row) -> None:
    """Fill every remaining list of the org on `domain` (after courses and learners)."""
    _content(store)
    _commerce(store, domain, pcs)
    groups = store.rows("groups")
    _links(store, domain, pcs, path, groups)
    _catalog_pages(store, domain, pcs, path, groups)
    _events(store)
    _quizzes(store)
    _learner_rows(store, domain, pcs, plan, groups)


def _content(store: Store) -> None:
    for name, kind in (("Product tour", "VIDEO_BOTR"), ("Admin handbook", "FILE")):
        _put(
            store,
            "assets",
            {"name": name, "type": kind, "aspect_ratio": "16:9", "sync_completion": False},
        )
    for title in ("Sandbox walkthrough", "Compliance module"):
        _put(
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
        _put(
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
    _put(
        store,
        "progresstokens",
        {"completed_at": None, "success_status": "PASSED", "score": None, "max_score": None},
    )
    for lesson in store.rows("lessons"):
        _put(
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
        pool = _put(
            store,
            "promo_code_pools",
            {
                "name": name,
                "active": True,
                "price_cents": None,
                "percent_off": percent,
                "discount_type": "PERCENT_OFF",
                "starts_at": _at(n * 30),
                "expires_at": None,
                "expire_content": False,
                "single_use_per_user": True,
            },
        )
        offers = [store.get("offers", i) for i in offer_ids]
        _put(store, "promo_code_pools.offers", {"offers": [o for o in offers if o]}, pool["id"])
        for i in range(2):
            code = f"{name.split()[0].upper()}-{i + 1:02d}"
            _put(
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
    _put(
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
    pool = _put(
        store,
        "domains.access_code_pools",
        {
            "name": "Partner codes",
            "active": True,
            "start_date": _at(0),
            "end_date": None,
            "expire_linked_to_domain_membership": False,
            "channel": None,
            "code_count": 2,
        },
        domain,
    )
    for i in range(2):
        _put(
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
    link = {"access_code_pool": _ref(pool, "name"), "created_at": _at(1)}
    _put(store, "groups.access_code_pools", link, group["id"])
    domain_row = store.get("domains", domain) or {}
    _put(
        store,
        "license_packages",
        {
            "name": "Partner seats 2026",
            "license_count": 50,
            "tracking_id": "LP-2026",
            "start_date": _at(0),
            "end_date": _at(365),
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
                _put(store, "courses.labels", {"label": _ref(labels[name], "name")}, course["id"])
    first, second = pcs[0], pcs[1]
    ids = (domain, second["id"])
    _put(
        store,
        "domains.published_courses.published_course_prerequisites",
        {"published_course": {"id": first["id"]}},
        *ids,
    )
    group = _ref(groups[0], "name")
    _put(
        store,
        "domains.published_courses.student_group_prerequisites",
        {"student_group": group},
        *ids,
    )
    _put(
        store,
        "domains.published_courses.visibility_overrides",
        {"student_group": group, "is_visible": True},
        *ids,
    )
    _put(store, "domains.published_courses.tags", {"tag": _ref(tags[0], "name", "slug")}, *ids)
    pp = (domain, path["id"])
    _put(
        store,
        "domains.published_paths.labels",
        {"label": _ref(next(iter(labels.values())), "name")},
        *pp,
    )
    _put(store, "domains.published_paths.tags", {"tag": _ref(tags[1], "name", "slug")}, *pp)
    _put(
        store,
        "domains.published_paths.visibility_overrides",
        {"student_group": group, "is_visible": True},
        *pp,
    )
    for item in store.rows("domains.published_paths.path_items", *pp):
        pc = store.get("domains.published_courses", domain, item["published_course"]["id"]) or {}
        row = {"id": item["id"], "slug": pc.get("slug", ""), "course": pc.get("course", {})}
        _put(store, "paths.path_items", row, path["path"]["id"])
    series = _put(
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
        _put(
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


def _catalog_pages(store: Store, domain: str, pcs: list[Row], path: Row, groups: list[Row]) -> None:
    classic = _put(
        store,
        "domains.catalog_pages",
        {
            "page_title": "All courses",
            "slug": "all-courses",
            "is_classic": True,
            "url": f"https://{domain}/page/all-courses",
            "hidden": False,
        },
        domain,
    )
    builder = _put(
        store,
        "domains.catalog_pages",
        {
            "page_title": "Start here",
            "slug": "start-here",
            "is_classic": False,
            "url": f"https://{domain}/page/start-here",
            "hidden": False,
        },
        domain,
    )
    for order, pc in enumerate(pcs[:2]):
        _put(
            store,
            "domains.catalog_pages.classic_page_items",
            {"order": order + 1, "type": "PUBLISHED_COURSE", "item_published_course_id": pc["id"]},
            domain,
            classic["id"],
        )
    _put(
        store,
        "domains.catalog_pages.classic_page_items",
        {"order": 3, "type": "PUBLISHED_PATH", "item_published_path_id": path["id"]},
        domain,
        classic["id"],
    )
    page = (domain, builder["id"])
    html = _put(
        store, "domains.catalog_pages.html_content_blocks", {"html": "<h2>Welcome</h2>"}, *page
    )
    tiles = _put(
        store,
        "domains.catalog_pages.tile_container_content_blocks",
        {"title": "Popular courses"},
        *page,
    )
    _put(
        store,
        "domains.catalog_pages.content_blocks",
        {"order": 1, "type": "HTML", "html_content_block_id": html["id"]},
        *page,
    )
    _put(
        store,
        "domains.catalog_pages.content_blocks",
        {"order": 2, "type": "TILE_SECTION", "tile_container_content_block_id": tiles["id"]},
        *page,
    )
    for order, pc in enumerate(pcs[:3]):
        _put(
            store,
            "domains.catalog_pages.tile_container_content_blocks.items",
            {
                "order": order + 1,
                "item_type": "PUBLISHED_COURSE",
                "item_published_course_id": pc["id"],
            },
            *page,
            tiles["id"],
        )
    tag = store.rows("tags")[0]
    _put(store, "domains.catalog_pages.tags", {"tag": _ref(tag, "name", "slug")}, *page)
    _put(
        store,
        "domains.catalog_pages.visibility_overrides",
        {"student_group": _ref(groups[0], "name"), "is_visible": True},
        *page,
    )


def _events(store: Store) -> None:
    instructor = _put(
        store,
        "ilt_instructors",
        {
            "email": "grace.instructor@example.com",
            "name": "Grace Instructor",
            "providers": ["calendar"],
        },
    )
    lesson = store.rows("lessons")[0]
    event = _put(
        store,
        "ilt_multi_session_events",
        {"lesson": lesson["id"], "display_name": "Admin bootcamp", "seats_total": 30},
    )
    for n in range(2):
        _put(
            store,
            "ilt_sessions",
            {
                "instructor_email": instructor["email"],
                "provider": "calendar",
                "lesson": lesson["id"],
                "multi_session_event": event["id"],
                "display_name": f"Admin bootcamp, day {n + 1}",
                "starts_at": _at(40 + n),
                "ends_at": _at(40 + n + 0.25),
                "timezone": "America/New_York",
                "description": "",
                "seats_total": 30,
                "location": "Seattle office, room 4",
                "post_registration_instructions": "",
                "event_link": f"https://learn.example.com/events/bootcamp-{n + 1}",
                "tags": [],
            },
        )
    course = store.get("courses", str(lesson["course_id"])) or {}
    session = {
        "id": "vilt0session1",
        "lesson": {
            "id": lesson["id"],
            "title": lesson.get("title", ""),
            "course": {"id": course.get("id", ""), "title": course.get("title", "")},
        },
        "display_name": "Live Q&A",
        "instructor_name": "Grace Instructor",
        "seats_total": 50,
        "registration_count": 0,
    }
    _put(
        store,
        "vilt_session_events",
        {
            "vilt_session": session,
            "starts_at": _at(45),
            "ends_at": _at(45.05),
            "location": "Zoom",
            "event_location": {"name": "Zoom", "info_url": "", "is_active": True},
            "timezone": "UTC",
        },
    )


def _quizzes(store: Store) -> None:
    bank = _put(
        store, "question_banks", {"name": "Security questions", "quiz_association_count": 1}
    )
    quiz = _put(store, "quizzes", {"name": "Security check", "passing_percentage_correct": 80})
    for n, text in enumerate(("Which key signs API calls?", "Where are secrets kept?")):
        question = {
            "html": f"<p>{text}</p>",
            "type": "MULTIPLE_CHOICE",
            "order": n,
            "answers": [
                {
                    "id": f"ans{n}a",
                    "answer_text": "The organisation key",
                    "correct": True,
                    "order": 0,
                },
                {"id": f"ans{n}b", "answer_text": "A user password", "correct": False, "order": 1},
            ],
        }
        _put(store, "question_banks.questions", dict(question), bank["id"])
        _put(store, "quizzes.questions", dict(question), quiz["id"])
    bank["question_count"] = 2
    _put(
        store,
        "quizzes.question_banks",
        {
            "id": bank["id"],
            "name": bank["name"],
            "order": 0,
            "randomize_questions": False,
            "limit_question_count": 0,
            "question_count": 2,
            "quiz_association_count": 1,
        },
        quiz["id"],
    )


def _learner_rows(store: Store, domain: str, pcs: list[Row], plan: Row, groups: list[Row]) -> None:
    people = list(store.people.values())[:3]
    if not people:
        return
    person = people[0]
    uid = str(person["id"])
    for other in people:
        enroll(store, "domains.plan.plan_enrollments", (domain, plan["id"]), other)
    group = groups[0]
    _put(store, "groups.users", {"user": person, "created_at": _at(2)}, group["id"])
    membership = {"id": f"gm{uid}", "group": _ref(group, "name"), "joined_at": _at(2)}
    store.tables["users.groups"].put((uid,), group["id"], membership)
    group["user_count"] = 1
    _put(
        store,
        "domains.users.invites",
        {
            "token": "invite-token-1",
            "sent_at": _at(1),
            "used_at": None,
            "invite_url": f"https://{domain}/invite/invite-token-1",
        },
        domain,
        uid,
    )
    field = store.rows("domains.signup_fields", domain)[0]
    _put(
        store,
        "domains.users.signup_fields",
        {"signup_field": _ref(field, "label"), "value": "Example Corp"},
        domain,
        uid,
    )
    package = store.rows("license_packages")[0]
    seat = {"id": f"seat{uid}", "student": dict(person), "enrolled_at": _at(3), "active": True}
    _put(store, "license_packages.students", seat, package["id"])
    package["license_seats_remaining"] = int(package["license_seats_remaining"]) - 1
    event = store.rows("vilt_session_events")[0]
    session = event["vilt_session"]
    _put(
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
                "last_viewed_on": _at(5),
                "completed_at": None,
                "success_status": None,
                "score": None,
                "max_score": None,
                "custom_data": None,
                "lesson_progress_id": f"lp{lesson['id']}",
            }
            _put(
                store,
                "users.published_courses.lessons",
                {"lesson": _ref(lesson, "title"), "lesson_progress": progress},
                uid,
                pc["id"],
            )
