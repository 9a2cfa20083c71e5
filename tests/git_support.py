"""Real git repositories in temporary folders, and sample code, for the gate's tests."""

from __future__ import annotations

import os
import shutil
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


IMPORTS = "".join(f"import mod{i}\n" for i in range(20))
NEAR_MISS = (
    slug_function("make_slug")
    .replace("joined[:40]", "joined[:60]")
    .replace("    return joined", "    joined = joined.strip('-')\n    return joined")
)


def consolidation_history(repo: Path) -> Path:
    """First commit: `slugify` copied in three modules. Second: one copy consolidated (it
    imports the canonical one), and a near-miss copy made in a new module."""
    init_repo(
        repo,
        {
            "shop/text.py": IMPORTS + "\n\n" + slug_function("slugify"),
            "shop/views.py": "from shop.text import slugify\n\n\n" + slug_function("view_slug"),
            "shop/admin.py": slug_function("admin_slug"),
            "shop/api.py": "from shop.text import slugify\n",
        },
    )
    (repo / "shop" / "admin.py").write_text("from shop.text import slugify as admin_slug\n", encoding="utf-8")
    (repo / "shop" / "feeds.py").write_text(NEAR_MISS, encoding="utf-8")
    commit_all(repo, "consolidate admin_slug, copy make_slug")
    return repo


def example_history(repo: Path, example: Path) -> Path:
    """The example project committed, then changed: one more copy of a function and a
    relative import, so that `--diff-against HEAD~1` has news and a score before and after."""
    shutil.copytree(example, repo, ignore=shutil.ignore_patterns(".ssot_audit_cache", "__pycache__"))
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "first")
    write_tree(repo, {"chat_backend/utils/slugs.py": "from . import text  # noqa: F401\n\n\n" + NEAR_MISS})
    commit_all(repo, "a slug helper")
    return repo
