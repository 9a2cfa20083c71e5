"""The records every part of ssot-audit shares. Plain data, no behaviour beyond ordering."""

from __future__ import annotations

import enum
import io
import tokenize
from dataclasses import dataclass, field


class Severity(enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def weight(self) -> int:
        # Weights grow faster than linearly so one critical finding outweighs a few low ones.
        return {"low": 1, "medium": 2, "high": 4, "critical": 8}[self.value]


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    unit: str
    scored: bool = True
    # What the score's density is over: the items its rules checked, or every module audited
    # (a bypass of a canonical API can happen in any module; counting API uses instead would
    # let more uses inside the canonical module raise the score).
    per_module: bool = False


# The built-in categories that rules score into. A third-party rule may bring its own.
ERRORS = Category("errors", "Parse Errors", "files", scored=False)
DUPLICATES = Category("duplicates", "Duplicate Implementations", "definitions")
IMPORTS = Category("imports", "Import Pattern Compliance", "imports")
DATACLASSES = Category("dataclasses", "Dataclass Compliance", "classes")
SINGLETONS = Category("singletons", "Singleton Avoidance", "definitions")
TYPING = Category("typing", "Type Precision", "annotations")
CANONICAL = Category("canonical", "Canonical API Usage", "API uses", per_module=True)
META = Category("meta", "Suppression Hygiene", "suppressions", scored=False)

# Where rules are registered (entry points): read by the registry, and by the reuse of the
# last audit, which must know the installed rules without importing them.
RULES_ENTRY_POINT_GROUP = "ssot_audit.rules"

BUILTIN = (ERRORS, DUPLICATES, IMPORTS, DATACLASSES, SINGLETONS, TYPING, CANONICAL, META)


@dataclass(frozen=True, order=True)
class Location:
    path: str
    line: int


@dataclass(frozen=True)
class Span:
    """A 1-based source range; end_column is exclusive, as SARIF and editors expect."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    category: str
    severity: Severity
    path: str
    span: Span
    message: str
    fixable: bool = False
    group: str | None = None
    related: tuple[Location, ...] = ()
    # Lines besides span.line where a suppression comment also silences this finding:
    # the `def`/`class` line and the first decorator of a definition-level finding.
    suppress_lines: tuple[int, ...] = ()
    # The enclosing definition ("Class.method") and the stripped source of the finding's
    # line; a baseline keys on these so findings survive unrelated line shifts.
    scope: str = ""
    code: str = ""
    suppressed: bool = False
    baseline_state: str | None = None
    # In a cluster (same `group`), the member the rule advises keeping; reports draw the
    # others as its copies.
    canonical: bool = False
    # For a finding about a whole definition (a clone cluster's member), the definition's
    # last line, so a report can quote its body beside its copies; 0 otherwise.
    definition_end: int = 0
    # For a finding of a rule that fixes (SSOT101) that `fix` leaves alone: why ("" otherwise).
    not_fixed: str = ""

    @property
    def line(self) -> int:
        return self.span.line

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.rule, self.message)


@dataclass(frozen=True)
class Suppression:
    """One suppression comment. codes is None for a bare `# noqa` / `# ssot: ignore`."""

    line: int
    column: int
    codes: frozenset[str] | None
    # "ssot" comments are ours alone; a bare "noqa" may belong to flake8 or ruff.
    kind: str


@dataclass(frozen=True)
class ImportFact:
    """An import, resolved to an absolute module name where the file's package is known.
    `names` are the names of a `from` import (empty for `import module`)."""

    module: str
    names: tuple[str, ...] = ()
    # Inside a choice the code makes by the interpreter it runs on (`if sys.version_info >= ...`,
    # `if sys.platform == "win32"`, `try:`/`except ImportError:`): which choice in the file, and
    # which branch of it. Modules imported in two branches of one choice are alternatives.
    branch: tuple[int, int] | None = None


@dataclass
class FileFacts:
    """What one file contributes to the project phase. Everything here is cached on disk."""

    path: str
    module: str
    lines: int
    findings: list[Finding] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    imports: list[ImportFact] = field(default_factory=list)
    is_package: bool = False
    # Items checked per rule code, the denominators of category scores.
    checked: dict[str, int] = field(default_factory=dict)
    # Facts that project rules' collectors gathered, keyed by Collector.key() (read them
    # typed through Project.facts).
    extras: dict[str, object] = field(default_factory=dict)
    parse_ok: bool = True


@dataclass(frozen=True)
class CategoryScore:
    category: Category
    score: float | None
    rating: str | None
    findings: int
    weighted: int
    checked: int
    formula: str
    # What the checked items are ("imports"); "items" when the category's rules count
    # different things (classes and dataclass fields).
    unit: str = ""


@dataclass
class AuditStats:
    files_parsed: int = 0
    cache_hits: int = 0


@dataclass(frozen=True)
class RuleChange:
    """How many findings of one rule appeared and disappeared between two audits."""

    rule: str
    name: str
    category: str
    new: int
    eliminated: int


@dataclass(frozen=True)
class CategoryChange:
    category: str
    new: int
    eliminated: int
    score_before: float | None
    score_after: float | None


@dataclass(frozen=True)
class Changes:
    """The comparison with the tree at a git ref (`--diff-against`)."""

    ref: str
    commit: str
    score_before: float
    rating_before: str
    rules: tuple[RuleChange, ...]
    categories: tuple[CategoryChange, ...]

    @property
    def new(self) -> int:
        return sum(r.new for r in self.rules)

    @property
    def eliminated(self) -> int:
        return sum(r.eliminated for r in self.rules)


@dataclass(frozen=True)
class RuleInfo:
    """What a renderer may know about one rule of the audit (SARIF's rule list, the report's
    per-rule facts and recommendations) without importing the rules themselves."""

    code: str
    name: str
    category: str
    severity: Severity
    summary: str
    # The rule's documentation as Markdown (what, why, example, fix, options).
    help: str
    # What one checked item is ("imports"): the unit of `checked`.
    unit: str
    enabled: bool
    configured: bool
    checked: int
    fixable: bool = False
    # The command that fixes its findings, when one does.
    fix_command: str | None = None


@dataclass(frozen=True)
class Excerpt:
    """The source lines of a finding, for the evidence of a report; `start` is the 1-based
    number of the first line, `truncated` says lines of the span were left out."""

    start: int
    lines: tuple[str, ...]
    truncated: bool = False


@dataclass(frozen=True)
class Repository:
    """The git state of the audited tree, when it is in a repository."""

    commit: str
    branch: str | None
    dirty: bool
    # The repository's top folder: code scanning wants paths relative to it.
    toplevel: str = ""


@dataclass(frozen=True)
class RecordedScore:
    """The overall score a baseline file recorded: under which score formula, for which
    audited paths. Compared with today's only when both are the same."""

    score: float
    formula_version: str
    paths: tuple[str, ...]


@dataclass
class AuditResult:
    root: str
    files_scanned: int
    lines_scanned: int
    findings: list[Finding]
    categories: list[CategoryScore]
    score: float
    rating: str
    score_formula_version: str
    tool_version: str
    fixed: list[Finding] | None = None
    changes: Changes | None = None
    baseline_score: RecordedScore | None = None  # with --baseline, what the file recorded
    stats: AuditStats = field(default_factory=AuditStats)
    # The audited paths as given, relative to root; the rules of the run; source excerpts of
    # the findings by (path, line); the git state. Facts for the renderers, never scored.
    paths: list[str] = field(default_factory=list)
    rules: list[RuleInfo] = field(default_factory=list)
    excerpts: dict[Location, Excerpt] = field(default_factory=dict)
    repository: Repository | None = None
    # Category weights of the overall score; a category not named weighs 1.
    weights: dict[str, float] = field(default_factory=dict)

    @property
    def baseline_comparable(self) -> bool:
        """Whether the baseline's recorded score can stand beside today's: the same score
        formula, over the same audited paths."""
        recorded = self.baseline_score
        return (
            recorded is not None
            and recorded.formula_version == self.score_formula_version
            and recorded.paths == tuple(self.paths)
        )

    @property
    def active_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def suppressed_count(self) -> int:
        return sum(1 for f in self.findings if f.suppressed)


# -- how a finding is known across audits (baselines, --diff-against, SARIF fingerprints) --

# A finding's state against a baseline.
NEW, UNCHANGED = "new", "unchanged"

# rule, path, enclosing definition, normalised source line: never the line number or message.
Identity = tuple[str, str, str, str]


def normalise_code(code: str) -> str:
    """The line without its comment and with single spaces: re-spacing a line, or adding
    `# type: ignore` to it, is not a change of what it does."""
    text = code
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.COMMENT:
                text = code[: token.start[1]]
                break
    except (tokenize.TokenError, SyntaxError):
        pass  # the first line of a longer statement: its comment, if any, was already seen
    return " ".join(text.split())


def identity(finding: Finding) -> Identity:
    return (finding.rule, finding.path, finding.scope, normalise_code(finding.code))


# -- a message's headline and its reasoning: terminals print the first, JSON keeps both --
def split_message(message: str) -> tuple[str, str]:
    """(what, why): the message up to its first `; ` outside a `code span`, and the rest.
    Rules write "what is wrong; what to keep and why", so the headline fits a terminal line."""
    in_code = False
    for i, char in enumerate(message):
        if char == "`":
            in_code = not in_code
        elif not in_code and message.startswith("; ", i):
            return message[:i], message[i + 2 :]
    return message, ""


# -- how a count is written: shared by the gates, the CLI and the Markdown report --
def plural(count: int, word: str) -> str:
    """`1 import`, `2 imports`, `1 class`, `3 classes`: for the units rules count."""
    if count != 1:
        return f"{count:,} {word}"
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s"):
        word = word[:-1]
    return f"{count:,} {word}"
