"""Behaviours observed on the live API (NOTES §1 quirks 4, 7 and 8), reproduced.

- Asset and web-package list rows carry no ``download_url``; the detail view
  carries a presigned-looking S3 URL that is different on every fetch and
  expires an hour later (quirk 7).
- ``POST /v1/assets`` and ``POST /v1/web-packages`` download the file later:
  ``type`` and ``download_url`` appear only once processing is done, and a web
  package moves from ``PROCESSING`` to ``READY`` (or ``ERROR`` when the URL is
  not a zip archive) (quirk 8).
- ``POST /v1/domains/{d}/users/bulk-create`` validates every row, then queues
  the creation: the users appear once the job has run (quirk 8).
- ``GET /v1/users/{uid}/published-courses/{pc}`` resolves by the underlying
  course, so a course published on two domains answers with the enrollment of
  whichever publication the learner has (quirk 4).

Queued work runs `PROCESSING_SECONDS` later on the emulator's clock (see
`Store.later`; ``SkilljarEmulator.finish_processing`` runs it at once).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from ._catalogue import Row
from ._handlers import ApiError, Call, Handler, Reply, check_parents, insert, not_found, validated
from ._lists import list_reply
from ._model import add_domain_user
from ._store import Store

__all__ = ["LIVE", "PROCESSING_SECONDS", "presigned_url"]

PROCESSING_SECONDS = 5.0
#: how long a presigned download URL stays valid
URL_LIFETIME = timedelta(hours=1)
LIVE: dict[str, Handler] = {}
_fetches = itertools.count(1)
_PROCESSED = "_processed"  # a row key no response schema has: never served
_ASSET_TYPES = {".pdf": "PDF", ".mp4": "VIDEO_BOTR", ".mp3": "AUDIO_BOTR", ".html": "HTML"}


def live(*operation_ids: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for operation_id in operation_ids:
            LIVE[operation_id] = handler
        return handler

    return register


def presigned_url(kind: str, row: Row, now: datetime | None = None) -> str:
    """An S3-style presigned URL for a file: a new signature and expiry on every call."""
    now = now or datetime.now(UTC)
    expires = int((now + URL_LIFETIME).timestamp())
    fetch = next(_fetches)
    signature = hashlib.sha256(f"{row['id']}:{expires}:{fetch}".encode()).hexdigest()[:28]
    name = str(row.get("name") or row.get("title") or "file").replace(" ", "-")
    return (
        f"https://everpath-course-content.s3.amazonaws.com/{kind}/{row['id']}/{name}"
        f"?AWSAccessKeyId=AKIAEMULATOREXAMPLE&Expires={expires}&Signature={signature}"
    )


def _processed(row: Row) -> bool:
    return bool(row.get(_PROCESSED, True))


def _without(body: Row, *keys: str) -> Row:
    for key in keys:
        body.pop(key, None)
    return body


# -- assets and web packages ------------------------------------------------------------


@live("assets_list", "web_packages_list")
def _file_list(call: Call) -> Reply:
    table = call.store.by_template[call.op.path]
    reply = list_reply(call, table, table.rows(()))
    for row in reply.body["results"]:
        row.pop("download_url", None)
    return reply


@live("assets_retrieve", "web_packages_retrieve")
def _file_detail(call: Call) -> Reply:
    table = call.store.by_template[call.op.path.rsplit("/", 1)[0]]
    row = table.get((), call.ids[0])
    if row is None:
        raise not_found()
    body = call.project(row)
    if not _processed(row):
        return Reply(200, _without(body, "type", "download_url"))
    body["download_url"] = presigned_url(table.name, row)
    return Reply(200, body)


def _extension(url: str) -> str:
    path = urlsplit(url).path.lower()
    return path[path.rfind(".") :] if "." in path.rsplit("/", 1)[-1] else ""


@live("assets_create")
def _asset_create(call: Call) -> Reply:
    table = call.store.tables["assets"]
    data = validated(call, partial=False)
    meta: Row = data.get("asset") or {}
    content_url = str(data.get("content_url") or "")
    row: Row = {
        "name": meta.get("name") or content_url.rsplit("/", 1)[-1] or "asset",
        "embed_link_url": meta.get("embed_link_url", ""),
        "aspect_ratio": meta.get("aspect_ratio", "16:9"),
        "sync_completion": meta.get("sync_completion", False),
        _PROCESSED: False,
    }
    row, _ = insert(call, table, (), row)

    def done() -> None:
        row["type"] = _ASSET_TYPES.get(_extension(content_url), "FILE")
        row[_PROCESSED] = True

    call.store.later(PROCESSING_SECONDS, done)
    return Reply(201, _without(call.project(row), "type", "download_url"))


@live("web_packages_create")
def _web_package_create(call: Call) -> Reply:
    table = call.store.tables["web_packages"]
    data = validated(call, partial=False)
    meta: Row = data["web_package"]
    content_url = str(data["content_url"])
    row: Row = {
        "title": meta["title"],
        "sync_completion": meta.get("sync_completion", False),
        "redirect_on_completion": meta.get("redirect_on_completion", True),
        "state": "PROCESSING",
        _PROCESSED: False,
    }
    row, _ = insert(call, table, (), row)

    def done() -> None:
        ok = _extension(content_url) == ".zip"
        row["state"] = "READY" if ok else "ERROR"
        row["type"] = "SCORM" if ok else ""
        row[_PROCESSED] = True

    call.store.later(PROCESSING_SECONDS, done)
    return Reply(201, _without(call.project(row), "type", "download_url"))


# -- queued bulk user creation ------------------------------------------------------------


@live("bulk_create_domain_users")
def _bulk_create(call: Call) -> Reply:
    store = call.store
    check_parents(call, store.tables["domains.users"], call.ids)
    users: list[Row] = validated(call, partial=False, resolve=False)["users"]
    domain = call.ids[0]
    store.later(PROCESSING_SECONDS, lambda: _create_users(store, domain, users))
    return Reply(200, {"detail": "Accepted for processing.", "count": len(users)})


def _create_users(store: Store, domain: str, users: list[Row]) -> None:
    for entry in users:
        person = store.add_user(
            str(entry["email"]), str(entry.get("first_name", "")), str(entry.get("last_name", ""))
        )
        fields = {k: entry[k] for k in ("active", "marketing_optin", "expires_at") if k in entry}
        add_domain_user(store, domain, person, **fields)


# -- course progress by the underlying course ------------------------------------------------


@live("users_published_courses_retrieve")
def _progress_by_course(call: Call) -> Reply:
    uid, pc_id = call.ids
    store = call.store
    if store.tables["users"].get((), uid) is None:
        raise not_found()
    table = store.tables["users.published_courses"]
    row = table.get((uid,), pc_id)
    if row is None:
        course_id = _course_of(store, pc_id)
        row = next(
            (r for r in table.rows((uid,)) if course_id and r["course"]["id"] == course_id), None
        )
    if row is None:
        raise ApiError(404, {"detail": "Not found."})
    return Reply(200, call.project(row))


def _course_of(store: Store, pc_id: str) -> str | None:
    for _, pc in store.tables["domains.published_courses"].items():
        if pc["id"] == pc_id:
            return str(pc["course"]["id"])
    return None
