"""Helpers the tests share: write a tree of files, audit it through the real engine."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from ssot_audit.analysis.plugins import Registry
from ssot_audit.cli import main
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
    """The command line's `main`, run in this process: the same parsing, output and exit code
    as the installed command, without starting an interpreter for each call. Tests of what only
    a real process shows (a pipe, the console script, signals) use `run_cli_process`."""
    stdout, stderr = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    code: int | str | None = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code
    finally:
        os.chdir(previous)
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(["ssot-audit", *args], returncode, stdout.getvalue(), stderr.getvalue())


def run_cli_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line, in a subprocess, as a user or CI would run it."""
    return subprocess.run(
        [sys.executable, "-m", "ssot_audit", *args],
        check=False,  # the exit code is what the tests assert
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def validate_report(report: object) -> None:
    """Check a JSON report against the schema the package ships (`ssot-audit schema`) and,
    when the shared contract lies beside this checkout, against its schema too."""
    import jsonschema

    from ssot_audit.api import report_schema

    jsonschema.Draft202012Validator(json.loads(report_schema())).validate(report)
    shared = SHARED / "schemas" / "ssot-audit-report-v1.schema.json"
    if shared.is_file():
        jsonschema.validate(report, json.loads(shared.read_text(encoding="utf-8")))


# A function and the body of its near-miss copies, for the cache tests.
NEAR_MISS = """def summarise(rows, limit):
    total = 0
    seen = set()
    for row in rows[:limit]:
        if row.key in seen:
            continue
        seen.add(row.key)
        total += row.amount
    average = total / max(len(seen), 1)
    return {"total": total, "average": average, "count": len(seen)}
"""


# Eight statements that two functions of two modules share: a copied run, not a whole copy.
COPIED_RUN = (
    "    record = self.store.get(key)\n"
    "    if record is None:\n"
    "        raise KeyError(key)\n"
    "    record.hits += 1\n"
    "    self.audit.append((key, record.hits))\n"
    "    expires = record.created + self.ttl\n"
    "    if expires < now():\n"
    "        self.store.pop(key)\n"
)
