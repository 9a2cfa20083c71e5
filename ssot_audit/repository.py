"""The git state of an audited tree (commit, branch, uncommitted changes) for the scope of
a report. Fails soft: outside a repository, or without git, there is simply none."""

from __future__ import annotations

from pathlib import Path

from ssot_audit.gitdiff import GitError, run_git
from ssot_audit.model import Repository


def read_repository(folder: Path) -> Repository | None:
    try:
        # One rev-parse for all three: each git process costs milliseconds.
        lines = run_git(folder, "rev-parse", "--show-toplevel", "HEAD", "--abbrev-ref", "HEAD").splitlines()
        # Only tracked files: untracked ones are often build output, and listing them is slow.
        status = run_git(folder, "status", "--porcelain", "--untracked-files=no", "--", ".")
    except (GitError, OSError):
        return None  # not a repository, no commit yet, or no git
    if len(lines) != 3:
        return None
    toplevel, commit, branch = lines
    return Repository(commit=commit, branch=None if branch == "HEAD" else branch, dirty=bool(status.strip()), toplevel=toplevel)
