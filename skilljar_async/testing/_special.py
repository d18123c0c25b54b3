"""Operations served with more fidelity than the generic table handlers give.

Ping, learners (list/update/anonymize), domain users (idempotent by e-mail),
enrollments (idempotent per user + ``enrolled_at``, with the per-user derived
rows), published courses and paths, webhooks (ping never makes a network call;
the sample endpoints wrap one generated event), lessons (``course_id`` is
required), group e-mail domain rules, purchase fulfilment.
"""

from __future__ import annotations

from collections.abc import Callable

from ._catalogue import Row
from ._handlers import (
    ApiError,
    Call,
    Handler,
    Reply,
    check_parents,
    insert,
    invalid_pk,
    merge,
    not_found,
    validated,
)
from ._lists import list_reply
from ._model import add_domain_user, enroll, publish_course, publish_path, touch_activity
from ._store import Store, now_iso

__all__ = ["SPECIAL"]

SPECIAL: dict[str, Handler] = {}
_EXISTING = {"X-Emulator-Existing": "true"}


def special(*operation_ids: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for operation_id in operation_ids:
            SPECIAL[operation_id] = handler
        return handler

    return register


def _table_item(call: Call, name: str, *ids: str) -> Row:
    store = call.store
    table = store.tables[name]
    check_parents(call, table, ids[:-1])
    row = table.get(ids[:-1], ids[-1])
    if row is None:
        raise not_found()
    return row


@special("ping_retrieve")
def _ping(call: Call) -> Reply:
    return Reply(200)


# -- learners --------------------------------------------------------------------


@special("users_update", "users_partial_update")
def _user_update(call: Call) -> Reply:
    users_row = _table_item(call, "users", *call.ids)
    person: Row = users_row["user"]
    data = validated(call, partial=True)
    email = data.pop("email", None)
    if email is not None and str(email).lower() != str(person["email"]).lower():
        if call.store.user_by_email(str(email)) is not None:
            raise ApiError(400, {"email": ["A user with this email address already exists."]})
        call.store.rename_user(person, str(email))
    person.update(data)
    return Reply(200, {**person, "inactive_at": users_row["inactive_at"]})


@special("users_anonymize_create")
def _anonymize(call: Call) -> Reply:
    users_row = _table_item(call, "users", *call.ids)
    person: Row = users_row["user"]
    call.store.rename_user(person, f"anonymized-{person['id']}@anonymized.invalid")
    person.update(first_name="Anonymized", last_name="User")
    return Reply(200, call.project(users_row))


@special("domains_users_create")
def _domain_user_create(call: Call) -> Reply:
    store = call.store
    check_parents(call, store.tables["domains.users"], call.ids)
    data = validated(call, partial=False, resolve=False)
    link: Row = data.pop("user")
    person = store.add_user(
        str(link["email"]), str(link.get("first_name", "")), str(link.get("last_name", ""))
    )
    row, created = add_domain_user(store, call.ids[0], person, **data)
    return Reply(201, call.project(row, "DomainUserDetail"), None if created else _EXISTING)


# -- enrollments --------------------------------------------------------------------


@special(
    "domains_published_courses_enrollments_create",
    "domains_published_paths_published_path_enrollments_create",
    "domains_plan_plan_enrollments_create",
)
def _enroll(call: Call) -> Reply:
    store = call.store
    table = store.by_template[call.op.path]
    check_parents(call, table, call.ids)
    data = validated(call, partial=False)
    person: Row = data.pop("user")
    domain, target = call.ids
    row, created = enroll(store, table.name, (domain, target), person, **data)
    return Reply(call.op.success_status, call.project(row), None if created else _EXISTING)


@special("users_published_courses_update", "users_published_courses_partial_update")
def _progress_update(call: Call) -> Reply:
    row = _table_item(call, "users.published_courses", *call.ids)
    was_complete = (row.get("course_progress") or {}).get("completed_at") is not None
    merge(row, validated(call, partial=True))
    now_complete = (row.get("course_progress") or {}).get("completed_at") is not None
    users_row = call.store.tables["users"].get((), call.ids[0])
    # A progress change is learner activity: both latest_activity stamps move, together.
    stamp = now_iso()
    if isinstance(row.get("course_progress"), dict):
        row["course_progress"]["latest_activity"] = stamp
    if users_row is not None and now_complete != was_complete:
        users_row["completion_count"] += 1 if now_complete else -1
    touch_activity(call.store, call.ids[0], stamp)
    return Reply(200, call.project(row))


@special("users_published_courses_lessons_update", "users_published_courses_lessons_partial_update")
def _lesson_progress_update(call: Call) -> Reply:
    row = _table_item(call, "users.published_courses.lessons", *call.ids)
    merge(row, validated(call, partial=True))
    touch_activity(call.store, call.ids[0])
    return Reply(200, call.project(row))


# -- content ------------------------------------------------------------------------


@special("domains_published_courses_create")
def _publish_course(call: Call) -> Reply:
    store = call.store
    check_parents(call, store.tables["domains.published_courses"], call.ids)
    data = validated(call, partial=False)
    link: Row = data.pop("course")
    course = store.tables["courses"].get((), str(link.get("id")))
    if course is None:
        raise invalid_pk("course", link.get("id"))
    row = publish_course(store, call.ids[0], course, **data)
    return Reply(201, call.project(row))


@special("domains_published_paths_create")
def _publish_path(call: Call) -> Reply:
    store = call.store
    check_parents(call, store.tables["domains.published_paths"], call.ids)
    data = validated(call, partial=False)
    path: Row = data.pop("path")
    row = publish_path(store, call.ids[0], path, **data)
    return Reply(201, call.project(row))


@special("domains_published_paths_path_items_create")
def _path_item_create(call: Call) -> Reply:
    store = call.store
    table = store.tables["domains.published_paths.path_items"]
    check_parents(call, table, call.ids)
    data = validated(call, partial=False)
    link = data.get("published_course") or {}
    pc = store.tables["domains.published_courses"].get((call.ids[0],), str(link.get("id")))
    if pc is None:
        raise invalid_pk("published_course", link.get("id"))
    data["published_course"] = {"id": pc["id"], "course_id": pc["course"]["id"], "slug": pc["slug"]}
    row, _ = insert(call, table, call.ids, data)
    pp = store.tables["domains.published_paths"].get((call.ids[0],), call.ids[1])
    if pp is not None:
        pp["path"]["path_item_count"] = len(table.rows(call.ids))
    return Reply(201, call.project(row))


@special("lessons_list")
def _lessons(call: Call) -> Reply:
    if not call.query.get("course_id"):
        raise ApiError(400, {"query_params": "Course ID required as a query parameter"})
    table = call.store.tables["lessons"]
    return list_reply(call, table, table.rows(()))


@special("web_packages_lessons_update")
def _swap_web_package(call: Call) -> Reply:
    _table_item(call, "web_packages", *call.ids)
    data = validated(call, partial=False)
    if call.store.tables["web_packages"].get((), str(data["web_package_id"])) is None:
        raise ApiError(400, {"web_package_id": [f'Invalid pk "{data["web_package_id"]}".']})
    return Reply(200)


# -- groups ---------------------------------------------------------------------------


@special("groups_email_domain_rules_list")
def _email_rules(call: Call) -> Reply:
    group = _table_item(call, "groups", *call.ids)
    return Reply(200, {"email_domains": list(group.get("rule_email_domains") or [])})


@special("groups_email_domain_rules_partial_update")
def _email_rules_patch(call: Call) -> Reply:
    group = _table_item(call, "groups", *call.ids)
    data = validated(call, partial=True)
    domains = list(group.get("rule_email_domains") or [])
    domains += [d for d in data.get("add", []) if d not in domains]
    domains = [d for d in domains if d not in data.get("remove", [])]
    group["rule_email_domains"] = domains
    return Reply(200, {"add": data.get("add", []), "remove": data.get("remove", [])})


@special("groups_users_create")
def _group_join(call: Call) -> Reply:
    store = call.store
    table = store.tables["groups.users"]
    check_parents(call, table, call.ids)
    row, created = insert(call, table, call.ids, validated(call, partial=False))
    group = store.tables["groups"].get((), call.ids[0]) or {}
    uid = str(row["user"]["id"])
    membership: Row = {
        "id": store.new_id(store.tables["users.groups"], (uid,)),
        "group": {"id": call.ids[0], "name": group.get("name", "")},
        "joined_at": row.get("created_at") or now_iso(),
    }
    if created:
        store.tables["users.groups"].put((uid,), call.ids[0], membership)
    return Reply(201, call.project(row), None if created else _EXISTING)


@special("groups_users_destroy")
def _group_leave(call: Call) -> Reply:
    _table_item(call, "groups.users", *call.ids)
    call.store.tables["groups.users"].remove(call.ids[:1], call.ids[1])
    call.store.tables["users.groups"].remove((call.ids[1],), call.ids[0])
    return Reply(204)


# -- commerce -------------------------------------------------------------------------


@special("purchases_fulfill_create")
def _fulfill(call: Call) -> Reply:
    purchase = _table_item(call, "purchases", *call.ids)
    data = validated(call, partial=False)
    purchase["state"] = data["state"]
    purchase["status_msg"] = str(data.get("error_msg", ""))
    return Reply(
        200,
        {
            "redirect_url": "https://learn.example.com/checkout/complete",
            "purchase": call.project(purchase, "Purchase"),
        },
    )


@special("training_credit_codes_partial_update")
def _training_credit_update(call: Call) -> Reply:
    """``student_groups`` and ``offers`` come as ``{"add": [...], "remove": [...]}``, add first."""
    row = _table_item(call, "training_credit_codes", *call.ids)
    data = validated(call, partial=True)
    changes: Row = {}
    for field in ("student_groups", "offers"):
        change = data.pop(field, None)
        if change is None:
            continue
        ids = [i for i in row.get(field) or [] if isinstance(i, str)]
        ids += [i for i in change.get("add", []) if i not in ids]
        row[field] = [i for i in ids if i not in change.get("remove", [])]
        changes[field] = {"add": change.get("add", []), "remove": change.get("remove", [])}
    merge(row, data)
    for field in ("student_groups", "offers"):
        row.setdefault(field, [])
    reply = call.project(row)
    for field in ("student_groups", "offers"):
        reply[field] = changes.get(field, {"add": [], "remove": []})
    return Reply(200, reply)


# -- webhooks -------------------------------------------------------------------------


@special("webhooks_ping_create")
def _webhook_ping(call: Call) -> Reply:
    _table_item(call, "webhooks", *call.ids)
    # The emulator never contacts target_url: it reports what a healthy receiver would.
    return Reply(200, {"succeeded": True, "http_status_code": 200, "message": "OK"})


_SAMPLES = {
    "course-completion": "COURSE_COMPLETION",
    "course-enrollment": "COURSE_ENROLLMENT",
    "dashboard-task-created": "DASHBOARD_TASK_CREATED",
    "domain-enrollment": "DOMAIN_ENROLLMENT",
    "lesson-completion": "LESSON_COMPLETION",
    "path-completion": "PATH_COMPLETION",
    "path-enrollment": "PATH_ENROLLMENT",
    "purchase-fulfillment": "PURCHASE_FULFILLMENT",
    "quiz-completion": "QUIZ_COMPLETION",
    "vilt-registration": "VILT_EVENT_REGISTRATION",
}


def sample_event(store: Store, event_type: str) -> Row:
    """A plausible webhook event of `event_type` built from the store's first objects."""
    person = next(iter(store.people.values()), None) or {
        "id": "sample0user00",
        "email": "sample.learner@example.com",
        "first_name": "Sample",
        "last_name": "Learner",
    }
    domain = next(iter(store.tables["domains"].rows(())), {"id": "", "name": "learn.example.com"})
    pcs = store.tables["domains.published_courses"].rows((domain["name"],))
    pc: Row = pcs[0] if pcs else {"id": "", "course": {"id": "", "title": ""}, "course_url": ""}
    event: Row = {
        "event_type": event_type,
        "timestamp": now_iso(),
        "user": {k: person.get(k) for k in ("id", "email", "first_name", "last_name")},
        "domain": {"id": domain.get("id"), "name": domain["name"]},
    }
    course = {
        "id": pc["course"]["id"],
        "title": pc["course"]["title"],
        "published_course_id": pc["id"],
        "url": pc["course_url"],
    }
    if event_type.startswith(("COURSE", "LESSON", "QUIZ")):
        event["course"] = course
    if event_type in ("COURSE_ENROLLMENT", "DOMAIN_ENROLLMENT"):
        event["domain_access_code"] = ""
        event["signup_fields"] = {}
    if event_type in ("COURSE_ENROLLMENT", "PURCHASE_FULFILLMENT"):
        event["purchase"] = None
    if event_type.startswith("PATH"):
        pps = store.tables["domains.published_paths"].rows((domain["name"],))
        pp: Row = pps[0] if pps else {"id": "", "path": {"id": "", "title": ""}, "path_url": ""}
        event["path"] = {
            "id": pp["path"]["id"],
            "title": pp["path"]["title"],
            "published_path_id": pp["id"],
            "url": pp["path_url"],
        }
    return event


def _sample(slug: str) -> Handler:
    def handler(call: Call) -> Reply:
        return Reply(200, {"results": [sample_event(call.store, _SAMPLES[slug])]})

    return handler


for _slug in _SAMPLES:
    SPECIAL["webhooks_sample_" + _slug.replace("-", "_") + "_retrieve"] = _sample(_slug)


from ._live import LIVE  # noqa: E402  (live behaviours override the generic ones above)

SPECIAL.update(LIVE)
