"""The contract ships in the repository: docs/spec.md and the JSON Schema inside the
package say what the tool does, and, when the shared contract lies beside this checkout,
they agree with it."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import jsonschema
import pytest

from ssot_audit.analysis.options import config_key
from ssot_audit.analysis.plugins import Registry
from ssot_audit.api import report_schema
from ssot_audit.config import FileSettings
from tests.support import EXAMPLE, REPO, SHARED, run_cli, validate_report

SPEC = REPO / "docs" / "spec.md"
COMMANDS = ("audit", "check", "baseline", "fix", "rules", "rule", "schema")


def spec_text() -> str:
    return SPEC.read_text(encoding="utf-8")


def rule_rows(text: str) -> set[tuple[str, str, str]]:
    """(code, name, category) of each row of a Markdown rule table."""
    return set(re.findall(r"^\| (SSOT\d{3}) \| ([a-z-]+) \| ([a-z]+) \|", text, flags=re.MULTILINE))


def options_of(command: str) -> set[str]:
    """The long options `--help` lists for a command."""
    return set(re.findall(r"(--[a-z][a-z-]+)", run_cli(command, "--help").stdout)) - {"--help"}


def test_the_schema_command_prints_the_shipped_schema_and_it_is_valid() -> None:
    printed = run_cli("schema")
    assert printed.returncode == 0 and printed.stdout == report_schema()
    jsonschema.Draft202012Validator.check_schema(json.loads(printed.stdout))


def test_a_real_report_validates_against_the_shipped_schema() -> None:
    report = json.loads(run_cli("audit", str(EXAMPLE), "--format", "json", "--no-cache").stdout)
    validate_report(report)
    assert report["findings"]


def test_the_spec_names_every_rule_command_option_and_config_key() -> None:
    text = spec_text()
    registry = Registry.load()
    assert rule_rows(text) == {(r.code, r.name, r.category.id) for r in registry.sorted()}
    for command in COMMANDS:
        assert f"| `{command}" in text, command
    for command in ("audit", "check", "baseline", "fix"):
        for option in options_of(command):
            assert f"`{option}" in text or f", {option}" in text, f"{command} {option}"
    for field in dataclasses.fields(FileSettings):
        assert f"`{config_key(field.name)}" in text, field.name
    for code in ("**0**", "**1**", "**2**"):
        assert code in text
    schema = json.loads(report_schema())
    for key in schema["required"]:
        assert f"`{key}`" in text, key
    for key in schema["$defs"]["finding"]["required"]:
        assert f"`{key}`" in text, key


def shared_or_skip(relative: str) -> Path:
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} is not beside this checkout (the shared contract is optional)")
    return path


def test_our_spec_agrees_with_the_shared_one() -> None:
    shared = shared_or_skip("SPEC.md").read_text(encoding="utf-8")
    ours = spec_text()
    assert rule_rows(shared) == rule_rows(ours)
    for option in set(re.findall(r"`(--[a-z][a-z-]+)", shared)):
        assert f"`{option}" in ours or f", {option}" in ours, option
    for command in re.findall(r"`ssot-audit (\w+)", shared):
        assert f"| `{command}" in ours, command
    for words in ("90 and up EXCELLENT", "80 VERY GOOD", "70 GOOD", "60 FAIR", "under 60 POOR"):
        assert words in shared and words in ours


def test_our_schema_is_at_least_as_strict_as_the_shared_one() -> None:
    shared = json.loads(shared_or_skip("schemas/ssot-audit-report-v1.schema.json").read_text(encoding="utf-8"))
    ours = json.loads(report_schema())
    assert set(shared["required"]) <= set(ours["required"])
    assert set(shared["properties"]) <= set(ours["properties"])
    shared_finding, our_finding = shared["definitions"]["finding"], ours["$defs"]["finding"]
    assert set(shared_finding["required"]) <= set(our_finding["required"])
    assert set(shared_finding["properties"]) <= set(our_finding["properties"])
    assert shared_finding["properties"]["severity"] == our_finding["properties"]["severity"]
    assert shared["definitions"]["rating"] == ours["$defs"]["rating"]
    shared_category = shared["properties"]["categories"]["items"]
    our_category = ours["properties"]["categories"]["items"]
    assert set(shared_category["required"]) <= set(our_category["required"])
