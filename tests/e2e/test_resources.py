"""The core resources' every method end to end: the real client over HTTP against the emulator."""

from collections.abc import AsyncIterator

import pytest

from skilljar_async import NotFoundError, SkilljarClient, ValidationError
from skilljar_async.models import Domain, DomainUser, Enrollment, UserOverview
from skilljar_async.testing import SkilljarEmulator

DOMAIN = "learn.example.com"


@pytest.fixture
async def emu() -> AsyncIterator[SkilljarEmulator]:
    async with SkilljarEmulator(users=30, limits=None) as emulator:
        yield emulator


@pytest.fixture
async def client(emu: SkilljarEmulator) -> AsyncIterator[SkilljarClient]:
    async with SkilljarClient(emu.api_key, base_url=emu.base_url) as c:
        yield c


async def test_ping(client: SkilljarClient) -> None:
    """GET /v1/ping answers an empty 200 through both spellings."""
    assert await client.ping.retrieve() is None
    assert await client.ping() is None


async def test_users(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    """Users list (cursor rows nested under user), retrieve, update and partial update."""
    rows = [row async for row in client.users.list(page_size=7)]
    assert len(rows) == 30
    assert all(isinstance(row, UserOverview) for row in rows)
    uid = rows[0].user.id
    assert (await client.users.retrieve(uid)).user.id == uid
    await client.users.partial_update(uid, first_name="Grace")
    await client.users.update(uid, last_name="Hopper")
    person = (await client.users.retrieve(uid)).user
    assert (person.first_name, person.last_name) == ("Grace", "Hopper")
    progress = [p async for p in client.users.published_courses.list(uid)]
    assert all(p.published_course_id for p in progress)


async def test_domains(client: SkilljarClient) -> None:
    """Domains list, retrieve and update."""
    names = [d.name async for d in client.domains.list()]
    assert DOMAIN in names
    domain = await client.domains.retrieve(DOMAIN)
    assert isinstance(domain, Domain)
    await client.domains.partial_update(DOMAIN, catalog_title="Academy")
    await client.domains.update(DOMAIN, catalog_title="Academy 2")
    assert (await client.domains.retrieve(DOMAIN)).catalog_title == "Academy 2"


async def test_domain_users(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    """Domain users: create is naturally idempotent by email; filter, retrieve, update."""
    first = await client.domains.users.create(DOMAIN, email="ada@example.com", first_name="Ada")
    again = await client.domains.users.create(DOMAIN, email="ada@example.com")
    assert isinstance(first, DomainUser)
    assert first.user.id == again.user.id
    found = [m async for m in client.domains.users.list(DOMAIN, user__email="ada@example.com")]
    assert [m.user.id for m in found] == [first.user.id]
    await client.domains.users.partial_update(DOMAIN, first.user.id, active=False)
    assert (await client.domains.users.retrieve(DOMAIN, first.user.id)).active is False
    await client.domains.users.update(DOMAIN, first.user.id, active=True)
    assert emu.store.count("domains.users", DOMAIN, user__email="ada@example.com") == 1


async def test_courses_and_published_courses(client: SkilljarClient) -> None:
    """Courses CRUD, publishing on a domain, and the published course's lifecycle."""
    course = await client.courses.create(
        title="Async 101", short_description="Intro", enforce_sequential_navigation=False
    )
    assert (await client.courses.retrieve(course.id)).title == "Async 101"
    await client.courses.partial_update(course.id, title="Async 102")
    await client.courses.update(course.id, short_description="Intro 2")
    assert course.id in [c.id async for c in client.courses.list()]
    published = await client.domains.published_courses.create(DOMAIN, course_id=course.id)
    pcs = client.domains.published_courses
    assert (await pcs.retrieve(DOMAIN, published.id)).id == published.id
    await pcs.partial_update(DOMAIN, published.id, hidden=True)
    await pcs.update(DOMAIN, published.id, hidden=False)
    assert published.id in [p.id async for p in pcs.list(DOMAIN)]
    await pcs.destroy(DOMAIN, published.id)
    with pytest.raises(NotFoundError):
        await pcs.retrieve(DOMAIN, published.id)
    await client.courses.destroy(course.id)
    with pytest.raises(NotFoundError):
        await client.courses.retrieve(course.id)


async def test_course_enrollments(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    """Enrollment create is idempotent per learner; list, retrieve, update."""
    member = await client.domains.users.create(DOMAIN, email="enrollee@example.com")
    pc = (await client.domains.published_courses.list(DOMAIN)).items[0]
    enrollments = client.domains.published_courses.enrollments
    created = await enrollments.create(DOMAIN, pc.id, user_id=member.user.id)
    assert isinstance(created, Enrollment)
    same = await enrollments.create(
        DOMAIN, pc.id, user_id=member.user.id, enrolled_at=created.enrolled_at
    )
    assert same.id == created.id
    assert (await enrollments.retrieve(DOMAIN, pc.id, created.id)).user.id == member.user.id
    await enrollments.partial_update(DOMAIN, pc.id, created.id, active=False)
    await enrollments.update(DOMAIN, pc.id, created.id, active=True)
    ids = [e.id async for e in enrollments.list(DOMAIN, pc.id)]
    assert ids.count(created.id) == 1
    with pytest.raises(ValidationError) as info:
        await enrollments.create(DOMAIN, pc.id, user_id="nosuchuser")
    assert "user.id" in info.value.field_errors


async def test_published_paths_and_enrollments(client: SkilljarClient) -> None:
    """Published paths CRUD and their enrollments."""
    paths = client.domains.published_paths
    path = await paths.create(DOMAIN, slug="async-track", title="Async track")
    assert (await paths.retrieve(DOMAIN, path.id)).id == path.id
    await paths.partial_update(DOMAIN, path.id, hidden=True)
    await paths.update(DOMAIN, path.id, hidden=False)
    assert path.id in [p.id async for p in paths.list(DOMAIN)]
    member = await client.domains.users.create(DOMAIN, email="pathfinder@example.com")
    enrollments = paths.published_path_enrollments
    enrollment = await enrollments.create(DOMAIN, path.id, user_id=member.user.id)
    assert (await enrollments.retrieve(DOMAIN, path.id, enrollment.id)).id == enrollment.id
    await enrollments.partial_update(DOMAIN, path.id, enrollment.id, active=False)
    await enrollments.update(DOMAIN, path.id, enrollment.id, active=True)
    assert [e.id async for e in enrollments.list(DOMAIN, path.id)] == [enrollment.id]
    await paths.destroy(DOMAIN, path.id)


async def test_webhooks(client: SkilljarClient) -> None:
    """Webhooks CRUD and ping; the secret never shows in repr."""
    hook = await client.webhooks.create(
        target_url="https://hooks.example.com/in?token=t0p",
        basic_auth_username="skilljar",
        basic_auth_password="hunter2",
    )
    assert "hunter2" not in repr(hook)
    assert "t0p" not in repr(hook)
    assert (await client.webhooks.retrieve(hook.id)).basic_auth_password == "hunter2"
    await client.webhooks.partial_update(hook.id, active=False)
    await client.webhooks.update(hook.id, active=True)
    assert hook.id in [h.id async for h in client.webhooks.list()]
    result = await client.webhooks.ping(hook.id)
    assert result.succeeded
    await client.webhooks.destroy(hook.id)
    with pytest.raises(NotFoundError):
        await client.webhooks.retrieve(hook.id)
