"""Groups and learners, instructor-led training, commerce and license packages."""

from __future__ import annotations

import datetime as dt

import pytest

from skilljar_async import NotFoundError, SkilljarClient
from skilljar_async.models import Group, IltProvider
from skilljar_async.testing import SkilljarEmulator

from ..testing.test_census import Census
from ._family import WHEN, D, a_user, first_id, scenario


@scenario(
    "groups_create",
    "groups_retrieve",
    "groups_update",
    "groups_list",
    "groups_users_create",
    "groups_users_retrieve",
    "groups_users_list",
    "groups_users_destroy",
    "groups_email_domain_rules_partial_update",
    "groups_email_domain_rules_list",
    "groups_access_code_pools_create",
    "groups_access_code_pools_list",
    "groups_access_code_pools_retrieve",
    "groups_access_code_pools_destroy",
    "users_groups_list",
    "groups_destroy",
)
async def groups(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    group = await client.groups.create(name="Partners", rule_email_domains=["partner.example"])
    assert isinstance(group, Group)
    await client.groups.update(group.id, discount_percent=10)
    assert (await client.groups.retrieve(group.id)).discount_percent == 10
    assert group.id in [g.id async for g in client.groups.list(name="Partners")]
    uid = await a_user(client)
    await client.groups.users.create(group.id, user_id=uid)
    member = await client.groups.users.retrieve(group.id, uid)
    assert member.user is not None
    assert member.user.id == uid
    assert [m.user.id async for m in client.groups.users.list(group.id) if m.user] == [uid]
    assert group.id in [m.group.id async for m in client.users.groups.list(uid) if m.group]
    await client.groups.email_domain_rules.partial_update(group.id, add=["example.org"])
    rules = [d async for d in client.groups.email_domain_rules.list(group.id)]
    assert rules == ["partner.example", "example.org"]
    pool = await client.domains.access_code_pools.create(D, name="Partner codes")
    await client.groups.access_code_pools.create(group.id, access_code_pool_id=pool.id)
    linked = await client.groups.access_code_pools.retrieve(group.id, pool.id)
    assert linked.access_code_pool is not None
    assert linked.access_code_pool.id == pool.id
    assert len([p async for p in client.groups.access_code_pools.list(group.id)]) == 1
    await client.groups.access_code_pools.destroy(group.id, pool.id)
    await client.groups.users.destroy(group.id, uid)
    await client.groups.destroy(group.id)
    with pytest.raises(NotFoundError):
        await client.groups.retrieve(group.id)


@scenario("group_categories_list", "group_categories_retrieve")
async def group_categories(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    category_id = await first_id(client.group_categories.list())
    assert (await client.group_categories.retrieve(category_id)).id == category_id


@scenario(
    "users_plan_enrollments_list",
    "users_published_path_enrollments_list",
    "users_published_courses_lessons_list",
    "users_published_courses_lessons_retrieve",
    "users_published_courses_lessons_update",
    "users_published_courses_lessons_partial_update",
    "domains_plan_list",
    "domains_plan_retrieve",
    "domains_plan_plan_enrollments_create",
    "domains_plan_plan_enrollments_list",
    "domains_plan_plan_enrollments_retrieve",
    "domains_plan_plan_enrollments_partial_update",
)
async def user_enrollments(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    uid = await a_user(client)
    plan_id = await first_id(client.domains.plan.list(D))
    assert (await client.domains.plan.retrieve(D, plan_id)).id == plan_id
    plans = client.domains.plan.plan_enrollments
    enrollment = await plans.create(D, plan_id, user_id=uid)
    await plans.partial_update(D, plan_id, enrollment.id, active=False)
    assert (await plans.retrieve(D, plan_id, enrollment.id)).active is False
    assert enrollment.id in [e.id async for e in plans.list(D, plan_id)]
    assert plan_id in [p.plan_id async for p in client.users.plan_enrollments.list(uid)]
    path = (await client.domains.published_paths.list(D)).items[0]
    await client.domains.published_paths.published_path_enrollments.create(D, path.id, user_id=uid)
    on_paths = [
        p.published_path_id async for p in client.users.published_path_enrollments.list(uid)
    ]
    assert path.id in on_paths
    census = Census(emu.store)
    person = census.person["id"]
    pc = census.keys["/v1/users/{user_id}/published-courses"]
    lessons = client.users.published_courses.lessons
    lesson = (await lessons.list(person, pc)).items[0].lesson
    assert lesson is not None
    lesson_id = lesson.id
    await lessons.update(person, pc, lesson_id, completed_at=WHEN)
    await lessons.partial_update(person, pc, lesson_id, score=5)
    progress = (await lessons.retrieve(person, pc, lesson_id)).lesson_progress
    assert progress is not None
    assert (progress.completed_at, progress.score) == (WHEN, 5)


@scenario(
    "ilt_instructors_create",
    "ilt_instructors_list",
    "ilt_instructors_retrieve",
    "ilt_instructors_partial_update",
    "ilt_instructors_destroy",
    "ilt_multi_session_events_create",
    "ilt_multi_session_events_retrieve",
    "ilt_multi_session_events_update",
)
async def ilt_training(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    made = await client.ilt_instructors.create(email="teacher@example.com")
    assert made.email == "teacher@example.com"
    assert [i.email async for i in client.ilt_instructors.list(email="teacher@example.com")] == [
        "teacher@example.com"
    ]
    instructor_id = 1  # instructors are keyed by number; the first one made is 1
    await client.ilt_instructors.partial_update(instructor_id, email="teacher2@example.com")
    assert (await client.ilt_instructors.retrieve(instructor_id)).email == "teacher2@example.com"
    await client.ilt_instructors.destroy(instructor_id)
    lesson = str(Census(emu.store).keys["/v1/lessons"])
    event = await client.ilt_multi_session_events.create(display_name="Bootcamp", lesson=lesson)
    await client.ilt_multi_session_events.update(event.id, seats_total=12)
    got = await client.ilt_multi_session_events.retrieve(event.id)
    assert (got.display_name, got.seats_total) == ("Bootcamp", 12)


@scenario(
    "ilt_sessions_create", "ilt_sessions_retrieve", "ilt_sessions_update", "ilt_sessions_list"
)
async def ilt_sessions(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    start, end = WHEN, WHEN + dt.timedelta(hours=2)
    session = await client.ilt_sessions.create(
        instructor_email="teacher@example.com",
        display_name="Live Q&A",
        starts_at=start,
        ends_at=end,
        timezone="Europe/Paris",
        provider=IltProvider.ZOOM_MEETING,
    )
    assert session.provider is IltProvider.ZOOM_MEETING
    await client.ilt_sessions.update(
        session.id,
        instructor_email="teacher@example.com",
        display_name="Live Q&A 2",
        starts_at=start,
        ends_at=end,
        timezone="Europe/Paris",
    )
    got = await client.ilt_sessions.retrieve(session.id)
    assert (got.display_name, got.timezone, got.starts_at) == ("Live Q&A 2", "Europe/Paris", start)
    assert session.id in [s.id async for s in client.ilt_sessions.list()]


@scenario(
    "vilt_session_events_list",
    "vilt_session_events_retrieve",
    "vilt_session_registrations_create",
    "vilt_session_registrations_retrieve",
    "vilt_session_registrations_partial_update",
    "vilt_session_registrations_list",
    "vilt_session_registrations_destroy",
)
async def vilt(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    session = {"id": "vs1", "display_name": "Live", "seats_total": 20}
    row = {"vilt_session": session, "starts_at": WHEN.isoformat(), "location": "Online"}
    seeded = emu.store.add("vilt_session_events", row)
    listed = [e.id async for e in client.vilt_session_events.list(starts_at__gte=WHEN)]
    assert seeded["id"] in listed
    event_id = seeded["id"]
    event = await client.vilt_session_events.retrieve(event_id)
    assert event.vilt_session is not None
    assert (event.vilt_session.display_name, event.starts_at) == ("Live", WHEN)
    regs = client.vilt_session_registrations
    reg = await regs.create(vilt_session_id=event.vilt_session.id, enrollment_id="e1")
    await regs.partial_update(reg.id, attended=True)
    assert (await regs.retrieve(reg.id)).attended is True
    assert reg.id in [r.id async for r in regs.list()]
    await regs.destroy(reg.id)
    with pytest.raises(NotFoundError):
        await regs.retrieve(reg.id)


@scenario("offers_list", "offers_retrieve", "offers_update", "offers_partial_update")
async def offers(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    Census(emu.store)
    offer_id = await first_id(client.offers.list())
    await client.offers.update(offer_id, price_cents=4900, currency_code="EUR")
    await client.offers.partial_update(offer_id, price_credits=3)
    got = await client.offers.retrieve(offer_id)
    assert (got.price_cents, got.currency_code, got.price_credits) == (4900, "EUR", 3)


@scenario(
    "promo_code_pools_create",
    "promo_code_pools_retrieve",
    "promo_code_pools_update",
    "promo_code_pools_list",
    "promo_code_pools_offers_create",
    "promo_code_pools_offers_list",
    "promo_code_pools_offers_destroy",
    "promo_codes_create",
    "promo_codes_list",
    "promo_codes_retrieve",
    "promo_codes_partial_update",
    "promo_codes_destroy",
    "promo_code_pools_destroy",
)
async def promo_codes(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    pool = await client.promo_code_pools.create(
        name="Spring", starts_at=WHEN, discount_type="PERCENT_OFF", percent_off=20
    )
    await client.promo_code_pools.update(pool.id, starts_at=WHEN, name="Spring sale")
    got = await client.promo_code_pools.retrieve(pool.id)
    assert (got.name, got.percent_off, got.starts_at) == ("Spring sale", 20, WHEN)
    assert pool.id in [p.id async for p in client.promo_code_pools.list(name="Spring sale")]
    offer = str(Census(emu.store).keys["/v1/offers"])
    await client.promo_code_pools.offers.create(pool.id, offer_id=offer)
    assert len([o async for o in client.promo_code_pools.offers.list(pool.id)]) == 1
    await client.promo_code_pools.offers.destroy(pool.id, offer)
    code = await client.promo_codes.create(code="SPRING20", max_uses=10, promo_code_pool_id=pool.id)
    listed = client.promo_codes.list(promo_code_pool_id=pool.id)
    assert [c.code async for c in listed] == ["SPRING20"]
    await client.promo_codes.partial_update(code.id, active=False)
    assert (await client.promo_codes.retrieve(code.id)).active is False
    await client.promo_codes.destroy(code.id)
    await client.promo_code_pools.destroy(pool.id)
    with pytest.raises(NotFoundError):
        await client.promo_code_pools.retrieve(pool.id)


@scenario(
    "purchases_retrieve", "purchases_update", "purchases_partial_update", "purchases_fulfill_create"
)
async def purchases(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    purchase_id = Census(emu.store).keys["/v1/purchases"]
    await client.purchases.update(purchase_id, tax_price_cents=120)
    await client.purchases.partial_update(purchase_id, refund_cents=None)
    assert (await client.purchases.retrieve(purchase_id)).tax_price_cents == 120
    done = await client.purchases.fulfill.create(purchase_id, state="SUCCESS")
    assert done.purchase is not None
    assert done.purchase.state == "SUCCESS"


@scenario(
    "training_credit_codes_create",
    "training_credit_codes_list",
    "training_credit_codes_retrieve",
    "training_credit_codes_partial_update",
)
async def training_credit_codes(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    codes = client.training_credit_codes
    made = await codes.create(training_credit_code="TRAIN-1", credits_total=10)
    assert [c.id async for c in codes.list(training_credit_code="TRAIN-1")] == [made.id]
    await codes.partial_update(made.id, credits_total=12, tracking_identifier="crm-42")
    got = await codes.retrieve(made.id)
    assert (got.credits_total, got.tracking_identifier) == (12, "crm-42")


@scenario(
    "license_packages_create",
    "license_packages_retrieve",
    "license_packages_partial_update",
    "license_packages_list",
    "license_packages_students_create",
    "license_packages_students_list",
    "license_packages_students_partial_update",
    "license_packages_students_update",
    "license_packages_destroy",
)
async def license_packages(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    domain = await client.domains.retrieve(D)
    assert domain.id is not None
    package = await client.license_packages.create(
        domain_id=domain.id, license_count=5, name="Acme"
    )
    await client.license_packages.partial_update(package.id, name="Acme Corp")
    assert (await client.license_packages.retrieve(package.id)).name == "Acme Corp"
    assert package.id in [p.id async for p in client.license_packages.list()]
    seats = client.license_packages.students
    uid = await a_user(client)
    seat = await seats.create(package.id, student_id=uid)
    assert seat.student is not None
    assert seat.student.id == uid
    await seats.partial_update(package.id, uid, active=False)
    await seats.update(package.id, uid, active=True)
    assert [s.active async for s in seats.list(package.id)] == [True]
    await client.license_packages.destroy(package.id)
    with pytest.raises(NotFoundError):
        await client.license_packages.retrieve(package.id)
