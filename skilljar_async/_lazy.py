"""`SubResource`: a resource attribute whose module is imported on first access.

The client and every resource with children declare them as class attributes::

    class Domains(Resource):
        users: SubResource[DomainUsers] = SubResource("._domain_users", "DomainUsers")

so building a client imports no resource module, and ``client.domains`` imports only
what the domains tree needs. The built resource is cached in the owner's ``__dict__``
(the descriptor defines no ``__set__``), so later reads are plain attribute reads.
"""

from __future__ import annotations

import importlib
from typing import Any, Generic, TypeVar, overload

__all__ = ["SubResource"]

R = TypeVar("R")

_PACKAGE = "skilljar_async.resources"


class SubResource(Generic[R]):
    """A lazily built resource: ``module`` (relative to the resources package) and class."""

    __slots__ = ("_attr", "_class", "_module")

    def __init__(self, module: str, class_name: str) -> None:
        self._module = module
        self._class = class_name
        self._attr = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._attr = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> SubResource[R]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> R: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> SubResource[R] | R:
        if obj is None:
            return self
        cls = getattr(importlib.import_module(self._module, _PACKAGE), self._class)
        # A resource passes on the client it is bound to; the client passes itself.
        client: Any = getattr(obj, "_client", obj)
        value: R = cls(client)
        obj.__dict__[self._attr] = value
        return value

    def __repr__(self) -> str:
        return f"<SubResource {self._module}.{self._class}>"
