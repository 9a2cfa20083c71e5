"""Recommendations by priority, derived from the findings: what to fix now, what to watch,
what can wait. Each names the definitions and files, what to keep and the change, with the
command that fixes it or explains how."""

from __future__ import annotations

from collections.abc import Sequence

from ssot_audit.model import Severity, plural
from ssot_audit.render.clusters import DrawnCluster
from ssot_audit.render.report_records import CategoryView, PriorityGroup, Recommendation, RuleFacts

PRIORITY_TITLES = {
    1: "Immediate Actions (Priority 1)",
    2: "Monitoring Actions (Priority 2)",
    3: "Future Enhancements (Priority 3)",
}
PRIORITY_RULES = {
    1: "duplicate groups and rules with high or critical findings, or with medium ones in a category scored under 70",
    2: "findings whose worst severity is medium, or low in a category scored under 70",
    3: "rules with only low-severity findings, and rules that are not configured",
}
PROMOTE_UNDER = 70.0  # a rule of a category rated FAIR or POOR moves up one priority
MAX_NAMED_CLUSTERS = 5  # duplicate groups named one by one; the rest are counted
MAX_PLACES = 4  # places named per duplicate group
MAX_NAMED_REST = 3  # groups named, by their first definition, in the item for the remaining groups
SEVERITY_PRIORITY = {Severity.CRITICAL: 1, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


def fix_advice(help_text: str) -> str:
    """The first sentence of a rule's `## Fix` section: the change to make."""
    _, found, rest = help_text.partition("## Fix\n")
    if not found:
        return ""
    section = rest.split("\n## ", 1)[0].strip().replace("\n", " ")
    sentence, dot, _ = section.partition(". ")
    return sentence + "." if dot or not sentence.endswith(".") else sentence


def _places(cluster: DrawnCluster) -> str:
    members = [cluster.canonical, *cluster.copies]
    named = ", ".join(f"{m.location.path}:{m.location.line}" for m in members[:MAX_PLACES])
    return named + (f" and {len(members) - MAX_PLACES} more" if len(members) > MAX_PLACES else "")


def cluster_text(cluster: DrawnCluster) -> str:
    """`Consolidate `slugify` (3 definitions: a.py:10, b.py:22, c.py:5) into a.py:10, the one to
    keep (imported by 7 modules): delete the copies and import it there.`"""
    names = ", ".join(f"`{n}`" for n in cluster.names[:3]) + (" and others" if len(cluster.names) > 3 else "")
    keep = cluster.canonical.location
    why = f" ({cluster.reason})" if cluster.reason else ""
    where = f"{plural(cluster.size, 'definitions')}: {_places(cluster)}"
    if cluster.same_name:
        return (
            f"Settle the competing definitions of {names} ({where}): keep {keep.path}:{keep.line}{why}, merge what the "
            "others add and import it there, or rename the ones that are different concepts."
        )
    if not cluster.directed:
        return f"Consolidate {names} ({where}) into one of them, and import or call it in place of the others."
    return (
        f"Consolidate {names} ({where}) into {keep.path}:{keep.line}, the one to keep{why}: delete the copies and "
        "import or call it in their place."
    )


def _cluster_items(categories: Sequence[CategoryView], weak: set[str]) -> list[Recommendation]:
    items = []
    for category in categories:
        if not category.clusters:
            continue
        by_rule = {r.info.code: r for r in category.rules}
        for cluster in category.clusters[:MAX_NAMED_CLUSTERS]:
            facts = by_rule.get(cluster.rule)
            if facts is None:
                continue
            priority = SEVERITY_PRIORITY[cluster.severity]
            if cluster.rule in weak:
                priority = max(1, priority - 1)
            rank = (-cluster.severity.weight, -cluster.size * cluster.severity.weight)
            items.append(
                # The text says what to do; a pointer to the rule's page under every group would
                # repeat one line five times. The item for the remaining groups carries it.
                Recommendation(priority, facts, cluster_text(cluster), None, rank=rank)
            )
        rest = category.clusters[MAX_NAMED_CLUSTERS:]
        if rest:
            worst = min((c.severity for c in rest), key=lambda s: -s.weight)
            facts = by_rule.get(rest[0].rule)
            if facts is not None:
                lead = "the other duplicate group" if len(rest) == 1 else f"the {len(rest):,} other duplicate groups"
                named = ", ".join(f"`{c.names[0]}`" for c in rest[:MAX_NAMED_REST])
                if len(rest) > MAX_NAMED_REST:
                    named += f" and {len(rest) - MAX_NAMED_REST:,} more"
                text = (
                    f"Work through {lead} of {category.title} the same way: {named} "
                    f"({sum(c.size for c in rest):,} definitions; worst severity {worst.value}); "
                    "`--format json` lists each with its `group` and `related` members."
                )
                # As urgent as the worst group among them: critical copies are not a matter to monitor.
                priority = SEVERITY_PRIORITY[worst]
                if rest[0].rule in weak:
                    priority = max(1, priority - 1)
                command = f"ssot-audit rule {rest[0].rule}"
                items.append(Recommendation(priority, facts, text, command, rank=(-worst.weight, 0)))
    return items


def after_colon(sentence: str) -> str:
    """A sentence set after a colon starts in lower case, unless it starts with an acronym
    or a code span (`SQL`, `os.environ`)."""
    if sentence[:2].isalpha() and sentence[:1].isupper() and sentence[1:2].islower():
        return sentence[:1].lower() + sentence[1:]
    return sentence


def rule_text(facts: RuleFacts) -> str:
    where = ", ".join(f"{path} ({n:,})" for path, n in facts.top_files)
    more = facts.files - len(facts.top_files)
    if more > 0:
        where += f" and {plural(more, 'more files')}"
    text = (
        f"Resolve {plural(facts.findings, 'findings')} of **{facts.info.name}** (`{facts.info.code}`, worst severity "
        f"{facts.worst.value if facts.worst else 'none'}), most in {where}."
    )
    # What the findings themselves say to do, when they agree; else the rule's documented fix,
    # unless the fix command makes the change itself (its documented example would name code
    # from the rule's page, not from this project).
    fixed_by_command = bool(facts.info.fix_command) and facts.fixable == facts.findings
    advice = facts.common_advice or ("" if fixed_by_command else fix_advice(facts.info.help))
    if advice:
        text += f" The change: {after_colon(advice)}{'' if advice.endswith('.') else '.'}"
    if facts.fixable and facts.fixable < facts.findings:
        text += f" {facts.fixable:,} of them are autofixable."
    return text


def recommendations(categories: Sequence[CategoryView], other: Sequence[RuleFacts]) -> tuple[PriorityGroup, ...]:
    weak = {r.info.code for c in categories if c.score is not None and c.score < PROMOTE_UNDER for r in c.rules}
    items = _cluster_items(categories, weak)
    in_clusters = {c.rule for cat in categories for c in cat.clusters}
    for facts in [*(r for c in categories for r in c.rules), *other]:
        if not facts.info.configured:
            text = f"Configure **{facts.info.name}** (`{facts.info.code}`): until then it checks nothing."
            items.append(Recommendation(3, facts, text, f"ssot-audit rule {facts.info.code}", rank=(0, 0)))
            continue
        if facts.findings == 0 or facts.worst is None or facts.info.code in in_clusters:
            continue  # duplicate groups are recommended one by one above
        priority = SEVERITY_PRIORITY[facts.worst]
        if facts.info.code in weak:
            priority = max(1, priority - 1)
        rank = (-facts.worst.weight, -facts.weighted)
        if facts.fixable and facts.info.fix_command:
            items.append(
                Recommendation(priority, facts, rule_text(facts), facts.info.fix_command, fixes=True, rank=rank)
            )
        else:
            items.append(
                Recommendation(priority, facts, rule_text(facts), f"ssot-audit rule {facts.info.code}", rank=rank)
            )
    groups = []
    for priority, title in PRIORITY_TITLES.items():
        chosen = sorted((i for i in items if i.priority == priority), key=lambda i: (i.rank, i.rule.info.code, i.text))
        groups.append(PriorityGroup(priority, title, PRIORITY_RULES[priority], tuple(chosen)))
    return tuple(groups)
