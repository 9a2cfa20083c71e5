"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Every rule of the run is in `tool.driver.rules`; a finding's fingerprint hashes what it is
about (rule, path, enclosing definition, source of its line), never its line number, so an
edit above it does not make it a new alert.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ssot_audit.model import AuditResult, Finding, Location, RuleInfo, Severity, Span, identity
from ssot_audit.render.escaping import sarif_text, uri_path

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/ssot-audit/"
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT_KEY = "ssotAudit/v1"
# A cluster of 100 copies would otherwise list 99 others in each of its 100 results.
MAX_RELATED = 10
LEVELS = {Severity.LOW: "note", Severity.MEDIUM: "warning", Severity.HIGH: "error", Severity.CRITICAL: "error"}

Json = dict[str, object]


def fingerprint(finding: Finding) -> str:
    return hashlib.sha256(json.dumps(identity(finding)).encode("utf-8")).hexdigest()[:32]


def region(span: Span) -> Json:
    data: Json = {"startLine": span.line, "startColumn": span.column}
    # A zero-width span (a parse error's position) has no end worth stating.
    if (span.end_line, span.end_column) > (span.line, span.column):
        data["endLine"] = span.end_line
        data["endColumn"] = span.end_column
    return data


def physical(uri: str, where: Json) -> Json:
    return {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": SOURCE_ROOT}, "region": where}}


@dataclass(frozen=True)
class SourceRoot:
    """Where SARIF paths start: the git repository's top folder when there is one, since
    code scanning resolves paths from there, else the audited root."""

    base: str
    prefix: str

    @classmethod
    def of(cls, result: AuditResult) -> SourceRoot:
        top = result.repository.toplevel if result.repository else ""
        if not top:
            return cls(result.root, "")
        prefix = Path(os.path.relpath(result.root, top)).as_posix()
        return cls(top, "" if prefix == "." else prefix + "/")

    def uri(self, path: str) -> str:
        return uri_path(self.prefix + path)


def related_location(root: SourceRoot, index: int, other: Location) -> Json:
    return {
        "id": index,
        **physical(root.uri(other.path), {"startLine": other.line}),
        "message": {"text": "another member of the cluster"},
    }


def result_message(finding: Finding) -> str:
    # `[text](id)` links a message to its relatedLocations; viewers render them as links.
    if not finding.related:
        return finding.message
    shown = finding.related[:MAX_RELATED]
    links = ", ".join(f"[{sarif_text(r.path)}:{r.line}]({i})" for i, r in enumerate(shown, start=1))
    more = len(finding.related) - len(shown)
    return f"{sarif_text(finding.message)} (see also {links}{f' and {more} more' if more else ''})"


def rule_descriptor(rule: RuleInfo) -> Json:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.help, "markdown": rule.help},
        "defaultConfiguration": {"level": LEVELS[rule.severity], "enabled": rule.enabled},
        "properties": {"tags": ["ssot", rule.category], "fixable": rule.fixable},
    }


def result_object(root: SourceRoot, finding: Finding, rule_index: dict[str, int], occurrence: int) -> Json:
    properties: Json = {"severity": finding.severity.value, "category": finding.category}
    if finding.group is not None:
        properties["group"] = finding.group
    data: Json = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": result_message(finding)},
        "locations": [physical(root.uri(finding.path), region(finding.span))],
        "partialFingerprints": {FINGERPRINT_KEY: f"{fingerprint(finding)}:{occurrence}"},
        "properties": properties,
    }
    if finding.rule in rule_index:
        data["ruleIndex"] = rule_index[finding.rule]
    if finding.related:
        shown = finding.related[:MAX_RELATED]
        data["relatedLocations"] = [related_location(root, i, r) for i, r in enumerate(shown, start=1)]
    if finding.suppressed:
        data["suppressions"] = [{"kind": "inSource", "justification": "suppression comment in the source"}]
    if finding.baseline_state is not None:
        data["baselineState"] = finding.baseline_state
    return data


def sarif_dict(result: AuditResult) -> Json:
    rules = list(result.rules)
    root = SourceRoot.of(result)
    rule_index = {r.code: i for i, r in enumerate(rules)}
    # Identical findings in one definition are told apart by their order, as GitHub does.
    seen: Counter[str] = Counter()
    results = []
    for finding in result.findings:
        key = fingerprint(finding)
        seen[key] += 1
        results.append(result_object(root, finding, rule_index, seen[key]))
    run: Json = {
        "tool": {
            "driver": {
                "name": "ssot-audit",
                "version": result.tool_version,
                "semanticVersion": result.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(r) for r in rules],
            }
        },
        "originalUriBaseIds": {SOURCE_ROOT: {"uri": Path(root.base).as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "score": result.score,
            "rating": result.rating,
            "scoreFormulaVersion": result.score_formula_version,
            "filesScanned": result.files_scanned,
            "linesScanned": result.lines_scanned,
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(result: AuditResult, color: bool = False) -> str:
    return json.dumps(sarif_dict(result), indent=2, ensure_ascii=False) + "\n"
