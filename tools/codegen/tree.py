"""The client's attribute tree: one node per resource, holding its operations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalogue import Catalogue, Key

__all__ = ["Node", "build_tree"]


@dataclass
class Node:
    """One attribute of the client tree (``client.domains.catalog_pages``)."""

    path: Key
    hand: bool  # implemented by a hand-written class: not generated
    ops: dict[str, dict[str, Any]] = field(default_factory=dict)
    children: dict[str, Node] = field(default_factory=dict)

    @property
    def dotted(self) -> str:
        """``domains.catalog_pages``."""
        return ".".join(self.path)


def build_tree(cat: Catalogue) -> dict[Key, Node]:
    """Every node of the client tree, keyed by its path."""
    nodes: dict[Key, Node] = {}
    for op in cat.ops:
        *parts, verb = op["client_path"].split(".")
        for depth in range(1, len(parts) + 1):
            key = tuple(parts[:depth])
            if key not in nodes:
                nodes[key] = Node(key, hand=key in cat.tables.hand_nodes)
                if depth > 1:
                    nodes[key[:-1]].children[key[-1]] = nodes[key]
        nodes[tuple(parts)].ops[verb] = op
    return nodes
