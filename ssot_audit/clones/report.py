"""Findings about whole definitions that belong to a group (a clone cluster, a competing
name): the location, the group's other members and the decorator line for suppressions."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ssot_audit.analysis.plugins import Rule
from ssot_audit.clones.clusters import Member
from ssot_audit.clones.fragments import Run
from ssot_audit.model import Finding, Location, Severity, Span


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
    finding = rule.make_finding(
        member.path,
        Span(d.line, d.column, d.line, d.end_column),
        message,
        severity=severity,
        group=group,
        related=sorted(Location(m.path, m.definition.line) for m in others),
        suppress_lines=[d.decorator_line] if d.decorator_line else [],
        scope=d.qualname,
        code=d.text,
    )
    return dataclasses.replace(finding, canonical=canonical, definition_end=d.end_line)


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
    holder = [d.line, d.decorator_line] if d.decorator_line else [d.line]
    finding = rule.make_finding(
        member.path,
        Span(run.first_line, 1, run.last_line + 1, 1),  # to the start of the line after the run
        message,
        severity=severity,
        group=group,
        related=sorted(Location(m.path, m.definition.line) for m in others),
        suppress_lines=holder,
        scope=d.qualname,
        code=d.text,
    )
    return dataclasses.replace(finding, canonical=canonical, definition_end=run.last_line)
