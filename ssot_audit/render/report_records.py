"""The records the Markdown report's templates see (docs/templates.md documents them)."""

from __future__ import annotations

from dataclasses import dataclass

from ssot_audit.model import Changes, Excerpt, Finding, Repository, RuleInfo, Severity
from ssot_audit.render.clusters import DrawnCluster
from ssot_audit.render.wording import score_text

MAX_DIAGRAM_CLUSTERS = 4
MAX_EVIDENCE_CLUSTERS = 3  # duplicate groups quoted side by side; the rest are listed
MAX_LISTED_CLUSTERS = 8  # ... up to this many; JSON has them all


# Items a rule must have checked, finding nothing, for the report to call that a strength: as
# many as a category needs for a score (pipeline/scoring.MIN_EVIDENCE, which a renderer may
# not import; tests/test_markdown_report.py holds the two equal). Under it, a single finding
# would already be a high density, so none at all shows nothing.
STRENGTH_EVIDENCE = 20


@dataclass(frozen=True)
class FindingGroup:
    """Findings of one rule whose messages say the same thing about different names (`relative
    import of '…'`): one table row with a count and the files that have the most."""

    rule: str
    name: str
    severity: Severity
    pattern: str
    count: int
    # (path, findings in it), most first; `more_files` are not named.
    files: tuple[tuple[str, int], ...]
    more_files: int


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
    # (path, findings in it), most first: where a recommendation sends the reader.
    top_files: tuple[tuple[str, int], ...] = ()
    # The reasoning every finding's message gives ("use chat_backend/config/environment.py
    # instead"), when they all give the same one: the change, measured from the code.
    common_advice: str = ""

    @property
    def clean(self) -> bool:
        """No finding among enough checked items to call it a strength."""
        return self.findings == 0 and self.info.configured and self.info.checked >= STRENGTH_EVIDENCE

    @property
    def thin(self) -> bool:
        """No finding, but among too few items to say anything (Django's 5 annotations)."""
        return self.findings == 0 and self.info.configured and 0 < self.info.checked < STRENGTH_EVIDENCE


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
    # The findings not shown in full, grouped by rule and message; `groups_omitted` rows more.
    groups: tuple[FindingGroup, ...] = ()
    groups_omitted: int = 0

    @property
    def rest_count(self) -> int:
        return len(self.rest) + self.rest_omitted

    @property
    def quoted_clusters(self) -> tuple[DrawnCluster, ...]:
        return self.clusters[:MAX_EVIDENCE_CLUSTERS]

    @property
    def listed_clusters(self) -> tuple[DrawnCluster, ...]:
        return self.clusters[MAX_EVIDENCE_CLUSTERS : MAX_EVIDENCE_CLUSTERS + MAX_LISTED_CLUSTERS]

    @property
    def unlisted_clusters(self) -> int:
        return max(0, len(self.clusters) - MAX_EVIDENCE_CLUSTERS - MAX_LISTED_CLUSTERS)

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
    # Orders items within a priority: the worst severity first, then the heaviest.
    rank: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class ChangeLine:
    """What changed in one category since the baseline or the ref, by name and place."""

    title: str
    new: int
    eliminated: int
    new_names: tuple[str, ...]
    eliminated_names: tuple[str, ...]


@dataclass(frozen=True)
class ChartBar:
    label: str
    before: float | None
    after: float


@dataclass(frozen=True)
class PriorityGroup:
    priority: int
    title: str
    criterion: str
    items: tuple[Recommendation, ...]


@dataclass(frozen=True)
class Report:
    title: str
    # What the audit is about, as the user put it (`--context`): shown under the header.
    context: str
    # What the audit covers, in the user's words (`--scope`), before the measured paths.
    scope: str
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
    # Duplicate groups of critical severity (exact and renamed copies); `critical` holds the
    # critical findings outside them.
    critical_clusters: tuple[DrawnCluster, ...]
    critical_count: int
    parse_errors: tuple[FindingView, ...]
    unscored: tuple[FindingView, ...]
    recommendations: tuple[PriorityGroup, ...]
    suppressed: tuple[FindingView, ...]
    # The suppressed findings grouped by rule and message, as a category's rest.
    suppressed_groups: tuple[FindingGroup, ...]
    changes: Changes | None
    fixed: int | None
    # By category, the findings that are new and those eliminated (diff or baseline); the
    # category scores for the chart (with the ref's, under --diff-against).
    change_lines: tuple[ChangeLine, ...]
    chart: tuple[ChartBar, ...]
    verdict: str
    conclusion: str
    metrics: tuple[str, ...]

    @property
    def score_text(self) -> str:
        return score_text(self.score, self.rating)
