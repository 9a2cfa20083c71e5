"""The facts of the Markdown report, derived from an AuditResult alone: per-rule numbers,
which findings are evidence, the summary and the conclusion. Every sentence it writes
states a number measured by the audit; the templates only lay the facts out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import PurePath

from ssot_audit.model import (
    NEW,
    AuditResult,
    CategoryScore,
    Finding,
    Location,
    RuleInfo,
    Severity,
    plural,
    split_message,
)
from ssot_audit.render.clusters import DrawnCluster, clusters_of
from ssot_audit.render.recommendations import recommendations
from ssot_audit.render.report_records import (
    STRENGTH_EVIDENCE,
    CategoryView,
    ChangeLine,
    ChartBar,
    FindingGroup,
    FindingView,
    Report,
    RuleFacts,
)
from ssot_audit.render.wording import baseline_score, formula_note, icon, score_text

TOP_FINDINGS = 3  # per category, shown in full with their source; the rest are grouped
MAX_TABLE_ROWS = 200  # a table longer than this helps nobody; JSON has them all
MAX_GROUPS = 12  # rows of a category's grouped findings
MAX_GROUP_FILES = 3  # files named per group, most findings first
MAX_CHANGE_NAMES = 5  # new or eliminated findings named per category
# What varies between messages that say the same thing: quoted names, code spans, numbers.
_VARYING = re.compile(r"`[^`]*`|'[^']*'|\b\d+(?:\.\d+)?%?")
IMPORTS = "imports"
SEVERITY_ORDER = {s: i for i, s in enumerate(reversed(list(Severity)))}  # critical first


def importance(f: Finding) -> tuple[int, str, int, int, str, str]:
    return (SEVERITY_ORDER[f.severity], *f.sort_key())


def view(result: AuditResult, finding: Finding) -> FindingView:
    return FindingView(
        finding, f"{finding.path}:{finding.line}", result.excerpts.get(Location(finding.path, finding.line))
    )


def rule_facts(info: RuleInfo, findings: Sequence[Finding]) -> RuleFacts:
    active = [f for f in findings if not f.suppressed]
    suppressed = len(findings) - len(active)
    files = len({f.path for f in active})
    fixable = sum(1 for f in active if f.fixable)
    worst = min((f.severity for f in active), key=SEVERITY_ORDER.__getitem__, default=None)
    label = f"**{info.name}** (`{info.code}`)"
    if not info.configured:
        statement = f"{label} is not configured, so it checked nothing; `ssot-audit rule {info.code}` shows its options"
    elif active:
        statement = f"{label}: {plural(len(active), 'findings')} in {plural(files, 'files')}"
        if info.checked:
            statement += f" among {plural(info.checked, info.unit)} checked"
        if fixable:
            statement += f"; {fixable:,} autofixable with `{info.fix_command or 'ssot-audit fix'}`"
    elif info.checked == 0:
        statement = f"{label} found nothing to check: no {info.unit}"
    elif info.checked < STRENGTH_EVIDENCE:
        statement = f"{label}: no findings, but only {plural(info.checked, info.unit)} checked, too few to judge"
    else:
        statement = f"{label}: no findings among {plural(info.checked, info.unit)} checked"
    if suppressed:
        statement += f" ({suppressed:,} more suppressed by comments)"
    weighted = sum(f.severity.weight for f in active)
    per_file = sorted(Counter(f.path for f in active).items(), key=lambda item: (-item[1], item[0]))
    advice = {split_message(f.message)[1] for f in active}
    common = advice.pop() if len(advice) == 1 else ""
    return RuleFacts(
        info,
        len(active),
        suppressed,
        files,
        fixable,
        weighted,
        worst,
        statement,
        tuple(per_file[:MAX_GROUP_FILES]),
        common,
    )


def pattern(message: str) -> str:
    """A message's headline with what varies between its findings replaced by `…`."""
    return _VARYING.sub(
        lambda m: "`…`" if m.group().startswith("`") else "'…'" if m.group()[0] == "'" else "N",
        split_message(message)[0],
    )


def group_findings(findings: Sequence[Finding]) -> list[FindingGroup]:
    """Findings grouped by rule and message pattern, the heaviest group first."""
    grouped: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        grouped[(f.rule, pattern(f.message))].append(f)
    out = []
    for (rule, text), members in grouped.items():
        per_file = Counter(f.path for f in members).most_common()
        per_file.sort(key=lambda item: (-item[1], item[0]))
        worst = min((f.severity for f in members), key=lambda s: -s.weight)
        out.append(
            FindingGroup(
                rule,
                members[0].name,
                worst,
                text,
                len(members),
                tuple(per_file[:MAX_GROUP_FILES]),
                max(0, len(per_file) - MAX_GROUP_FILES),
            )
        )
    return sorted(out, key=lambda g: (-g.severity.weight * g.count, g.rule, g.pattern))


def category_view(
    result: AuditResult, score: CategoryScore, weight: float, findings: Sequence[Finding]
) -> CategoryView:
    infos = [r for r in result.rules if r.enabled and r.category == score.category.id]
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    known = {info.code for info in infos}
    for code in sorted(set(by_rule) - known):
        first = by_rule[code][0]
        infos.append(
            RuleInfo(code, first.name, first.category, first.severity, "", "", score.category.unit, True, True, 0)
        )
    facts = tuple(rule_facts(info, by_rule.get(info.code, [])) for info in infos)
    # Only rules that found nothing wrong among what they checked: a share of files without a
    # finding is a weakness in disguise when most files have one.
    strengths = tuple(r.statement for r in facts if r.clean)
    idle = {r.info.code for r in facts if (r.info.configured and r.info.checked == 0 and r.findings == 0) or r.thin}
    areas = tuple(r.statement for r in facts if not r.clean and r.info.code not in idle)
    unchecked = tuple(r.statement for r in facts if r.info.code in idle)
    active = sorted((f for f in findings if not f.suppressed), key=importance)
    clusters = tuple(clusters_of(findings, result.excerpts))
    # A category of duplicate clusters shows its copies side by side instead of single findings.
    grouped = {f.group for f in active if f.group is not None} if clusters else set()
    loose = [f for f in active if f.group not in grouped]
    shown = [view(result, f) for f in loose]
    rest = shown[TOP_FINDINGS:]
    groups = group_findings([fv.finding for fv in rest])
    return CategoryView(
        id=score.category.id,
        title=score.category.title,
        score=score.score,
        rating=score.rating,
        icon=icon(score.rating),
        formula=score.formula,
        findings=score.findings,
        weighted=score.weighted,
        checked=score.checked,
        unit=score.unit or score.category.unit,
        weight=weight,
        rules=facts,
        strengths=strengths,
        areas=areas,
        unchecked=unchecked,
        top=tuple(shown[:TOP_FINDINGS]),
        rest=tuple(rest[:MAX_TABLE_ROWS]),
        rest_omitted=max(0, len(rest) - MAX_TABLE_ROWS),
        clusters=clusters,
        groups=tuple(groups[:MAX_GROUPS]),
        groups_omitted=max(0, len(groups) - MAX_GROUPS),
    )


def key_facts(
    result: AuditResult, categories: Sequence[CategoryView], clusters: Sequence[DrawnCluster], active: Sequence[Finding]
) -> list[str]:
    # The category table follows; these say what it does not: the worst, what is not judged,
    # what is easy to fix, and what changed.
    facts = []
    worst = [f for f in active if f.severity in (Severity.CRITICAL, Severity.HIGH)]
    if worst:
        facts.append(f"**Worst violations**: {worst_violations(worst)}")
    scored = [c for c in categories if c.score is not None]
    # "Weakest" says something only against a stronger category.
    if len({c.score for c in scored}) > 1:
        low = min(scored, key=lambda c: (c.score or 0.0, c.title))
        facts.append(f"**Weakest category**: {low.title}, {low.score_text}")
    for c in categories:
        if c.score is None and c.formula.startswith("not enough"):
            facts.append(f"**{c.title}**: not judged ({c.formula}); left out of the overall score")
    if clusters:
        members = sum(c.size for c in clusters)
        facts.append(f"**Duplicate groups**: {plural(len(clusters), 'groups')} of {members:,} definitions in all")
    fixable = sum(1 for f in active if f.fixable)
    if fixable:
        facts.append(f"**Autofixable**: {plural(fixable, 'findings')}, with `ssot-audit fix`")
    if result.changes is not None:
        ch = result.changes
        facts.append(
            f"**Since `{ch.ref}`** (`{ch.commit[:12]}`): {plural(ch.new, 'new findings')}, "
            f"{ch.eliminated:,} eliminated; score {ch.score_before:.1f} then, {result.score:.1f} now "
            f"({formula_note(result)})"
        )
    elif result.fixed is not None:  # a baseline, not a ref: the ref's line above says it all
        new = sum(1 for f in active if f.baseline_state == NEW)
        score = baseline_score(result)
        facts.append(
            f"**Since the baseline**: {plural(new, 'new findings')}, {len(result.fixed):,} fixed"
            + (f"; {score}" if score else "")
        )
    return facts


def worst_violations(worst: Sequence[Finding]) -> str:
    """`159 critical and 125 high duplicate-implementation findings; 6 high competing-definition
    findings`: per rule, the most first."""
    by_rule: dict[str, Counter[Severity]] = defaultdict(Counter)
    for f in worst:
        by_rule[f.name][f.severity] += 1
    parts = []
    for name, counts in sorted(by_rule.items(), key=lambda kv: (-kv[1].total(), kv[0])):
        levels = [f"{counts[s]:,} {s.value}" for s in (Severity.CRITICAL, Severity.HIGH) if counts[s]]
        noun = "finding" if counts.total() == 1 else "findings"
        parts.append(f"{' and '.join(levels)} {name} {noun}")
    return "; ".join(parts)


def _named(f: Finding) -> str:
    """`make_slug` at shop/feeds.py:1, duplicate-implementation: no brackets of its own, since
    the narrative lists these inside brackets."""
    what = f"`{f.scope}`" if f.scope else split_message(f.message)[0]
    return f"{what} at {f.path}:{f.line}, {f.name}"


def change_lines(result: AuditResult, categories: Sequence[CategoryView]) -> list[ChangeLine]:
    """By category, the new and the eliminated findings, named: the narrative of a change."""
    if result.fixed is None:
        return []
    titles = {c.id: c.title for c in categories}
    new = [f for f in result.active_findings if f.baseline_state == NEW]
    out = []
    for cid in dict.fromkeys([*titles, *(f.category for f in new), *(f.category for f in result.fixed)]):
        added = sorted((f for f in new if f.category == cid), key=importance)
        gone = sorted((f for f in result.fixed if f.category == cid), key=importance)
        if added or gone:
            out.append(
                ChangeLine(
                    titles.get(cid, cid),
                    len(added),
                    len(gone),
                    tuple(_named(f) for f in added[:MAX_CHANGE_NAMES]),
                    tuple(_named(f) for f in gone[:MAX_CHANGE_NAMES]),
                )
            )
    return out


def chart(result: AuditResult) -> list[ChartBar]:
    """Scored categories, with the ref's score beside each under --diff-against."""
    scored = [c for c in result.categories if c.score is not None]
    now = [ChartBar(c.category.title, None, c.score) for c in scored if c.score is not None]
    before = {c.category: c.score_before for c in result.changes.categories} if result.changes else {}
    # Mermaid has no gap in a bar series: a category the ref had no score for is left out of
    # the before/after chart (the table above still lists it), rather than drawn as 0.
    both = [
        ChartBar(c.category.title, before[c.category.id], c.score)
        for c in scored
        if c.score is not None and before.get(c.category.id) is not None
    ]
    return both or now


def summary(result: AuditResult, active: Sequence[Finding], scored: int) -> str:
    enabled = sum(1 for r in result.rules if r.enabled)
    counts = Counter(f.severity for f in active)
    text = (
        f"ssot-audit checked {plural(result.files_scanned, 'Python files')} ({plural(result.lines_scanned, 'lines')}) "
        f"with {plural(enabled, 'rules')} and "
    )
    if active:
        text += (
            f"found {plural(len(active), 'findings')} in {plural(len({f.path for f in active}), 'files')}: "
            f"{counts[Severity.CRITICAL]:,} critical, {counts[Severity.HIGH]:,} high, "
            f"{counts[Severity.MEDIUM]:,} medium and {counts[Severity.LOW]:,} low."
        )
    else:
        text += "found nothing to act on."
    if result.suppressed_count:
        n = result.suppressed_count
        text += f" {plural(n, 'more findings')} {'is' if n == 1 else 'are'} silenced by suppression comments: counted, not scored."
    if scored == 0:
        text += " No category had anything to check, so no category has a score."
    return text


def conclusion(report_score: str, categories: Sequence[CategoryView], active: Sequence[Finding]) -> str:
    scored = [c for c in categories if c.score is not None]
    if not scored:
        return "No category had anything to check; the audit found nothing to score."
    text = f"The overall score is {report_score}, the weighted mean of {plural(len(scored), 'scored categories')}."
    best = max(c.score or 0.0 for c in scored)
    worst = min(c.score or 0.0 for c in scored)
    if best != worst:
        top = [c for c in scored if c.score == best]
        bottom = [c for c in scored if c.score == worst]
        weakest = _standing(bottom, "weakest")
        text += f" {_standing(top, 'strongest')}; {weakest[0].lower()}{weakest[1:]}."
    if not active:
        text += " The audit found no finding to act on."
    return text


def _standing(tied: Sequence[CategoryView], which: str) -> str:
    """`The strongest category is X at 97.0/100 (EXCELLENT) with 2 findings`, or, for a tie,
    `The strongest categories, at 100.0/100 (EXCELLENT), are X and Y`."""
    if len(tied) == 1:
        c = tied[0]
        return f"The {which} category is {c.title} at {c.score_text} with {plural(c.findings, 'findings')}"
    names = ", ".join(c.title for c in tied[:-1]) + f" and {tied[-1].title}"
    return f"The {which} categories, at {tied[0].score_text}, are {names}"


def build(result: AuditResult, date: str, title: str | None = None, context: str = "", scope: str = "") -> Report:
    by_category: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_category[f.category].append(f)
    views = [
        category_view(result, c, result.weights.get(c.category.id, 1.0), by_category.get(c.category.id, []))
        for c in result.categories
    ]
    scored_ids = {c.category.id for c in result.categories}
    outside = sorted((f for f in result.active_findings if f.category not in scored_ids), key=importance)
    other_rules = [
        rule_facts(info, [f for f in result.findings if f.rule == info.code])
        for info in result.rules
        if info.enabled and info.category not in scored_ids
    ]
    active = result.active_findings
    clusters = [c for v in views for c in v.clusters]
    scored = sum(1 for v in views if v.score is not None)
    by_severity = sorted(active, key=importance)
    critical_groups = {c.group for c in clusters if c.severity is Severity.CRITICAL}
    return Report(
        title=title or "SSOT Compliance Audit Report",
        context=context,
        scope=scope,
        date=date,
        tool_version=result.tool_version,
        formula_version=result.score_formula_version,
        project=PurePath(result.root).name or result.root,
        paths=tuple(result.paths) or (".",),
        files=result.files_scanned,
        lines=result.lines_scanned,
        repository=result.repository,
        score=result.score,
        rating=result.rating,
        icon=icon(result.rating),
        scored_categories=scored,
        summary=summary(result, active, scored),
        key_facts=tuple(key_facts(result, views, clusters, active)),
        all_categories=tuple(views),
        categories=tuple(v for v in views if v.id != IMPORTS),
        imports=next((v for v in views if v.id == IMPORTS), None),
        clusters=tuple(clusters),
        critical=tuple(
            view(result, f) for f in by_severity if f.severity is Severity.CRITICAL and f.group not in critical_groups
        ),
        critical_clusters=tuple(c for c in clusters if c.severity is Severity.CRITICAL),
        critical_count=sum(1 for f in active if f.severity is Severity.CRITICAL),
        high=tuple(view(result, f) for f in by_severity if f.severity is Severity.HIGH),
        parse_errors=tuple(view(result, f) for f in outside if f.category == "errors"),
        unscored=tuple(view(result, f) for f in outside),
        recommendations=recommendations(views, other_rules),
        suppressed=tuple(view(result, f) for f in result.findings if f.suppressed),
        suppressed_groups=tuple(group_findings([f for f in result.findings if f.suppressed])[:MAX_GROUPS]),
        changes=result.changes,
        fixed=None if result.fixed is None else len(result.fixed),
        change_lines=tuple(change_lines(result, views)),
        chart=tuple(chart(result)),
        verdict=f"{result.rating} SSOT COMPLIANCE" if scored else "NOTHING TO SCORE",
        conclusion=conclusion(score_text(result.score, result.rating), views, active),
        metrics=tuple(metrics(result, active, clusters)),
    )


def metrics(result: AuditResult, active: Sequence[Finding], clusters: Sequence[DrawnCluster]) -> list[str]:
    critical = sum(1 for f in active if f.severity is Severity.CRITICAL)
    return [
        f"**{plural(result.files_scanned, 'files')}**, {plural(result.lines_scanned, 'lines')} audited",
        f"**{plural(len(active), 'findings')}** to act on, {result.suppressed_count:,} suppressed",
        f"**{plural(critical, 'critical findings')}**",
        f"**{plural(len(clusters), 'duplicate groups')}**",
        f"**{plural(sum(1 for f in active if f.fixable), 'autofixable findings')}**",
    ]
