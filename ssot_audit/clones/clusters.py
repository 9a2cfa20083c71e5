"""Clusters of clones: connected components of the match graph, the member to keep, and a
group id that depends on the cluster's content only (never on run order)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ssot_audit.clones.fingerprint import Definition
from ssot_audit.model import plural

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


def prepare_graphs() -> None:
    """Import networkx ahead of the project phase (see ProjectRule.prepare): about 0.09 s that
    a `check` of a changed file would otherwise wait for after the parse."""
    import networkx  # noqa: F401


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


def _no_name_importers(module: str, name: str) -> int:
    return 0


def _no_imports(importer: str, module: str) -> bool:
    return False


def choose_canonical(
    members: Sequence[Member],
    importers: Callable[[str], int],
    name_importers: Callable[[str, str], int] = _no_name_importers,
    imports: Callable[[str, str], bool] = _no_imports,
) -> Canonical:
    """The member to keep. The evidence, in order: a module that imports none of the other
    copies' modules (the others are told to import the kept one, and a module they already
    import would close a cycle: botocore's `utils` imports `httpsession`, so `httpsession`'s
    `ensure_boolean` is the one `utils` can use); how many project modules import the name
    itself from its module (`from pkg.text import slugify`), then how many import its module,
    then the shallower module (a package's public API over a helper deep inside it); among
    equals, the path that sorts first, then the first line. SSOT001 and SSOT002 both use it, so
    they never advise keeping different copies of one group."""

    def name_of(m: Member) -> str:
        return m.definition.qualname.partition(".")[0]

    modules = {m.module for m in members}
    by_name = {id(m): name_importers(m.module, name_of(m)) for m in members}
    by_module = {module: importers(module) for module in modules}
    cycles = {module: any(imports(module, other) for other in modules - {module}) for module in modules}

    def rank(m: Member) -> tuple[int, int, int, str, int]:
        return (-by_name[id(m)], -by_module[m.module], m.module.count("."), m.path, m.definition.line)

    best = min(members, key=lambda m: (cycles[m.module], rank(m)))
    named, imported = by_name[id(best)], by_module[best.module]
    if len(modules) == 1:
        reason = "all copies are in one module; it comes first"
    elif not cycles[best.module] and cycles[min(members, key=rank).module]:
        reason = "its module imports none of the others', so they can import it without an import cycle"
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
