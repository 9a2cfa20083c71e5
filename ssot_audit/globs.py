"""Glob matching for include/exclude/per-file-ignores, with .gitignore semantics."""

from __future__ import annotations

from collections.abc import Iterable

import pathspec


def compile_globs(patterns: Iterable[str]) -> pathspec.PathSpec[pathspec.Pattern]:
    # gitwildmatch: users already know these rules from .gitignore ("build/", "**/migrations").
    return pathspec.PathSpec.from_lines("gitignore", patterns)
