"""Seeded catalog pages, ILT and VILT events, quizzes and question banks.

Part of the organisation `_seed_org` builds; also the small helpers both use.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ._catalogue import Row
from ._store import Store

__all__ = ["at", "put", "ref", "seed_catalog_pages", "seed_events", "seed_quizzes"]

_DAY = timedelta(days=1)
_START = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def at(days: float) -> str:
    return (_START + days * _DAY).isoformat()


def put(store: Store, name: str, row: Row, *parents: str) -> Row:
    return store.add(name, row, *parents)


def ref(row: Row, *keys: str) -> Row:
    return {k: row[k] for k in ("id", *keys) if k in row}


def seed_catalog_pages(
    store: Store, domain: str, pcs: list[Row], path: Row, groups: list[Row]
) -> None:
    classic = put(
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
    builder = put(
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
        put(
            store,
            "domains.catalog_pages.classic_page_items",
            {"order": order + 1, "type": "PUBLISHED_COURSE", "item_published_course_id": pc["id"]},
            domain,
            classic["id"],
        )
    put(
        store,
        "domains.catalog_pages.classic_page_items",
        {"order": 3, "type": "PUBLISHED_PATH", "item_published_path_id": path["id"]},
        domain,
        classic["id"],
    )
    page = (domain, builder["id"])
    html = put(
        store, "domains.catalog_pages.html_content_blocks", {"html": "<h2>Welcome</h2>"}, *page
    )
    tiles = put(
        store,
        "domains.catalog_pages.tile_container_content_blocks",
        {"title": "Popular courses"},
        *page,
    )
    put(
        store,
        "domains.catalog_pages.content_blocks",
        {"order": 1, "type": "HTML", "html_content_block_id": html["id"]},
        *page,
    )
    put(
        store,
        "domains.catalog_pages.content_blocks",
        {"order": 2, "type": "TILE_SECTION", "tile_container_content_block_id": tiles["id"]},
        *page,
    )
    for order, pc in enumerate(pcs[:3]):
        put(
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
    put(store, "domains.catalog_pages.tags", {"tag": ref(tag, "name", "slug")}, *page)
    put(
        store,
        "domains.catalog_pages.visibility_overrides",
        {"student_group": ref(groups[0], "name"), "is_visible": True},
        *page,
    )


def seed_events(store: Store) -> None:
    instructor = put(
        store,
        "ilt_instructors",
        {
            "email": "grace.instructor@example.com",
            "name": "Grace Instructor",
            "providers": ["calendar"],
        },
    )
    lesson = store.rows("lessons")[0]
    event = put(
        store,
        "ilt_multi_session_events",
        {"lesson": lesson["id"], "display_name": "Admin bootcamp", "seats_total": 30},
    )
    for n in range(2):
        put(
            store,
            "ilt_sessions",
            {
                "instructor_email": instructor["email"],
                "provider": "calendar",
                "lesson": lesson["id"],
                "multi_session_event": event["id"],
                "display_name": f"Admin bootcamp, day {n + 1}",
                "starts_at": at(40 + n),
                "ends_at": at(40 + n + 0.25),
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
    put(
        store,
        "vilt_session_events",
        {
            "vilt_session": session,
            "starts_at": at(45),
            "ends_at": at(45.05),
            "location": "Zoom",
            "event_location": {"name": "Zoom", "info_url": "", "is_active": True},
            "timezone": "UTC",
        },
    )


def seed_quizzes(store: Store) -> None:
    bank = put(store, "question_banks", {"name": "Security questions", "quiz_association_count": 1})
    quiz = put(store, "quizzes", {"name": "Security check", "passing_percentage_correct": 80})
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
        put(store, "question_banks.questions", dict(question), bank["id"])
        put(store, "quizzes.questions", dict(question), quiz["id"])
    bank["question_count"] = 2
    put(
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
