"""The served OpenAPI document and the errata table that corrects it."""

from __future__ import annotations

from typing import Any

import aiohttp

from skilljar_async.testing import SkilljarEmulator
from skilljar_async.testing._catalogue import catalogue, load_json
from skilljar_async.testing._errata import ERRATA, apply_errata
from skilljar_async.testing._openapi import build_document, is_partial_put, openapi_document


def _operations(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        op["operationId"]: op
        for item in doc["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
    }


def test_document_has_every_operation_and_schema() -> None:
    """340 operations on 160 paths, every component schema, write bodies in all three types."""
    doc = openapi_document()
    ops = _operations(doc)
    assert len(ops) == 340
    assert len(doc["paths"]) == 160
    assert set(doc["components"]["schemas"]) == set(catalogue().schemas)
    content = ops["tags_create"]["requestBody"]["content"]
    assert set(content) == {
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }


def test_every_erratum_names_something_that_exists() -> None:
    """Each erratum targets an operation or schema of the catalogue, and cites a source."""
    doc = build_document(catalogue(), load_json("operations.json"))
    ops, schemas = _operations(doc), doc["components"]["schemas"]
    for erratum in ERRATA:
        assert erratum.source
        assert erratum.spec_says
        assert erratum.api_does
        if erratum.target.startswith("every "):
            continue
        assert erratum.target in ops or erratum.target in schemas, erratum.target
        if erratum.target in schemas:
            assert erratum.field in schemas[erratum.target]["properties"], erratum


def test_errata_change_the_document() -> None:
    """The raw catalogue document says what the spec says; the served one what the API does."""
    raw = build_document(catalogue(), load_json("operations.json"))
    fixed = apply_errata(build_document(catalogue(), load_json("operations.json")))
    for doc, nullable in ((raw, False), (fixed, True)):
        prop = doc["components"]["schemas"]["Enrollment"]["properties"]["expires_at"]
        assert bool(prop.get("nullable")) is nullable
    users = _operations(fixed)["users_list"]["responses"]["200"]["content"]["application/json"]
    assert users["schema"]["type"] == "object"
    assert "results" in users["schema"]["properties"]
    put = _operations(fixed)["webhooks_update"]["requestBody"]["content"]["application/json"]
    assert put["schema"]["$ref"].endswith("/PatchedWebHookRequest")
    raw_put = _operations(raw)["webhooks_update"]["requestBody"]["content"]["application/json"]
    assert raw_put["schema"]["$ref"].endswith("/WebHookRequest")


def test_put_without_a_patch_twin_stays_a_full_update() -> None:
    """A PUT whose schema has no Patched variant keeps its required fields."""
    assert is_partial_put("webhooks_update")
    assert not is_partial_put("ilt_sessions_update")


async def test_openapi_json_is_served_without_credentials() -> None:
    """GET /openapi.json answers the document with no Authorization header."""
    async with (
        SkilljarEmulator(limits=None) as emu,
        aiohttp.ClientSession() as session,
        session.get(emu.origin + "/openapi.json") as response,
    ):
        assert response.status == 200
        doc = await response.json()
    assert doc == openapi_document()
