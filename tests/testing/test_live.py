"""Live behaviours of the API that the emulator reproduces (NOTES §1 quirks 4, 7, 8)."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest

from skilljar_async.testing import SkilljarEmulator
from skilljar_async.testing._live import PROCESSING_SECONDS
from skilljar_async.testing._model import enroll, publish_course
from skilljar_async.testing._seed import LEARN, PARTNERS

from ._helpers import api_for


async def test_file_lists_carry_no_download_url() -> None:
    """NOTES §1 quirk 7: asset and web-package list rows have no download_url."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        for path in ("/assets", "/web-packages"):
            rows = (await api.get(path)).json["results"]
            assert rows
            assert all("download_url" not in row for row in rows)


async def test_detail_download_url_is_presigned_and_changes() -> None:
    """NOTES §1 quirk 7: the detail view's download_url changes on every fetch and expires."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        for path in ("/assets", "/web-packages"):
            row_id = (await api.get(path)).json["results"][0]["id"]
            first = (await api.get(f"{path}/{row_id}")).json["download_url"]
            second = (await api.get(f"{path}/{row_id}")).json["download_url"]
            assert first != second
            query = parse_qs(urlsplit(first).query)
            assert set(query) == {"AWSAccessKeyId", "Expires", "Signature"}
            assert int(query["Expires"][0]) > 0


@pytest.mark.looptime
async def test_asset_is_processed_later() -> None:
    """NOTES §1 quirk 8: POST /v1/assets answers before type and download_url exist."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        body = {"content_url": "https://files.example.com/guide.pdf", "asset": {"name": "Guide"}}
        created = await api.post("/assets", body)
        assert created.status == 201
        assert "type" not in created.json
        early = (await api.get(f"/assets/{created.json['id']}")).json
        assert "type" not in early
        assert "download_url" not in early
        await asyncio.sleep(PROCESSING_SECONDS)
        done = (await api.get(f"/assets/{created.json['id']}")).json
        assert done["type"] == "PDF"
        assert done["download_url"].startswith("https://")


async def test_web_package_moves_from_processing_to_ready_or_error() -> None:
    """NOTES §1 quirk 8: a web package is PROCESSING, then READY (a zip) or ERROR."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        ids = {}
        for name, url in (
            ("ok", "https://f.example.com/pkg.zip"),
            ("bad", "https://f.example.com/x"),
        ):
            body = {"content_url": url, "web_package": {"title": name}}
            created = await api.post("/web-packages", body)
            assert created.json["state"] == "PROCESSING"
            ids[name] = created.json["id"]
        assert emu.finish_processing() == 2
        states = {n: (await api.get(f"/web-packages/{i}")).json["state"] for n, i in ids.items()}
        assert states == {"ok": "READY", "bad": "ERROR"}


async def test_bulk_user_creation_is_queued() -> None:
    """NOTES §1 quirk 8: bulk-create validates everything, then users appear only later."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        bad = await api.post(f"/domains/{LEARN}/users/bulk-create", {"users": [{"email": "x"}]})
        assert bad.status == 400
        body = {"users": [{"email": "queued@example.com"}]}
        answer = await api.post(f"/domains/{LEARN}/users/bulk-create", body)
        assert answer.status == 200
        assert emu.store.user_by_email("queued@example.com") is None
        emu.finish_processing()
        assert emu.store.user_by_email("queued@example.com") is not None


async def test_progress_resolves_by_the_underlying_course() -> None:
    """NOTES §1 quirk 4: progress for a publication resolves through its course."""
    async with SkilljarEmulator(limits=None, users=1) as emu, api_for(emu) as api:
        store = emu.store
        person = next(iter(store.people.values()))
        course = store.rows("courses")[1]
        ours = publish_course(store, PARTNERS, course)
        other = publish_course(store, LEARN, course, slug="twin")
        enroll(store, "domains.published_courses.enrollments", (PARTNERS, ours["id"]), person)
        answer = await api.get(f"/users/{person['id']}/published-courses/{other['id']}")
        assert answer.status == 200
        assert answer.json["published_course_id"] == ours["id"]
        missing = await api.get(f"/users/{person['id']}/published-courses/nosuchcourse")
        assert missing.status == 404


async def test_latest_activity_moves_on_enrollment_and_progress() -> None:
    """Enrolling and updating course progress move the learner's latest_activity."""
    async with SkilljarEmulator(limits=None, users=1) as emu, api_for(emu) as api:
        uid = next(iter(emu.store.people))
        before = (await api.get(f"/users/{uid}")).json["latest_activity"]
        pc = emu.store.rows("domains.published_courses", LEARN)[-1]
        enrolled = await api.post(
            f"/domains/{LEARN}/published-courses/{pc['id']}/enrollments", {"user": {"id": uid}}
        )
        assert enrolled.status == 201
        after = (await api.get(f"/users/{uid}")).json["latest_activity"]
        assert after > before
        update = {"course_progress": {"score": 3}}
        await api.patch(f"/users/{uid}/published-courses/{pc['id']}", update)
        assert (await api.get(f"/users/{uid}")).json["latest_activity"] >= after
