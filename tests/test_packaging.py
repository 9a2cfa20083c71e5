"""`python -m build` makes a wheel and an sdist; the wheel, installed into a fresh virtual
environment by the GitHub workflow example's own install step, audits the example project
outside the checkout, and the workflow's gate step runs as written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import yaml

from ssot_audit.analysis.plugins import Registry
from tests.support import EXAMPLE, REPO, write_tree


def run(*cmd: str | Path, cwd: Path, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))} | (extra or {})
    return subprocess.run(
        [str(c) for c in cmd], check=False, cwd=cwd, capture_output=True, text=True, timeout=900, env=env
    )


def test_build_makes_a_wheel_and_sdist_that_the_github_workflow_installs_and_runs(tmp_path: Path) -> None:
    source = tmp_path / "src"
    # Build from a copy so the checkout never gets build/ or egg-info folders.
    shutil.copytree(
        REPO, source, ignore=shutil.ignore_patterns(".git", "*.egg-info", "build", "dist", ".*cache*", "__pycache__")
    )
    dist = tmp_path / "dist"
    built = run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", dist, source, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    [wheel] = dist.glob("ssot_audit-*.whl")
    [sdist] = dist.glob("ssot_audit-*.tar.gz")
    names = zipfile.ZipFile(wheel).namelist()
    assert "ssot_audit/rules/relative_import.py" in names and "ssot_audit/report-v1.schema.json" in names
    assert any(n.startswith("ssot_audit/templates/") and not n.endswith(".py") for n in names) or not list(
        (REPO / "templates").glob("*.j2")
    )
    with tarfile.open(sdist) as archive:
        assert any(n.endswith("ssot_audit/report-v1.schema.json") for n in archive.getnames())

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    workflow = yaml.safe_load((REPO / "examples" / "ci" / "ssot-audit.yml").read_text(encoding="utf-8"))
    steps = {step.get("name"): step for step in workflow["jobs"]["audit"]["steps"]}
    # The workflow's own install step, with the wheel as the source a team keeps.
    installed = run(
        "bash",
        "-c",
        steps["Install ssot-audit"]["run"],
        cwd=tmp_path,
        extra={"SSOT_AUDIT_SOURCE": str(wheel), "PATH": f"{bin_dir}:{os.environ['PATH']}"},
    )
    assert installed.returncode == 0, installed.stderr

    project = tmp_path / "elsewhere" / "chat_backend"
    shutil.copytree(EXAMPLE, project)
    audited = run(
        bin_dir / "ssot-audit", "audit", project, "--format", "json", "--no-cache", cwd=tmp_path / "elsewhere"
    )
    assert audited.returncode in (0, 1), audited.stderr
    assert "warning" not in audited.stderr
    report = json.loads(audited.stdout)
    assert report["files_scanned"] > 15
    assert {f["rule"] for f in report["findings"]} >= {"SSOT101"}

    # The workflow's gate step, as written, over a committed baseline: passes, then fails on a new finding.
    gate = steps["ssot-audit gate"]["run"]
    shop = tmp_path / "shop"
    write_tree(
        shop,
        {
            "pyproject.toml": "[project]\nname = 'shop'\n",
            "shop/models.py": "User = object\n",
            "shop/api.py": "from shop import models\n" * 9 + "from . import models\n",
        },
    )
    assert run(bin_dir / "ssot-audit", "baseline", cwd=shop).returncode == 0
    passed = run("bash", "-c", gate, cwd=shop, extra={"PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert (shop / "ssot-audit.sarif").is_file() and (shop / "ssot-audit.md").is_file()
    (shop / "shop" / "views.py").write_text("from . import models\n", encoding="utf-8")
    failed = run("bash", "-c", gate, cwd=shop, extra={"PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert failed.returncode == 1 and "::" in failed.stdout

    listing = run(bin_dir / "ssot-audit", "rules", cwd=tmp_path)
    for code in Registry.load().rules:
        assert code in listing.stdout
