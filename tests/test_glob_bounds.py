"""Globs match as pathspec's .gitignore rules say, without exponential backtracking."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pathspec
from hypothesis import given, settings
from hypothesis import strategies as st

from ssot_audit.analysis.places import TEST_CODE, VENDORED, compile_globs, linear_regex
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


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.text(alphabet="ab*?/!.", min_size=1, max_size=8), min_size=1, max_size=6),
    st.lists(st.text(alphabet="ab./c", min_size=1, max_size=14), min_size=1, max_size=6),
)
def test_several_globs_tried_as_one_regex_match_what_pathspec_matches(patterns: list[str], paths: list[str]) -> None:
    # Without a negation the patterns are tried as one alternation; with one, pattern by pattern.
    try:
        original = pathspec.PathSpec.from_lines("gitignore", patterns)
    except Exception:  # noqa: BLE001 - a glob pathspec itself refuses is not ours to test
        return
    ours = compile_globs(patterns)
    for path in [*paths, "tests/test_a.py", "pkg/vendor/x.py", "a/b/c.py"]:
        assert ours.match_file(path) == original.match_file(path), (patterns, path)


def test_the_default_excludes_match_as_pathspec_does() -> None:
    defaults = [*TEST_CODE, *VENDORED]
    original = pathspec.PathSpec.from_lines("gitignore", defaults)
    paths = ["tests/a.py", "pkg/test/x.py", "pkg/testing/x.py", "test_x.py", "pkg/x_test.py", "conftest.py",
             "pkg/_vendor/six.py", "ds/vendored/pint/u.py", "jedi/third_party/s.pyi", "pkg/tests.py",
             "pkg/contest.py", "pkg/vendoring.py", "pkg/core.py", "pkg/latest_test_x.py"]  # fmt: skip
    assert [compile_globs(defaults).match_file(p) for p in paths] == [original.match_file(p) for p in paths]
    assert sum(compile_globs(defaults).match_file(p) for p in paths) == 9


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
