"""`--format github`: workflow commands that GitHub Actions turns into annotations."""

from __future__ import annotations

from pathlib import Path

from ssot_audit.model import Finding, Severity, Span
from ssot_audit.render.github import annotation, escape_data, escape_property
from tests.render_support import small_audit
from tests.support import run_cli


def test_messages_and_properties_are_escaped_as_the_runner_expects() -> None:
    assert escape_data("100% sure\r\nnext: a, b") == "100%25 sure%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_an_annotation_names_file_position_and_rule() -> None:
    finding = Finding(
        rule="SSOT401",
        name="any-usage",
        category="typing",
        severity=Severity.MEDIUM,
        path="pkg/a,b.py",
        span=Span(4, 9, 4, 12),
        message="'Any' in an annotation: 50% less precise\nuse a type",
    )
    line = annotation("/nowhere", finding)
    assert line.startswith("::warning file=")
    assert ",line=4,col=9,endLine=4,endColumn=12,title=SSOT401 any-usage::" in line
    assert "a%2Cb.py" in line
    assert line.endswith("::'Any' in an annotation: 50%25 less precise%0Ause a type")


def test_the_cli_prints_one_annotation_per_unsuppressed_finding(tmp_path: Path) -> None:
    small_audit(tmp_path)
    done = run_cli(
        "audit", ".", "--no-cache", "--select", "SSOT000,SSOT101,SSOT900", "--format", "github", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert (
        "::notice file=shop/views.py,line=2,col=1,endLine=2,endColumn=26,title=SSOT101 relative-import::"
        in "\n".join(lines)
    )
    assert any(
        line.startswith("::error file=shop/broken.py,line=1,") and "SSOT000 parse-error" in line for line in lines
    )
    # the suppressed import on shop/api.py line 3 is not annotated
    assert not any("file=shop/api.py,line=3," in line for line in lines)
    assert sum(1 for line in lines if "title=SSOT101" in line) == 2
    assert lines[-1].startswith("::notice title=ssot-audit::overall score ")
    assert lines[0].startswith("::error file=shop/broken.py,")  # the most severe first
