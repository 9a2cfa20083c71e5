"""Judged findings: what a person decided, by reading the code, about findings on real packages.

Each line of a `benchmarks/judged/*.jsonl` file is one judged finding:

    {"rule": "SSOT002", "package": "django", "version": "5.2.19", "path": "views/csrf.py",
     "line": 12, "scope": "builtin_template_path", "verdict": "tp", "sample": "evaluation",
     "reason": "the same six-line helper in four views modules"}

`verdict` is `tp` (a maintainer would agree) or `fp`; `sample` says which set it belongs to (`tuning` when absent):
`tuning` for findings looked at while changing a rule, `evaluation` for a sample drawn after
the rule was frozen, which alone is reported as precision (so a rule is never scored on the
findings it was tuned on). A judged finding is matched to today's findings by rule, package,
path and scope (the enclosing definition), so an edit above it that moves its line does not
lose the verdict; one that no audit reports any more is left out of the precision.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ssot_audit.model import Finding

JUDGED_DIR = Path(__file__).resolve().parent / "judged"
VERDICTS = ("tp", "fp")
SAMPLES = ("tuning", "evaluation")


@dataclass(frozen=True)
class Judgement:
    rule: str
    package: str
    version: str
    path: str
    line: int
    scope: str
    verdict: str
    reason: str
    sample: str = "evaluation"

    @property
    def key(self) -> tuple[str, str, str, str]:
        # Without the enclosing definition (a module-level finding), the line is what is left.
        return (self.rule, self.package, self.path, self.scope or f"line {self.line}")


def key_of(finding: Finding, package: str) -> tuple[str, str, str, str]:
    return (finding.rule, package, finding.path, finding.scope or f"line {finding.line}")


def keys_of(finding: Finding, package: str) -> set[tuple[str, str, str, str]]:
    """A finding matches a judgement made with its scope, or one made with its line only."""
    return {key_of(finding, package), (finding.rule, package, finding.path, f"line {finding.line}")}


def load(folder: Path = JUDGED_DIR) -> list[Judgement]:
    judged: list[Judgement] = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            raw = json.loads(line)
            entry = Judgement(
                rule=raw["rule"], package=raw["package"], version=str(raw.get("version", "")), path=raw["path"],
                line=int(raw.get("line", 0)), scope=raw.get("scope", ""), verdict=raw["verdict"],
                reason=raw.get("reason", ""), sample=raw.get("sample", "tuning"),
            )  # fmt: skip
            if entry.verdict not in VERDICTS or entry.sample not in SAMPLES:
                raise ValueError(f"{path}:{number}: verdict must be one of {VERDICTS}, sample one of {SAMPLES}")
            judged.append(entry)
    return judged


@dataclass(frozen=True)
class Precision:
    rule: str
    true: int
    false: int
    unmatched: int  # judged findings no audit reports today

    @property
    def judged(self) -> int:
        return self.true + self.false

    @property
    def value(self) -> float | None:
        return self.true / self.judged if self.judged else None


def precision(
    judged: Iterable[Judgement], findings: Mapping[str, Sequence[Finding]], sample: str = "evaluation"
) -> dict[str, Precision]:
    """Per rule, the verdicts of `sample` that match a finding of today's audits (findings per package)."""
    today = {key for package, found in findings.items() for f in found for key in keys_of(f, package)}
    packages = set(findings)
    tally: dict[str, list[int]] = {}
    for entry in judged:
        if entry.sample != sample or entry.package not in packages:
            continue
        counts = tally.setdefault(entry.rule, [0, 0, 0])
        if entry.key not in today:
            counts[2] += 1
        elif entry.verdict == "tp":
            counts[0] += 1
        else:
            counts[1] += 1
    return {rule: Precision(rule, *counts) for rule, counts in sorted(tally.items())}


def to_judge(
    findings: Iterable[Finding], package: str, version: str, judged: Iterable[Judgement], root: str = ""
) -> list[str]:
    """JSON lines for findings nobody has judged yet, verdict and reason left empty for a
    reviewer to fill. Each also carries what the reviewer reads: the finding's whole `message`
    (where the other copies are, the advice) and `root`, the folder `path` is relative to.
    Those two are dropped when the judged lines are kept (see load: unknown keys are ignored)."""
    known = {entry.key for entry in judged}
    lines = []
    for f in findings:
        if keys_of(f, package) & known:
            continue
        entry = Judgement(f.rule, package, version, f.path, f.line, f.scope, "", "", "evaluation")
        lines.append(json.dumps({**asdict(entry), "message": f.message, "root": root}, ensure_ascii=False))
    return lines
