"""`ssot-audit check FILE...`: the whole project is audited, only the given files are
reported and gate, and a split file list gives the same answer as one list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.git_support import commit_all, init_repo, slug_function
from tests.support import audit_tree, run_cli, write_tree

FILES = {
    "app/a.py": "from . import b\n",
    "app/b.py": "import os\nfrom .c import VALUE\n",
    "app/c.py": "VALUE = 1\n",
    "app/d.py": "from app.c import VALUE\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo", FILES)


def finding_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.strip()]


def test_only_the_given_files_are_reported_and_gate(repo: Path) -> None:
    done = run_cli("check", "app/a.py", "app/d.py", cwd=repo)
    assert done.returncode == 1
    assert finding_lines(done.stdout) == [
        "app/a.py:1:1: SSOT101 [relative-import] relative import of '.'; use 'from app import ...'"
    ]
    assert "1 finding in 2 checked files" in done.stderr
    clean = run_cli("check", "app/c.py", "app/d.py", cwd=repo)
    assert clean.returncode == 0 and clean.stdout == ""
    assert run_cli("check", cwd=repo).returncode == 0  # nothing staged, nothing to check


def test_a_split_file_list_gives_the_same_findings_as_one_list(repo: Path) -> None:
    whole = run_cli("check", "app/a.py", "app/b.py", "app/c.py", "app/d.py", cwd=repo)
    parts = [run_cli("check", *chunk, cwd=repo) for chunk in (["app/a.py"], ["app/b.py", "app/c.py"], ["app/d.py"])]
    assert whole.returncode == 1 and max(p.returncode for p in parts) == 1
    assert finding_lines(whole.stdout) == [line for p in parts for line in finding_lines(p.stdout)]
    assert len(finding_lines(whole.stdout)) == 2


def test_the_project_root_is_found_from_the_files_not_from_where_we_stand(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run_cli("check", str(repo / "app" / "b.py"), cwd=elsewhere)
    assert done.returncode == 1
    assert finding_lines(done.stdout) == [
        "../repo/app/b.py:2:1: SSOT101 [relative-import] relative import of '.c'; use 'from app.c import ...'"
    ]


def test_files_of_two_projects_are_each_checked_in_their_own_project(tmp_path: Path) -> None:
    files = {
        "one/pyproject.toml": "",
        "one/lib/__init__.py": "",
        "one/lib/x.py": "from . import y\n",
        "two/.ssot-audit.yaml": "ignore: [SSOT101]\n",  # each project has its own config
        "two/lib/x.py": "from .. import y\n",
    }
    write_tree(tmp_path, files, packages=False)
    done = run_cli("check", "one/lib/x.py", "two/lib/x.py", cwd=tmp_path)
    assert done.returncode == 1
    assert finding_lines(done.stdout) == [
        "one/lib/x.py:1:1: SSOT101 [relative-import] relative import of '.'; use 'from lib import ...'"
    ]


def test_config_of_the_project_applies(repo: Path) -> None:
    (repo / ".ssot-audit.yaml").write_text("per-file-ignores:\n  'app/a.py': [SSOT101]\n", encoding="utf-8")
    assert run_cli("check", "app/a.py", cwd=repo).returncode == 0
    (repo / ".ssot-audit.yaml").write_text("select: [SSOT9X]\n", encoding="utf-8")
    bad = run_cli("check", "app/a.py", cwd=repo)
    assert bad.returncode == 2 and "SSOT9X" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_a_missing_file_is_a_usage_error(repo: Path) -> None:
    done = run_cli("check", "app/gone.py", cwd=repo)
    assert done.returncode == 2 and "app/gone.py: no such file" in done.stderr


def test_with_a_baseline_only_new_findings_in_the_given_files_fail(repo: Path) -> None:
    assert run_cli("baseline", ".", "-o", "baseline.json", cwd=repo).returncode == 0
    commit_all(repo, "baseline")
    assert run_cli("check", "--baseline", "baseline.json", "app/a.py", "app/b.py", cwd=repo).returncode == 0
    (repo / "app" / "a.py").write_text("# moved down\nfrom . import b\nfrom . import c\n", encoding="utf-8")
    done = run_cli("check", "--baseline", "baseline.json", "app/a.py", cwd=repo)
    assert done.returncode == 1
    assert "app/a.py:3:1: SSOT101" in done.stdout and "2 findings (1 new)" in done.stderr
    # The untouched file's baselined finding is neither reported as new nor as fixed.
    assert run_cli("check", "--baseline", "baseline.json", "app/b.py", cwd=repo).returncode == 0


def test_a_parse_error_in_a_given_file_fails(repo: Path) -> None:
    (repo / "app" / "broken.py").write_text("def f(:\n", encoding="utf-8")
    done = run_cli("check", "app/broken.py", cwd=repo)
    assert done.returncode == 1 and "SSOT000" in done.stdout


def test_a_clone_between_a_given_file_and_an_untouched_one_is_found(repo: Path) -> None:
    if run_cli("rule", "SSOT001").returncode != 0:
        pytest.skip("SSOT001 duplicate-implementation is not registered yet (`ssot-audit rule SSOT001` fails)")
    (repo / "app" / "old.py").write_text(slug_function("slug"), encoding="utf-8")
    commit_all(repo, "old slug")
    (repo / "app" / "new.py").write_text(slug_function("make_slug"), encoding="utf-8")
    done = run_cli("check", "app/new.py", cwd=repo)
    assert done.returncode == 1
    assert finding_lines(done.stdout)[0].startswith("app/new.py:1:1: SSOT001")
    assert all(line.startswith("app/new.py") for line in finding_lines(done.stdout))
    report = json.loads(run_cli("audit", ".", "--format", "json", "--select", "SSOT001", cwd=repo).stdout)
    assert {f["path"] for f in report["findings"]} == {"app/new.py", "app/old.py"}


def test_check_audits_the_whole_project_through_the_cache(repo: Path) -> None:
    assert run_cli("check", "app/d.py", cwd=repo).returncode == 0
    # Every file of the project went through the cache, so the next run parses nothing.
    again = run_cli("audit", ".", "-v", cwd=repo)
    assert f"0 files parsed, {len(FILES) + 1} from cache" in again.stderr


@pytest.mark.parametrize("layout", ["plain", "symlinked folder first", "excluded", "named twice", "also changed"])
def test_files_named_among_folders_are_read_first_with_a_whole_audits_result(tmp_path: Path, layout: str) -> None:
    """A file named beside its project's folder (as `check` names it) is parsed while the
    folder is walked; the audit's files and findings are those of the folder alone, also when
    the walk reaches the file under another name (a symlinked folder listed first), excludes
    it, or another file changed too."""
    files = {
        "pyproject.toml": "",
        "pkg/a.py": slug_function("slug"),
        "pkg/b.py": "import os\n",
        "pkg/c.py": "VALUE = 1\n",
    }
    if layout == "excluded":
        files["pyproject.toml"] = "[tool.ssot-audit]\nexclude = ['pkg/b.py']\n"
    write_tree(tmp_path, files)
    if layout == "symlinked folder first":
        (tmp_path / "alias").symlink_to(tmp_path / "pkg", target_is_directory=True)
    named = [tmp_path / "pkg" / "b.py"] * (2 if layout == "named twice" else 1)
    audit_tree(tmp_path, use_cache=True)
    (tmp_path / "pkg" / "b.py").write_text("from . import c\n\n\n" + slug_function("make_slug"), encoding="utf-8")
    if layout == "also changed":
        (tmp_path / "pkg" / "c.py").write_text("from . import a\n", encoding="utf-8")
    early = audit_tree(tmp_path, paths=[tmp_path, *named], use_cache=True)
    whole = audit_tree(tmp_path, use_cache=False)
    assert (early.files_scanned, early.findings) == (whole.files_scanned, whole.findings)
    assert any(f.rule == "SSOT001" for f in whole.findings) == (layout != "excluded")
