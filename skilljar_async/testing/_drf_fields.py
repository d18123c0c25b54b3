"""DRF's scalar fields: how CharField, IntegerField, FloatField, BooleanField and
ChoiceField (with the e-mail, URL, date and date-time formats) read a value.

Each function returns the value as DRF's field would accept it, or raises
`Invalid` carrying DRF's message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "BLANK",
    "NOT_NULL",
    "REQUIRED",
    "Invalid",
    "boolean",
    "choice",
    "fail",
    "integer",
    "number",
    "string",
]

_TRUE_ALL = frozenset(
    {"t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1"}
)
_FALSE_ALL = frozenset(
    {"f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0"}
)
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


def fail(message: str) -> Invalid:
    return Invalid([message])


def string(prop: Mapping[str, Any], value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise fail("Not a valid string.")
    text = str(value).strip()
    if text == "":
        if prop.get("minLength", 0) >= 1 or prop.get("format") or "pattern" in prop:
            raise fail(BLANK)
        return text
    fmt = prop.get("format")
    if fmt == "date-time":
        return _datetime(text)
    if fmt == "date":
        return _date(text)
    limit = prop.get("maxLength")
    if limit is not None and len(text) > limit:
        raise fail(f"Ensure this field has no more than {limit} characters.")
    least = prop.get("minLength")
    if least is not None and len(text) < least:
        raise fail(f"Ensure this field has at least {least} characters.")
    if fmt == "email" and not _is_email(text):
        raise fail("Enter a valid email address.")
    if fmt == "uri" and (len(text) > _MAX_URL or not _URL.match(text)):
        raise fail("Enter a valid URL.")
    pattern = prop.get("pattern")
    if pattern is not None and not re.search(pattern, text):
        raise fail("This value does not match the required pattern.")
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
    raise fail(
        "Datetime has wrong format. Use one of these formats instead: "
        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
    )


def _date(text: str) -> str:
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise fail("Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")


def integer(prop: Mapping[str, Any], value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, str) and len(value) > 1000):
        raise fail("A valid integer is required.")
    if isinstance(value, float) and not value.is_integer():
        raise fail("A valid integer is required.")
    try:
        number = int(_INT_TAIL.sub("", str(value)))
    except (TypeError, ValueError):
        raise fail("A valid integer is required.") from None
    _bounds(prop, number)
    return number


def number(prop: Mapping[str, Any], value: Any) -> float:
    if isinstance(value, bool | dict | list):
        raise fail("A valid number is required.")
    try:
        number = float(str(value).strip())
    except ValueError:
        raise fail("A valid number is required.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise fail("A valid number is required.")
    _bounds(prop, number)
    return number


def _bounds(prop: Mapping[str, Any], number: float) -> None:
    low, high = prop.get("minimum"), prop.get("maximum")
    if low is not None and number < low:
        raise fail(f"Ensure this value is greater than or equal to {low}.")
    if high is not None and number > high:
        raise fail(f"Ensure this value is less than or equal to {high}.")


def boolean(value: Any) -> bool:
    if value is True or value is False:
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        if value in _TRUE_ALL:
            return True
        if value in _FALSE_ALL:
            return False
    raise fail("Must be a valid boolean.")


def choice(choices: list[Any], value: Any) -> Any:
    if isinstance(value, dict | list):
        raise fail(f'"{value}" is not a valid choice.')
    by_text = {str(c): c for c in choices if c is not None}
    key = str(value)
    if key not in by_text:
        raise fail(f'"{value}" is not a valid choice.')
    return by_text[key]
