"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

`::error file=pkg/mod.py,line=3,col=1,endLine=3,endColumn=24,title=SSOT101 relative-import::...`
High and critical findings are errors, medium ones warnings, low ones notices, so the
annotations on a pull request rank as the findings do. Suppressed findings are left out.
"""

from __future__ import annotations

from ssot_audit.model import AuditResult, Finding, Severity
from ssot_audit.render.text import display_path

COMMANDS = {Severity.LOW: "notice", Severity.MEDIUM: "warning", Severity.HIGH: "error", Severity.CRITICAL: "error"}


def escape_data(text: str) -> str:
    """The message part of a workflow command, escaped as the Actions runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: besides the message escapes, `:` and `,` would end the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(root: str, f: Finding) -> str:
    props = [
        ("file", display_path(root, f.path)),
        ("line", str(f.span.line)),
        ("col", str(f.span.column)),
        ("endLine", str(f.span.end_line)),
        ("endColumn", str(f.span.end_column)),
        ("title", f"{f.rule} {f.name}"),
    ]
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMANDS[f.severity]} {joined}::{escape_data(f.message)}"


def render(result: AuditResult, color: bool = False) -> str:
    # GitHub shows only the first few annotations of each kind per step: most severe first.
    ranked = sorted(result.active_findings, key=lambda f: (-f.severity.weight, *f.sort_key()))
    lines = [annotation(result.root, f) for f in ranked]
    summary = (
        f"overall score {result.score:.1f}/100 ({result.rating}), {len(result.active_findings)} findings, "
        f"{result.suppressed_count} suppressed, {result.files_scanned} files (score formula v{result.score_formula_version})"
    )
    lines.append(f"::notice title={escape_property('ssot-audit')}::{escape_data(summary)}")
    return "\n".join(lines) + "\n"
