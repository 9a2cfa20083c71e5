"""The integration examples in examples/ci run as written: their YAML validates against the
CI systems' published schemas (vendored by check-jsonschema), the local pre-commit hook
refuses a commit with the real pre-commit, and the GitLab job writes the code quality
report GitLab reads. (The GitHub workflow's install and gate steps run in test_packaging,
against the built wheel.)"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.git_support import GIT_ENV, git, init_repo
from tests.support import REPO, run_cli

CI = REPO / "examples" / "ci"


def check_schema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)]
    return subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    ("example", "schema"), [("ssot-audit.yml", "vendor.github-workflows"), ("gitlab-ci.yml", "vendor.gitlab-ci")]
)
def test_the_workflows_validate_against_their_schemas(example: str, schema: str, tmp_path: Path) -> None:
    checked = check_schema(schema, CI / example)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The check has teeth: a misspelt key is refused.
    broken = tmp_path / example
    broken.write_text(
        (CI / example).read_text(encoding="utf-8").replace("artifacts:", "artefacts:").replace("runs-on:", "run-on:")
    )
    assert check_schema(schema, broken).returncode != 0


def test_the_local_pre_commit_hook_refuses_a_staged_relative_import(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "shop-repo", {"shop/models.py": "User = object\n"})
    (repo / ".pre-commit-config.yaml").write_text((CI / "pre-commit-local.yaml").read_text(encoding="utf-8"))
    # `language: system` runs the ssot-audit of the environment you commit from: this one's.
    env = {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }

    def pre_commit_run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run"],
            check=False,
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )

    (repo / "shop" / "api.py").write_text("from . import models\n", encoding="utf-8")
    git(repo, "add", "shop/api.py", ".pre-commit-config.yaml")
    refused = pre_commit_run()
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "shop/api.py:1:1: SSOT101 [relative-import]" in refused.stdout
    (repo / "shop" / "api.py").write_text("from shop import models\n", encoding="utf-8")
    git(repo, "add", "shop/api.py")
    passed = pre_commit_run()
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_the_gitlab_job_writes_the_code_quality_report(tmp_path: Path) -> None:
    job = yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))["ssot-audit"]
    install, command = job["script"]
    assert install == 'python -m pip install "$SSOT_AUDIT_SOURCE"'
    repo = init_repo(
        tmp_path / "shop-repo", {"shop/models.py": "User = object\n", "shop/api.py": "from . import models\n"}
    )
    args = shlex.split(command)
    assert args[:2] == ["ssot-audit", "audit"]
    assert run_cli("baseline", cwd=repo).returncode == 0  # the committed baseline the job reads
    (repo / "shop" / "views.py").write_text("from .models import User\n", encoding="utf-8")
    failed = run_cli(*args[1:], cwd=repo)
    assert failed.returncode == 1  # a new finding
    report = json.loads((repo / job["artifacts"]["reports"]["codequality"]).read_text(encoding="utf-8"))
    assert {(issue["location"]["path"], issue["check_name"]) for issue in report} == {
        ("shop/api.py", "SSOT101"),
        ("shop/views.py", "SSOT101"),
    }
    assert (repo / job["artifacts"]["paths"][0]).is_file()
