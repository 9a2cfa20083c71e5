"""The built wheel works on its own: installed into a fresh virtual environment, outside the
checkout, it audits the example project with every built-in rule and template on board."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from ssot_audit.analysis.plugins import Registry
from tests.support import EXAMPLE, REPO


def run(*cmd: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run([str(c) for c in cmd], check=False, cwd=cwd, capture_output=True, text=True, timeout=900, env=env)


def test_wheel_installs_into_a_fresh_venv_and_audits_the_example(tmp_path: Path) -> None:
    source = tmp_path / "src"
    # Build from a copy so the checkout never gets build/ or egg-info folders.
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", "*.egg-info", "build", "dist", ".*cache*", "__pycache__"))
    wheels = tmp_path / "wheels"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", wheels, source, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    [wheel] = wheels.glob("ssot_audit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "ssot_audit/rules/relative_import.py" in names
    assert any(n.startswith("ssot_audit/templates/") and not n.endswith(".py") for n in names) or not list(
        (REPO / "templates").glob("*.j2")
    )

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    installed = run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr

    project = tmp_path / "elsewhere" / "chat_backend"
    shutil.copytree(EXAMPLE, project)
    audited = run(env_dir / "bin" / "ssot-audit", "audit", project, "--format", "json", "--no-cache", cwd=tmp_path / "elsewhere")
    assert audited.returncode in (0, 1), audited.stderr
    assert "warning" not in audited.stderr
    report = json.loads(audited.stdout)
    assert report["files_scanned"] > 15
    assert {f["rule"] for f in report["findings"]} >= {"SSOT101"}

    listing = run(env_dir / "bin" / "ssot-audit", "rules", cwd=tmp_path)
    for code in Registry.load().rules:
        assert code in listing.stdout
