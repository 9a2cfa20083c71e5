"""The command line as users and CI run it: formats, outputs, exit codes, rule docs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import run_cli, run_cli_process, validate_report, write_config, write_tree

TREE = {
    f"app/mod_{i:02d}.py": ("from . import mod_00\n" if i % 3 == 0 else "import os\n") + f"X_{i} = {i}\n"
    for i in range(30)
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path, TREE)
    return tmp_path


def test_json_is_the_same_bytes_at_any_jobs(project: Path) -> None:
    one = run_cli_process("audit", str(project), "--format", "json", "--no-cache", "--jobs", "1")
    two = run_cli_process("audit", str(project), "--format", "json", "--no-cache", "--jobs", "2")
    again = run_cli("audit", str(project), "--format", "json", "--jobs", "2")
    assert one.returncode == two.returncode == again.returncode == 0
    assert one.stdout == two.stdout == again.stdout
    report = json.loads(one.stdout)
    assert [(f["path"], f["line"]) for f in report["findings"]] == [(f"app/mod_{i:02d}.py", 1) for i in range(0, 30, 3)]


def test_json_validates_against_the_shipped_schema(project: Path) -> None:
    report = json.loads(run_cli("audit", str(project), "--format", "json").stdout)
    validate_report(report)
    assert report["root"] == str(project.resolve())
    finding = report["findings"][0]
    assert finding["path"] == "app/mod_00.py" and finding["column"] == 1 and finding["end_column"] == 21


def test_text_lists_findings_then_a_summary_and_has_no_progress_bar_in_a_pipe(project: Path) -> None:
    result = run_cli_process("audit", ".", cwd=project)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "app/mod_00.py:1:1: SSOT101 [relative-import] relative import of '.'; use 'from app import ...'"
    assert "Import Pattern Compliance" in result.stdout and "Overall score" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes in a pipe
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_the_command_ends_with_its_exit_code_and_its_whole_output_in_a_pipe(project: Path, tmp_path: Path) -> None:
    """The process ends without tearing down the audit's objects (cli.run): what it printed to
    a pipe and wrote to a report is whole, and its exit code is main()'s."""
    report = tmp_path / "out" / "report.json"
    passed = run_cli_process("audit", str(project), "--format", "json", "-o", f"markdown:{tmp_path / 'a.md'}")
    gated = run_cli_process("audit", str(project), "--fail-under", "99", "-o", f"json:{report}")
    usage = run_cli_process("audit", str(project), "--jobs", "0")
    assert (passed.returncode, gated.returncode, usage.returncode) == (0, 1, 2)
    assert json.loads(passed.stdout) == json.loads(report.read_text(encoding="utf-8"))
    assert gated.stderr.endswith("is under --fail-under 99\n")
    assert (tmp_path / "a.md").read_text(encoding="utf-8").endswith("\n")
    assert usage.stderr.startswith("ssot-audit: error: --jobs 0")


@pytest.mark.parametrize(
    ("raised", "code", "printed"), [(None, 0, ""), (3, 3, ""), ("cannot go on", 1, "cannot go on\n")]
)
def test_the_command_ends_as_python_would_on_any_system_exit(
    raised: object, code: int, printed: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A SystemExit holding a message (not a status) prints it and fails, as Python does."""
    import ssot_audit.cli
    from ssot_audit import command

    def main() -> None:
        raise SystemExit(raised)

    ended: list[int] = []
    monkeypatch.setattr(ssot_audit.cli, "main", main)
    monkeypatch.setattr(command.os, "_exit", ended.append)
    monkeypatch.setattr(command.gc, "disable", lambda: None)  # keep the test process's collector
    command.run()
    assert ended == [code] and capsys.readouterr().err == printed


def test_fail_under_gates_on_the_score(project: Path) -> None:
    assert run_cli("audit", str(project), "--fail-under", "99", "-q").returncode == 1
    assert run_cli("audit", str(project), "--fail-under", "50", "-q").returncode == 0
    write_config(project, fail_under=99)
    assert run_cli("audit", str(project), "-q").returncode == 1
    assert run_cli("audit", str(project), "-q", "--fail-under", "10").returncode == 0  # the command line wins
    bad = run_cli("audit", str(project), "--fail-under", "140")
    assert bad.returncode == 2 and "between 0 and 100" in bad.stderr


def test_outputs_are_written_and_select_accepts_codes_names_prefixes(project: Path, tmp_path: Path) -> None:
    out = project / "out.json"
    result = run_cli(
        "audit", str(project), "-o", f"json:{out}", "-o", str(project / "out.txt"), "--select", "relative-import"
    )
    assert result.returncode == 0 and result.stdout == ""
    assert json.loads(out.read_text())["findings"]
    assert "Overall score" in (project / "out.txt").read_text()
    for selector in ("SSOT1", "SSOT101", "relative-import"):
        report = json.loads(run_cli("audit", str(project), "--format", "json", "--select", selector).stdout)
        assert {f["rule"] for f in report["findings"]} == {"SSOT101"}
    ignored = json.loads(run_cli("audit", str(project), "--format", "json", "--ignore", "SSOT101").stdout)
    assert ignored["findings"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--select", "SSOT999"), "unknown rule 'SSOT999'"),
        (("--format", "xml"), "unknown format"),
        (("-o", "pdf:x.pdf"), "unknown format 'pdf'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(project: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("audit", str(project), *args)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_rules_lists_every_rule_and_rule_explains_one() -> None:
    listing = run_cli("rules")
    assert listing.returncode == 0
    for code in ("SSOT000", "SSOT101", "SSOT900"):
        assert code in listing.stdout
    docs = run_cli("rule", "SSOT101")
    assert docs.returncode == 0
    for heading in ("# SSOT101 relative-import", "## What it finds", "## Why it matters", "## Example", "## Fix"):
        assert heading in docs.stdout
    assert run_cli("rule", "relative-import").stdout == docs.stdout
    unknown = run_cli("rule", "relative-imports")
    assert unknown.returncode == 2 and "did you mean 'relative-import'" in unknown.stderr


def test_an_audit_that_finds_no_python_files_says_so(tmp_path: Path) -> None:
    # Everything here is gitignored: the audit still runs (exit 0) but warns that it read nothing.
    write_tree(tmp_path, {".gitignore": "generated/\n", "generated/models.py": "from . import base\n"})
    (tmp_path / ".git").mkdir()
    result = run_cli("audit", str(tmp_path / "generated"), "--no-cache")
    assert result.returncode == 0
    assert "warning: no Python files found in" in result.stderr and ".gitignore" in result.stderr
    assert "warning" not in run_cli("audit", str(tmp_path / "generated"), "--no-cache", "-q").stderr
    # With a file to read, no warning.
    write_tree(tmp_path, {"app/views.py": "from . import models\n"})
    assert "warning" not in run_cli("audit", str(tmp_path / "app"), "--no-cache").stderr
