"""`--format json`: schema version 1, as SPEC.md defines it. Same input, same bytes."""

from __future__ import annotations

import json

from ssot_audit.model import AuditResult, CategoryScore, Finding, split_message

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict[str, object]:
    data: dict[str, object] = {
        "rule": f.rule,
        "name": f.name,
        "category": f.category,
        "severity": f.severity.value,
        "path": f.path,
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "message": f.message,
        # The message's reasoning (what to keep and why), which terminals leave out.
        "detail": split_message(f.message)[1],
        "fixable": f.fixable,
        # Why `fix` leaves a finding of a fixing rule alone (an uncertain package, say).
        **({"not_fixed": f.not_fixed} if f.not_fixed else {}),
        "group": f.group,
        "related": [{"path": r.path, "line": r.line} for r in f.related],
        "suppressed": f.suppressed,
    }
    if f.baseline_state is not None:
        data["baseline_state"] = f.baseline_state
    return data


def category_dict(c: CategoryScore) -> dict[str, object]:
    return {
        "id": c.category.id,
        "title": c.category.title,
        "score": c.score,
        "rating": c.rating,
        "findings": c.findings,
        "checked": c.checked,
        "formula": c.formula,
    }


def report_dict(result: AuditResult) -> dict[str, object]:
    data: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "ssot-audit", "version": result.tool_version},
        "root": result.root,
        "files_scanned": result.files_scanned,
        "lines_scanned": result.lines_scanned,
        "score": result.score,
        "rating": result.rating,
        "score_formula_version": result.score_formula_version,
        "suppressed": result.suppressed_count,
        "categories": [category_dict(c) for c in result.categories],
        "findings": [finding_dict(f) for f in result.findings],
    }
    if result.fixed is not None:
        data["fixed"] = [finding_dict(f) for f in result.fixed]
    if result.baseline_score is not None:
        data["baseline_score"] = {
            "score": result.baseline_score.score,
            "score_formula_version": result.baseline_score.formula_version,
            "compared": result.baseline_comparable,
        }
    return data


def render(result: AuditResult, color: bool = False) -> str:
    return json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"
