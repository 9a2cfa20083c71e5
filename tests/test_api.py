"""The library API (`ssot_audit.api`): each workflow run in-process, returning results or
raising UsageError, never printing or exiting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ssot_audit import api
from tests.support import write_config, write_tree

# Enough imports for the imports category to be judged (score formula v2 leaves out a category
# with too little evidence), so the one relative import moves the score.
IMPORTS = "".join(f"import mod{i}\n" for i in range(30))
TREE = {"app/views.py": "from . import models\n", "app/models.py": "import os\nUSER = 1\n", "app/deps.py": IMPORTS}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path, TREE)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n", encoding="utf-8")
    return tmp_path


def quick(**kwargs: object) -> api.Options:
    return api.Options(**{"jobs": 1, "use_cache": False, **kwargs})  # type: ignore[arg-type]


def test_audit_returns_the_result_and_why_the_gate_fails(project: Path) -> None:
    run = api.audit([project], quick(fail_under=99))
    assert [(f.rule, f.path) for f in run.result.active_findings] == [("SSOT101", "app/views.py")]
    assert run.failures and "under --fail-under 99" in run.failures[0]
    assert api.audit([project], quick(fail_under=10)).failures == []


def test_baseline_then_audit_fails_on_new_findings_only(project: Path) -> None:
    recorded = project / "base.json"
    api.baseline([project], quick(), recorded)
    assert json.loads(recorded.read_text(encoding="utf-8"))["findings"][0]["rule"] == "SSOT101"
    assert api.audit([project], quick(), baseline=recorded).failures == []
    (project / "app" / "urls.py").write_text("from .views import x\n", encoding="utf-8")
    run = api.audit([project], quick(), baseline=recorded)
    assert run.failures == ["1 new finding not in the baseline"]
    assert [f.path for f in run.result.active_findings if f.baseline_state == "new"] == ["app/urls.py"]


def test_check_reports_only_the_given_files(project: Path) -> None:
    run = api.check([project / "app" / "models.py"], quick())
    assert run.failures == [] and [r.active_findings for r in run.results] == [[]]
    run = api.check([project / "app" / "views.py"], quick())
    assert run.failures == ["1 finding"]


def test_fix_plans_without_writing_then_writes(project: Path) -> None:
    views = project / "app" / "views.py"
    planned = api.fix([project], quick(), write=False)
    assert planned.fixed == 1 and views.read_text(encoding="utf-8") == "from . import models\n"
    assert "+from app import models" in planned.fixes[0].diff()
    api.fix([project], quick())
    assert views.read_text(encoding="utf-8") == "from app import models\n"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: api.audit([p / "missing"], quick()), "missing: no such file or directory"),
        (lambda p: api.audit([p], quick(select=["SSOT101"], ignore=["SSOT1"])), "leaves no rule to run"),
        (lambda p: api.audit([p], quick(jobs=0)), "--jobs 0: must be 1 or more"),
        (lambda p: api.audit([p], quick(), baseline=p / "nope.json"), "no such file"),
        (lambda p: api.diff("no-such-ref", [p], quick()), "--diff-against no-such-ref"),
        (lambda p: api.check([p / "app"], quick()), "is a folder; check takes files"),
    ],
)
def test_misuse_raises_usage_error(project: Path, call: object, message: str) -> None:
    with pytest.raises(api.UsageError, match=message):
        call(project)  # type: ignore[operator]


def test_an_empty_file_set_fails_a_gate_and_warns_otherwise(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(api.UsageError, match="no Python files found in .*nothing to gate"):
        api.audit([tmp_path / "empty"], quick(fail_under=90))
    run = api.audit([tmp_path / "empty"], quick())
    assert run.failures == [] and any("no Python files found" in w for w in run.warnings)


def test_a_refused_cache_folder_is_a_warning_not_an_error(project: Path) -> None:
    # A cache-dir that already holds someone else's files is not used: the audit runs uncached.
    (project / "mine").mkdir()
    (project / "mine" / "notes.txt").write_text("keep me\n", encoding="utf-8")
    write_config(project, cache_dir="mine")
    run = api.audit([project], api.Options(jobs=1))
    assert run.result.files_scanned == 4
    assert run.warnings and "mine" in run.warnings[0]
    assert (project / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me\n"
