"""Helpers the tests share: write a tree of files, audit it through the real engine."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from ssot_audit.analysis.plugins import Registry
from ssot_audit.config import Overrides, load_config
from ssot_audit.model import AuditResult, Finding
from ssot_audit.pipeline.engine import Engine

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EXAMPLE = REPO / "examples" / "chat_backend"


def write_tree(root: Path, files: Mapping[str, str | bytes], packages: bool = True) -> None:
    """Write files under root; every folder that holds a file becomes a package unless the
    files name its __init__.py themselves."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if packages:
        for rel in files:
            folder = (root / rel).parent
            while folder != root and root in folder.parents:
                init = folder / "__init__.py"
                if not init.exists():
                    init.write_text("", encoding="utf-8")
                folder = folder.parent


def write_config(root: Path, rules: Mapping[str, Mapping[str, object]] | None = None, **settings: object) -> Path:
    data: dict[str, object] = {k.replace("_", "-"): v for k, v in settings.items()}
    if rules:
        data["rules"] = {k: dict(v) for k, v in rules.items()}
    path = root / ".ssot-audit.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def audit_tree(
    root: Path,
    *,
    paths: Sequence[Path] | None = None,
    select: Sequence[str] | None = None,
    jobs: int = 1,
    use_cache: bool = False,
    registry: Registry | None = None,
) -> AuditResult:
    registry = registry or Registry.load()
    config = load_config(registry, root, None, Overrides(select=select))
    engine = Engine(registry, config, jobs=jobs, use_cache=use_cache)
    return engine.audit(list(paths or [root]), root)


def of_rule(result: AuditResult, code: str, include_suppressed: bool = False) -> list[Finding]:
    return [f for f in result.findings if f.rule == code and (include_suppressed or not f.suppressed)]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line, in a subprocess, as a user or CI would run it."""
    return subprocess.run(
        [sys.executable, "-m", "ssot_audit", *args],
        check=False,  # the exit code is what the tests assert
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
