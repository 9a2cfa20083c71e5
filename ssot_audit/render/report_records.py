"""The records the Markdown report's templates see (docs/templates.md documents them)."""

from __future__ import annotations

from dataclasses import dataclass

from ssot_audit.model import Changes, Excerpt, Finding, Repository, RuleInfo, Severity
from ssot_audit.render.clusters import DrawnCluster
from ssot_audit.render.wording import score_text

MAX_DIAGRAM_CLUSTERS = 15


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    location: str
    excerpt: Excerpt | None

    @property
    def title(self) -> str:
        return f"{self.finding.rule} {self.finding.name}"


@dataclass(frozen=True)
class RuleFacts:
    """One enabled rule's numbers, and the sentence that states them."""

    info: RuleInfo
    findings: int
    suppressed: int
    files: int
    fixable: int
    weighted: int
    worst: Severity | None
    statement: str

    @property
    def clean(self) -> bool:
        return self.findings == 0 and self.info.configured and self.info.checked > 0


@dataclass(frozen=True)
class CategoryView:
    id: str
    title: str
    score: float | None
    rating: str | None
    icon: str
    formula: str
    findings: int
    weighted: int
    checked: int
    unit: str
    weight: float
    rules: tuple[RuleFacts, ...]
    strengths: tuple[str, ...]
    areas: tuple[str, ...]
    # Rules that found nothing to check: neither a strength nor a problem.
    unchecked: tuple[str, ...]
    top: tuple[FindingView, ...]
    rest: tuple[FindingView, ...]
    rest_omitted: int
    clusters: tuple[DrawnCluster, ...]

    @property
    def score_text(self) -> str:
        return score_text(self.score, self.rating)

    @property
    def drawn_clusters(self) -> tuple[DrawnCluster, ...]:
        return self.clusters[:MAX_DIAGRAM_CLUSTERS]

    @property
    def undrawn_clusters(self) -> int:
        return max(0, len(self.clusters) - MAX_DIAGRAM_CLUSTERS)


@dataclass(frozen=True)
class Recommendation:
    priority: int
    rule: RuleFacts
    text: str
    command: str | None
    # True when the command fixes the findings; else it explains how to.
    fixes: bool = False


@dataclass(frozen=True)
class PriorityGroup:
    priority: int
    title: str
    criterion: str
    items: tuple[Recommendation, ...]


@dataclass(frozen=True)
class Report:
    title: str
    date: str
    tool_version: str
    formula_version: str
    project: str
    paths: tuple[str, ...]
    files: int
    lines: int
    repository: Repository | None
    score: float
    rating: str
    icon: str
    scored_categories: int
    summary: str
    key_facts: tuple[str, ...]
    # Every category in the audit's order; `categories` leaves out imports, which the
    # report analyses in a section of their own, as hand-written audits do.
    all_categories: tuple[CategoryView, ...]
    categories: tuple[CategoryView, ...]
    imports: CategoryView | None
    clusters: tuple[DrawnCluster, ...]
    critical: tuple[FindingView, ...]
    high: tuple[FindingView, ...]
    parse_errors: tuple[FindingView, ...]
    unscored: tuple[FindingView, ...]
    recommendations: tuple[PriorityGroup, ...]
    suppressed: tuple[FindingView, ...]
    changes: Changes | None
    fixed: int | None
    verdict: str
    conclusion: str
    metrics: tuple[str, ...]

    @property
    def score_text(self) -> str:
        return score_text(self.score, self.rating)
