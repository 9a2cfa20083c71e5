"""Match suppression comments to findings and find the comments that silence nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ssot_audit.model import Finding, Suppression


@dataclass(frozen=True)
class Unused:
    suppression: Suppression
    codes: tuple[str, ...]  # the codes that matched nothing; empty for a whole bare comment


def _names(finding: Finding) -> set[str]:
    return {finding.rule.upper(), finding.name.lower()}


def _normalise(code: str) -> str:
    return code.upper() if code[:1].isalpha() and code[-1:].isdigit() else code.lower()


def apply_suppressions(
    findings: Iterable[Finding],
    suppressions: Iterable[Suppression],
    rule_names: Mapping[str, str],
    ran: frozenset[str],
) -> tuple[list[Finding], list[Unused]]:
    """Mark suppressed findings of one file; report suppressions that silenced nothing.

    Only our own codes can be unused: a bare `# noqa` or `# noqa: E501` belongs to flake8
    or ruff as much as to us, and a code whose rule did not run on this file proves nothing.
    """
    by_line: dict[int, list[Suppression]] = {}
    for s in suppressions:
        by_line.setdefault(s.line, []).append(s)
    used: dict[Suppression, set[str]] = {}
    out: list[Finding] = []
    for finding in findings:
        matched = False
        for line in (finding.span.line, *finding.suppress_lines):
            for s in by_line.get(line, ()):
                if s.codes is None:
                    used.setdefault(s, set()).add("*")
                    matched = True
                else:
                    hit = {c for c in s.codes if _normalise(c) in _names(finding)}
                    if hit:
                        used.setdefault(s, set()).update(hit)
                        matched = True
        out.append(dataclasses.replace(finding, suppressed=True) if matched else finding)

    name_to_code = {name: code for code, name in rule_names.items()}
    unused: list[Unused] = []
    for s in sorted({s for group in by_line.values() for s in group}, key=lambda s: (s.line, s.column)):
        hits = used.get(s, set())
        if s.codes is None:
            if s.kind == "ssot" and not hits:
                unused.append(Unused(s, ()))
            continue
        idle = []
        for raw in sorted(s.codes):
            code = _normalise(raw)
            code = name_to_code.get(code, code)
            if code == "SSOT900" or raw in hits:
                continue
            if code in ran:
                idle.append(raw)
            elif s.kind == "ssot" and code not in rule_names:
                idle.append(raw)  # a typo in our own comment: say so
        if idle:
            unused.append(Unused(s, tuple(idle)))
    return out, unused
