"""The package's single cattrs converter between JSON-shaped data and model classes.

Every model and resource goes through `converter` (or the `structure` / `unstructure`
helpers), so the wire rules live in one place:

* Date-times are ISO 8601 strings on the wire and aware `datetime.datetime` values in
  models; a string without an offset is read as UTC. Dates are `datetime.date`.
* Money amounts typed `decimal.Decimal` travel as decimal strings (`"49.00"`), exactly.
* Unknown fields are kept, not dropped: a model with an ``extra`` field receives every
  key it does not declare in that mapping, and `unstructure` writes them back.
* Unknown enum values are tolerated: a field typed ``SomeEnum | str`` holds the enum
  member when the value is known and the raw string when it is not. Because the enums
  are `enum.StrEnum`, ``field == "VALUE"`` works in both cases.

What is strict and what is tolerant (`structure` and `structurer`, which every resource
uses; a payload that parses cleanly takes the fast path and never pays for this):

* Strict: the fields a model *requires* (no default), which are its identity: ``id``,
  or what names a row that has none (``user``, ``published_course_id``,
  ``enrollment_id``, a domain's ``name``, ...). When one is missing or does not parse,
  or the object is not a JSON object at all, `ResponseValidationError` (a
  `SkilljarError`) names the request, the model and the field path, with the object's
  redacted body. Fields nested under a required field are held to the same rule.
* Tolerant: every other field. A missing one takes its default (None, or an empty
  collection). A value that does not parse (a date that is not one, a nested object
  that lacks its own identity) leaves the field at its default, so the declared types
  stay true, and is kept as it came in the model's ``extra`` mapping under its own
  key (`unstructure` writes it back). One `ResponseParseWarning` per object names the
  model and every such field path (``course_progress.completed_at``,
  ``all_enrollments[]``), never a value.

`converter` itself, and `structure_strict` (webhook payloads), stay strict: a failure
raises `cattrs.ClassValidationError` with a note such as ``required field missing @ $.user.id``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import enum
import types
import typing
import warnings
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._errors import ResponseParseWarning, ResponseValidationError
from ._http import current_request
from ._sansio import redact

__all__ = [
    "EXTRA_FIELD",
    "converter",
    "make_converter",
    "structure",
    "structure_strict",
    "structurer",
    "unstructure",
]

T = TypeVar("T")

#: Name of the catch-all field that holds undeclared keys on every model.
EXTRA_FIELD = "extra"

_NONE_TYPE = type(None)


# --- scalar hooks -------------------------------------------------------------------


def _structure_datetime(value: Any, _: type) -> dt.datetime:
    """Parse an ISO 8601 date-time; naive values are taken as UTC."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        # Python 3.11's parser accepts offsets, 'Z' and any number of fraction digits.
        parsed = dt.datetime.fromisoformat(value)
    else:
        raise TypeError(f"expected an ISO 8601 date-time string, got {type(value).__name__}")
    if parsed.tzinfo is None:
        # The API always sends an offset; pinning stray naive values to UTC keeps every
        # model datetime comparable with every other one.
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _structure_date(value: Any, _: type) -> dt.date:
    """Parse an ISO 8601 calendar date."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise TypeError(f"expected an ISO 8601 date string, got {type(value).__name__}")


def _structure_decimal(value: Any, _: type) -> Decimal:
    """Parse a decimal amount sent as a string (or, leniently, as a JSON number)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise TypeError(f"expected a decimal string, got {type(value).__name__}")
    try:
        # str() first so a float like 0.1 becomes Decimal('0.1'), not its binary expansion.
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r}") from None


def _isoformat(value: dt.date) -> str:
    """Render a date or date-time as ISO 8601."""
    return value.isoformat()


# --- `X | None` fields ----------------------------------------------------------------


def _optional_inner(tp: Any) -> Any:
    """Return X for an ``X | None`` union, else None."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    args = typing.get_args(tp)
    if len(args) != 2 or _NONE_TYPE not in args:
        return None
    return args[0] if args[1] is _NONE_TYPE else args[1]


def _optional_hook(tp: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """Build an ``X | None`` hook with X's hook looked up once, not on every value."""
    inner = _optional_inner(tp)
    inner_hook = conv.get_structure_hook(inner)

    def structure_optional(value: Any, _: Any) -> Any:
        return None if value is None else inner_hook(value, inner)

    return structure_optional


# --- `SomeEnum | str` fields -----------------------------------------------------------


def _open_enum_of(tp: Any) -> type[enum.Enum] | None:
    """Return the enum of an ``Enum | str`` (optionally ``| None``) union, else None."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    members = [arg for arg in typing.get_args(tp) if arg is not _NONE_TYPE]
    if len(members) != 2 or str not in members:
        return None
    other = members[0] if members[1] is str else members[1]
    if isinstance(other, type) and issubclass(other, enum.Enum):
        return other
    return None


def _open_enum_hook(tp: Any) -> Callable[[Any, Any], Any]:
    """Build the structure hook for an ``Enum | str`` union."""
    enum_cls = _open_enum_of(tp)
    assert enum_cls is not None  # guaranteed by the predicate
    by_value: dict[Any, Any] = {member.value: member for member in enum_cls}
    allows_none = _NONE_TYPE in typing.get_args(tp)

    def structure_open_enum(value: Any, _: Any) -> Any:
        if value is None and allows_none:
            return None
        if not isinstance(value, str):
            raise TypeError(f"expected a string for {enum_cls.__name__}, got {value!r}")
        # Unknown values pass through as plain strings: the API adds enum values
        # without notice and one new value must not make a whole listing unreadable.
        return by_value.get(value, value)

    return structure_open_enum


# --- models with an `extra` field ---------------------------------------------------------


def _has_extra(tp: Any) -> bool:
    """Tell whether `tp` is an attrs model that keeps undeclared keys."""
    return isinstance(tp, type) and attrs.has(tp) and EXTRA_FIELD in attrs.fields_dict(tp)


def _keep_as_is(value: Any, _: Any) -> Any:
    """Structure hook that passes an already-built value through."""
    return value


class _Unreadable(Exception):
    """A required field (or the object itself, path "") cannot be read; tolerant mode only."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason


#: Set while a tolerant pass runs: the (path, reason) of every field kept raw so far.
_tolerant: contextvars.ContextVar[list[tuple[str, str]] | None] = contextvars.ContextVar(
    "skilljar_tolerant_parse", default=None
)


def _model_structure_factory(cls: type[Any], conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """Build a structure hook that routes undeclared keys into ``extra``."""
    # The keyword is the field's name, so it must match EXTRA_FIELD.
    generated = make_dict_structure_fn(cls, conv, extra=override(struct_hook=_keep_as_is))
    declared = frozenset(name for name in attrs.fields_dict(cls) if name != EXTRA_FIELD)
    name = cls.__name__
    tolerant = _TolerantModel(cls, conv)

    def structure_model(data: Any, _: Any) -> Any:
        if type(data) is not dict and not isinstance(data, Mapping):
            if _tolerant.get() is not None:
                raise _Unreadable("", f"expected a JSON object, got {type(data).__name__}")
            raise TypeError(f"expected a JSON object for {name}, got {type(data).__name__}")
        undeclared = {key: val for key, val in data.items() if key not in declared}
        problems = _tolerant.get()
        if problems is not None:
            return tolerant(data, undeclared, problems)
        # A payload key literally named "extra" is undeclared too, so it lands inside
        # the mapping instead of clobbering it.
        return generated({**data, EXTRA_FIELD: undeclared}, cls)

    return structure_model


class _TolerantModel:
    """Structure one model field by field: required fields strict, the rest kept raw on failure."""

    __slots__ = ("cls", "conv", "specs")

    def __init__(self, cls: type[Any], conv: cattrs.Converter) -> None:
        self.cls = cls
        self.conv = conv
        # (key, init keyword, type, required, hook): built on first use, as most
        # models never meet a payload that fails to parse.
        self.specs: list[tuple[str, str, Any, bool, Callable[[Any, Any], Any]]] | None = None

    def _specs(self) -> list[tuple[str, str, Any, bool, Callable[[Any, Any], Any]]]:
        if self.specs is None:
            self.specs = [
                (f.name, f.alias or f.name, f.type, f.default is attrs.NOTHING, hook)
                for f in attrs.fields(self.cls)
                if f.name != EXTRA_FIELD
                for hook in [self.conv.get_structure_hook(f.type)]
            ]
        return self.specs

    def __call__(
        self, data: Mapping[str, Any], undeclared: dict[str, Any], problems: list[tuple[str, str]]
    ) -> Any:
        kwargs: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        for key, keyword, tp, required, hook in self._specs():
            if key not in data:
                if required:
                    raise _Unreadable(key, "missing")
                continue
            value = data[key]
            mark = len(problems)
            try:
                kwargs[keyword] = hook(value, tp)
            except Exception as exc:
                del problems[mark:]
                inner = _find_unreadable(exc)
                reason = inner.reason if inner else f"does not parse ({type(exc).__name__})"
                path = _join(key, value, inner.path if inner else "")
                if required:
                    raise _Unreadable(path, reason) from None
                raw[key] = value
                problems.append((key, reason))
                continue
            if len(problems) > mark:  # a nested object kept some of its fields raw
                problems[mark:] = [(_join(key, value, p), r) for p, r in problems[mark:]]
        return self.cls(**kwargs, **{EXTRA_FIELD: {**undeclared, **raw}})


def _find_unreadable(exc: BaseException) -> _Unreadable | None:
    """The `_Unreadable` inside an error cattrs may have wrapped in exception groups."""
    if isinstance(exc, _Unreadable):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _find_unreadable(inner)
            if found is not None:
                return found
    return None


def _join(key: str, value: Any, inner: str) -> str:
    """A field path: ``key.inner``, or ``key[].inner`` inside an array (no index: one per row)."""
    head = f"{key}[]" if isinstance(value, list) else key
    return f"{head}.{inner}" if inner else head


def _model_unstructure_factory(
    cls: type[Any], conv: cattrs.Converter
) -> Callable[[Any], dict[str, Any]]:
    """Build an unstructure hook that writes ``extra`` keys back beside the declared ones."""
    generated = make_dict_unstructure_fn(cls, conv, extra=override(omit=True))

    def unstructure_model(obj: Any) -> dict[str, Any]:
        out = generated(obj)
        for key, value in getattr(obj, EXTRA_FIELD).items():
            # Declared fields win if a hand-built model repeats one of them in `extra`,
            # unless the field is None: then `extra` holds a value that did not parse.
            if out.get(key) is None:
                out[key] = value
        return out

    return unstructure_model


# --- assembly -----------------------------------------------------------------------


def make_converter() -> cattrs.Converter:
    """Create a converter configured with the package's wire rules."""
    conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=False)
    conv.register_structure_hook(dt.datetime, _structure_datetime)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.datetime, _isoformat)
    conv.register_unstructure_hook(dt.date, _isoformat)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Decimal, str)
    # Later registrations take precedence: the open-enum and model factories must win
    # over the generic optional one.
    conv.register_structure_hook_factory(lambda tp: _optional_inner(tp) is not None, _optional_hook)
    conv.register_structure_hook_factory(lambda tp: _open_enum_of(tp) is not None, _open_enum_hook)
    conv.register_structure_hook_factory(_has_extra, _model_structure_factory)
    conv.register_unstructure_hook_factory(_has_extra, _model_unstructure_factory)
    return conv


#: The one converter every model and resource uses.
converter: cattrs.Converter = make_converter()


def _name_failures(exc: cattrs.ClassValidationError) -> None:
    """Attach a one-line summary naming each failing field (``@ $.path``) to `exc`."""
    exc.add_note("; ".join(cattrs.transform_error(exc)))


def structure_strict(data: Any, cls: type[T]) -> T:
    """Build a `cls` instance from parsed JSON or raise cattrs' error, naming each failing field."""
    try:
        return converter.structure(data, cls)
    except cattrs.ClassValidationError as exc:
        _name_failures(exc)
        raise


def structure(data: Any, cls: type[T]) -> T:
    """Build a `cls` instance from a response body: strict on identity, tolerant elsewhere.

    See the module docstring: raises `ResponseValidationError`, may warn `ResponseParseWarning`.
    """
    return _parse(converter.get_structure_hook(cls), data, cls)


def structurer(cls: type[T]) -> Callable[[Any], T]:
    """Return a one-argument parser for `cls` with its hook looked up once, for list rows.

    It parses as `structure` does. The hook is built on the first call, not here: the
    resource modules make a parser per listed model at import time, and most are never
    used by a given program.
    """
    hook: Callable[[Any, Any], Any] | None = None

    def parse(data: Any) -> T:
        nonlocal hook
        if hook is None:
            hook = converter.get_structure_hook(cls)
        try:  # `_parse`, inlined: this runs once per listed row
            result: T = hook(data, cls)
        except Exception:
            return _parse_tolerantly(hook, data, cls)
        return result

    parse.__qualname__ = parse.__name__ = f"parse_{cls.__name__}"
    return parse


def _parse(hook: Callable[[Any, Any], Any], data: Any, cls: type[T]) -> T:
    """The strict, fast pass; on any failure, the tolerant pass."""
    try:
        result: T = hook(data, cls)
    except Exception:
        return _parse_tolerantly(hook, data, cls)
    return result


def _parse_tolerantly(hook: Callable[[Any, Any], Any], data: Any, cls: type[T]) -> T:
    """Parse again keeping unparseable fields raw; raise only for an unreadable identity."""
    problems: list[tuple[str, str]] = []
    token = _tolerant.set(problems)
    try:
        result: T = hook(data, cls)
    except Exception as exc:
        inner = _find_unreadable(exc)
        failure = inner or _Unreadable("", f"does not parse ({type(exc).__name__})")
        raise _validation_error(cls, failure, data) from None
    finally:
        _tolerant.reset(token)
    if problems:
        paths = ", ".join(sorted({path for path, _ in problems}))
        # No values and no row numbers: the message is the same for every row with the
        # same fault, so Python's warning filter reports it once.
        warnings.warn(
            f"{cls.__name__}: fields that did not parse were kept as they came in `extra`: {paths}",
            ResponseParseWarning,
            stacklevel=2,
        )
    return result


def _validation_error(cls: type[Any], failure: _Unreadable, data: Any) -> ResponseValidationError:
    """The typed error for an object whose identity cannot be read, naming the request."""
    request = current_request.get()
    where = f".{failure.path}" if failure.path else ""
    return ResponseValidationError(
        f"cannot read {cls.__name__}{where} from the response: {failure.reason}",
        model=cls.__name__,
        path=failure.path,
        body=redact(data),
        method=request.method if request else None,
        url=request.url if request else None,
    )


def unstructure(obj: Any) -> Any:
    """Turn a model (or any value) back into JSON-ready data."""
    return converter.unstructure(obj)
