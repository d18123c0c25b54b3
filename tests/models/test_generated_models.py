"""Generated models: every spec field declared, forward compatibility, redacted secrets."""

from __future__ import annotations

import enum
import json
from importlib import resources
from typing import Any

import attrs
import pytest

from skilljar_async._convert import structure, unstructure
from skilljar_async.models import (
    Answer,
    Asset,
    AssetType,
    CatalogPage,
    DomainUserInvite,
    Purchase,
    TileSortMethod,
    TrainingCreditCode,
    WebPackage,
)
from skilljar_async.models._generated._schemas import SCHEMA_MODELS

SCHEMAS: dict[str, Any] = json.loads(
    resources.files("skilljar_async._data").joinpath("schemas.json").read_text("utf-8")
)


def test_every_response_schema_has_a_model() -> None:
    """Each schema that is not a request body, page envelope or long enum has a class."""
    skipped = {"NullEnum", "TimezoneEnum"}
    wanted = {
        name
        for name in SCHEMAS
        if not name.endswith("Request") and not name.startswith("Paginated") and name not in skipped
    }
    assert set(SCHEMA_MODELS) == wanted


@pytest.mark.parametrize("schema", sorted(SCHEMA_MODELS))
def test_model_declares_every_schema_field(schema: str) -> None:
    """A model (or enum) covers every property (or value) of the schemas it stands for."""
    cls = SCHEMA_MODELS[schema]
    if issubclass(cls, enum.Enum):
        assert set(SCHEMAS[schema]["enum"]) <= {member.value for member in cls}
        return
    fields = attrs.fields_dict(cls)
    assert set(SCHEMAS[schema].get("properties", {})) <= set(fields)
    assert list(fields)[-1] == "extra"


def test_unknown_fields_and_enum_values_are_kept() -> None:
    """A new key lands in ``extra``; a new enum value stays a string; both survive a round trip."""
    raw = {"id": "a1", "type": "HOLOGRAM", "name": "Intro", "brand_new": {"x": 1}}
    asset = structure(raw, Asset)
    assert asset.type == "HOLOGRAM"
    assert not isinstance(asset.type, AssetType)
    assert asset.extra == {"brand_new": {"x": 1}}
    assert unstructure(asset)["brand_new"] == {"x": 1}
    known = structure({"id": "a2", "type": "PDF"}, Asset)
    assert known.type is AssetType.PDF


def test_known_enum_values_become_members() -> None:
    """Enum fields hold members for the spec's values, comparable with plain strings."""
    page = structure({"id": "p1", "tile_sort_method": "alphabetically_a_to_z"}, CatalogPage)
    assert page.tile_sort_method is TileSortMethod.ALPHABETICALLY_A_TO_Z
    assert page.tile_sort_method == "alphabetically_a_to_z"


def test_secrets_are_redacted_in_repr() -> None:
    """Presigned URLs, invite tokens and processor data never show in a repr."""
    url = "https://bucket.s3.amazonaws.com/f.zip?Signature=SECRET"
    for model in (
        structure({"id": "a1", "download_url": url}, Asset),
        structure({"id": "w1", "download_url": url}, WebPackage),
        structure({"id": "i1", "token": "SECRET", "invite_url": url}, DomainUserInvite),
        structure({"id": "p1", "payment_processor_response_data": "SECRET"}, Purchase),
    ):
        assert "SECRET" not in repr(model)
        assert "<redacted>" in repr(model)
    assert structure({"id": "a1", "download_url": url}, Asset).download_url == url


def test_merged_variants_share_one_class() -> None:
    """Create, list, retrieve and update shapes of training credit codes parse as one class."""
    listed = structure(
        {"id": "t1", "training_credit_code": "C", "credits_used": 2}, TrainingCreditCode
    )
    updated = structure({"id": "t1", "student_groups": ["g1"], "offers": []}, TrainingCreditCode)
    assert (listed.credits_used, updated.student_groups) == (2, ("g1",))


def test_input_models_need_no_id() -> None:
    """Models that double as request input (answers) can be built without an id."""
    assert Answer(answer_text="42", correct=True).id is None
