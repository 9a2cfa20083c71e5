"""SSOT501 canonical-bypass: what the rule's own examples cannot pin down (the "not
configured" category, messages, columns, counts, pyproject configuration)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import audit_tree, of_rule, run_cli, write_config, write_tree

ENVIRONMENT = {"apis": {"os.environ": ["shared/config/environment.py"], "os.getenv": ["shared/config/environment.py"]}}
USES = "import os\n\nA = os.environ['A']\nB = os.getenv('B')\n"


def test_without_apis_nothing_is_checked_and_the_category_says_not_configured(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/settings.py": USES})
    result = audit_tree(tmp_path, select=["SSOT501"])
    canonical = next(c for c in result.categories if c.category.id == "canonical")
    assert not of_rule(result, "SSOT501")
    assert (canonical.score, canonical.formula, canonical.checked) == (None, "not configured", 0)


def test_uses_in_allowed_modules_are_checked_but_not_reported(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/settings.py": USES, "shared/config/environment.py": USES})
    write_config(tmp_path, rules={"canonical-bypass": ENVIRONMENT})
    result = audit_tree(tmp_path, select=["SSOT501"])
    canonical = next(c for c in result.categories if c.category.id == "canonical")
    assert {f.path for f in of_rule(result, "SSOT501")} == {"app/settings.py"}
    # The rule checked 4 uses; the category's density is over the 5 modules audited, where a
    # bypass could be (score formula v2).
    assert next(r.checked for r in result.rules if r.code == "SSOT501") == 4
    assert (canonical.findings, canonical.checked, canonical.unit) == (2, 5, "modules")


def test_the_message_names_the_canonical_module_and_the_use_is_located(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/settings.py": "from os import environ as env\n\nHOME = env.get('HOME')\n"})
    write_config(tmp_path, rules={"SSOT501": ENVIRONMENT})
    [finding] = of_rule(audit_tree(tmp_path, select=["SSOT501"]), "SSOT501")
    assert (finding.line, finding.span.column, finding.span.end_column) == (3, 8, 11)
    assert "os.environ" in finding.message and "shared/config/environment.py" in finding.message


def test_several_allowed_modules_are_all_named(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/views.py": "import requests\n\nrequests.get('https://example.com')\n"})
    write_config(tmp_path, rules={"SSOT501": {"apis": {"requests.get": ["app.http", "tools/*.py"]}}})
    [finding] = of_rule(audit_tree(tmp_path, select=["SSOT501"]), "SSOT501")
    assert "app.http" in finding.message and "tools/*.py" in finding.message


def test_apis_are_read_from_pyproject_and_reported_on_the_command_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/settings.py": USES})
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ssot-audit.rules.canonical-bypass.apis]\n"os.getenv" = ["shared/config/environment.py"]\n',
        encoding="utf-8",
    )
    result = run_cli("audit", ".", "--select", "SSOT501", "--format", "json", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("SSOT501", "app/settings.py", 4)]


def test_rule_command_prints_the_docs_and_the_apis_option() -> None:
    result = run_cli("rule", "canonical-bypass")
    assert result.returncode == 0, result.stderr
    for text in ("SSOT501", "What it finds", "Why it matters", "Fix", "`apis`"):
        assert text in result.stdout
