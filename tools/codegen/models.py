"""Generated models: one attrs class per response schema family, and the enums."""

from __future__ import annotations

import keyword
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .catalogue import Catalogue, is_input_only
from .naming import human, member_name, module_of
from .render import import_block, module_text, names_used, wrap

__all__ = [
    "EnumModel",
    "Model",
    "build_models",
    "model_homes",
    "model_modules",
    "place_models",
    "schemas_module",
]

SHARED = "_shared"
ENUMS = "_enums"


@dataclass
class ModelField:
    """One field of a generated model."""

    name: str
    annotation: str
    default: str | None  # None: required
    refs: set[str] = field(default_factory=set)  # model/enum classes it references
    secret: bool = False


@dataclass
class Model:
    """One generated attrs class (possibly standing for several schemas)."""

    name: str
    schemas: list[str] = field(default_factory=list)
    fields: dict[str, ModelField] = field(default_factory=dict)
    module: str = ""


@dataclass
class EnumModel:
    """One generated StrEnum."""

    name: str
    schema: str
    values: list[str]


def field_type(cat: Catalogue, prop: dict[str, Any]) -> tuple[str, set[str]]:
    """The annotation (without ``| None``) and referenced classes of a response property."""
    ref = prop.get("ref")
    if ref is not None:
        if ref in cat.tables.spec_enums:
            return "str", set()
        cls = cat.class_of(ref)
        return (f"{cls} | str", {cls}) if cat.is_enum(ref) else (cls, {cls})
    kind = prop.get("type")
    if kind == "array":
        inner, refs = field_type(cat, prop.get("items", {}))
        return f"tuple[{inner.removesuffix(' | str')}, ...]", refs
    if kind == "string":
        fmt = prop.get("format")
        return {"date-time": "dt.datetime", "date": "dt.date"}.get(fmt or "", "str"), set()
    return {"integer": "int", "number": "float", "boolean": "bool"}.get(kind or "", "Any"), set()


def model_field(cat: Catalogue, model: str, name: str, prop: dict[str, Any]) -> ModelField:
    """Build one field; only ``id`` is required (not on models that double as input)."""
    annotation, refs = field_type(cat, prop)
    if name == "id" and annotation == "str" and model not in cat.tables.input_models:
        return ModelField(name, "str", None, refs)
    if annotation.startswith("tuple["):
        return ModelField(name, annotation, "()", refs)
    if annotation == "Any":
        return ModelField(name, "Any", "None", refs)
    secret = name in cat.tables.secret_fields
    return ModelField(name, f"{annotation} | None", "None", refs, secret=secret)


def merge_field(model: Model, new: ModelField) -> None:
    """Add a field to a model that several schemas share, reconciling compatible types."""
    old = model.fields.get(new.name)
    if old is None or old.annotation == new.annotation:
        model.fields.setdefault(new.name, new)
        return
    if old.annotation == "str | None" and new.annotation.endswith(" | str | None"):
        model.fields[new.name] = new  # an enum-typed variant wins over a plain string
        return
    if new.annotation == "str | None" and old.annotation.endswith(" | str | None"):
        return
    if {old.annotation, new.annotation} == {"tuple[str, ...]", "AddRemoveIdLists | None"}:
        # Training credit codes write add/remove lists but read plain id lists.
        model.fields[new.name] = old if old.annotation.startswith("tuple") else new
        return
    raise SystemExit(f"{model.name}.{new.name}: {old.annotation} vs {new.annotation}")


def _skipped(cat: Catalogue, schema: str) -> bool:
    tables = cat.tables
    return is_input_only(schema) or schema in tables.hand_schemas or schema in tables.spec_enums


def build_models(cat: Catalogue) -> tuple[dict[str, Model], dict[str, EnumModel]]:
    """Every generated model and enum, keyed by class name."""
    models: dict[str, Model] = {}
    enums: dict[str, EnumModel] = {}
    for schema in cat.schemas:
        if _skipped(cat, schema):
            continue
        name = cat.class_of(schema)
        if cat.is_enum(schema):
            enums[name] = EnumModel(name, schema, list(cat.schemas[schema]["enum"]))
            continue
        model = models.setdefault(name, Model(name))
        model.schemas.append(schema)
        for prop_name, prop in cat.props(schema).items():
            if prop_name == "extra" or keyword.iskeyword(prop_name):
                raise SystemExit(f"{schema}.{prop_name} cannot be a model field")
            merge_field(model, model_field(cat, name, prop_name, prop))
    for model in models.values():
        _id_first(cat, model)
    return models, enums


def _id_first(cat: Catalogue, model: Model) -> None:
    """Put the identifying field first, like the hand-written models (optional if rare)."""
    if "id" not in model.fields:
        return
    if not all("id" in cat.props(schema) for schema in model.schemas):
        model.fields["id"] = ModelField("id", "str | None", "None")
    model.fields = {"id": model.fields["id"], **model.fields}


# --- which module each model lives in --------------------------------------------------


def schema_refs(cat: Catalogue, schema: str, seen: set[str]) -> None:
    """Collect every schema reachable from `schema` (itself included) into `seen`."""
    if schema in seen:
        return
    seen.add(schema)
    for prop in cat.props(schema).values():
        ref = prop.get("ref") or prop.get("items", {}).get("ref")
        if ref is not None:
            schema_refs(cat, ref, seen)


def _op_schemas(cat: Catalogue, op: dict[str, Any]) -> set[str]:
    """Every response schema an operation reaches, and the models its body accepts."""
    reached: set[str] = set()
    for schema in (op["response_schema"], op["item_schema"]):
        if schema is not None:
            schema_refs(cat, schema, reached)
    if op["request_schema"] is not None:
        body: set[str] = set()
        schema_refs(cat, op["request_schema"], body)
        for ref, model in cat.tables.model_inputs.items():
            if ref in body:
                schema_refs(cat, model, reached)
    return reached


def place_models(cat: Catalogue, models: dict[str, Model]) -> None:
    """Put each model in the module of the one family that uses it, else in ``_shared``."""
    uses: dict[str, set[str]] = defaultdict(set)
    for op in cat.ops:
        family = module_of(cat, tuple(op["client_path"].split(".")[:-1]))
        for schema in _op_schemas(cat, op):
            uses[cat.class_of(schema)].add(family)
    for model in models.values():
        families = uses.get(model.name, set())
        model.module = f"_{families.pop()}" if len(families) == 1 else SHARED
    changed = True
    while changed:  # whatever a shared model refers to must be shared too
        changed = False
        for model in models.values():
            if model.module != SHARED:
                continue
            for ref in (r for f in model.fields.values() for r in f.refs):
                if ref in models and models[ref].module != SHARED:
                    models[ref].module, changed = SHARED, True


# --- code ------------------------------------------------------------------------------


def class_doc(title: str, schemas: list[str], indent: str = "    ") -> list[str]:
    """A model's docstring naming the spec schemas it stands for."""
    names = ", ".join(f"`{s}`" for s in schemas)
    one = f'{indent}"""{title} (spec {names})."""'
    if len(one) <= 100:
        return [one]
    lines = [f'{indent}"""{title}.', ""]
    lines += [indent + line for line in wrap(f"Spec schemas: {names}.", 96 - len(indent))]
    return [*lines, f'{indent}"""']


def field_line(f: ModelField) -> str:
    """One attrs field declaration."""
    if f.secret:
        return f"    {f.name}: {f.annotation} = attrs.field(default=None, repr=redact)"
    if f.default is None:
        return f"    {f.name}: {f.annotation}"
    return f"    {f.name}: {f.annotation} = {f.default}"


def model_code(model: Model) -> list[str]:
    """One generated attrs model."""
    lines = ["@attrs.frozen(kw_only=True)", f"class {model.name}:"]
    lines += class_doc(human(model.name), model.schemas)
    lines.append("")
    lines += [field_line(f) for f in model.fields.values()]
    return [*lines, "    extra: Mapping[str, Any] = extra_field()"]


def enum_code(cat: Catalogue, item: EnumModel) -> list[str]:
    """One generated StrEnum."""
    lines = [
        f"class {item.name}(enum.StrEnum):",
        f'    """Values of the API\'s `{item.schema}`."""',
        "",
    ]
    return lines + [f'    {member_name(cat, v)} = "{v}"' for v in item.values]


def model_modules(
    cat: Catalogue, models: dict[str, Model], enums: dict[str, EnumModel]
) -> dict[str, str]:
    """Every generated model module: file name -> source."""
    out = {f"{ENUMS}.py": enums_module(cat, enums)}
    by_module: dict[str, list[Model]] = defaultdict(list)
    for model in models.values():
        by_module[model.module].append(model)
    homes = model_homes(cat, models, enums)
    for module, items in sorted(by_module.items()):
        out[f"{module}.py"] = model_module(module, items, homes)
    return out


def model_homes(
    cat: Catalogue, models: dict[str, Model], enums: dict[str, EnumModel]
) -> dict[str, str]:
    """Where generated model code imports each class from.

    Generated classes come from their sibling module (``._assets``); hand-written ones
    by their public name from the models package (``..``), so the generator needs no
    hand-written module's name.
    """
    homes = dict.fromkeys(sorted(cat.hand_models), "..")
    homes.update({m.name: f".{m.module}" for m in models.values()})
    homes.update(dict.fromkeys(enums, f".{ENUMS}"))
    return homes


def enums_module(cat: Catalogue, enums: dict[str, EnumModel]) -> str:
    """The module of generated enums."""
    body: list[str] = []
    for item in sorted(enums.values(), key=lambda e: e.name):
        body += ["", "", *enum_code(cat, item)]
    doc = "Enums of the API: an unknown value arriving from the API stays a plain string."
    imports = ["from __future__ import annotations", "", "import enum"]
    return module_text(doc, imports, list(enums), body)


def model_module(module: str, models: list[Model], homes: dict[str, str]) -> str:
    """One generated model module."""
    body: list[str] = []
    for model in sorted(models, key=lambda m: m.name):
        body += ["", "", *model_code(model)]
    used = names_used("import datetime as dt\n" + "\n".join(body))
    defined = {m.name for m in models}
    sources: dict[str, list[str]] = {"..": [], "..._fields": ["extra_field", "redact"]}
    for cls, home in sorted(homes.items()):
        if cls not in defined:
            sources.setdefault(home, []).append(cls)
    imports = import_block(used | {"Mapping", "Any", "attrs"}, sources, {})
    family = module.removeprefix("_").replace("_", " ")
    doc = f"Generated models ({family}): frozen attrs classes; undeclared keys land in ``extra``."
    return module_text(doc, imports, sorted(defined), body)


def schemas_module(cat: Catalogue, homes: dict[str, str]) -> str:
    """``_schemas.py``: the class standing for every response schema."""
    mapping = {
        s: cat.class_of(s)
        for s in cat.schemas
        if not is_input_only(s) and s not in cat.tables.spec_enums
    }
    body = ["#: spec schema -> the model (or enum) class standing for it."]
    body.append("SCHEMA_MODELS: Final[Mapping[str, type]] = {")
    body += [f'    "{schema}": {cls},' for schema, cls in sorted(mapping.items())]
    body.append("}")
    sources: dict[str, list[str]] = {}
    for cls in sorted(set(mapping.values())):
        sources.setdefault(homes.get(cls, ".."), []).append(cls)
    imports = ["from __future__ import annotations", "", "from collections.abc import Mapping"]
    imports += ["from typing import Final", ""]
    imports += [f"from {home} import {', '.join(names)}" for home, names in sources.items()]
    doc = "Which class stands for each response schema of the catalogue (tests check coverage)."
    return module_text(doc, imports, ["SCHEMA_MODELS"], body)
