"""`--format text`: the findings and the summary table, coloured only on a terminal."""

from __future__ import annotations

from pathlib import Path

from ssot_audit.render import text
from tests.render_support import small_audit


def test_colour_codes_only_when_asked(tmp_path: Path) -> None:
    result = small_audit(tmp_path)
    plain = text.render(result, color=False)
    coloured = text.render(result, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured


def test_the_summary_table_has_the_issue_columns(tmp_path: Path) -> None:
    plain = text.render(small_audit(tmp_path), color=False)
    header = next(line for line in plain.splitlines() if "Category" in line)
    for column in ("Category", "Score", "Rating", "Findings", "Checked"):
        assert column in header
    assert "Import Pattern Compliance" in plain and "80.0" in plain and "VERY GOOD" in plain
    assert "shop/views.py:2:1:" in plain.replace("\\", "/")
