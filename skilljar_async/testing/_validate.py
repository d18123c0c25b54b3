"""Request validation driven by ``schemas.json``, with Django REST framework's semantics.

A request schema is read as the DRF serializer it was generated from: each
property becomes the field DRF would have (CharField, IntegerField,
BooleanField, ChoiceField, DateTimeField, EmailField, URLField, ListField, a
nested serializer, JSONField) and input is coerced and rejected the way those
fields do it:

- strings: numbers become strings, booleans and containers are "Not a valid
  string.", surrounding whitespace is trimmed, then blank / length / pattern
  and e-mail / URL / date-time formats are checked;
- integers and numbers: numeric strings are read (``"5"``, ``"5.0"`` for an
  integer), booleans and the rest are "A valid integer is required.";
- booleans: DRF's true/false spellings (``"true"``, ``"1"``, ``"on"`` ...);
- choices match on their string form; nested objects must be objects; lists
  must be lists (a form sends repeated keys);
- read-only and unknown fields are dropped; errors collect every failing field
  as ``{"field": ["message"]}`` (nested objects nest, list items by index).

Form bodies (urlencoded and multipart) follow DRF's HTML-input rules: nested
fields come as ``user.email`` keys, an empty value of an optional field means
"not sent", and a boolean left out of a full (non-partial) form is false.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._call import ApiError
from ._catalogue import Catalogue, Row
from ._drf_fields import NOT_NULL, REQUIRED, Invalid, boolean, choice, fail, integer, number, string

__all__ = ["JSON_NULL", "FormBody", "Invalid", "validate_body"]

EMPTY: Any = object()  #: a field the input does not have
JSON_NULL: Any = object()  #: a JSON body that is ``null`` (not the same as no body)
_NULLS = frozenset({"null", "Null", "NULL", ""})


class FormBody(dict[str, Any]):
    """A parsed urlencoded or multipart body: the first value of each key, plus every value."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.multi: dict[str, list[Any]] = {}
        for key, value in pairs:
            self.multi.setdefault(key, []).append(value)
            self.setdefault(key, value)

    def getlist(self, key: str) -> list[Any]:
        return list(self.multi.get(key, []))

    def nested(self, prefix: str) -> FormBody:
        """The ``prefix.name`` keys as a form of their own (DRF's ``parse_html_dict``)."""
        start = prefix + "."
        return FormBody(
            [
                (key[len(start) :], value)
                for key, values in self.multi.items()
                if key.startswith(start)
                for value in values
            ]
        )


# -- the serializer ---------------------------------------------------------------


class _Serializer:
    """One request schema read as a DRF serializer."""

    def __init__(
        self, catalogue: Catalogue, *, partial: bool, bases: tuple[str | None, ...] = ()
    ) -> None:
        self.catalogue = catalogue
        self.partial = partial
        self.bases = bases

    def run(self, name: str, data: Any) -> Row:
        if not isinstance(data, dict):
            kind = "list" if isinstance(data, list) else type(data).__name__
            if data is None:
                kind = "NoneType"
            raise Invalid(
                {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
            )
        schema = self.catalogue.schemas.get(name, {})
        props = _properties(self.catalogue, name, self.bases)
        required = set(schema.get("required", ()))
        form = isinstance(data, FormBody)
        out: Row = {}
        errors: Row = {}
        for field, prop in props.items():
            if prop.get("readOnly"):
                continue
            raw = self._get(data, field, prop, form=form, required=field in required)
            if raw is EMPTY:
                if field in required and not self.partial and "default" not in prop:
                    errors[field] = [REQUIRED]
                continue
            try:
                out[field] = self.field(prop, raw, form=form)
            except Invalid as exc:
                errors[field] = exc.detail
        if errors:
            raise Invalid(errors)
        return out

    def _get(
        self, data: Row, field: str, prop: Mapping[str, Any], *, form: bool, required: bool
    ) -> Any:
        if not form:
            return data.get(field, EMPTY)
        assert isinstance(data, FormBody)
        if self._is_object(prop):
            nested = data.nested(field)
            return nested if nested else EMPTY
        if prop.get("type") == "array":
            values = data.getlist(field)
            return values if values else EMPTY
        if field not in data:
            if prop.get("type") == "boolean" and not self.partial:
                # an unchecked checkbox: DRF's BooleanField.default_empty_html
                return prop.get("default", None if prop.get("nullable") else False)
            return EMPTY
        raw = data[field]
        if raw == "" and prop.get("nullable") and prop.get("type") != "string":
            return None
        if raw == "" and not required:
            return EMPTY
        return raw

    def _is_object(self, prop: Mapping[str, Any]) -> bool:
        return self.catalogue.is_object(prop.get("ref")) or "properties" in prop

    def field(self, prop: Mapping[str, Any], value: Any, *, form: bool = False) -> Any:
        """`value` as DRF's field for `prop` would accept it, or `Invalid`."""
        form_null = form and isinstance(value, str) and value in _NULLS and _nullish(prop)
        if value is None or form_null:
            if prop.get("nullable"):
                return None
            raise fail(NOT_NULL)
        ref = prop.get("ref")
        if ref is not None:
            target = self.catalogue.schemas.get(ref, {})
            if "enum" in target:
                return choice(target["enum"], value)
            if "properties" in target:
                return self.run(ref, value)
        if "enum" in prop:
            return choice(prop["enum"], value)
        kind = prop.get("type")
        if kind == "string":
            return string(prop, value)
        if kind == "integer":
            return integer(prop, value)
        if kind == "number":
            return number(prop, value)
        if kind == "boolean":
            return boolean(value)
        if kind == "array":
            return self._list(prop, value)
        if "properties" in prop:
            return self._inline(prop, value)
        return value  # a JSONField: anything JSON

    def _list(self, prop: Mapping[str, Any], value: Any) -> list[Any]:
        if not isinstance(value, list):
            kind = type(value).__name__
            raise fail(f'Expected a list of items but got type "{kind}".')
        low, high = prop.get("minItems"), prop.get("maxItems")
        if low is not None and len(value) < low:
            raise fail(f"Ensure this field has at least {low} elements.")
        if high is not None and len(value) > high:
            raise fail(f"Ensure this field has no more than {high} elements.")
        item = prop.get("items") or {}
        out: list[Any] = []
        errors: dict[int, Any] = {}
        for i, element in enumerate(value):
            try:
                out.append(self.field(item, element))
            except Invalid as exc:
                errors[i] = exc.detail
        if errors:
            raise Invalid({str(i): d for i, d in errors.items()})
        return out

    def _inline(self, prop: Mapping[str, Any], value: Any) -> Row:
        if not isinstance(value, dict):
            raise Invalid({"non_field_errors": ["Invalid data."]})
        props = prop["properties"]
        out: Row = {}
        for key, sub in props.items():
            if key in value:
                out[key] = self.field(sub, value[key])
        return out


#: constraints a request field shares with the same field of the object schema
_SHARED = ("minimum", "maximum", "maxLength", "pattern")
_MERGED: dict[tuple[int, str, tuple[str | None, ...]], dict[str, Any]] = {}


def _properties(catalogue: Catalogue, name: str, bases: tuple[str | None, ...]) -> dict[str, Any]:
    """`name`'s properties, with the bounds the object's schemas declare for the same fields.

    ``XRequest`` and ``PatchedXRequest`` are the write side of the serializer
    behind ``X`` (and of the object the operation answers or stores); where the
    spec prints a bound (a minimum, say) only on the read side, the model field
    behind it enforces it on input too.
    """
    key = (id(catalogue), name, bases)
    cached = _MERGED.get(key)
    if cached is None:
        props = catalogue.properties(name)
        names = (name.removeprefix("Patched").removesuffix("Request"), *bases)
        read_sides = [catalogue.properties(n) for n in names if n]
        cached = {}
        for field, prop in props.items():
            extra = {
                k: v
                for side in read_sides
                for k, v in side.get(field, {}).items()
                if k in _SHARED and k not in prop
            }
            cached[field] = {**prop, **extra} if extra else prop
        _MERGED[key] = cached
    return cached


def _nullish(prop: Mapping[str, Any]) -> bool:
    return prop.get("type") != "string" or prop.get("format") is not None


def validate_body(
    catalogue: Catalogue,
    name: str | None,
    body: Any,
    *,
    partial: bool,
    bases: tuple[str | None, ...] = (),
) -> Row:
    """The fields of `body` DRF would accept for request schema `name`, else a 400 `ApiError`."""
    if name is None:
        return {}
    if body is JSON_NULL:
        raise ApiError(400, {"non_field_errors": ["No data provided"]})
    if body is None:
        body = {}
    try:
        return _Serializer(catalogue, partial=partial, bases=bases).run(name, body)
    except Invalid as exc:
        raise ApiError(400, exc.detail) from None
