"""Configuration: found upwards, both file kinds, and one clear line for every mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import run_cli, write_tree

SOURCE = {"pkg/a.py": "from . import b\n", "pkg/b.py": "import os\n", "pkg/legacy/c.py": "from .. import a\n"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path, SOURCE)
    return tmp_path


def paths(project: Path, *args: str) -> list[str]:
    result = run_cli("audit", str(project), "--format", "json", "--no-cache", *args)
    assert result.returncode == 0, result.stderr
    return [f"{f['path']}:{f['rule']}" for f in json.loads(result.stdout)["findings"]]


def test_pyproject_table_is_found_from_the_audited_path_upwards(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.ssot-audit]\nexclude = ["pkg/legacy/"]\n')
    assert paths(project / "pkg") == ["pkg/a.py:SSOT101"]


def test_yaml_config_with_per_file_ignores_and_rule_options(project: Path) -> None:
    (project / ".ssot-audit.yaml").write_text("per-file-ignores:\n  'pkg/legacy/*.py': [relative-import]\n")
    assert paths(project) == ["pkg/a.py:SSOT101"]


def test_named_config_file_wins_over_discovery(project: Path, tmp_path: Path) -> None:
    (project / ".ssot-audit.yaml").write_text("ignore: [SSOT101]\n")
    other = tmp_path / "other.yaml"
    other.write_text("select: [SSOT1]\n")
    assert paths(project) == []
    assert paths(project, "--config", str(other)) == ["pkg/a.py:SSOT101", "pkg/legacy/c.py:SSOT101"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bad.yaml", "fail-undr: 90\n", "bad.yaml: unknown key 'fail-undr' (did you mean 'fail-under'?)"),
        ("bad.yaml", "fail-under: high\n", "bad.yaml: fail-under: expected a number, got str"),
        ("bad.yaml", "exclude: tests\n", "bad.yaml: exclude: expected a list, got str"),
        (
            "bad.yaml",
            "rules:\n  relative-imports: {}\n",
            "unknown rule 'relative-imports' (did you mean 'relative-import'?)",
        ),
        ("bad.yaml", "weights:\n  import: 2\n", "weights: unknown category 'import' (did you mean 'imports'?)"),
        ("bad.yaml", "select: [SSOT1, nonsense-rule]\n", "select: unknown rule 'nonsense-rule'"),
        ("bad.yaml", "key: [unclosed\n", "bad.yaml: cannot read YAML"),
        ("bad.yaml", "!!python/object/apply:os.system ['echo pwned']\n", "bad.yaml: cannot read YAML"),
        ("pyproject.toml", "[tool.ssot-audit]\nselect = 'SSOT'\n", "pyproject.toml: select: expected a list, got str"),
        ("pyproject.toml", "[tool.ssot-audit\n", "pyproject.toml: cannot read TOML"),
        ("bad.yaml", "report:\n  titel: Audit\n", "bad.yaml: unknown key 'report.titel' (did you mean 'title'?)"),
        ("bad.yaml", "report:\n  context: [a, b]\n", "bad.yaml: report.context: expected str, got list"),
        ("bad.yaml", "report: Audit\n", "bad.yaml: report: expected a table, got str"),
    ],
)
def test_config_mistakes_exit_2_with_one_line_naming_file_and_key(
    project: Path, name: str, text: str, expected: str
) -> None:
    config = project / "conf" / name
    config.parent.mkdir()
    config.write_text(text)
    result = run_cli("audit", str(project), "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert expected in result.stderr
    assert str(config) in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_missing_config_file_is_a_usage_error(project: Path) -> None:
    result = run_cli("audit", str(project), "--config", str(project / "nope.yaml"))
    assert result.returncode == 2 and "config file not found" in result.stderr


def test_a_config_named_elsewhere_does_not_move_the_root(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("ci") / "ssot.yaml"
    elsewhere.write_text("exclude: ['pkg/legacy/']\n")
    (project / ".git").mkdir()
    report = json.loads(run_cli("audit", str(project / "pkg"), "--format", "json", "--config", str(elsewhere)).stdout)
    assert report["root"] == str(project.resolve())
    assert [f["path"] for f in report["findings"]] == ["pkg/a.py"]


HEADER_CONFIG = """[tool.ssot-audit.report]
title = "Payments audit"
scope = "Refund flow rewrite"
context = "Before the 2.0 release"
"""


def header(project: Path, *options: str) -> list[str]:
    done = run_cli("audit", str(project), "--no-cache", "--format", "markdown", "--date", "2026-01-15", *options)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.split("## Executive Summary")[0].splitlines()


def test_the_report_header_comes_from_the_config(project: Path) -> None:
    (project / "pyproject.toml").write_text(HEADER_CONFIG)
    lines = header(project)
    assert lines[0] == "# Payments audit"
    assert f"**Scope:** Refund flow rewrite (`{project.name}`, path `.`)  " in lines
    assert "**Context:** Before the 2.0 release" in lines


def test_command_line_options_win_over_the_configured_header(project: Path) -> None:
    (project / "pyproject.toml").write_text(HEADER_CONFIG)
    lines = header(project, "--title", "Q3 audit", "--scope", "Everything", "--context", "")
    assert lines[0] == "# Q3 audit"
    assert f"**Scope:** Everything (`{project.name}`, path `.`)  " in lines
    assert not any(line.startswith("**Context:**") for line in lines)


def test_without_a_configured_header_the_report_has_the_defaults(project: Path) -> None:
    lines = header(project)
    assert lines[0] == "# SSOT Compliance Audit Report"
    assert f"**Scope:** `{project.name}`, path `.`  " in lines
    assert not any(line.startswith("**Context:**") for line in lines)


def test_check_reports_with_the_configured_header_too(project: Path) -> None:
    (project / "pyproject.toml").write_text(HEADER_CONFIG)
    done = run_cli("check", str(project / "pkg" / "a.py"), "--no-cache", "--format", "markdown")
    assert done.stdout.startswith("# Payments audit\n"), done.stdout[:200] + done.stderr
