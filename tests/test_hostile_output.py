"""File names from the audited tree cannot break out of their context in any output format:
no terminal control, no Markdown row or fence, no extra workflow command, no URI scheme."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.support import run_cli, write_tree

COPY = """import json


def load_settings(path, defaults):
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    merged = dict(defaults)
    for key, value in raw.items():
        if key in merged and value is not None:
            merged[key] = value
    return merged
"""

HOSTILE = [
    "\x1b[2J.py",
    "a|b.py",
    "tick`s.py",
    "new\nline.py",
    "::error::x.py",
    "%0A.py",
    "%41.py",
    "a#b.py",
    "javascript:alert(1).py",
    "br]ack.py",
    "car\rret.py",
]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    write_tree(root, {name: COPY for name in HOSTILE}, packages=False)
    (root / "pyproject.toml").write_text("[tool.ssot-audit]\n", encoding="utf-8")
    return root


def _audit(root: Path, fmt: str) -> str:
    done = run_cli("audit", ".", "--no-cache", "--jobs", "1", "--format", fmt, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def test_text_output_shows_control_characters_and_never_sends_them(tree: Path) -> None:
    out = _audit(tree, "text")
    assert "\x1b" not in out and "\r" not in out
    assert "\\x1b[2J.py:4:1:" in out and "new\\nline.py:4:1:" in out
    finding_lines = [line for line in out.splitlines() if ":4:1: SSOT001" in line]
    assert len(finding_lines) == len(HOSTILE)


def test_markdown_rows_and_fences_hold(tree: Path) -> None:
    out = _audit(tree, "markdown")
    assert "\x1b" not in out and "\r" not in out
    assert not any(line.startswith("line.py") for line in out.splitlines())
    for line in out.splitlines():
        if line.startswith("| ") and "SSOT001" in line:
            # Four cells: the `|` of a file name is escaped, never a cell border.
            assert len([c for c in line.replace("\\|", "").split("|")]) == 6, line
    assert "a\\|b.py" in out


def test_github_annotations_are_one_command_each(tree: Path) -> None:
    out = _audit(tree, "github")
    lines = out.splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert len([line for line in lines if "SSOT001" in line]) == len(HOSTILE)
    assert "file=%3A%3Aerror%3A%3Ax.py," in out and "file=new%0Aline.py," in out and "file=%250A.py," in out


def test_sarif_uris_are_percent_encoded_relative_references(tree: Path) -> None:
    sarif = json.loads(_audit(tree, "sarif"))
    results = sarif["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert {unquote(u) for u in uris} == set(HOSTILE)
    assert all(":" not in u and "#" not in u and "\n" not in u for u in uris)
    assert "%2541.py" in uris and "a%23b.py" in uris
    messages = [r["message"]["text"] for r in results]
    # A `]` in a link's text is escaped, so the link ends where the renderer means it to.
    assert any("[br\\]ack.py:4](" in m for m in messages)
    assert not any("br]ack.py" in m.replace("br\\]ack.py", "") for m in messages)


def test_a_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    template = tmp_path / "evil.md.j2"
    template.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8")
    write_tree(tmp_path, {"ok.py": "x = 1\n"}, packages=False)
    done = run_cli("audit", ".", "--no-cache", "--format", "markdown", "--template", str(template), cwd=tmp_path)
    assert done.returncode == 2
    assert "SecurityError" in done.stderr and "subclasses" not in done.stdout
