"""The Domains family: access codes, catalog pages, course series, domain users, publications."""

from __future__ import annotations

import pytest

from skilljar_async import NotFoundError, SkilljarClient
from skilljar_async.models import BulkUser, InvalidIds, SignupFieldType
from skilljar_async.testing import SkilljarEmulator

from ..testing.test_census import Census
from ._family import WHEN, D, scenario


@scenario(
    "domains_access_code_pools_create",
    "domains_access_code_pools_retrieve",
    "domains_access_code_pools_partial_update",
    "domains_access_code_pools_list",
    "domains_access_code_pools_access_codes_create",
    "domains_access_code_pools_access_codes_retrieve",
    "domains_access_code_pools_access_codes_update",
    "domains_access_code_pools_access_codes_list",
    "domains_access_code_pools_access_codes_destroy",
    "domains_access_code_pools_destroy",
)
async def access_codes(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    pools = client.domains.access_code_pools
    pool = await pools.create(D, name="Spring", start_date=WHEN)
    await pools.partial_update(D, pool.id, active=False)
    got = await pools.retrieve(D, pool.id)
    assert (got.name, got.active, got.start_date) == ("Spring", False, WHEN)
    assert pool.id in [p.id async for p in pools.list(D, name="Spring")]
    code = await pools.access_codes.create(D, pool.id, code="SPRING24", max_uses=5)
    await pools.access_codes.update(D, pool.id, code.id, max_uses=6, duration_unit="DAYS")
    fetched = await pools.access_codes.retrieve(D, pool.id, code.id)
    assert (fetched.code, fetched.max_uses, fetched.duration_unit) == ("SPRING24", 6, "DAYS")
    assert [c.code async for c in pools.access_codes.list(D, pool.id)] == ["SPRING24"]
    await pools.access_codes.destroy(D, pool.id, code.id)
    await pools.destroy(D, pool.id)
    with pytest.raises(NotFoundError):
        await pools.retrieve(D, pool.id)


@scenario(
    "domains_catalog_pages_create",
    "domains_catalog_pages_retrieve",
    "domains_catalog_pages_update",
    "domains_catalog_pages_list",
    "domains_catalog_pages_tags_create",
    "domains_catalog_pages_tags_list",
    "domains_catalog_pages_visibility_overrides_create",
    "domains_catalog_pages_visibility_overrides_retrieve",
    "domains_catalog_pages_visibility_overrides_destroy",
    "domains_catalog_pages_classic_page_items_create",
    "domains_catalog_pages_classic_page_items_partial_update",
    "domains_catalog_pages_content_blocks_create",
    "domains_catalog_pages_content_blocks_list",
    "domains_catalog_pages_html_content_blocks_partial_update",
    "domains_catalog_pages_html_content_blocks_retrieve",
    "domains_catalog_pages_destroy",
)
async def catalog_pages(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    pages = client.domains.catalog_pages
    page = await pages.create(D, page_title="Partners", slug="partners", is_classic=True)
    await pages.update(D, page.id, tile_sort_method="alphabetically_a_to_z")
    got = await pages.retrieve(D, page.id)
    assert (got.page_title, got.tile_sort_method) == ("Partners", "alphabetically_a_to_z")
    assert page.id in [p.id async for p in pages.list(D)]
    tag = await client.tags.create(name="Featured")
    await pages.tags.create(D, page.id, tag_id=tag.id)
    assert [t.tag.id async for t in pages.tags.list(D, page.id) if t.tag] == [tag.id]
    group = await client.groups.create(name="Hidden from")
    await pages.visibility_overrides.create(D, page.id, student_group_id=group.id, is_visible=False)
    override = await pages.visibility_overrides.retrieve(D, page.id, group.id)
    assert override.is_visible is False
    await pages.visibility_overrides.destroy(D, page.id, group.id)
    pc = (await client.domains.published_courses.list(D)).items[0]
    item = await pages.classic_page_items.create(
        D, page.id, item_published_course_id=pc.id, order=1
    )
    moved = await pages.classic_page_items.partial_update(D, page.id, item.id, order=2)
    assert moved.order == 2
    block = await pages.content_blocks.create(D, page.id, type="HTML", order=1)
    assert [b.id async for b in pages.content_blocks.list(D, page.id)] == [block.id]
    census = Census(emu.store)
    base = "/v1/domains/{domain_name}/catalog-pages"
    html_id = census.keys[base + "/{catalog_page_id}/html-content-blocks"]
    page_id = census.keys[base]
    await pages.html_content_blocks.partial_update(D, page_id, html_id, html="<p>Hi</p>")
    assert (await pages.html_content_blocks.retrieve(D, page_id, html_id)).html == "<p>Hi</p>"
    await pages.destroy(D, page.id)
    with pytest.raises(NotFoundError):
        await pages.retrieve(D, page.id)


@scenario(
    "domains_catalog_pages_tile_container_content_blocks_retrieve",
    "domains_catalog_pages_tile_container_content_blocks_update",
    "domains_catalog_pages_tile_container_content_blocks_items_create",
    "domains_catalog_pages_tile_container_content_blocks_items_list",
    "domains_catalog_pages_tile_container_content_blocks_items_destroy",
    "domains_catalog_pages_component_content_blocks_update",
    "domains_catalog_pages_component_content_blocks_retrieve",
)
async def catalog_builder_blocks(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    census = Census(emu.store)
    base = "/v1/domains/{domain_name}/catalog-pages"
    page = census.keys[base]
    tiles = client.domains.catalog_pages.tile_container_content_blocks
    container = census.keys[base + "/{catalog_page_id}/tile-container-content-blocks"]
    await tiles.update(D, page, container, header_text="Popular", alignment="center")
    assert (await tiles.retrieve(D, page, container)).header_text == "Popular"
    plan = census.keys["/v1/domains/{domain_name}/plan"]
    item = await tiles.items.create(D, page, container, item_plan_id=plan, order=2)
    assert item.item_plan_id == plan
    assert item.id in [i.id async for i in tiles.items.list(D, page, container)]
    await tiles.items.destroy(D, page, container, item.id)
    components = client.domains.catalog_pages.component_content_blocks
    component = census.keys[base + "/{catalog_page_id}/component-content-blocks"]
    await components.update(D, page, component, component="federated_search", max_tiles=6)
    got = await components.retrieve(D, page, component)
    assert (got.component, got.max_tiles) == ("federated_search", 6)


@scenario(
    "domains_course_series_list",
    "domains_course_series_retrieve",
    "domains_course_series_published_courses_list",
    "domains_signup_fields_list",
)
async def domain_catalog(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    series_id = Census(emu.store).keys["/v1/domains/{domain_name}/course-series"]
    assert series_id in [s.id async for s in client.domains.course_series.list(D)]
    assert (await client.domains.course_series.retrieve(D, series_id)).id == series_id
    courses = [c async for c in client.domains.course_series.published_courses.list(D, series_id)]
    assert all(c.id for c in courses)
    field = emu.store.add("domains.signup_fields", {"label": "Team", "type": "PICKLIST"}, D)
    listed = [(f.id, f.label, f.type) async for f in client.domains.signup_fields.list(D)]
    assert (field["id"], "Team", SignupFieldType.PICKLIST) in listed


@scenario(
    "bulk_create_domain_users",
    "domains_users_invites_create",
    "domains_users_invites_retrieve",
    "domains_users_invites_list",
    "domains_users_manager_access_update",
    "domains_users_manager_access_destroy",
    "domains_users_signup_fields_create",
    "domains_users_signup_fields_retrieve",
    "domains_users_signup_fields_list",
    "domains_users_signup_fields_bulk_create",
)
async def domain_users(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    users = client.domains.users
    result = await users.bulk_create(
        D, users=[BulkUser(email="b1@example.com"), {"email": "b2@example.com", "active": True}]
    )
    assert result.count == 2
    emu.finish_processing()  # bulk creation is queued (NOTES §1 quirk 8)
    found = [m.user.id async for m in users.list(D, user__email="b1@example.com")]
    assert len(found) == 1
    uid = found[0]
    invite = await users.invites.create(D, uid, send_email=False)
    assert (await users.invites.retrieve(D, uid, invite.id)).id == invite.id
    assert [i.id async for i in users.invites.list(D, uid)] == [invite.id]
    access = await users.manager_access.update(
        D, uid, group_name="Managers", course_access_level="ALL", path_access_level="NONE"
    )
    assert isinstance(access.invalid_ids, InvalidIds)  # the emulator echoes no grant details
    await users.manager_access.destroy(D, uid)
    field = str(emu.store.add("domains.signup_fields", {"label": "Color"}, D)["id"])
    await users.signup_fields.create(D, uid, signup_field_id=field, value="Blue")
    again = await users.signup_fields.create(D, uid, signup_field_id=field, value="Green")
    assert again.value == "Green"  # an upsert
    assert (await users.signup_fields.retrieve(D, uid, field)).value == "Green"
    assert [v.value async for v in users.signup_fields.list(D, uid)] == ["Green"]
    await users.signup_fields_bulk.create(D, uid, signup_fields={field: "Red"})


@scenario(
    "domains_published_courses_tags_create",
    "domains_published_courses_tags_retrieve",
    "domains_published_courses_tags_destroy",
    "domains_published_courses_visibility_overrides_create",
    "domains_published_courses_visibility_overrides_list",
    "domains_published_courses_student_group_prerequisites_create",
    "domains_published_courses_student_group_prerequisites_retrieve",
    "domains_published_courses_published_course_prerequisites_create",
    "domains_published_courses_published_course_prerequisites_list",
    "domains_published_courses_published_course_prerequisites_destroy",
    "domains_published_courses_reenrollment_rule_create",
    "domains_published_courses_reenrollment_rule_retrieve",
    "domains_published_courses_reenrollment_rule_partial_update",
    "domains_published_courses_reenrollment_rule_destroy",
)
async def published_course_rules(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    pcs = client.domains.published_courses
    first, second = (await pcs.list(D)).items[:2]
    tag = await client.tags.create(name="New")
    await pcs.tags.create(D, first.id, tag_id=tag.id)
    linked = await pcs.tags.retrieve(D, first.id, tag.id)
    assert linked.tag is not None
    assert linked.tag.name == "New"
    await pcs.tags.destroy(D, first.id, tag.id)
    group = await client.groups.create(name="Insiders")
    await pcs.visibility_overrides.create(D, first.id, student_group_id=group.id, is_visible=True)
    assert [v.is_visible async for v in pcs.visibility_overrides.list(D, first.id)] == [True]
    await pcs.student_group_prerequisites.create(D, first.id, student_group_id=group.id)
    prereq = await pcs.student_group_prerequisites.retrieve(D, first.id, group.id)
    assert prereq.student_group is not None
    assert prereq.student_group.id == group.id
    await pcs.published_course_prerequisites.create(
        D, first.id, prerequisite_published_course_id=second.id
    )
    before = pcs.published_course_prerequisites.list(D, first.id)
    assert [p.published_course.id async for p in before if p.published_course] == [second.id]
    await pcs.published_course_prerequisites.destroy(D, first.id, second.id)
    rule = await pcs.reenrollment_rule.create(D, first.id, starts_at=WHEN, cycle_duration=12)
    assert rule.cycle_duration == 12
    await pcs.reenrollment_rule.partial_update(D, first.id, cycle_duration_unit="DAYS")
    got = await pcs.reenrollment_rule.retrieve(D, first.id)
    assert (got.starts_at, got.cycle_duration_unit) == (WHEN, "DAYS")
    await pcs.reenrollment_rule.destroy(D, first.id)


@scenario(
    "domains_published_paths_labels_create",
    "domains_published_paths_labels_list",
    "domains_published_paths_path_items_create",
    "domains_published_paths_path_items_retrieve",
    "domains_published_paths_path_items_partial_update",
    "domains_published_paths_path_items_destroy",
    "domains_published_paths_tags_create",
    "domains_published_paths_tags_list",
    "domains_published_paths_visibility_overrides_create",
    "domains_published_paths_visibility_overrides_destroy",
)
async def published_path_parts(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    pps = client.domains.published_paths
    path = await pps.create(D, slug="security-track", title="Security track")
    label = await client.labels.create(name="track")
    await pps.labels.create(D, path.id, label_id=label.id)
    assert [x.label.name async for x in pps.labels.list(D, path.id) if x.label] == ["track"]
    pc = (await client.domains.published_courses.list(D)).items[0]
    item = await pps.path_items.create(D, path.id, order=1, published_course_id=pc.id)
    await pps.path_items.partial_update(D, path.id, item.id, order=2)
    got = await pps.path_items.retrieve(D, path.id, item.id)
    assert got.order == 2
    assert got.published_course is not None
    assert got.published_course.id == pc.id
    await pps.path_items.destroy(D, path.id, item.id)
    tag = await client.tags.create(name="Paths")
    await pps.tags.create(D, path.id, tag_id=tag.id)
    assert [t.tag.id async for t in pps.tags.list(D, path.id) if t.tag] == [tag.id]
    group = await client.groups.create(name="Path viewers")
    await pps.visibility_overrides.create(D, path.id, student_group_id=group.id, is_visible=True)
    await pps.visibility_overrides.destroy(D, path.id, group.id)
