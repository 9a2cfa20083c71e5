"""The real pre-commit framework running this checkout's hook (`.pre-commit-hooks.yaml`) in a
temporary repository: a commit adding a relative import is refused, a clean one passes."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.git_support import GIT_ENV, git, init_repo, slug_function
from tests.support import REPO, run_cli

BAD = "from . import models\n"
GOOD = "from shop import models\n"


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Hook environments are built once per module, outside the user's ~/.cache.
    return tmp_path_factory.mktemp("pre-commit-home")


def run_in(repo: Path, home: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """A command in the test repository, with its own hook store and no colour codes."""
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"}
    return subprocess.run(list(command), check=False, cwd=repo, capture_output=True, text=True, timeout=600, env=env)


def pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_in(repo, home, sys.executable, "-m", "pre_commit", *args)


def commit(repo: Path, home: Path, message: str) -> subprocess.CompletedProcess[str]:
    return run_in(repo, home, "git", "commit", "-m", message)


@pytest.fixture(scope="module")
def head() -> str:
    # The committed state of this checkout: try-repo and an installed hook then share one
    # hook environment, where uncommitted changes would make try-repo build a new one each run.
    return git(REPO, "rev-parse", "HEAD").strip()


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return init_repo(
        tmp_path / "shop-repo", {"shop/models.py": "User = object\n", "shop/text.py": slug_function("slug")}
    )


def test_the_hook_declaration_is_the_one_spec_names() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = hooks
    assert hook["id"] == "ssot-audit" and hook["entry"] == "ssot-audit check"
    assert hook["types"] == ["python"] and hook["require_serial"] is True and hook["language"] == "python"


def test_try_repo_refuses_a_staged_relative_import(shop: Path, pre_commit_home: Path, head: str) -> None:
    # try-repo builds a fresh hook environment on every run, so this is one run: a staged
    # relative import, a staged copy of a committed function, and a staged clean file.
    (shop / "shop" / "api.py").write_text(BAD, encoding="utf-8")
    (shop / "shop" / "helpers.py").write_text(slug_function("make_slug"), encoding="utf-8")
    (shop / "shop" / "views.py").write_text(GOOD, encoding="utf-8")
    git(shop, "add", "shop/api.py", "shop/helpers.py", "shop/views.py")
    refused = pre_commit(shop, pre_commit_home, "try-repo", str(REPO), "ssot-audit", "--ref", head)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "shop/api.py:1:1: SSOT101 [relative-import]" in refused.stdout
    # The clone's other half is in an untouched file: found, but reported only where staged.
    assert "shop/helpers.py:1:1: SSOT001 [duplicate-implementation]" in refused.stdout
    reported = {line.split(":")[0] for line in refused.stdout.splitlines() if line.startswith("shop/")}
    assert reported == {"shop/api.py", "shop/helpers.py"}
    assert "2 findings in 3 checked files" in refused.stdout


def test_an_installed_hook_refuses_the_commit_and_prints_the_finding(
    shop: Path, pre_commit_home: Path, head: str
) -> None:
    # The documented example, pointed at this checkout.
    config = yaml.safe_load((REPO / "examples" / "ci" / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    config["repos"][0].update(repo=str(REPO), rev=head)
    (shop / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(shop, "add", ".pre-commit-config.yaml")
    installed = pre_commit(shop, pre_commit_home, "install")
    assert installed.returncode == 0, installed.stderr
    before = git(shop, "rev-parse", "HEAD")

    (shop / "shop" / "api.py").write_text(BAD, encoding="utf-8")
    git(shop, "add", "shop/api.py")
    refused = commit(shop, pre_commit_home, "add a relative import")
    assert refused.returncode != 0
    assert "shop/api.py:1:1: SSOT101 [relative-import]" in refused.stdout + refused.stderr
    assert git(shop, "rev-parse", "HEAD") == before

    (shop / "shop" / "api.py").write_text(GOOD, encoding="utf-8")
    git(shop, "add", "shop/api.py")
    accepted = commit(shop, pre_commit_home, "add an absolute import")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert git(shop, "rev-parse", "HEAD") != before


def test_the_ci_example_gates_and_uploads_the_sarif_it_writes(shop: Path) -> None:
    workflow = yaml.safe_load((REPO / "examples" / "ci" / "ssot-audit.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["audit"]["steps"]
    gate = next(step["run"].split() for step in steps if step.get("name") == "ssot-audit gate")
    assert gate[:2] == ["ssot-audit", "audit"] and "--fail-under" in gate and "--baseline" in gate
    written = [
        spec.split(":", 1)[1] for flag, spec in itertools.pairwise(gate) if flag == "-o" and spec.startswith("sarif:")
    ]
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert written == [upload["with"]["sarif_file"]]

    # The workflow's own command line, run on a project with a committed baseline.
    (shop / "shop" / "api.py").write_text(GOOD * 9 + BAD, encoding="utf-8")
    baseline_file = gate[gate.index("--baseline") + 1]
    assert run_cli("baseline", ".", "-o", baseline_file, cwd=shop).returncode == 0
    passed = run_cli(*gate[1:], cwd=shop)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    sarif = json.loads((shop / written[0]).read_text(encoding="utf-8"))
    assert [r["baselineState"] for r in sarif["runs"][0]["results"]] == ["unchanged"]
    (shop / "shop" / "views.py").write_text(BAD, encoding="utf-8")
    failed = run_cli(*gate[1:], cwd=shop)
    assert failed.returncode == 1 and "::" in failed.stdout  # GitHub annotations name the new finding
