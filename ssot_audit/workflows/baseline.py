"""Baselines: record today's findings, then tell new findings from ones already known.

A finding's identity is its rule, its path, the definition that encloses it and the
whitespace-normalised source of its line, never its line number or message: an edit above
it moves the line, a reworded message changes the text, and neither makes it new. Identities
are counted, so a third copy of a baselined duplicate pair is new.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ssot_audit.model import (
    NEW,
    UNCHANGED,
    AuditResult,
    Finding,
    Identity,
    RecordedScore,
    Severity,
    Span,
    identity,
    normalise_code,
)

BASELINE_FORMAT = "ssot-audit-baseline"
BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be used; reported as one line and exit code 2."""


@dataclass(frozen=True)
class Comparison:
    """Findings marked new/unchanged, and the recorded findings that are gone."""

    findings: list[Finding]
    fixed: list[Finding]

    @property
    def new(self) -> list[Finding]:
        return [f for f in self.findings if f.baseline_state == NEW and not f.suppressed]


def compare(current: Sequence[Finding], recorded: Sequence[Finding]) -> Comparison:
    """Mark each current finding new or unchanged against the recorded (active) findings.

    Active findings are matched first, so a suppressed finding never takes the place of an
    active one; what is left unmatched of the recorded ones is fixed."""
    remaining: Counter[Identity] = Counter(identity(f) for f in recorded)
    states: dict[int, str] = {}
    order = sorted(range(len(current)), key=lambda i: (current[i].suppressed, current[i].sort_key()))
    for i in order:
        key = identity(current[i])
        if remaining[key] > 0:
            remaining[key] -= 1
            states[i] = UNCHANGED
        else:
            states[i] = NEW
    fixed = []
    for finding in sorted(recorded, key=Finding.sort_key, reverse=True):
        # The last recorded copies of an identity are the ones reported fixed, so that
        # matching stays in source order.
        key = identity(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
            fixed.append(finding)
    marked = [dataclasses.replace(f, baseline_state=states[i]) for i, f in enumerate(current)]
    return Comparison(marked, sorted(fixed, key=Finding.sort_key))


def covered(recorded: Sequence[Finding], root: Path, targets: Sequence[Path]) -> list[Finding]:
    """The recorded findings in the audited paths: a baseline of the whole project, used
    while auditing one folder, must not report everything outside it as fixed."""
    bases = [os.path.normpath(t.resolve()) for t in targets]
    kept = []
    for finding in recorded:
        where = os.path.normpath(os.path.join(root, finding.path))
        if any(where == base or where.startswith(base.rstrip(os.sep) + os.sep) for base in bases):
            kept.append(finding)
    return kept


def apply(result: AuditResult, recorded: Sequence[Finding], score: RecordedScore | None = None) -> AuditResult:
    comparison = compare(result.findings, recorded)
    return dataclasses.replace(result, findings=comparison.findings, fixed=comparison.fixed, baseline_score=score)


# -- the file -----------------------------------------------------------------------
# Paths in the file are relative to the file's own folder, so a baseline committed at the
# repository root matches however the audit names its paths.


def _file_path(root: str, path: str, folder: Path) -> str:
    return Path(os.path.relpath(os.path.join(root, path), folder)).as_posix()


def _report_path(root: str, path: str, folder: Path) -> str:
    return Path(os.path.relpath(folder / path, root)).as_posix()


def entry(finding: Finding, path: str) -> dict[str, object]:
    return {
        "rule": finding.rule,
        "name": finding.name,
        "category": finding.category,
        "severity": finding.severity.value,
        "path": path,
        "line": finding.span.line,
        "column": finding.span.column,
        "scope": finding.scope,
        "code": normalise_code(finding.code),
        "message": finding.message,
    }


def dumps(root: str, findings: Iterable[Finding], baseline_file: Path, score: RecordedScore | None = None) -> str:
    """The baseline as sorted, indented JSON: stable bytes for the same findings, one
    finding per block so a review diff shows exactly what was added or removed. With the
    overall score, its formula version and the audited paths, so a later audit can say how
    the score moved, and refuse to compare scores of two formula versions."""
    folder = baseline_file.resolve().parent
    placed = [(_file_path(root, f.path, folder), f) for f in findings if not f.suppressed]
    placed.sort(key=lambda pf: (pf[0], pf[1].span.line, pf[1].span.column, pf[1].rule, pf[1].code, pf[1].message))
    entries = [entry(f, path) for path, f in placed]
    data: dict[str, object] = {"format": BASELINE_FORMAT, "version": BASELINE_VERSION}
    if score is not None:
        data.update(score=score.score, score_formula_version=score.formula_version, paths=list(score.paths))
    data["findings"] = entries
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Baseline:
    findings: list[Finding]
    score: RecordedScore | None  # None in a file written before scores were recorded


def load(baseline_file: Path, root: str) -> Baseline:
    """The recorded findings, their paths relative to root as the audit reports them, and
    the recorded score."""
    where = f"baseline {baseline_file}"
    try:
        data = json.loads(baseline_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(
            f"{where}: no such file (write one with `ssot-audit baseline -o {baseline_file}`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{where}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{where}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        raise BaselineError(f"{where}: not an ssot-audit baseline file")
    version = data.get("version")
    if version != BASELINE_VERSION:
        raise BaselineError(
            f"{where}: format version {version!r} is not supported (this ssot-audit reads version "
            f"{BASELINE_VERSION}); write a new one with `ssot-audit baseline`"
        )
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"{where}: 'findings' must be a list")
    folder = baseline_file.resolve().parent
    findings = [_finding(e, i, where, root, folder) for i, e in enumerate(entries)]
    return Baseline(findings, _score(data))


def _score(data: dict[str, object]) -> RecordedScore | None:
    score, version, paths = data.get("score"), data.get("score_formula_version"), data.get("paths")
    if not isinstance(score, (int, float)) or isinstance(score, bool) or not isinstance(version, str):
        return None
    listed = tuple(str(p) for p in paths) if isinstance(paths, list) else ()
    return RecordedScore(float(score), version, listed)


def _finding(e: object, index: int, where: str, root: str, folder: Path) -> Finding:
    try:
        if not isinstance(e, dict):
            raise TypeError("not an object")
        line, column = int(e["line"]), int(e.get("column", 1))
        return Finding(
            rule=str(e["rule"]),
            name=str(e["name"]),
            category=str(e["category"]),
            severity=Severity(e["severity"]),
            path=_report_path(root, str(e["path"]), folder),
            span=Span(line, column, line, column),
            message=str(e["message"]),
            scope=str(e.get("scope", "")),
            code=str(e.get("code", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BaselineError(f"{where}: findings[{index}] is malformed ({type(exc).__name__}: {exc})") from None
