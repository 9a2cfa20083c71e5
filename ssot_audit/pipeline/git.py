"""git as the pipeline and workflows use it: one way to run it, and the state of an audited
tree (commit, branch, uncommitted changes) for the scope of a report. Reading the state fails
soft: outside a repository, or without git, there is simply none."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ssot_audit.model import Repository


class GitError(Exception):
    """git is missing, the folder is not in a repository, or the ref does not exist."""


def run_git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise GitError(detail.removeprefix("fatal: "))
    return done.stdout


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
    return Repository(
        commit=commit, branch=None if branch == "HEAD" else branch, dirty=bool(status.strip()), toplevel=toplevel
    )
