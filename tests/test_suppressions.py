"""Suppression comments as SPEC defines them, counted rather than silently dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import audit_tree, of_rule, run_cli, write_tree


@pytest.mark.parametrize(
    "comment",
    [
        "# ssot: ignore",
        "# ssot: ignore[SSOT101]",
        "# ssot: ignore[relative-import]",
        "# ssot: ignore[ SSOT101 , relative-import ]",
        "# SSOT: IGNORE[ssot101]",
        "# noqa",
        "# NOQA",
        "# noqa: SSOT101",
        "# noqa: E501, SSOT101",
        "# type: ignore  # noqa: SSOT101",
    ],
)
def test_each_form_silences_the_finding_on_its_line(tmp_path: Path, comment: str) -> None:
    write_tree(tmp_path, {"pkg/mod.py": f"from . import other  {comment}\n"})
    result = audit_tree(tmp_path)
    [finding] = of_rule(result, "SSOT101", include_suppressed=True)
    assert finding.suppressed
    assert result.suppressed_count == 1
    assert not of_rule(result, "SSOT900")


@pytest.mark.parametrize("comment", ["# ssot: ignore[SSOT401]", "# noqa: E501", "# noqa:SSOT102"])
def test_other_codes_do_not_silence_it(tmp_path: Path, comment: str) -> None:
    write_tree(tmp_path, {"pkg/mod.py": f"from . import other  {comment}\n"})
    assert not of_rule(audit_tree(tmp_path), "SSOT101")[0].suppressed


def test_a_suppression_on_another_line_or_in_a_string_does_nothing(tmp_path: Path) -> None:
    source = "# ssot: ignore\nfrom . import a\nNOTE = 'from . import b  # ssot: ignore'\nfrom . import c\n"
    write_tree(tmp_path, {"pkg/mod.py": source})
    result = audit_tree(tmp_path)
    assert [f.line for f in of_rule(result, "SSOT101")] == [2, 4]
    assert [f.line for f in of_rule(result, "SSOT900")] == [1]


def test_suppressed_findings_are_counted_in_json_and_text(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/mod.py": "from . import a  # ssot: ignore[SSOT101]\nfrom . import b\n"})
    report = json.loads(run_cli("audit", str(tmp_path), "--format", "json").stdout)
    assert report["suppressed"] == 1
    assert [(f["line"], f["suppressed"]) for f in report["findings"]] == [(1, True), (2, False)]
    imports = next(c for c in report["categories"] if c["id"] == "imports")
    assert imports["findings"] == 1  # suppressed findings do not count toward scores
    text = run_cli("audit", str(tmp_path)).stdout
    assert "1 suppressed" in text and ":1:1: SSOT101" not in text


def test_unused_suppressions_name_the_codes_that_matched_nothing(tmp_path: Path) -> None:
    source = "from . import a  # ssot: ignore[SSOT101, SSOT401]\nimport os  # noqa: SSOT101\nimport re  # noqa\n"
    write_tree(tmp_path, {"pkg/mod.py": source})
    result = audit_tree(tmp_path, select=["SSOT1", "SSOT900"])
    messages = {f.line: f.message for f in of_rule(result, "SSOT900")}
    # SSOT401 did not run, so its code proves nothing; a bare noqa may be flake8's.
    assert messages == {2: "unused suppression of SSOT101"}
