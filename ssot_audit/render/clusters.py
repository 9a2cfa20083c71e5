"""Duplicate clusters for the report's diagram: the findings that share a `group`, with the
member to keep and its copies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ssot_audit.model import Finding, Location

MAX_DIAGRAM_COPIES = 8  # Mermaid on GitHub refuses very large graphs


@dataclass(frozen=True)
class ClusterMember:
    location: Location
    scope: str
    flagged: bool


@dataclass(frozen=True)
class DrawnCluster:
    """Findings sharing a `group`, with the locations they list as related. The canonical
    member is the one whose finding the rule marks canonical, else the one member no
    finding flags; `directed` is False when neither says which to keep, and `canonical`
    is then merely the first by path and line."""

    group: str
    rule: str
    canonical: ClusterMember
    copies: tuple[ClusterMember, ...]
    directed: bool

    @property
    def size(self) -> int:
        return 1 + len(self.copies)

    @property
    def drawn_copies(self) -> tuple[ClusterMember, ...]:
        return self.copies[:MAX_DIAGRAM_COPIES]

    @property
    def undrawn(self) -> int:
        return max(0, len(self.copies) - MAX_DIAGRAM_COPIES)


def _member(loc: Location, flagged: dict[Location, Finding]) -> ClusterMember:
    found = flagged.get(loc)
    return ClusterMember(loc, found.scope if found else "", found is not None)


def clusters_of(findings: Iterable[Finding]) -> list[DrawnCluster]:
    flagged: dict[str, dict[Location, Finding]] = defaultdict(dict)
    mentioned: dict[str, set[Location]] = defaultdict(set)
    for f in findings:
        if f.group is None or f.suppressed:
            continue
        flagged[f.group][Location(f.path, f.line)] = f
        mentioned[f.group].update(f.related)
    clusters = []
    for group, members in flagged.items():
        everyone = sorted(set(members) | mentioned[group])
        if len(everyone) < 2:
            continue
        marked = [loc for loc in everyone if loc in members and members[loc].canonical]
        unflagged = [loc for loc in everyone if loc not in members]
        known = marked if len(marked) == 1 else unflagged if len(unflagged) == 1 else []
        canonical = (known or everyone)[0]
        rule = next(iter(members.values())).rule
        copies = tuple(_member(loc, members) for loc in everyone if loc != canonical)
        clusters.append(DrawnCluster(group, rule, _member(canonical, members), copies, directed=bool(known)))
    return sorted(clusters, key=lambda c: (-c.size, c.canonical.location, c.group))
