"""Habits users bring from ruff and pylint, and misuse that must stop rather than pass:
every usage error is exit 2 with one `ssot-audit: error:` line naming where the value came
from (an option or a config file), the value and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import run_cli, write_config, write_tree

TREE = {
    # Enough imports for the imports category to be judged (score formula v2), so the gate can fail.
    "app/deps.py": "".join(f"import mod{i}\n" for i in range(30)),
    "app/views.py": "from . import models\n",
    "app/models.py": "from typing import Any\n\n\ndef load(x: Any) -> None:\n    return None\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write_tree(root, TREE)
    (root / "pyproject.toml").write_text("[project]\nname = 'app'\n", encoding="utf-8")
    return root


def error_line(*args: str, cwd: Path | None = None) -> str:
    result = run_cli(*args, cwd=cwd)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("ssot-audit: error: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr.removeprefix("ssot-audit: error: ").strip()


@pytest.mark.parametrize("command", [(), ("audit",), ("check",), ("baseline",), ("fix",), ("rule",)])
def test_help_shows_metavars_and_choices_not_python_types(command: tuple[str, ...]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    for leak in ("<bool>", "<str>", "<int>", "<float>", "list[", "Path", "{CODE_OR_NAME}"):
        assert leak not in result.stdout, leak
    if command in (("audit",), ("check",)):
        assert "--format text|markdown|json|sarif|github|gitlab" in result.stdout
    assert "╭" not in result.stdout  # plain help, as ruff and pylint print it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fail-under", "abc"), "--fail-under abc: "),
        (("--fail-under", "150"), "--fail-under 150: must be between 0 and 100"),
        (("--jobs", "0"), "--jobs 0: must be 1 or more"),
        (("--jobs", "-1"), "--jobs -1: must be 1 or more"),
        (("--bogus",), "unknown option '--bogus'"),
        (("--selct", "SSOT1"), "unknown option '--selct' (did you mean '--select'?)"),
        (("-o", "report.html"), "--output report.html: no format writes '.html' files"),
        (("--select", "SSOT777"), "--select: unknown rule 'SSOT777'"),
        (("--select", "SSOT102"), "--select: unknown rule 'SSOT102' (did you mean 'SSOT101'?)"),
        (("--ignore", "duplicate"), "--ignore: unknown rule 'duplicate' (did you mean 'duplicates'?)"),
        (("--select", "SSOT101", "--ignore", "SSOT1"), "leaves no rule to run"),
    ],
)
def test_misuse_is_one_line_and_exit_2(project: Path, args: tuple[str, ...], message: str) -> None:
    line = error_line("audit", str(project), "--no-cache", *args)
    assert message in line
    if "SSOT777" in args:
        assert "did you mean" not in line  # no code is one character away


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"fail_under": 150}, "fail-under = 150: must be between 0 and 100"),
        (
            {"rules": {"duplicate-implementation": {"similarity": 5}}},
            "rules.duplicate-implementation.similarity = 5: must be between 0 and 1",
        ),
        ({"rules": {"duplicate-implementation": {"min-statements": -3}}}, "min-statements = -3: must be 0 or more"),
        ({"select": ["SSOT777"]}, "select: unknown rule 'SSOT777'"),
    ],
)
def test_config_values_are_checked_as_the_command_line_is(
    project: Path, settings: dict[str, object], message: str
) -> None:
    rules = settings.pop("rules", None)
    config = write_config(project, rules=rules, **settings)  # type: ignore[arg-type]
    line = error_line("audit", str(project), "--no-cache")
    assert line.startswith(f"{config}: ") and message in line


def test_an_unknown_command_is_one_line_with_a_close_match() -> None:
    result = run_cli("audt")
    assert result.returncode == 2
    assert result.stderr == "ssot-audit: error: unknown command 'audt' (did you mean 'audit'?)\n"


def test_files_that_are_not_python_are_refused_unless_include_takes_them(project: Path) -> None:
    (project / "notes.txt").write_text("just words\n", encoding="utf-8")
    (project / "README.md").write_text("# app\n", encoding="utf-8")
    assert "notes.txt: not a Python file" in error_line("audit", str(project / "notes.txt"), "--no-cache")
    assert "README.md: not a Python file" in error_line("audit", str(project / "README.md"), "--fail-under", "50")
    write_config(project, include=["*.py", "*.txt"])
    assert run_cli("audit", str(project / "notes.txt"), "--no-cache").returncode == 0


def test_empty_file_sets_fail_a_gate_and_check_names_a_folder(project: Path) -> None:
    (project / "empty").mkdir()
    assert "nothing to gate" in error_line("audit", str(project / "empty"), "--fail-under", "90")
    assert "is a folder; check takes files" in error_line("check", str(project / "app"))
    assert "no such file" in error_line("check", str(project / "app" / "gone.py"))


def test_quiet_prints_the_findings_and_nothing_else(project: Path) -> None:
    result = run_cli("audit", str(project), "--no-cache", "-q", "--fail-under", "99")
    assert result.returncode == 1 and result.stderr == ""
    assert [line.split(": ")[1].split()[0] for line in result.stdout.splitlines()] == ["SSOT401", "SSOT101"]
    assert "Overall score" not in result.stdout


def test_exit_zero_statistics_and_extend_select(project: Path) -> None:
    failing = run_cli("audit", str(project), "--no-cache", "--fail-under", "99", "--exit-zero")
    assert failing.returncode == 0 and "under --fail-under 99" in failing.stderr
    stats = run_cli("audit", str(project), "--no-cache", "--statistics")
    assert stats.stdout.splitlines() == ["    1  SSOT101  relative-import", "    1  SSOT401  any-usage"]
    write_config(project, select=["SSOT4"])
    only_any = json.loads(run_cli("audit", str(project), "--no-cache", "--format", "json").stdout)
    assert {f["rule"] for f in only_any["findings"]} == {"SSOT401"}
    both = json.loads(
        run_cli("audit", str(project), "--no-cache", "--format", "json", "--extend-select", "imports").stdout
    )
    assert {f["rule"] for f in both["findings"]} == {"SSOT101", "SSOT401"}
    write_config(project, select=["SSOT4"], extend_select=["relative-import"])
    assert len(json.loads(run_cli("audit", str(project), "--no-cache", "--format", "json").stdout)["findings"]) == 2


def test_categories_select_their_rules(project: Path) -> None:
    report = json.loads(run_cli("audit", str(project), "--no-cache", "--format", "json", "--select", "typing").stdout)
    assert {f["rule"] for f in report["findings"]} == {"SSOT401"}
    ignored = json.loads(
        run_cli("audit", str(project), "--no-cache", "--format", "json", "--ignore", "typing,imports").stdout
    )
    assert ignored["findings"] == []
    write_config(project, per_file_ignores={"app/models.py": ["typing"]})
    per_file = json.loads(run_cli("audit", str(project), "--no-cache", "--format", "json").stdout)
    assert {f["rule"] for f in per_file["findings"]} == {"SSOT101"}


def test_force_color_and_no_color(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" not in run_cli("audit", str(project), "--no-cache").stdout  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run_cli("audit", str(project), "--no-cache").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_cli("audit", str(project), "--no-cache").stdout


def test_check_takes_select_ignore_and_format(project: Path) -> None:
    views, models = str(project / "app" / "views.py"), str(project / "app" / "models.py")
    assert run_cli("check", views, models, "--no-cache", "--ignore", "SSOT101,any-usage").returncode == 0
    selected = run_cli("check", views, models, "--no-cache", "--select", "typing", "--format", "json")
    assert selected.returncode == 1
    assert [(f["rule"], f["path"]) for f in json.loads(selected.stdout)["findings"]] == [("SSOT401", "app/models.py")]


def test_baseline_defaults_to_ssot_baseline_json(project: Path) -> None:
    result = run_cli("baseline", "--no-cache", cwd=project)
    assert result.returncode == 0 and "in .ssot-baseline.json" in result.stderr
    assert json.loads((project / ".ssot-baseline.json").read_text(encoding="utf-8"))["findings"]
    assert run_cli("audit", "--no-cache", "--baseline", ".ssot-baseline.json", cwd=project).returncode == 0


def test_fix_diff_exits_1_while_fixes_are_pending(project: Path) -> None:
    pending = run_cli("fix", str(project), "--diff", "--no-cache")
    assert pending.returncode == 1 and "+from app import models" in pending.stdout
    assert "would fix 1 finding" in pending.stderr
    assert run_cli("fix", str(project), "--no-cache").returncode == 0
    assert run_cli("fix", str(project), "--diff", "--no-cache").returncode == 0


def test_output_folders_are_created(project: Path) -> None:
    result = run_cli("audit", str(project), "--no-cache", "-o", f"json:{project / 'out' / 'deep' / 'a.json'}")
    assert result.returncode == 0
    assert json.loads((project / "out" / "deep" / "a.json").read_text(encoding="utf-8"))["schema_version"] == 1


def test_gitlab_code_quality_report_has_the_documented_shape(project: Path) -> None:
    result = run_cli("audit", "--no-cache", "--format", "gitlab", cwd=project)
    issues = json.loads(result.stdout)
    assert len(issues) == 2 and len({i["fingerprint"] for i in issues}) == 2
    for issue in issues:
        # GitLab's documented fields: description, check_name, fingerprint, severity, location.path, location.lines.begin
        assert isinstance(issue["description"], str) and issue["check_name"].startswith("SSOT")
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] in {"app/views.py", "app/models.py"}
        assert isinstance(issue["location"]["lines"]["begin"], int)
