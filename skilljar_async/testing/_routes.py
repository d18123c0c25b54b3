"""URL routing: a segment trie over the catalogue's path templates.

Literal segments win over parameters (``/v1/webhooks/sample-course-enrollment``
is not webhook ``sample-course-enrollment``), parameters must match their spec
pattern, and one trailing slash is tolerated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._catalogue import Operation

__all__ = ["Route", "Router"]


class Route:
    """One path template and the operations (by HTTP method) served on it."""

    __slots__ = ("methods", "param_names", "template")

    def __init__(self, template: str) -> None:
        self.template = template
        self.methods: dict[str, Operation] = {}
        self.param_names: tuple[str, ...] = ()

    @property
    def allow(self) -> str:
        """The ``Allow`` header value, DRF style."""
        methods = list(self.methods)
        if "GET" in self.methods:
            methods.append("HEAD")
        methods.append("OPTIONS")
        return ", ".join(methods)


class _Node:
    __slots__ = ("literals", "params", "route")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        self.params: list[tuple[re.Pattern[str], _Node]] = []
        self.route: Route | None = None


class Router:
    """Resolve ``(path)`` to a route and its path parameters."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        self._root = _Node()
        self.routes: dict[str, Route] = {}
        for op in operations:
            self._add(op)

    def _add(self, op: Operation) -> None:
        node = self._root
        patterns = iter(op.param_patterns)
        for segment in op.path.strip("/").split("/"):
            if segment.startswith("{"):
                pattern = next(patterns)
                for existing, child in node.params:
                    if existing.pattern == pattern.pattern:
                        node = child
                        break
                else:
                    child = _Node()
                    node.params.append((pattern, child))
                    node = child
            else:
                node = node.literals.setdefault(segment, _Node())
        if node.route is None:
            node.route = Route(op.path)
            node.route.param_names = op.path_params
            self.routes[op.path] = node.route
        node.route.methods[op.method] = op

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route serving `path` and its parameter values, or None."""
        if path.endswith("/") and len(path) > 1:
            path = path[:-1]
        segments = path.lstrip("/").split("/")
        values: list[str] = []
        node = self._walk(self._root, segments, 0, values)
        if node is None or node.route is None:
            return None
        return node.route, dict(zip(node.route.param_names, values, strict=True))

    def _walk(self, node: _Node, segments: list[str], i: int, values: list[str]) -> _Node | None:
        if i == len(segments):
            return node if node.route is not None else None
        segment = segments[i]
        child = node.literals.get(segment)
        if child is not None:
            found = self._walk(child, segments, i + 1, values)
            if found is not None:
                return found
        for pattern, param_child in node.params:
            if segment and pattern.fullmatch(segment):
                values.append(segment)
                found = self._walk(param_child, segments, i + 1, values)
                if found is not None:
                    return found
                values.pop()
        return None
