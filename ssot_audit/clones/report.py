"""Findings about whole definitions that belong to a group (a clone cluster, a competing
name): the location, the group's other members and the decorator line for suppressions."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ssot_audit.analysis.plugins import Rule
from ssot_audit.clones.clusters import Member
from ssot_audit.clones.fragments import Run
from ssot_audit.model import Finding, Location, Severity, Span

# Past this many members a family (a generated module's 15,000 look-alike handlers) is
# summarised: each copy relates to the canonical member only and the canonical one names the
# first few, so the findings cost n, not n * n. Families in hand-written code are far smaller.
FAMILY_CAP = 50
NAMED_IN_SUMMARY = 10


def others_of(member: Member, members: Sequence[Member], keep: Member) -> list[Member]:
    """The members a finding about `member` names: every other one, or for a huge family the
    canonical member (or, for the canonical member, the first few copies)."""
    if len(members) <= FAMILY_CAP:
        return [m for m in members if m is not member]
    if member is keep:
        return [m for m in members if m is not member][:NAMED_IN_SUMMARY]
    return [keep]


def listing(named: Sequence[str], total: int) -> str:
    """`a, b, c`, or `a, b and 40 more` when only some of `total` are named."""
    text = ", ".join(named)
    return text if total <= len(named) else f"{text} and {total - len(named)} more"


def definition_finding(
    rule: Rule[object],
    member: Member,
    message: str,
    group: str,
    others: Sequence[Member],
    *,
    canonical: bool = False,
    severity: Severity | None = None,
) -> Finding:
    """`canonical`: this member is the one the message advises keeping; reports draw the
    others as its copies. `severity`: the kind of copy's, when it differs from the rule's."""
    d = member.definition
    span = Span(d.line, d.column, d.line, d.end_column)
    decorator = [d.decorator_line] if d.decorator_line else []
    return _group_finding(rule, member, span, message, group, others, decorator, d.end_line, canonical, severity)


def run_finding(
    rule: Rule[object],
    member: Member,
    run: Run,
    message: str,
    group: str,
    others: Sequence[Member],
    *,
    canonical: bool = False,
    severity: Severity | None = None,
) -> Finding:
    """A finding on the first line of a copied run, where the copied code is; a suppression on
    its holder's `def`/`class` line (or first decorator) still counts."""
    d = member.definition
    span = Span(run.first_line, 1, run.last_line + 1, 1)  # to the start of the line after the run
    holder = [d.line, d.decorator_line] if d.decorator_line else [d.line]
    return _group_finding(rule, member, span, message, group, others, holder, run.last_line, canonical, severity)


def _group_finding(
    rule: Rule[object],
    member: Member,
    span: Span,
    message: str,
    group: str,
    others: Sequence[Member],
    suppress_lines: Sequence[int],
    end: int,
    canonical: bool,
    severity: Severity | None,
) -> Finding:
    """A finding about one member of a group: the group's other members are its related
    places, and `end` is the last line a report quotes."""
    finding = rule.make_finding(
        member.path,
        span,
        message,
        severity=severity,
        group=group,
        related=sorted(Location(m.path, m.definition.line) for m in others),
        suppress_lines=suppress_lines,
        scope=member.definition.qualname,
        code=member.definition.text,
    )
    return dataclasses.replace(finding, canonical=canonical, definition_end=end)
