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

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from ._call import ApiError
from ._catalogue import Catalogue, Row

__all__ = ["JSON_NULL", "FormBody", "Invalid", "validate_body"]

EMPTY: Any = object()  #: a field the input does not have
JSON_NULL: Any = object()  #: a JSON body that is ``null`` (not the same as no body)
_TRUE_ALL = frozenset(
    {"t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1"}
)
_FALSE_ALL = frozenset(
    {"f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0"}
)
_NULLS = frozenset({"null", "Null", "NULL", ""})
_INT_TAIL = re.compile(r"\.0*\s*$")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?",
    re.IGNORECASE,
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL_USER = re.compile(
    r"(^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*\Z"
    r'|^"([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-\011\013\014\016-\177])*"\Z)',
    re.IGNORECASE,
)
_HOSTNAME = re.compile(
    r"((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+)(?:[a-z0-9-]{2,63}(?<!-))\Z", re.IGNORECASE
)
_URL = re.compile(
    r"^(?:https?|ftps?)://"
    r"(?:[^\s:@/]+(?::[^\s:@/]*)?@)?"
    r"(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\]"
    r"|(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+"
    r"(?:[a-z\u00a1-\uffff-]{2,63}(?<!-)\.?))"
    r"(?::\d{1,5})?"
    r"(?:[/?#][^\s]*)?\Z",
    re.IGNORECASE,
)
_MAX_URL = 2048

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
BLANK = "This field may not be blank."


class Invalid(Exception):
    """One field's DRF error detail (a list of messages, or a nested dict)."""

    def __init__(self, detail: Any) -> None:
        super().__init__(detail)
        self.detail = detail


def _fail(message: str) -> Invalid:
    return Invalid([message])


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


# -- scalar fields --------------------------------------------------------------


def _string(prop: Mapping[str, Any], value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail("Not a valid string.")
    text = str(value).strip()
    if text == "":
        if prop.get("minLength", 0) >= 1 or prop.get("format") or "pattern" in prop:
            raise _fail(BLANK)
        return text
    fmt = prop.get("format")
    if fmt == "date-time":
        return _datetime(text)
    if fmt == "date":
        return _date(text)
    limit = prop.get("maxLength")
    if limit is not None and len(text) > limit:
        raise _fail(f"Ensure this field has no more than {limit} characters.")
    least = prop.get("minLength")
    if least is not None and len(text) < least:
        raise _fail(f"Ensure this field has at least {least} characters.")
    if fmt == "email" and not _is_email(text):
        raise _fail("Enter a valid email address.")
    if fmt == "uri" and (len(text) > _MAX_URL or not _URL.match(text)):
        raise _fail("Enter a valid URL.")
    pattern = prop.get("pattern")
    if pattern is not None and not re.search(pattern, text):
        raise _fail("This value does not match the required pattern.")
    return text


def _is_email(text: str) -> bool:
    user, sep, domain = text.rpartition("@")
    if not sep or not user or len(text) > 320:
        return False
    return bool(_EMAIL_USER.match(user)) and (
        domain == "localhost" or bool(_HOSTNAME.match(domain))
    )


def _datetime(text: str) -> str:
    """DRF's ISO 8601 DateTimeField (naive input is read as UTC); the value as sent."""
    if _DATETIME.fullmatch(text):
        try:
            parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1).replace("z", "Z"))
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)
            return parsed.isoformat()
    raise _fail(
        "Datetime has wrong format. Use one of these formats instead: "
        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
    )


def _date(text: str) -> str:
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise _fail("Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")


def _integer(prop: Mapping[str, Any], value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, str) and len(value) > 1000):
        raise _fail("A valid integer is required.")
    if isinstance(value, float) and not value.is_integer():
        raise _fail("A valid integer is required.")
    try:
        number = int(_INT_TAIL.sub("", str(value)))
    except (TypeError, ValueError):
        raise _fail("A valid integer is required.") from None
    _bounds(prop, number)
    return number


def _number(prop: Mapping[str, Any], value: Any) -> float:
    if isinstance(value, bool | dict | list):
        raise _fail("A valid number is required.")
    try:
        number = float(str(value).strip())
    except ValueError:
        raise _fail("A valid number is required.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _fail("A valid number is required.")
    _bounds(prop, number)
    return number


def _bounds(prop: Mapping[str, Any], number: float) -> None:
    low, high = prop.get("minimum"), prop.get("maximum")
    if low is not None and number < low:
        raise _fail(f"Ensure this value is greater than or equal to {low}.")
    if high is not None and number > high:
        raise _fail(f"Ensure this value is less than or equal to {high}.")


def _boolean(value: Any) -> bool:
    if value is True or value is False:
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        if value in _TRUE_ALL:
            return True
        if value in _FALSE_ALL:
            return False
    raise _fail("Must be a valid boolean.")


def _choice(choices: list[Any], value: Any) -> Any:
    if isinstance(value, dict | list):
        raise _fail(f'"{value}" is not a valid choice.')
    by_text = {str(c): c for c in choices if c is not None}
    key = str(value)
    if key not in by_text:
        raise _fail(f'"{value}" is not a valid choice.')
    return by_text[key]


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
            raise _fail(NOT_NULL)
        ref = prop.get("ref")
        if ref is not None:
            target = self.catalogue.schemas.get(ref, {})
            if "enum" in target:
                return _choice(target["enum"], value)
            if "properties" in target:
                return self.run(ref, value)
        if "enum" in prop:
            return _choice(prop["enum"], value)
        kind = prop.get("type")
        if kind == "string":
            return _string(prop, value)
        if kind == "integer":
            return _integer(prop, value)
        if kind == "number":
            return _number(prop, value)
        if kind == "boolean":
            return _boolean(value)
        if kind == "array":
            return self._list(prop, value)
        if "properties" in prop:
            return self._inline(prop, value)
        return value  # a JSONField: anything JSON

    def _list(self, prop: Mapping[str, Any], value: Any) -> list[Any]:
        if not isinstance(value, list):
            kind = type(value).__name__
            raise _fail(f'Expected a list of items but got type "{kind}".')
        low, high = prop.get("minItems"), prop.get("maxItems")
        if low is not None and len(value) < low:
            raise _fail(f"Ensure this field has at least {low} elements.")
        if high is not None and len(value) > high:
            raise _fail(f"Ensure this field has no more than {high} elements.")
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
