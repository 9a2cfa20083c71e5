"""Recommendations by priority, derived from the findings: what to fix now, what to watch,
what can wait, each with the command that fixes it or explains how."""

from __future__ import annotations

from collections.abc import Sequence

from ssot_audit.model import Severity, plural
from ssot_audit.render.report_records import CategoryView, PriorityGroup, Recommendation, RuleFacts

PRIORITY_TITLES = {
    1: "Immediate Actions (Priority 1)",
    2: "Monitoring Actions (Priority 2)",
    3: "Future Enhancements (Priority 3)",
}
PRIORITY_RULES = {
    1: "rules with high or critical findings, or with medium ones in a category scored under 70",
    2: "rules whose worst finding is of medium severity, or low in a category scored under 70",
    3: "rules with only low-severity findings, and rules that are not configured",
}
PROMOTE_UNDER = 70.0  # a rule of a category rated FAIR or POOR moves up one priority


def recommendations(categories: Sequence[CategoryView], other: Sequence[RuleFacts]) -> tuple[PriorityGroup, ...]:
    items: list[Recommendation] = []
    weak = {r.info.code for c in categories if c.score is not None and c.score < PROMOTE_UNDER for r in c.rules}
    for facts in [*(r for c in categories for r in c.rules), *other]:
        if not facts.info.configured:
            text = f"Configure **{facts.info.name}** (`{facts.info.code}`): until then it checks nothing."
            items.append(Recommendation(3, facts, text, f"ssot-audit rule {facts.info.code}"))
            continue
        if facts.findings == 0 or facts.worst is None:
            continue
        priority = {Severity.CRITICAL: 1, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}[facts.worst]
        if facts.info.code in weak:
            priority = max(1, priority - 1)
        text = (
            f"Resolve {plural(facts.findings, 'findings')} of **{facts.info.name}** (`{facts.info.code}`, "
            f"worst severity {facts.worst.value}) in {plural(facts.files, 'files')}. {facts.info.summary}"
        )
        if facts.fixable and facts.fixable < facts.findings:
            text += f" {facts.fixable:,} of them are autofixable."
        if facts.fixable and facts.info.fix_command:
            items.append(Recommendation(priority, facts, text, facts.info.fix_command, fixes=True))
        else:
            items.append(Recommendation(priority, facts, text, f"ssot-audit rule {facts.info.code}"))
    groups = []
    for priority, title in PRIORITY_TITLES.items():
        chosen = sorted((i for i in items if i.priority == priority), key=lambda i: (-i.rule.weighted, i.rule.info.code))
        groups.append(PriorityGroup(priority, title, PRIORITY_RULES[priority], tuple(chosen)))
    return tuple(groups)
