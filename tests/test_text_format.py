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


def test_paths_inside_messages_follow_the_location_convention(tmp_path: Path) -> None:
    # One convention in the terminal: every path relative to where the user stands.
    from tests.support import run_cli, write_tree

    body = (
        "def {name}(items):\n    total = 0\n    for item in items:\n        total += item.price * item.quantity\n"
        "    total = round(total, 2)\n    return total\n"
    )
    project = tmp_path / "proj"
    write_tree(project, {"shop/a.py": body.format(name="total"), "shop/b.py": body.format(name="total")})
    (project / "pyproject.toml").write_text("[project]\nname = 'shop'\n", encoding="utf-8")
    result = run_cli("audit", "proj", "--select", "SSOT001", "--no-cache", cwd=tmp_path)
    lines = [line for line in result.stdout.splitlines() if "SSOT001" in line]
    assert len(lines) == 2 and all(line.startswith("proj/shop/") for line in lines)
    assert all("(proj/shop/a.py:1" in line or "(proj/shop/b.py:1" in line for line in lines), lines
    assert "relative to" not in result.stdout
