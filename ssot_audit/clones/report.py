"""Findings about whole definitions that belong to a group (a clone cluster, a competing
name): the location, the group's other members and the decorator line for suppressions."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ssot_audit.analysis.plugins import Rule
from ssot_audit.clones.clusters import Member
from ssot_audit.model import Finding, Location, Span


def definition_finding(
    rule: Rule[object], member: Member, message: str, group: str, others: Sequence[Member], *, canonical: bool = False
) -> Finding:
    """`canonical`: this member is the one the message advises keeping; reports draw the
    others as its copies."""
    d = member.definition
    finding = rule.make_finding(
        member.path,
        Span(d.line, d.column, d.line, d.end_column),
        message,
        group=group,
        related=sorted(Location(m.path, m.definition.line) for m in others),
        suppress_lines=[d.decorator_line] if d.decorator_line else [],
        scope=d.qualname,
        code=d.text,
    )
    return dataclasses.replace(finding, canonical=canonical) if canonical else finding
