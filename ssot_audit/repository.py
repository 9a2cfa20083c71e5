"""The git state of an audited tree (commit, branch, uncommitted changes) for the scope of
a report. Fails soft: outside a repository, or without git, there is simply none."""

from __future__ import annotations

from pathlib import Path

from ssot_audit.gitdiff import GitError, _git
from ssot_audit.model import Repository


def read_repository(folder: Path) -> Repository | None:
    try:
        commit = _git(folder, "rev-parse", "--verify", "--quiet", "HEAD").strip()
        toplevel = _git(folder, "rev-parse", "--show-toplevel").strip()
        branch = _git(folder, "rev-parse", "--abbrev-ref", "HEAD").strip()
        # Only tracked files: untracked ones are often build output, and listing them is slow.
        status = _git(folder, "status", "--porcelain", "--untracked-files=no", "--", ".")
    except (GitError, OSError):
        return None
    if not commit:
        return None
    return Repository(
        commit=commit, branch=None if branch == "HEAD" else branch, dirty=bool(status.strip()), toplevel=toplevel
    )
