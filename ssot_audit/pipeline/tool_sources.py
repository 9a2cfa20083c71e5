"""The files whose edits make cached results stale: the tool's own package and each rule's
module. Their sizes and modification times go into every cache key, so an edited plugin or a
development checkout never serves results of the code it replaced."""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ssot_audit import __version__
from ssot_audit.pipeline.scoring import FORMULA_VERSION

# The package's top folder: every module of the tool, not only the pipeline's.
PACKAGE = Path(__file__).resolve().parent.parent

FileStamp = tuple[str, int, int]  # path, modification time (ns), size


@dataclass(frozen=True)
class ToolSources:
    stamps: tuple[FileStamp, ...]
    # Rules whose class has no source file (defined in a REPL, a zip): known by module name.
    unlocated: tuple[str, ...] = ()

    def salt(self) -> str:
        stamps = (f"{path}:{mtime}:{size}" for path, mtime, size in self.stamps)
        return "|".join((__version__, FORMULA_VERSION, *self.unlocated, *stamps))

    def unchanged(self) -> bool:
        """Whether every file still has the size and time it had."""
        return _stamps(Path(path) for path, _, _ in self.stamps) == self.stamps


def tool_sources(rules: Iterable[type]) -> ToolSources:
    files = set(PACKAGE.glob("**/*.py"))
    unlocated = []
    for rule in rules:
        try:
            files.add(Path(inspect.getfile(rule)))
        except (TypeError, OSError):
            unlocated.append(rule.__module__)
    return ToolSources(_stamps(sorted(files)), tuple(unlocated))


def _stamps(paths: Iterable[Path]) -> tuple[FileStamp, ...]:
    stamps = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        stamps.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(stamps)
