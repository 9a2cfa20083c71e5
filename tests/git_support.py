"""Real git repositories in temporary folders, and sample code, for the gate's tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.support import write_tree

# Identity and config for commits, so the tests never read or need the user's git setup.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "ssot test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "ssot test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, env={**os.environ, **GIT_ENV}
    )
    return done.stdout


def init_repo(repo: Path, files: Mapping[str, str]) -> Path:
    """A repository whose first commit holds `files` (folders become packages) and a
    pyproject.toml that marks the project root."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    write_tree(repo, {"pyproject.toml": "[project]\nname = 'demo'\n", **files})
    commit_all(repo, "first")
    return repo


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def state(repo: Path) -> tuple[str, str, str]:
    """What a read-only command must leave alone: HEAD, the index and the working tree."""
    return (
        git(repo, "rev-parse", "HEAD"),
        git(repo, "ls-files", "--stage"),
        git(repo, "status", "--porcelain", "--untracked-files=all"),
    )


def slug_function(name: str) -> str:
    """A function whose body every caller repeats: copies of it are duplicate implementations."""
    return (
        f"def {name}(text):\n"
        "    cleaned = text.strip().lower()\n"
        "    parts = [p for p in cleaned.split(' ') if p]\n"
        "    joined = '-'.join(parts)\n"
        "    if len(joined) > 40:\n"
        "        joined = joined[:40]\n"
        "    return joined.replace('--', '-')\n"
    )
