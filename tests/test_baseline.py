"""`ssot-audit baseline -o FILE` and `audit --baseline FILE`: old findings pass the gate,
new ones fail it, and a finding keeps its identity when unrelated lines move."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.git_support import commit_all, init_repo
from tests.support import run_cli

LEGACY = "import os\nfrom . import models\n\n\ndef load():\n    from .models import User\n    return User\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo", {"shop/api.py": LEGACY, "shop/models.py": "User = object\n"})


def take_baseline(repo: Path) -> dict[str, object]:
    done = run_cli("baseline", ".", "-o", ".ssot-baseline.json", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "recorded 2 findings in .ssot-baseline.json" in done.stderr
    data: dict[str, object] = json.loads((repo / ".ssot-baseline.json").read_text(encoding="utf-8"))
    return data


def audit_json(repo: Path, *args: str) -> tuple[int, dict[str, object]]:
    done = run_cli("audit", ".", "--baseline", ".ssot-baseline.json", "--format", "json", *args, cwd=repo)
    return done.returncode, json.loads(done.stdout)


def states(report: dict[str, object]) -> list[tuple[str, int, str]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [(f["path"], f["line"], f["baseline_state"]) for f in findings]


def test_the_baseline_file_is_versioned_sorted_and_stable(repo: Path) -> None:
    data = take_baseline(repo)
    first = (repo / ".ssot-baseline.json").read_bytes()
    assert data["format"] == "ssot-audit-baseline" and data["version"] == 1
    assert list(data) == ["format", "version", "score", "score_formula_version", "paths", "findings"]
    assert data["paths"] == ["."] and data["score_formula_version"] == "2"
    entries = data["findings"]
    assert isinstance(entries, list)
    assert [(e["rule"], e["path"], e["line"], e["scope"], e["code"]) for e in entries] == [
        ("SSOT101", "shop/api.py", 2, "", "from . import models"),
        ("SSOT101", "shop/api.py", 6, "load", "from .models import User"),
    ]
    take_baseline(repo)
    assert (repo / ".ssot-baseline.json").read_bytes() == first


def test_paths_in_the_baseline_are_relative_to_its_own_folder(repo: Path) -> None:
    take_baseline(repo)
    # The same baseline, used while auditing a subfolder from inside it.
    done = run_cli("audit", ".", "--baseline", "../.ssot-baseline.json", "--format", "json", cwd=repo / "shop")
    assert done.returncode == 0, done.stderr
    assert {f["baseline_state"] for f in json.loads(done.stdout)["findings"]} == {"unchanged"}


def test_auditing_one_folder_does_not_report_the_rest_of_the_baseline_as_fixed(repo: Path) -> None:
    (repo / "tools").mkdir()
    (repo / "tools" / "run.py").write_text("from . import helpers\n", encoding="utf-8")
    assert run_cli("baseline", ".", "-o", ".ssot-baseline.json", cwd=repo).returncode == 0
    done = run_cli("audit", "shop", "--baseline", ".ssot-baseline.json", "--format", "json", cwd=repo)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["fixed"] == [] and {f["path"] for f in report["findings"]} == {"shop/api.py"}
    (repo / "tools" / "run.py").write_text("import os\n", encoding="utf-8")
    both = json.loads(
        run_cli(
            "audit", "shop", "tools/run.py", "--baseline", ".ssot-baseline.json", "--format", "json", cwd=repo
        ).stdout
    )
    assert [(f["path"], f["line"]) for f in both["fixed"]] == [("tools/run.py", 1)]


def test_unrelated_edits_that_move_lines_keep_the_gate_green(repo: Path) -> None:
    take_baseline(repo)
    commit_all(repo, "baseline")
    moved = '"""Shop API."""\n\nimport sys\n' + LEGACY.replace(
        "def load():\n", "def load():\n    sys.exit  # touched\n\n"
    )
    moved = moved.replace("from . import models", "from .  import   models")
    moved = moved.replace("from .models import User", "from .models import User  # type: ignore[attr-defined]")
    (repo / "shop" / "api.py").write_text(moved, encoding="utf-8")
    code, report = audit_json(repo, "--fail-under", "0")
    assert code == 0
    assert states(report) == [("shop/api.py", 5, "unchanged"), ("shop/api.py", 11, "unchanged")]
    assert report["fixed"] == []
    text = run_cli("audit", ".", "--baseline", ".ssot-baseline.json", cwd=repo)
    assert text.returncode == 0
    assert "Baseline: 0 new, 2 unchanged, 0 fixed" in text.stdout


def test_a_new_violation_fails_the_gate_and_is_named(repo: Path) -> None:
    take_baseline(repo)
    (repo / "shop" / "views.py").write_text("from .models import User\n", encoding="utf-8")
    code, report = audit_json(repo)
    assert code == 1
    assert states(report) == [
        ("shop/api.py", 2, "unchanged"),
        ("shop/api.py", 6, "unchanged"),
        ("shop/views.py", 1, "new"),
    ]
    text = run_cli("audit", ".", "--baseline", ".ssot-baseline.json", cwd=repo)
    assert text.returncode == 1
    assert "shop/views.py:1:1: SSOT101 [relative-import]" in text.stdout and "(new)" in text.stdout
    assert "Baseline: 1 new, 2 unchanged, 0 fixed" in text.stdout
    assert "1 new finding not in the baseline" in text.stderr


def test_identical_findings_are_counted_so_a_third_copy_is_new(repo: Path) -> None:
    twice = "from . import models\nfrom . import models\n"
    (repo / "shop" / "api.py").write_text(twice, encoding="utf-8")
    take_baseline(repo)
    assert audit_json(repo)[0] == 0
    (repo / "shop" / "api.py").write_text(twice * 2 + "from . import models\n", encoding="utf-8")
    code, report = audit_json(repo)
    assert code == 1
    assert [s for _, _, s in states(report)] == ["unchanged", "unchanged", "new", "new", "new"]


def test_fixed_findings_are_listed_where_they_were(repo: Path) -> None:
    take_baseline(repo)
    (repo / "shop" / "api.py").write_text(
        LEGACY.replace("    from .models import User\n", "    from shop.models import User\n"), encoding="utf-8"
    )
    code, report = audit_json(repo)
    assert code == 0
    fixed = report["fixed"]
    assert isinstance(fixed, list)
    assert [(f["rule"], f["path"], f["line"], f["name"], f["severity"]) for f in fixed] == [
        ("SSOT101", "shop/api.py", 6, "relative-import", "low")
    ]
    assert (
        "Baseline: 0 new, 1 unchanged, 1 fixed"
        in run_cli("audit", ".", "--baseline", ".ssot-baseline.json", cwd=repo).stdout
    )


def test_suppressed_findings_are_not_recorded_and_never_fail(repo: Path) -> None:
    (repo / "shop" / "api.py").write_text("from . import models  # noqa: SSOT101\n", encoding="utf-8")
    done = run_cli("baseline", ".", "-o", "b.json", cwd=repo)
    assert done.returncode == 0
    assert json.loads((repo / "b.json").read_text(encoding="utf-8"))["findings"] == []
    assert run_cli("audit", ".", "--baseline", "b.json", cwd=repo).returncode == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "ssot-audit-baseline", "version": 99, "findings": []}', "format version 99 is not supported"),
        ("{not json", "not valid JSON"),
        ('{"format": "something-else"}', "not an ssot-audit baseline file"),
        (
            '{"format": "ssot-audit-baseline", "version": 1, "findings": [{"rule": "SSOT101"}]}',
            "findings[0] is malformed",
        ),
    ],
)
def test_an_unusable_baseline_is_a_one_line_usage_error(repo: Path, content: str, message: str) -> None:
    (repo / "b.json").write_text(content, encoding="utf-8")
    done = run_cli("audit", ".", "--baseline", "b.json", cwd=repo)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_usage_errors_of_the_baseline_options(repo: Path) -> None:
    missing = run_cli("audit", ".", "--baseline", "nowhere.json", cwd=repo)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    default = run_cli("baseline", ".", cwd=repo)  # as ruff's habits: a default file name
    assert default.returncode == 0 and (repo / ".ssot-baseline.json").is_file()
    both = run_cli("audit", ".", "--baseline", "b.json", "--diff-against", "HEAD", cwd=repo)
    assert both.returncode == 2 and "cannot be used together" in both.stderr
    (repo / "a-file").write_text("", encoding="utf-8")
    unwritable = run_cli("baseline", ".", "-o", "a-file/b.json", cwd=repo)
    assert unwritable.returncode == 2 and "--output a-file/b.json" in unwritable.stderr
    created = run_cli("baseline", ".", "-o", "new/folder/b.json", cwd=repo)
    assert created.returncode == 0 and (repo / "new/folder/b.json").is_file()
    (repo / "b.json").write_text("[]", encoding="utf-8")
    in_check = run_cli("check", "--baseline", "b.json", "shop/api.py", cwd=repo)
    assert in_check.returncode == 2 and "not an ssot-audit baseline file" in in_check.stderr


def test_the_score_recorded_in_the_baseline_is_compared_only_under_one_formula(repo: Path) -> None:
    data = take_baseline(repo)
    recorded = data["score"]
    assert isinstance(recorded, float)
    code, report = audit_json(repo)
    assert report["baseline_score"] == {"score": recorded, "score_formula_version": "2", "compared": True}
    markdown = run_cli("audit", ".", "--baseline", ".ssot-baseline.json", "--format", "markdown", cwd=repo).stdout
    assert f"score {recorded:.1f} at the baseline, {report['score']:.1f} now (score formula v2)" in markdown
    # A score recorded under another formula version is shown as such, never compared.
    data["score_formula_version"] = "1"
    (repo / ".ssot-baseline.json").write_text(json.dumps(data), encoding="utf-8")
    code, report = audit_json(repo)
    assert code == 0 and report["baseline_score"]["compared"] is False
    text = run_cli("audit", ".", "--baseline", ".ssot-baseline.json", "--no-cache", cwd=repo)
    assert f"the baseline's score {recorded:.1f} used score formula v1" in text.stdout
    # A baseline written before scores were recorded still gates; it has no score to show.
    for key in ("score", "score_formula_version", "paths"):
        del data[key]
    (repo / ".ssot-baseline.json").write_text(json.dumps(data), encoding="utf-8")
    code, report = audit_json(repo)
    assert code == 0 and "baseline_score" not in report
