"""Globs match as pathspec's .gitignore rules say, without exponential backtracking."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pathspec
from hypothesis import given, settings
from hypothesis import strategies as st

from ssot_audit.analysis.places import compile_globs, linear_regex
from tests.support import audit_tree, of_rule, write_config, write_tree

PATHOLOGICAL = "*a*a*a*a*a*a*a*a*a*a*a*ac"


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="ab*?/[]!.", min_size=1, max_size=12),
    st.lists(st.text(alphabet="ab./c", min_size=1, max_size=14), min_size=1, max_size=5),
)
def test_the_rewritten_globs_match_exactly_what_pathspec_matches(pattern: str, paths: list[str]) -> None:
    try:
        original = pathspec.PathSpec.from_lines("gitignore", [pattern])
    except Exception:  # noqa: BLE001 - a glob pathspec itself refuses is not ours to test
        return
    ours = compile_globs([pattern])
    for path in paths:
        assert ours.match_file(path) == original.match_file(path), (pattern, path)


def test_the_star_pieces_become_atomic() -> None:
    assert linear_regex("^(?:.+/)?[^/]*a[^/]*ac$") == "^(?:.+/)?(?>[^/]*?a)[^/]*ac$"
    assert re.fullmatch(linear_regex("^[^/]*a[^/]*b$"), "xxaxxb")


def test_a_pathological_glob_in_per_file_ignores_and_gitignore_does_not_hang(tmp_path: Path) -> None:
    name = "a" * 40 + "b.py"
    write_tree(tmp_path, {name: "import os\n", "ok.py": "x = 1\n"}, packages=False)
    (tmp_path / ".gitignore").write_text(PATHOLOGICAL + "\n", encoding="utf-8")
    write_config(tmp_path, per_file_ignores={PATHOLOGICAL: ["SSOT101"]})
    start = time.monotonic()
    result = audit_tree(tmp_path)
    assert time.monotonic() - start < 60  # a hang catcher: exponential matching took hours
    assert result.files_scanned == 2
    assert not of_rule(result, "SSOT000")
