"""The Skilljar emulator over real HTTP (plain aiohttp on 127.0.0.1)."""

from __future__ import annotations

import base64
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from skilljar_async.ratelimit import CallType
from skilljar_async.testing import SkilljarEmulator
from skilljar_async.testing._seed import LEARN, PARTNERS

from ._helpers import api_for

# -- auth and errors --------------------------------------------------------------------


async def test_ping_answers_empty_200() -> None:
    """GET /v1/ping with a valid key is a 200 with an empty body."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        answer = await api.get("/ping")
    assert (answer.status, answer.text) == (200, "")
    assert answer.headers["X-Emulator-Route"] == "ping_retrieve"


async def test_missing_credentials_are_401_and_not_counted() -> None:
    """No Authorization header: 401, DRF's message, a Basic challenge, nothing counted."""
    async with SkilljarEmulator() as emu, api_for(emu, None) as api:
        answer = await api.get("/courses")
        assert answer.status == 401
        assert answer.json == {"detail": "Authentication credentials were not provided."}
        assert answer.headers["WWW-Authenticate"] == 'Basic realm="api"'
        assert emu.counted(CallType.READ) == 0
        assert emu.requests[-1].counted is False


@pytest.mark.parametrize(
    "credentials",
    ["wrong-key:", ":test-key", "test-key:secret"],
    ids=["unknown", "as-password", "password"],
)
async def test_bad_credentials_are_401(credentials: str) -> None:
    """An unknown key, the key sent as password, or a non-empty password are rejected."""
    header = {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}
    async with SkilljarEmulator() as emu, api_for(emu, None) as api:
        answer = await api.get("/courses", headers=header)
        assert answer.status == 401
        assert answer.json == {"detail": "Invalid username/password."}
        assert emu.counted("read") == 0


async def test_bearer_token_is_not_accepted() -> None:
    """The key as a Bearer token is treated as no credentials at all."""
    async with SkilljarEmulator() as emu, api_for(emu, None) as api:
        answer = await api.get("/ping", headers={"Authorization": "Bearer test-key"})
    assert answer.status == 401


async def test_read_only_key_reads_but_cannot_write() -> None:
    """A read-only key gets 200 on GET and 403 (not counted) on POST/PATCH/DELETE."""
    async with SkilljarEmulator() as emu, api_for(emu, emu.read_only_key) as api:
        assert (await api.get("/courses")).status == 200
        for answer in (
            await api.post("/courses", {"title": "t"}),
            await api.patch("/domains/" + LEARN, {"catalog_title": "x"}),
            await api.delete("/courses/abc"),
        ):
            assert answer.status == 403
            assert answer.json == {"detail": "You do not have permission to perform this action."}
        assert emu.counted("read") == 1
        assert emu.counted("modify") == emu.counted("remove") == 0


async def test_unknown_path_is_an_unrouted_404() -> None:
    """A path the API does not have is 404 "Not found." without a route header."""
    async with SkilljarEmulator() as emu, api_for(emu) as api:
        answer = await api.get("/totally-made-up")
    assert answer.status == 404
    assert answer.json == {"detail": "Not found."}
    assert "X-Emulator-Route" not in answer.headers


async def test_unknown_id_is_a_routed_404() -> None:
    """An unknown id on a real path is 404 "Not found." from that operation."""
    async with SkilljarEmulator() as emu, api_for(emu) as api:
        answer = await api.get("/courses/doesnotexist")
        nested = await api.get("/domains/nowhere.example.com/published-courses")
    assert answer.status == nested.status == 404
    assert answer.json == {"detail": "Not found."}
    assert answer.headers["X-Emulator-Route"] == "courses_retrieve"
    assert nested.headers["X-Emulator-Route"] == "domains_published_courses_list"


async def test_wrong_method_is_405_with_allow() -> None:
    """A known path with a method it does not serve is DRF's 405 with an Allow header."""
    async with SkilljarEmulator() as emu, api_for(emu) as api:
        answer = await api.delete("/domains")
    assert answer.status == 405
    assert answer.json == {"detail": 'Method "DELETE" not allowed.'}
    assert answer.headers["Allow"] == "GET, HEAD, OPTIONS"


async def test_missing_required_fields_are_drf_400s() -> None:
    """Required fields are checked at the top level and one nested level down."""
    async with SkilljarEmulator() as emu, api_for(emu) as api:
        course = await api.post("/courses", {"title": "Only a title"})
        nested = await api.post(f"/domains/{LEARN}/users", {"user": {"first_name": "Ada"}})
        absent = await api.post(f"/domains/{LEARN}/users", {})
        not_object = await api.post("/courses", [1, 2])
    assert course.status == 400
    assert course.json == {
        "enforce_sequential_navigation": ["This field is required."],
        "short_description": ["This field is required."],
    }
    assert nested.json == {"user": {"email": ["This field is required."]}}
    assert absent.json == {"user": ["This field is required."]}
    assert not_object.json == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }


async def test_lessons_list_requires_course_id() -> None:
    """GET /v1/lessons without course_id is Skilljar's string-valued 400; with it, a page."""
    async with SkilljarEmulator() as emu, api_for(emu) as api:
        bare = await api.get("/lessons")
        course_id = emu.store.rows("courses")[0]["id"]
        listed = await api.get("/lessons", params={"course_id": course_id})
    assert bare.status == 400
    assert bare.json == {"query_params": "Course ID required as a query parameter"}
    assert listed.status == 200
    assert listed.json["count"] == 5
    assert {row["course_id"] for row in listed.json["results"]} == {course_id}


async def test_head_options_trailing_slash_and_body_formats() -> None:
    """HEAD and OPTIONS are reads, a trailing slash is tolerated, forms and bad JSON handled."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        head = await api.call("HEAD", "/courses")
        options = await api.call("OPTIONS", "/courses")
        slash = await api.get("/courses/")
        form = await api.call("POST", "/labels", data={"name": "from-a-form"})
        broken = await api.call(
            "POST", "/labels", data=b"{nope", headers={"Content-Type": "application/json"}
        )
        text = await api.call(
            "POST", "/labels", data=b"name", headers={"Content-Type": "text/plain"}
        )
    assert (head.status, head.text) == (200, "")
    assert options.status == 200
    assert options.headers["Allow"] == "GET, POST, HEAD, OPTIONS"
    assert slash.status == 200
    assert slash.json["count"] == 6
    assert form.status == 201
    assert form.json["name"] == "from-a-form"
    assert broken.status == 400
    assert broken.json["detail"].startswith("JSON parse error - ")
    assert text.status == 415
    assert text.json == {"detail": 'Unsupported media type "text/plain" in request.'}
    assert [r.call_type for r in emu.requests[:2]] == [CallType.READ, CallType.READ]


async def test_default_page_size_is_250_for_tags() -> None:
    """Tags (like promo codes, pools, quizzes, banks) default to 250 rows a page."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        for n in range(300):
            emu.store.add("tags", {"name": f"tag {n}", "slug": f"tag-{n}"})
        tags = await api.get("/tags")
        labels = await api.get("/labels")
    assert tags.json["count"] == 303
    assert len(tags.json["results"]) == 250
    assert labels.json["count"] == 3


# -- lists ------------------------------------------------------------------------------------


async def test_page_envelope_with_absolute_next_followed_to_the_end() -> None:
    """Page mode: absolute next/previous keep the filters, page_size caps at 1000."""
    async with SkilljarEmulator(users=2500, limits=None) as emu, api_for(emu) as api:
        url: str | None = f"/domains/{LEARN}/users?active=true&page_size=5000"
        seen: list[str] = []
        pages = []
        while url is not None:
            answer = await api.get(url)
            assert answer.status == 200
            pages.append(answer.json)
            seen += [row["user"]["id"] for row in answer.json["results"]]
            url = answer.json["next"]
            if url is not None:
                assert url.startswith(emu.origin + "/v1/domains/")
                assert parse_qs(urlsplit(url).query)["active"] == ["true"]
        assert [len(p["results"]) for p in pages] == [1000, 1000, 500]
        assert pages[0]["count"] == 2500
        assert pages[0]["previous"] is None
        assert "page=" not in pages[1]["previous"]  # DRF drops page=1
        assert parse_qs(urlsplit(pages[2]["previous"]).query)["page"] == ["2"]
        assert len(seen) == len(set(seen)) == 2500
        beyond = await api.get(f"/domains/{LEARN}/users?page=4&page_size=1000")
        assert (beyond.status, beyond.json) == (404, {"detail": "Invalid page."})
        default = await api.get(f"/domains/{LEARN}/users")
        assert len(default.json["results"]) == 100


async def test_users_cursor_mode_yields_every_learner_once() -> None:
    """/v1/users pages by cursor: following next verbatim visits 10,000 learners exactly once."""
    async with SkilljarEmulator(users=10_000, limits=None) as emu, api_for(emu) as api:
        url: str | None = "/users?page_size=1000"
        ids: list[str] = []
        first = None
        while url is not None:
            answer = await api.get(url)
            assert answer.status == 200
            first = first or answer.json
            ids += [row["user"]["id"] for row in answer.json["results"]]
            url = answer.json["next"]
            if url is not None:
                query = parse_qs(urlsplit(url).query)
                assert set(query) == {"cursor", "page_size"}
                assert base64.b64decode(query["cursor"][0]).decode().startswith("p=")
        assert first is not None
        assert first["count"] == 10_000
        assert first["previous"] is None
        assert len(ids) == len(set(ids)) == 10_000
        row = first["results"][0]
        assert set(row) == {
            "user",
            "registration_count",
            "completion_count",
            "signed_up_at",
            "latest_activity",
            "inactive_at",
        }
        assert set(row["user"]) == {"id", "email", "first_name", "last_name"}
        paged = await api.get("/users?page=1&page_size=10")
        assert paged.json["count"] == 10_000
        assert "page=2" in paged.json["next"]
        assert "cursor" not in paged.json["next"]


async def test_users_cursor_previous_link_goes_back() -> None:
    """The cursor previous link returns the page before."""
    async with SkilljarEmulator(users=30, limits=None) as emu, api_for(emu) as api:
        first = (await api.get("/users?page_size=10")).json
        second = (await api.get(first["next"])).json
        back = (await api.get(second["previous"])).json
    assert back["results"] == first["results"]
    assert second["results"] != first["results"]


async def test_users_list_filters_by_email() -> None:
    """GET /v1/users?email= finds the one learner with that address."""
    async with SkilljarEmulator(users=50, limits=None) as emu, api_for(emu) as api:
        person = emu.store.rows("users")[17]["user"]
        answer = await api.get("/users", params={"email": person["email"]})
    assert [row["user"]["id"] for row in answer.json["results"]] == [person["id"]]


async def test_domain_users_filter_by_user_email() -> None:
    """user__email filters domain users on the nested user's e-mail."""
    async with SkilljarEmulator(users=50, limits=None) as emu, api_for(emu) as api:
        person = emu.store.rows("users")[3]["user"]
        hit = await api.get(f"/domains/{LEARN}/users", params={"user__email": person["email"]})
        miss = await api.get(f"/domains/{LEARN}/users", params={"user__email": "no@example.com"})
    assert [row["user"]["id"] for row in hit.json["results"]] == [person["id"]]
    assert miss.json["count"] == 0


async def test_user_listings_are_bare_arrays() -> None:
    """The three per-user listings are unpaginated JSON arrays."""
    async with SkilljarEmulator(users=20, limits=None) as emu, api_for(emu) as api:
        uid = emu.store.rows("users")[0]["user"]["id"]  # learner 0 is on the published path
        courses = await api.get(f"/users/{uid}/published-courses")
        paths = await api.get(f"/users/{uid}/published-path-enrollments")
        plans = await api.get(f"/users/{uid}/plan-enrollments")
    assert isinstance(courses.json, list)
    assert isinstance(plans.json, list)
    assert isinstance(paths.json, list)
    assert len(paths.json) == 1
    assert len(courses.json) == emu.store.count("enrollments", user__id=uid)
    for row in courses.json:
        assert {"published_course_id", "course", "course_progress", "all_enrollments"} <= set(row)


async def test_wrapped_lists() -> None:
    """Email-domain rules and webhook samples wrap their list in one object."""
    async with SkilljarEmulator(users=3, limits=None) as emu, api_for(emu) as api:
        group_id = emu.store.rows("groups")[0]["id"]
        rules = await api.get(f"/groups/{group_id}/email-domain-rules")
        await api.patch(f"/groups/{group_id}/email-domain-rules", {"add": ["example.net"]})
        after = await api.get(f"/groups/{group_id}/email-domain-rules")
        sample = await api.get("/webhooks/sample-course-enrollment")
    assert rules.json == {"email_domains": ["example.com"]}
    assert after.json == {"email_domains": ["example.com", "example.net"]}
    assert set(sample.json) == {"results"}
    assert len(sample.json["results"]) == 1
    assert sample.json["results"][0]["event_type"] == "COURSE_ENROLLMENT"


# -- writes ------------------------------------------------------------------------------------


async def test_enrollment_create_is_naturally_idempotent() -> None:
    """Same user + enrolled_at returns the existing enrollment; another enrolled_at is new."""
    async with SkilljarEmulator(users=5, limits=None) as emu, api_for(emu) as api:
        pc = emu.store.rows("domains.published_courses", LEARN)[4]
        uid = emu.store.rows("users")[1]["user"]["id"]
        path = f"/domains/{LEARN}/published-courses/{pc['id']}/enrollments"
        body = {"user": {"id": uid}, "enrolled_at": "2025-03-01T10:00:00Z"}
        first = await api.post(path, body)
        again = await api.post(path, body)
        other = await api.post(path, {**body, "enrolled_at": "2025-04-01T10:00:00Z"})
        unknown = await api.post(path, {"user": {"id": "nosuchuser"}})
        listed = await api.get(path)
        progress = await api.get(f"/users/{uid}/published-courses/{pc['id']}")
    assert first.status == again.status == other.status == 201
    assert again.json == first.json
    assert again.headers["X-Emulator-Existing"] == "true"
    assert other.json["id"] != first.json["id"]
    assert first.json["user"]["email"] == emu.store.people[uid]["email"]
    assert unknown.status == 400
    assert unknown.json == {"user": {"id": ['Invalid pk "nosuchuser" - object does not exist.']}}
    assert sum(1 for r in listed.json["results"] if r["user"]["id"] == uid) == 2
    assert progress.status == 200
    assert len(progress.json["all_enrollments"]) == 2


async def test_domain_user_create_is_idempotent_by_email_across_domains() -> None:
    """Adding an existing e-mail returns that domain user; the user id is shared by domains."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        body = {"user": {"email": "grace.hopper@example.com", "first_name": "Grace"}}
        first = await api.post(f"/domains/{LEARN}/users", body)
        again = await api.post(f"/domains/{LEARN}/users", body)
        partner = await api.post(f"/domains/{PARTNERS}/users", body)
        one = await api.get(f"/domains/{LEARN}/users/{first.json['user']['id']}")
        learner = await api.get(f"/users/{first.json['user']['id']}")
    assert first.status == again.status == partner.status == 201
    assert again.json == first.json
    assert partner.json["user"]["id"] == first.json["user"]["id"]
    assert one.json["user"]["email"] == "grace.hopper@example.com"
    assert learner.json["user"]["first_name"] == "Grace"
    assert emu.store.count("domains.users", user__email="grace.hopper@example.com") == 2


async def test_user_update_and_anonymize() -> None:
    """Renaming a learner shows everywhere; anonymize answers 200 with the overview."""
    async with SkilljarEmulator(users=3, limits=None) as emu, api_for(emu) as api:
        uid = emu.store.rows("users")[0]["user"]["id"]
        taken = emu.store.rows("users")[1]["user"]["email"]
        clash = await api.patch(f"/users/{uid}", {"email": taken})
        renamed = await api.patch(f"/users/{uid}", {"email": "new.name@example.com"})
        domain_user = await api.get(f"/domains/{LEARN}/users/{uid}")
        anonymized = await api.post(f"/users/{uid}/anonymize")
    assert clash.status == 400
    assert "email" in clash.json
    assert renamed.status == 200
    assert renamed.json["email"] == domain_user.json["user"]["email"] == "new.name@example.com"
    assert anonymized.status == 200
    assert anonymized.json["user"]["first_name"] == "Anonymized"


async def test_course_publication_and_crud() -> None:
    """Courses CRUD, publishing on a domain (course nested), then deleting with 204."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        body = {
            "title": "Emulated",
            "short_description": "s",
            "enforce_sequential_navigation": False,
        }
        created = await api.post("/courses", body)
        cid = created.json["id"]
        patched = await api.patch(f"/courses/{cid}", {"title": "Renamed"})
        published = await api.post(f"/domains/{LEARN}/published-courses", {"course": {"id": cid}})
        bad = await api.post(f"/domains/{LEARN}/published-courses", {"course": {"id": "nope"}})
        filtered = await api.get(f"/domains/{LEARN}/published-courses", params={"course__id": cid})
        deleted = await api.delete(f"/courses/{cid}")
        gone = await api.get(f"/courses/{cid}")
    assert created.status == 201
    assert cid.isalnum()
    assert cid == cid.lower()
    assert created.json["created_at"]
    assert created.json["title"] == "Emulated"
    assert patched.json["title"] == "Renamed"
    assert published.status == 201
    assert published.json["course"]["id"] == cid
    assert bad.status == 400
    assert "course" in bad.json
    assert [row["id"] for row in filtered.json["results"]] == [published.json["id"]]
    assert (deleted.status, deleted.text) == (204, "")
    assert gone.status == 404


async def test_webhooks_crud_and_ping_without_network() -> None:
    """Webhook CRUD works and ping reports success without contacting target_url."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        seeded = emu.store.count("webhooks")
        created = await api.post("/webhooks", {"target_url": "http://192.0.2.1/never"})
        wid = created.json["id"]
        ping = await api.post(f"/webhooks/{wid}/ping")
        missing = await api.post("/webhooks/nosuchhook/ping")
        listed = await api.get("/webhooks")
        deleted = await api.delete(f"/webhooks/{wid}")
    assert created.status == 201
    assert created.json["active"] is True
    assert ping.status == 200
    assert ping.json == {"succeeded": True, "http_status_code": 200, "message": "OK"}
    assert missing.status == 404
    assert listed.json["count"] == seeded + 1
    assert wid in [row["id"] for row in listed.json["results"]]
    assert deleted.status == 204


# -- faults ------------------------------------------------------------------------------------


async def test_error_rate_answers_a_proxy_html_page_and_counts_nothing() -> None:
    """error_rate=1.0 answers every authenticated request 502 with an HTML body."""
    async with SkilljarEmulator(error_rate=1.0) as emu, api_for(emu) as api:
        answer = await api.post("/courses", {"title": "x"})
        unauth = await api.get("/ping", headers={"Authorization": "Basic eDo="})
        assert answer.status == 502
        assert answer.headers["Content-Type"].startswith("text/html")
        assert answer.text.startswith("<html><body><h1>502 Bad Gateway</h1>")
        assert unauth.status == 401  # faults never hit requests that fail auth
        assert emu.counted("modify") == 0
        assert [r.fault for r in emu.requests] == ["error", None]
        assert emu.store.count("courses") == 6


async def test_dropped_connections_before_and_after_the_write() -> None:
    """drop_rate=1.0 alternates drop_before (nothing ran) and drop_after (the write happened)."""
    async with SkilljarEmulator(drop_rate=1.0, limits=None) as emu, api_for(emu) as api:
        body = {"title": "t", "short_description": "s", "enforce_sequential_navigation": True}
        for _ in range(2):
            with pytest.raises(aiohttp.ServerDisconnectedError):
                await api.post("/courses", body)
        assert [r.fault for r in emu.requests] == ["drop_before", "drop_after"]
        assert [r.status for r in emu.requests] == [None, 201]
        assert emu.store.count("courses", title="t") == 1
        emu.set_faults(drop_rate=0.0)
        assert (await api.get("/ping")).status == 200


async def test_set_faults_can_drop_only_after() -> None:
    """drop_phase="after" drops every response after the handler ran."""
    async with SkilljarEmulator(limits=None) as emu, api_for(emu) as api:
        emu.set_faults(drop_rate=1.0, drop_phase="after")
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await api.delete(f"/courses/{emu.store.rows('courses')[0]['id']}")
        assert emu.store.count("courses") == 5
        assert emu.requests[-1].fault == "drop_after"


@pytest.mark.looptime
async def test_latency_is_added_on_the_loop_clock() -> None:
    """latency adds exactly that many (virtual) seconds to a round trip."""
    import asyncio

    async with SkilljarEmulator(latency=2.5, limits=None) as emu, api_for(emu) as api:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        assert (await api.get("/ping")).status == 200
        assert loop.time() - t0 == pytest.approx(2.5)
        assert emu.requests[-1].at - t0 == pytest.approx(1.25)


# -- seed, CLI, plugin -----------------------------------------------------------------------


def test_seed_is_deterministic() -> None:
    """The same seed gives the same learners; another seed gives others."""
    big = SkilljarEmulator(users=10_000, seed=7)
    again = SkilljarEmulator(users=10_000, seed=7)
    other = SkilljarEmulator(users=10, seed=8)
    emails = [r["user"]["email"] for r in big.store.rows("users")]
    assert emails == [r["user"]["email"] for r in again.store.rows("users")]
    assert emails[:10] != [r["user"]["email"] for r in other.store.rows("users")]
    assert all(e.endswith("@example.com") and e.count(".") >= 2 for e in emails)
    assert big.store.count("domains") == 2
    assert big.store.count("domains.users", LEARN) == 10_000


def test_cli_help() -> None:
    """``python -m skilljar_async.testing --help`` documents the options."""
    result = subprocess.run(
        [sys.executable, "-m", "skilljar_async.testing", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    for option in ("--port", "--users", "--seed", "--limits", "--latency-ms", "--drop-rate"):
        assert option in result.stdout


def test_cli_limits_parsing() -> None:
    """--limits accepts skilljar, off, or CALLS/SECONDS windows."""
    from skilljar_async.ratelimit import RateLimits, Window
    from skilljar_async.testing.__main__ import parse_limits

    assert parse_limits("skilljar") == RateLimits.skilljar()
    assert parse_limits("off") is None
    assert parse_limits("20/1,50/5") == RateLimits.uniform(Window(20, 1.0), Window(50, 5.0))


@pytest.mark.skilljar_emulator(users=12, limits=None)
async def test_pytest_fixture_uses_the_marker(skilljar_emulator: SkilljarEmulator) -> None:
    """The skilljar_emulator fixture is started and configured by its marker."""
    assert skilljar_emulator.store.count("users") == 12
    async with api_for(skilljar_emulator) as api:
        assert (await api.get("/ping")).status == 200
