"""`audit --diff-against GIT_REF`: the tree at the ref is audited too (read with git, the
working tree and index untouched) and what is new and what was eliminated is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.git_support import commit_all, git, init_repo, slug_function, state
from tests.support import run_cli, validate_report

CLEAN = "import os\nimport sys\n" * 10  # enough imports for the category to be judged


def findings_by_state(report: dict[str, object]) -> dict[str, list[tuple[str, str, int]]]:
    out: dict[str, list[tuple[str, str, int]]] = {"new": [], "unchanged": [], "fixed": []}
    findings, fixed = report["findings"], report["fixed"]
    assert isinstance(findings, list) and isinstance(fixed, list)
    for f in findings:
        out[f["baseline_state"]].append((f["rule"], f["path"], f["line"]))
    out["fixed"] = [(f["rule"], f["path"], f["line"]) for f in fixed]
    return out


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Two commits: the second removes one relative import and adds another."""
    repo = init_repo(
        tmp_path / "repo",
        {"pkg/a.py": "from . import b\nfrom .b import VALUE\n", "pkg/b.py": "VALUE = 1\n", "pkg/c.py": CLEAN},
    )
    (repo / "pkg" / "a.py").write_text("from . import b\nfrom pkg.b import VALUE\n", encoding="utf-8")
    (repo / "pkg" / "c.py").write_text("\n\nfrom . import a\n" + CLEAN, encoding="utf-8")
    commit_all(repo, "second")
    return repo


def test_new_and_eliminated_findings_are_reported_per_rule(history: Path) -> None:
    done = run_cli("audit", ".", "--diff-against", "HEAD~1", "--format", "json", cwd=history)
    assert done.returncode == 0, done.stderr  # without --fail-under a diff informs, it does not gate
    assert findings_by_state(json.loads(done.stdout)) == {
        "new": [("SSOT101", "pkg/c.py", 3)],
        "unchanged": [("SSOT101", "pkg/a.py", 1)],
        "fixed": [("SSOT101", "pkg/a.py", 2)],  # its path and line as they were at the ref
    }
    text = run_cli("audit", ".", "--diff-against", "HEAD~1", cwd=history).stdout
    first = git(history, "rev-parse", "HEAD~1")[:12]
    assert f"Changes since HEAD~1 ({first}): 1 new, 1 eliminated" in text
    assert "SSOT101 relative-import: 1 new, 1 eliminated" in text
    # The ref is audited by today's code, so both scores come from one formula, and it says so.
    assert "(both under score formula v2)" in text


def test_the_working_tree_is_compared_and_neither_it_nor_the_index_is_touched(history: Path) -> None:
    (history / "pkg" / "b.py").write_text("from . import c\nVALUE = 1\n", encoding="utf-8")  # unstaged
    (history / "pkg" / "d.py").write_text("from .a import b\n", encoding="utf-8")
    git(history, "add", "pkg/d.py")  # staged
    run_cli("audit", ".", "-q", cwd=history)  # the cache folder, which ignores itself, exists before
    before = state(history)
    done = run_cli("audit", ".", "--diff-against", "HEAD", "--format", "json", cwd=history)
    assert done.returncode == 0, done.stderr
    assert state(history) == before
    assert findings_by_state(json.loads(done.stdout))["new"] == [("SSOT101", "pkg/b.py", 1), ("SSOT101", "pkg/d.py", 1)]


def test_a_subfolder_audited_from_elsewhere_is_compared_with_the_same_subfolder(history: Path, tmp_path: Path) -> None:
    done = run_cli("audit", str(history / "pkg"), "--diff-against", "HEAD~1", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = findings_by_state(json.loads(done.stdout))
    assert result["new"] == [("SSOT101", "pkg/c.py", 3)] and result["fixed"] == [("SSOT101", "pkg/a.py", 2)]


def test_with_fail_under_a_new_finding_fails_the_gate(history: Path) -> None:
    done = run_cli("audit", ".", "--diff-against", "HEAD~1", "--fail-under", "0", cwd=history)
    assert done.returncode == 1 and "1 new finding since HEAD~1" in done.stderr
    assert run_cli("audit", ".", "--diff-against", "HEAD~1", "--fail-under", "0", "-q", cwd=history).returncode == 1
    # Nothing changed since the ref, then only an elimination: the gate passes.
    assert run_cli("audit", ".", "--diff-against", "HEAD", "--fail-under", "0", "-q", cwd=history).returncode == 0
    (history / "pkg" / "c.py").write_text(CLEAN, encoding="utf-8")
    assert run_cli("audit", ".", "--diff-against", "HEAD", "--fail-under", "0", "-q", cwd=history).returncode == 0


def test_with_fail_under_a_lower_score_fails_the_gate_without_new_findings(history: Path) -> None:
    # Two relative imports among 23 imports, then among 20: the same findings, a lower score.
    (history / "pkg" / "c.py").write_text("\n\nfrom . import a\n" + "import os\n" * 17, encoding="utf-8")
    done = run_cli("audit", ".", "--diff-against", "HEAD", "--fail-under", "0", cwd=history)
    assert done.returncode == 1
    assert "score fell from" in done.stderr and "since HEAD" in done.stderr
    assert "new finding" not in done.stderr


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-branch", "--diff-against no-such-branch: not a commit in"),
        ("HEAD~5", "--diff-against HEAD~5: not a commit"),
    ],
)
def test_an_unknown_ref_is_a_one_line_usage_error(history: Path, ref: str, message: str) -> None:
    done = run_cli("audit", ".", "--diff-against", ref, cwd=history)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "loose.py").write_text("import os\n", encoding="utf-8")
    done = run_cli("audit", ".", "--diff-against", "HEAD", cwd=tmp_path)
    assert done.returncode == 2 and "--diff-against HEAD:" in done.stderr and "Traceback" not in done.stderr


def test_consolidating_four_duplicates_and_adding_a_relative_import(tmp_path: Path) -> None:
    if run_cli("rule", "SSOT001").returncode != 0:
        pytest.skip("SSOT001 duplicate-implementation is not registered yet (`ssot-audit rule SSOT001` fails)")
    names = ["slug_for_user", "slug_for_room", "slug_for_channel", "slug_for_tag"]
    repo = init_repo(tmp_path / "repo", {f"app/{n}.py": slug_function(n) for n in names})
    for n in names:
        (repo / "app" / f"{n}.py").write_text(f"from app.text import slugify as {n}\n", encoding="utf-8")
    (repo / "app" / "text.py").write_text(slug_function("slugify"), encoding="utf-8")
    (repo / "app" / "views.py").write_text("from .text import slugify\n", encoding="utf-8")
    commit_all(repo, "one slugify")
    done = run_cli(
        "audit", ".", "--select", "SSOT001,SSOT101", "--diff-against", "HEAD~1", "--format", "json", cwd=repo
    )
    assert done.returncode == 0, done.stderr
    result = findings_by_state(json.loads(done.stdout))
    assert sorted(r for r, _, _ in result["fixed"]) == ["SSOT001"] * 4
    assert result["new"] == [("SSOT101", "app/views.py", 1)]
    text = run_cli("audit", ".", "--select", "SSOT001,SSOT101", "--diff-against", "HEAD~1", cwd=repo).stdout
    assert "1 new, 4 eliminated" in text
    assert "SSOT001 duplicate-implementation: 0 new, 4 eliminated" in text


def test_a_script_named_on_the_command_line_is_compared_whatever_its_name(history: Path) -> None:
    (history / "tool").write_text("#!/usr/bin/env python\nfrom . import a\n", encoding="utf-8")
    commit_all(history, "a script")
    (history / "tool").write_text("#!/usr/bin/env python\nimport os\n", encoding="utf-8")
    done = run_cli("audit", "tool", "pkg/a.py", "--diff-against", "HEAD", "--format", "json", cwd=history)
    assert done.returncode == 0, done.stderr
    assert findings_by_state(json.loads(done.stdout))["fixed"] == [("SSOT101", "tool", 2)]


def test_the_json_report_with_changes_validates_against_the_shipped_schema(history: Path) -> None:
    report = json.loads(run_cli("audit", ".", "--diff-against", "HEAD~1", "--format", "json", cwd=history).stdout)
    validate_report(report)
    assert len(report["fixed"]) == 1 and {f["baseline_state"] for f in report["findings"]} == {"new", "unchanged"}
