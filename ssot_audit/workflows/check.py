"""`ssot-audit check FILE...`, the pre-commit entry: audit each file's whole project (so
cross-file rules see everything) but report and gate only the given files.

Each file is grouped under its own project root, so a file list split over several
invocations (as pre-commit does with long lists) gives the same findings as one list.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path

from ssot_audit.model import AuditResult, Finding
from ssot_audit.pipeline.discovery import project_root
from ssot_audit.workflows.baseline import apply


def absolute(path: Path) -> Path:
    # Resolve the folder but not the file itself, so a symlinked file keeps the name it
    # was staged under.
    full = Path(os.path.abspath(path))
    return full.parent.resolve() / full.name


def by_project(files: Iterable[Path]) -> dict[Path, list[Path]]:
    groups: dict[Path, list[Path]] = {}
    for file in files:
        groups.setdefault(project_root([absolute(file)]), []).append(absolute(file))
    return {root: sorted(set(members)) for root, members in sorted(groups.items())}


def relpaths(root: Path, files: Iterable[Path]) -> frozenset[str]:
    return frozenset(Path(os.path.relpath(f, root)).as_posix() for f in files)


def only(result: AuditResult, paths: frozenset[str], recorded: list[Finding] | None = None) -> AuditResult:
    """The result cut down to the findings in `paths`; with a baseline, those findings
    marked new/unchanged against the baseline's entries for the same files."""
    reported = dataclasses.replace(result, findings=[f for f in result.findings if f.path in paths], fixed=None)
    if recorded is None:
        return reported
    return apply(reported, [f for f in recorded if f.path in paths])
