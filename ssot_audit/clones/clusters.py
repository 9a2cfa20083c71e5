"""Clusters of clones: connected components of the match graph, the member to keep, and a
group id that depends on the cluster's content only (never on run order)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ssot_audit.clones.fingerprint import Definition
from ssot_audit.model import plural

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


class Links(Generic[T]):
    """An undirected graph as adjacency sets, its nodes in the order they were first linked.
    All the clone rules ask of a graph is its connected groups: networkx did that too, but
    its import alone (0.25 s) was a quarter of a `check` of one file."""

    def __init__(self, edges: Iterable[tuple[T, T]] = ()) -> None:
        self.adjacent: dict[T, dict[T, None]] = {}
        for a, b in edges:
            self.add(a, b)

    def add(self, a: T, b: T) -> None:
        self.adjacent.setdefault(a, {})[b] = None
        self.adjacent.setdefault(b, {})[a] = None

    @property
    def nodes(self) -> list[T]:
        return list(self.adjacent)

    def groups(self, within: Iterable[T] | None = None) -> list[set[T]]:
        """The connected groups (of the nodes `within`, linked through them only), each
        found from its first node in link order (in the order of `within`, when given)."""
        allowed = None if within is None else set(within)
        # Started from `within` itself when given: the clusters re-split one component's rest
        # after each canonical choice, and walking every node of the graph each time was
        # quadratic in the number of components.
        starts = self.adjacent if within is None else [n for n in dict.fromkeys(within) if n in self.adjacent]
        seen: set[T] = set()
        found = []
        for start in starts:
            if start in seen:
                continue
            group, frontier = {start}, [start]
            while frontier:
                for other in self.adjacent[frontier.pop()]:
                    if other not in group and (allowed is None or other in allowed):
                        group.add(other)
                        frontier.append(other)
            seen |= group
            found.append(group)
        return found


def match_graph(edges: Iterable[tuple[T, T]]) -> Links[T]:
    return Links(edges)


def components(graph: Links[T], within: Iterable[T] | None = None) -> list[set[T]]:
    """Groups of two or more nodes linked directly or through other nodes (of `within`)."""
    return [group for group in graph.groups(within) if len(group) > 1]


@dataclass(frozen=True)
class Canonical:
    member: Member
    reason: str


def _no_name_importers(module: str, name: str) -> int:
    return 0


def choose_canonical(
    members: Sequence[Member],
    importers: Callable[[str], int],
    name_importers: Callable[[str, str], int] = _no_name_importers,
) -> Canonical:
    """The member to keep. The evidence, in order: how many project modules import the name
    itself from its module (`from pkg.text import slugify`), then how many import its module,
    then the shallower module (a package's public API over a helper deep inside it); among
    equals, the path that sorts first, then the first line. SSOT001 and SSOT002 both use it, so
    they never advise keeping different copies of one group."""

    def name_of(m: Member) -> str:
        return m.definition.qualname.partition(".")[0]

    by_name = {id(m): name_importers(m.module, name_of(m)) for m in members}
    by_module = {m.module: importers(m.module) for m in members}

    def rank(m: Member) -> tuple[int, int, int, str, int]:
        return (-by_name[id(m)], -by_module[m.module], m.module.count("."), m.path, m.definition.line)

    best = min(members, key=rank)
    named, imported = by_name[id(best)], by_module[best.module]
    if len({m.module for m in members}) == 1:
        reason = "all copies are in one module; it comes first"
    elif named and sum(1 for m in members if by_name[id(m)] == named) == 1:
        reason = (
            f"`{name_of(best)}` is imported from its module by {plural(named, 'project modules')}, the most of any copy"
        )
    elif imported and sum(1 for m in members if by_module[m.module] == imported and by_name[id(m)] == named) == 1:
        reason = f"its module is imported by {plural(imported, 'project modules')}, the most of any copy"
    elif named or imported:
        reason = "it is imported as much as any copy, and has the shortest module path, then the first by name"
    else:
        reason = "no project module imports any of them; it has the shortest module path, then the first by name"
    return Canonical(best, reason)


def group_id(prefix: str, members: Iterable[Member], content: bytes = b"") -> str:
    """Stable across runs and independent of discovery order: a hash of who is in it (and of
    what they share, when the same members share more than one thing)."""
    keys = sorted(f"{m.path}::{m.definition.qualname}" for m in members)
    digest = hashlib.blake2b(chr(10).join(keys).encode() + content, digest_size=5).hexdigest()
    return f"{prefix}-{digest}"
