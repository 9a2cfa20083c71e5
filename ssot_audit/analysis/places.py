"""Places in the audited code that a rule option names (path globs or dotted names), and the
glob matching that include, exclude and per-file-ignores share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pathspec


def compile_globs(patterns: Iterable[str]) -> pathspec.PathSpec[pathspec.Pattern]:
    """Globs for include/exclude/per-file-ignores and Places, with .gitignore semantics."""
    # gitwildmatch: users already know these rules from .gitignore ("build/", "**/migrations").
    return pathspec.PathSpec.from_lines("gitignore", patterns)


@dataclass(frozen=True)
class Places:
    """Each pattern is tried both ways, so users need not say which kind they wrote: as a
    path glob relative to the audit root (`legacy/**`, `shared/config/environment.py`) and
    as a dotted name that covers everything defined under it (`pkg.settings` covers
    `pkg.settings.load` and, for a package, its modules)."""

    patterns: tuple[str, ...]
    globs: pathspec.PathSpec[pathspec.Pattern]

    @classmethod
    def of(cls, patterns: Iterable[str]) -> Places:
        kept = tuple(p.strip() for p in patterns if p.strip())
        return cls(kept, compile_globs(kept))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def has_path(self, path: str) -> bool:
        return bool(self.patterns) and bool(self.globs.match_file(path))

    def has_name(self, qualified: str) -> bool:
        return any(qualified == p or qualified.startswith(p + ".") for p in self.patterns)

    def contains(self, path: str, qualified: str) -> bool:
        return self.has_path(path) or self.has_name(qualified)
