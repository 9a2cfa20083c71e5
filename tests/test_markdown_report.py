"""The Markdown audit report: a golden copy of the example project's report, and the
promises the report makes whatever the project (sections, safe fences, honest statuses)."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ssot_audit.model import AuditResult, Finding, Severity, Span
from ssot_audit.render.markdown import MarkdownRenderer, TemplateError, fence, inline_code, report_date
from tests.render_support import small_audit, with_cluster
from tests.support import EXAMPLE, REPO, audit_tree, run_cli, write_tree

GOLDEN = REPO / "tests" / "golden" / "chat_backend_report.md"
GOLDEN_DATE = "2026-01-15"
SECTIONS = [
    "# SSOT Compliance Audit Report",
    "**Date:**",
    "**Scope:**",
    "## Executive Summary",
    "## Detailed Compliance Analysis",
    "## Import Pattern Compliance Analysis",
    "## Critical SSOT Violations Assessment",
    "## Recommendations",
    "### Immediate Actions (Priority 1):",
    "### Monitoring Actions (Priority 2):",
    "### Future Enhancements (Priority 3):",
    "## Conclusion",
]


def render(result: AuditResult, date: str = GOLDEN_DATE) -> str:
    return MarkdownRenderer(date=date)(result)


def example_report(tmp_path: Path) -> str:
    # A copy outside the repository, so the report does not name this checkout's commit.
    root = tmp_path / "chat_backend"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".ssot_audit_cache", "__pycache__"))
    return render(audit_tree(root))


def test_the_example_report_matches_the_golden_copy(tmp_path: Path) -> None:
    """Regenerate deliberately with `UPDATE_GOLDEN=1 python -m pytest tests/test_markdown_report.py`."""
    text = example_report(tmp_path)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8", newline="\n")
    assert GOLDEN.is_file(), "no golden report yet: run with UPDATE_GOLDEN=1"
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_the_example_report_has_every_section_filled_from_findings(tmp_path: Path) -> None:
    text = example_report(tmp_path)
    positions = [text.find(heading) for heading in SECTIONS]
    assert -1 not in positions, [h for h, p in zip(SECTIONS, positions) if p == -1]
    assert positions == sorted(positions)
    assert "OVERALL SSOT COMPLIANCE SCORE: " in text
    assert re.search(r"`100 - 10 \* d / 0\.05, d = \d+ weighted / \d+ imports = [\d.]+`", text)
    assert re.search(r"\*\*`chat_backend/[\w/]+\.py:\d+`\*\*", text), "no evidence with path:line"
    assert "```python\n" in text
    assert "`ssot-audit fix`" in text  # the relative imports the example plants
    assert "Overall SSOT Compliance Score: " in text


def test_the_same_audit_renders_the_same_bytes(tmp_path: Path) -> None:
    result = with_cluster(small_audit(tmp_path))
    assert render(result) == render(result)


def test_scope_and_numbers_come_from_the_audit(tmp_path: Path) -> None:
    result = small_audit(tmp_path)
    text = render(result)
    assert f"**Date:** {GOLDEN_DATE}  \n" in text
    assert f"**Files:** {result.files_scanned} Python files, {result.lines_scanned} lines" in text
    assert "`90 - 10 * log2(d / 0.05), d = 2 weighted / 20 imports = 0.100` = 80.0" in text
    assert "**COMPLIANCE SCORE: 80.0/100 (VERY GOOD)**" in text
    assert "**Repository:**" not in text  # tmp_path is no git repository


def test_scope_names_the_git_commit_and_branch(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/a.py": "from . import b\n", "pkg/b.py": "x = 1\n"})
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "trunk"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    text = render(audit_tree(tmp_path))
    assert f"**Repository:** commit `{commit[:12]}` on branch `trunk`  \n" in text
    (tmp_path / "pkg" / "b.py").write_text("x = 2\n", encoding="utf-8")
    assert "with uncommitted changes to tracked files" in render(audit_tree(tmp_path))


def test_zero_critical_violations_only_when_there_are_none(tmp_path: Path) -> None:
    result = small_audit(tmp_path)
    assert "**STATUS: ZERO CRITICAL VIOLATIONS FOUND**" in render(result)
    critical = Finding(
        rule="SSOT101",
        name="relative-import",
        category="imports",
        severity=Severity.CRITICAL,
        path="shop/views.py",
        span=Span(1, 1, 1, 24),
        message="a planted critical finding",
    )
    text = render(dataclasses.replace(result, findings=[*result.findings, critical]))
    assert "ZERO CRITICAL" not in text
    assert "**STATUS: 1 CRITICAL FINDING FOUND**" in text
    assert "a planted critical finding" in text.split("## Critical SSOT Violations Assessment")[1]


def test_code_with_backticks_cannot_break_its_fence(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/a.py": 'from . import b; DOC = "````"\n', "pkg/b.py": ""})
    text = render(audit_tree(tmp_path, select=["SSOT101"]))
    assert '`````python\nfrom . import b; DOC = "````"\n`````' in text
    assert fence("a ``` b") == "````python\na ``` b\n````"
    assert inline_code("x`y") == "``x`y``" and inline_code("`x") == "`` `x ``"


def test_many_findings_that_say_the_same_are_one_row_with_a_count(tmp_path: Path) -> None:
    many = "".join(f"from . import m{i}\n" for i in range(200))
    write_tree(
        tmp_path,
        {
            "pkg/a.py": many,
            "pkg/b.py": "".join(f"from . import m{i}\n" for i in range(3)),
            "pkg/c.py": "from .x import y\n",
        },
    )
    text = render(audit_tree(tmp_path, select=["SSOT101"]))
    section = text.split("## Import Pattern Compliance Analysis")[1].split("## Critical")[0]
    assert section.count("```python") == 3
    assert "more findings, grouped by what they say:" in section
    rows = [line for line in section.splitlines() if line.startswith("| SSOT101")]
    assert len(rows) == 1, rows
    assert "| relative import of '…' |" in rows[0]
    assert "`pkg/a.py` (" in rows[0] and "`pkg/b.py` (" in rows[0]
    assert len(text.splitlines()) < 150


def test_table_messages_are_never_cut_inside_a_word(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/a.py": "".join(f"from . import m{i}\n" for i in range(4))})
    result = audit_tree(tmp_path, select=["SSOT101"])
    long = " ".join(["word"] * 100)
    findings = [dataclasses.replace(f, message=f"{long} {f.line}; because of reasons") for f in result.findings]
    text = render(dataclasses.replace(result, findings=findings))
    evidence, table = text.split("1 more finding:")
    assert f"{long} 1; because of reasons" in evidence
    row = next(line for line in table.splitlines() if line.startswith("| SSOT101"))
    assert f"{long} N |" in row and "reasons" not in row


def test_clusters_are_drawn_as_a_mermaid_diagram(tmp_path: Path) -> None:
    result = with_cluster(small_audit(tmp_path))
    from ssot_audit.model import DUPLICATES
    from ssot_audit.pipeline.scoring import category_score

    dupes = [f for f in result.findings if f.category == "duplicates"]
    text = render(dataclasses.replace(result, categories=[category_score(DUPLICATES, dupes, 40), *result.categories]))
    diagram = text.split("```mermaid\nflowchart")[1].split("```")[0]
    assert 'subgraph g1["slugify: 3 definitions"]' in diagram
    assert 'c1_0["shop/a.py:3 slugify"]' in diagram
    # every member is flagged and none is marked canonical: no direction is claimed
    assert 'c1_0 --- c1_1["shop/b.py:10 slugify"]' in diagram
    assert 'c1_0 --- c1_2["shop/c.py:20 slugify"]' in diagram
    assert "-->" not in diagram


def test_the_cluster_member_the_rule_marks_canonical_is_drawn_first(tmp_path: Path) -> None:
    result = with_cluster(small_audit(tmp_path))
    from ssot_audit.model import DUPLICATES
    from ssot_audit.pipeline.scoring import category_score

    findings = [dataclasses.replace(f, canonical=f.path == "shop/b.py") for f in result.findings]
    dupes = [f for f in findings if f.category == "duplicates"]
    result = dataclasses.replace(result, findings=findings, categories=[category_score(DUPLICATES, dupes, 40)])
    diagram = render(result).split("```mermaid\nflowchart")[1].split("```")[0]
    assert 'c1_0["shop/b.py:10 slugify"]' in diagram
    assert 'c1_0 -->|copy| c1_1["shop/a.py:3 slugify"]' in diagram


def test_a_category_with_nothing_to_check_says_so_instead_of_100(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/a.py": "x = 1\n"})
    text = render(audit_tree(tmp_path, select=["SSOT101"]))
    assert "**COMPLIANCE SCORE: NOT SCORED** (nothing to check: no imports)" in text
    assert "100.0/100" not in text.split("## Conclusion")[0].split("## Import Pattern")[1]
    assert "No category had anything to check" in text
    section = text.split("## Import Pattern Compliance Analysis")[1].split("\n---")[0]
    areas, unchecked = section.split("### ⚠️ Areas to Address:")[1].split("### ℹ️ Too Little Checked to Judge:")
    assert "- None: no finding in this category." in areas
    assert "**relative-import** (`SSOT101`) found nothing to check: no imports" in unchecked


def test_messages_are_escaped_but_keep_their_code_spans(tmp_path: Path) -> None:
    result = small_audit(tmp_path)
    odd = dataclasses.replace(result.findings[0], message="in __init__ use `a|b` <not html>", suppressed=False)
    text = render(dataclasses.replace(result, findings=[odd, *result.findings[1:]]))
    assert r"in \_\_init\_\_ use `a\|b` \<not html\>" in text


def test_the_date_comes_from_the_option_or_source_date_epoch() -> None:
    assert report_date("2026-03-04", {}) == "2026-03-04"
    assert report_date(None, {"SOURCE_DATE_EPOCH": "86400"}) == "1970-01-02"
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        report_date("04/03/2026", {})


def test_the_cli_writes_the_report_for_a_md_output(tmp_path: Path) -> None:
    small_audit(tmp_path)
    done = run_cli(
        "audit", ".", "--no-cache", "-o", "audit.md", "-o", "sarif:out.json", "--date", "2026-05-06", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "**Date:** 2026-05-06" in (tmp_path / "audit.md").read_text(encoding="utf-8")
    assert '"version": "2.1.0"' in (tmp_path / "out.json").read_text(encoding="utf-8")


def test_a_user_template_renders_with_the_documented_context(tmp_path: Path) -> None:
    small_audit(tmp_path)
    (tmp_path / "mine.md.j2").write_text(
        "{{ report.title }}: {{ report.score_text }} on {{ report.date }}\n"
        "{% for c in report.all_categories %}{{ c.title }} {{ c.checked }} {{ c.unit }}\n{% endfor %}"
        "{{ result.files_scanned }} files\n",
        encoding="utf-8",
    )
    done = run_cli(
        "audit",
        ".",
        "--no-cache",
        "--select",
        "SSOT000,SSOT101,SSOT900",
        "--template",
        "mine.md.j2",
        "--date",
        "2026-05-06",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout
        == "SSOT Compliance Audit Report: 80.0/100 (VERY GOOD) on 2026-05-06\nImport Pattern Compliance 20 imports\n5 files\n"
    )


def test_a_user_template_can_extend_the_built_in_report(tmp_path: Path) -> None:
    small_audit(tmp_path)
    (tmp_path / "mine.md.j2").write_text(
        '{% extends "report.md.j2" %}{% block conclusion %}## Our verdict\n{{ report.verdict }}\n{% endblock %}',
        encoding="utf-8",
    )
    done = run_cli(
        "audit",
        ".",
        "--no-cache",
        "--select",
        "SSOT000,SSOT101,SSOT900",
        "--template",
        "mine.md.j2",
        "--format",
        "markdown",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "## Executive Summary" in done.stdout
    assert done.stdout.endswith("## Our verdict\nVERY GOOD SSOT COMPLIANCE\n")


@pytest.mark.parametrize(
    ("source", "line", "problem"),
    [
        ("# ok\n{{ report.score }}\n{% for c in %}\n", 3, "template syntax error"),
        ("# ok\n\n{{ report.no_such_fact }}\n", 3, "no_such_fact"),
    ],
)
def test_a_broken_template_is_a_usage_error_naming_its_line(
    tmp_path: Path, source: str, line: int, problem: str
) -> None:
    small_audit(tmp_path)
    (tmp_path / "bad.md.j2").write_text(source, encoding="utf-8")
    done = run_cli(
        "audit", ".", "--no-cache", "--select", "SSOT000,SSOT101,SSOT900", "--template", "bad.md.j2", cwd=tmp_path
    )
    assert done.returncode == 2
    assert f"bad.md.j2:{line}:" in done.stderr and problem in done.stderr
    assert "Traceback" not in done.stderr


def test_template_errors_are_raised_as_template_errors(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no-such.j2"):
        MarkdownRenderer(tmp_path / "no-such.j2")
    (tmp_path / "latin.j2").write_bytes(b"caf\xe9 {{ report.score }}\n")
    with pytest.raises(TemplateError, match="latin.j2: not UTF-8"):
        MarkdownRenderer(tmp_path / "latin.j2")


def test_a_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    small_audit(tmp_path)
    done = run_cli("audit", ".", "--no-cache", "--format", "markdown", "--date", "tomorrow", cwd=tmp_path)
    assert done.returncode == 2 and "--date tomorrow" in done.stderr


def test_docs_templates_names_only_facts_the_report_has(tmp_path: Path) -> None:
    docs = REPO / "docs" / "templates.md"
    section = docs.read_text(encoding="utf-8").split("### `report`")[1].split("### `CategoryView`")[0]
    documented = [
        name for row in re.findall(r"^\| ([^|]+) \|", section, re.MULTILINE) for name in re.findall(r"`(\w+)`", row)
    ]
    assert len(documented) > 20
    report = MarkdownRenderer(date=GOLDEN_DATE).context(small_audit(tmp_path))["report"]
    missing = [name for name in documented if not hasattr(report, name)]
    assert not missing, f"docs/templates.md documents names the report lacks: {missing}"


def test_the_report_states_what_changed_since_a_git_ref(tmp_path: Path) -> None:
    plain = "".join(f"import mod{i}\n" for i in range(18))
    write_tree(tmp_path, {"pkg/a.py": "from . import b\nfrom . import c\n", "pkg/b.py": plain, "pkg/c.py": ""})
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], check=True)
    (tmp_path / "pkg" / "a.py").write_text("from pkg import b\nfrom . import c\n", encoding="utf-8")
    done = run_cli(
        "audit",
        ".",
        "--no-cache",
        "--select",
        "SSOT101",
        "--diff-against",
        "main",
        "--format",
        "markdown",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    changes = done.stdout.split("## Changes Since `main`")[1].split("\n## ")[0]
    assert "0 new findings, 1 eliminated" in changes
    assert "| SSOT101 relative-import | 0 | 1 |" in changes
    assert "| Import Pattern Compliance | 80.0 | 90.0 | 0 | 1 |" in changes
    assert "both by score formula v2" in changes
    # Named, not only counted; and no baseline is spoken of where there is none.
    assert (
        "- **Import Pattern Compliance**: 0 new findings; 1 eliminated (relative import of '.' at pkg/a.py:1, relative-import)."
        in changes
    )
    assert "**Since `main`**" in done.stdout
    assert "baseline" not in done.stdout.lower()
    assert "xychart-beta" not in done.stdout  # one scored category: no chart


def test_excerpts_are_dedented_and_cut_at_eight_lines() -> None:
    from ssot_audit.pipeline.excerpts import excerpt

    lines = ["class A:", "    def f(self):", *[f"        x{i} = {i}" for i in range(12)]]
    cut = excerpt(lines, 2, 14)
    assert cut is not None and cut.start == 2 and cut.truncated
    assert cut.lines[0] == "def f(self):" and cut.lines[1] == "    x0 = 0" and len(cut.lines) == 8
    whole = excerpt(lines, 3, 3)
    assert whole is not None and whole.lines == ("x0 = 0",) and not whole.truncated
    assert excerpt(lines, 99, 99) is None


def test_long_tables_are_cut_and_say_how_many_rows_they_leave_out(tmp_path: Path) -> None:
    from ssot_audit.render.report_context import MAX_TABLE_ROWS

    result = small_audit(tmp_path)
    error = next(f for f in result.findings if f.rule == "SSOT000")
    many = [dataclasses.replace(error, span=Span(i, 1, i, 2)) for i in range(2, MAX_TABLE_ROWS + 7)]
    text = render(dataclasses.replace(result, findings=sorted([*result.findings, *many], key=Finding.sort_key)))
    section = text.split("## Findings Outside the Scores")[1].split("\n---")[0]
    assert section.count("| `shop/broken.py:") == MAX_TABLE_ROWS
    assert "6 more findings are not listed here" in section


def test_suppressed_findings_are_counted_and_grouped(tmp_path: Path) -> None:
    result = small_audit(tmp_path)
    one = next(f for f in result.findings if f.suppressed)
    many = [dataclasses.replace(one, span=Span(i, 1, i, 2)) for i in range(1, 300)]
    text = render(dataclasses.replace(result, findings=sorted([*result.findings, *many], key=Finding.sort_key)))
    section = text.split("## Suppressed Findings")[1].split("</details>")[0]
    assert "<summary>300 suppressed findings, grouped by what they say</summary>" in section
    assert [line for line in section.splitlines() if line.startswith("| SSOT101")] == [
        "| SSOT101 relative-import | low | 300 | relative import of '…' | `shop/api.py` (300) |"
    ]


def test_a_strength_needs_as_much_evidence_as_a_score() -> None:
    """The renderer may not import the scoring module, so it keeps its own copy of the number."""
    from ssot_audit.pipeline.scoring import MIN_EVIDENCE
    from ssot_audit.render.report_records import STRENGTH_EVIDENCE

    assert STRENGTH_EVIDENCE == MIN_EVIDENCE


def test_worst_violations_are_counted_per_rule_in_words() -> None:
    from ssot_audit.render.report_context import worst_violations

    def finding(name: str, severity: Severity) -> Finding:
        return Finding("SSOT001", name, "duplicates", severity, "a.py", Span(1, 1, 1, 2), "m")

    found = [finding("duplicate-implementation", Severity.CRITICAL)] * 3 + [
        finding("duplicate-implementation", Severity.HIGH),
        finding("competing-definition", Severity.HIGH),
    ]
    assert worst_violations(found) == (
        "3 critical and 1 high duplicate-implementation findings; 1 high competing-definition finding"
    )
