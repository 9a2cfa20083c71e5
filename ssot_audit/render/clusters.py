"""Duplicate clusters for the report: the findings that share a `group`, with the member to
keep, its copies, their names for the diagram and the source that shows them side by side."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ssot_audit.model import Excerpt, Finding, Location, Severity, split_message

MAX_DIAGRAM_COPIES = 4  # Mermaid on GitHub refuses very large graphs, and readers skip them
MAX_QUOTED_COPIES = 1  # copies quoted (or diffed) per group in the evidence; the rest are named


MAX_DIFF_LINES = 10  # a near-miss's diff beyond this is cut, with a note
# The reason a rule gives for the member to keep: the first parenthesis of its reasoning.
_REASON = re.compile(r"\(((?:[^()]|\([^()]*\))*)\)")


@dataclass(frozen=True)
class ClusterMember:
    location: Location
    scope: str
    flagged: bool
    # Its source (up to the excerpt's length) and, for a copy, how it differs from the member
    # to keep as unified-diff lines: () when it is identical as written.
    excerpt: Excerpt | None = None
    diff: tuple[str, ...] = ()
    diff_truncated: bool = False

    @property
    def name(self) -> str:
        return self.scope.rpartition(".")[2] or f"{self.location.path}:{self.location.line}"

    @property
    def identical(self) -> bool:
        return self.excerpt is not None and not self.diff


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
    severity: Severity = Severity.MEDIUM
    # Why the rule keeps the canonical member ("its module is imported by 7 project modules"),
    # when its finding says so.
    reason: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The members' distinct names, the canonical one first: what the cluster is about."""
        return tuple(dict.fromkeys(m.name for m in (self.canonical, *self.copies)))

    @property
    def title(self) -> str:
        """`send_static_file: 2 definitions`, `TagTuple, TagUUID +1: 3 definitions`."""
        names = self.names
        shown = ", ".join(names[:2]) + (f" +{len(names) - 2}" if len(names) > 2 else "")
        return f"{shown}: {self.size} definitions"

    @property
    def same_name(self) -> bool:
        """SSOT002's clusters are one name defined differently, not copies of one body."""
        return self.rule == "SSOT002"

    @property
    def size(self) -> int:
        return 1 + len(self.copies)

    @property
    def drawn_copies(self) -> tuple[ClusterMember, ...]:
        return self.copies[:MAX_DIAGRAM_COPIES]

    @property
    def undrawn(self) -> int:
        return max(0, len(self.copies) - MAX_DIAGRAM_COPIES)

    @property
    def quoted_copies(self) -> tuple[ClusterMember, ...]:
        return self.copies[:MAX_QUOTED_COPIES]

    @property
    def named_copies(self) -> tuple[ClusterMember, ...]:
        """Copies past the quoted ones: named by place only."""
        return self.copies[MAX_QUOTED_COPIES:]


def _member(
    loc: Location, flagged: dict[Location, Finding], excerpts: Mapping[Location, Excerpt], keep: Excerpt | None = None
) -> ClusterMember:
    found = flagged.get(loc)
    excerpt = excerpts.get(loc)
    diff: list[str] = []
    if keep is not None and excerpt is not None and keep.lines != excerpt.lines:
        diff = list(difflib.unified_diff(keep.lines, excerpt.lines, lineterm="", n=1))[2:]  # no ---/+++ header
    return ClusterMember(
        loc,
        found.scope if found else "",
        found is not None,
        excerpt,
        tuple(diff[:MAX_DIFF_LINES]),
        len(diff) > MAX_DIFF_LINES,
    )


def _reason(finding: Finding | None) -> str:
    if finding is None:
        return ""
    found = _REASON.search(split_message(finding.message)[1])
    return found.group(1) if found else ""


def clusters_of(findings: Iterable[Finding], excerpts: Mapping[Location, Excerpt] | None = None) -> list[DrawnCluster]:
    excerpts = excerpts or {}
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
        keep = _member(canonical, members, excerpts)
        copies = tuple(_member(loc, members, excerpts, keep.excerpt) for loc in everyone if loc != canonical)
        severity = min((f.severity for f in members.values()), key=lambda s: -s.weight)
        reason = _reason(members.get(canonical) if known else None)
        clusters.append(DrawnCluster(group, rule, keep, copies, bool(known), severity, reason))
    # The worst first (exact copies before near-misses before same names), then the largest.
    return sorted(clusters, key=lambda c: (-c.severity.weight, -c.size, c.canonical.location, c.group))
