"""Findings about whole definitions that belong to a group (a clone cluster, a competing
name): the location, the group's other members and the decorator line for suppressions."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ssot_audit.analysis.plugins import Rule
from ssot_audit.clones.clusters import Member
from ssot_audit.clones.fragments import Run
from ssot_audit.model import Finding, Location, Severity, Span

# Past this many members a family is a template (a generated module's 15,000 look-alike
# handlers, an API client's 400 endpoint methods written from one pattern): it is one finding,
# on the member to keep, which lists the others; fixing it is one change (generate the modules
# and mark them so, or factor the template out), not one per copy. Families in hand-written
# code are smaller: of 60 packages audited, only elasticsearch's generated client has one over
# 14 members, and ansible's 22 platform variants of `group_add` (one pattern, one decision).
FAMILY_CAP = 20
NAMED_IN_SUMMARY = 10


def is_template(members: Sequence[Member]) -> bool:
    return len(members) > FAMILY_CAP


def others_of(member: Member, members: Sequence[Member]) -> list[Member]:
    """The members a finding about `member` names: every other one."""
    return [m for m in members if m is not member]


def template_advice(members: Sequence[Member], keep_reason: str, shared: str) -> str:
    """What to do with a template family: generate it, or keep one copy as `shared`."""
    modules = len({m.path for m in members})
    return (
        f"{len(members)} copies in {modules} module{'s' if modules != 1 else ''} are a template: if a tool "
        "writes them, say so in each module's header (`# @generated`) and SSOT001 leaves them out; if not, "
        f"keep this one ({keep_reason}) as {shared} the others use"
    )


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
