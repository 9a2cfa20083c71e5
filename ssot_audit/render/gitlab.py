"""`--format gitlab`: a GitLab code quality report (the Code Climate JSON subset GitLab
documents), for `artifacts: reports: codequality`. One issue per unsuppressed finding:

    [{"description": "...", "check_name": "SSOT101", "fingerprint": "...", "severity": "minor",
      "location": {"path": "pkg/mod.py", "lines": {"begin": 3}}}]

Paths are relative to where the audit ran, which in a GitLab job is the repository root.
The fingerprint hashes what a finding is (rule, path, enclosing definition, source line),
not where it is, plus its occurrence, so GitLab tracks a finding across line shifts.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from ssot_audit.model import AuditResult, Finding, Severity, identity
from ssot_audit.render.text import display_path

SEVERITIES = {Severity.LOW: "minor", Severity.MEDIUM: "major", Severity.HIGH: "critical", Severity.CRITICAL: "blocker"}


def issue(root: str, finding: Finding, occurrence: int) -> dict[str, object]:
    key = json.dumps([*identity(finding), occurrence])
    return {
        "description": f"{finding.rule} [{finding.name}] {finding.message}",
        "check_name": finding.rule,
        "fingerprint": hashlib.sha256(key.encode("utf-8")).hexdigest(),
        "severity": SEVERITIES[finding.severity],
        "location": {"path": display_path(root, finding.path), "lines": {"begin": finding.span.line}},
    }


def render(result: AuditResult, color: bool = False) -> str:
    seen: Counter[object] = Counter()
    issues = []
    for finding in result.active_findings:
        seen[identity(finding)] += 1
        issues.append(issue(result.root, finding, seen[identity(finding)]))
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
