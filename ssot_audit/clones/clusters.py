"""Clusters of clones: connected components of the match graph, the member to keep, and a
group id that depends on the cluster's content only (never on run order)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ssot_audit.clones.fingerprint import Definition

if TYPE_CHECKING:
    import networkx as nx

T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True)
class Member:
    """A definition somewhere in the project."""

    path: str
    module: str
    index: int  # its position in the file's definitions
    definition: Definition

    @property
    def label(self) -> str:
        return f"{self.module}.{self.definition.qualname}" if self.module else self.definition.qualname


def match_graph(edges: Iterable[tuple[T, T]]) -> nx.Graph[T]:
    import networkx as nx  # 0.25 s to import: paid only when a project rule runs
    graph: nx.Graph[T] = nx.Graph()
    graph.add_edges_from(edges)
    return graph


def components(graph: nx.Graph[T], within: Iterable[T] | None = None) -> list[set[T]]:
    """Groups of two or more nodes linked directly or through other nodes (of `within`)."""
    import networkx as nx  # 0.25 s to import: paid only when a project rule runs
    view = graph if within is None else graph.subgraph(within)
    return [set(c) for c in nx.connected_components(view) if len(c) > 1]


@dataclass(frozen=True)
class Canonical:
    member: Member
    reason: str


def choose_canonical(members: Sequence[Member], importers: Callable[[str], int]) -> Canonical:
    """The member to keep: the one whose module the rest of the project imports most; among
    equals, the oldest path by name (the one that sorts first), then the first line."""
    counts = {m.module: importers(m.module) for m in members}
    best = min(members, key=lambda m: (-counts[m.module], m.path, m.definition.line))
    top = counts[best.module]
    tied = sum(1 for m in members if counts[m.module] == top)
    imported = f"imported by {top} project module{'s' if top != 1 else ''}"
    if tied == len(members) and len({m.module for m in members}) > 1:
        if top == 0:
            reason = "no project module imports any of them; it has the oldest path by name"
        else:
            reason = f"every module here is {imported}; it has the oldest path by name"
    elif tied == len(members):
        reason = "all copies are in one module; it comes first"
    elif tied > 1:
        reason = f"its module is {imported}, the most of any copy, and it has the oldest path by name among those"
    else:
        reason = f"its module is {imported}, the most of any copy"
    return Canonical(best, reason)


def group_id(prefix: str, members: Iterable[Member], content: bytes = b"") -> str:
    """Stable across runs and independent of discovery order: a hash of who is in it (and of
    what they share, when the same members share more than one thing)."""
    keys = sorted(f"{m.path}::{m.definition.qualname}" for m in members)
    digest = hashlib.blake2b(chr(10).join(keys).encode() + content, digest_size=5).hexdigest()
    return f"{prefix}-{digest}"
