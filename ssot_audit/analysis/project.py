"""What project rules see: every file's facts, and the import graph built from them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from typing import TypeVar, cast

from ssot_audit.analysis.class_facts import ClassCollector, ClassFacts
from ssot_audit.analysis.class_index import ClassIndex
from ssot_audit.analysis.plugins import Collector
from ssot_audit.model import FileFacts

FactsT = TypeVar("FactsT")


class Memo:
    """Verdicts a project rule may keep between audits, such as "these two bodies are
    near-miss copies", keyed by content hashes only, so they never go stale. The engine
    loads it from the cache and saves only what this audit looked up, so it never grows
    beyond one project's worth."""

    def __init__(self, stored: dict[bytes, bool] | None = None) -> None:
        self._stored = stored or {}
        self.used: dict[bytes, bool] = {}

    def get(self, key: bytes) -> bool | None:
        value = self._stored.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: bytes, value: bool) -> None:
        self.used[key] = value


class Project:
    def __init__(
        self,
        root: str,
        files: Sequence[FileFacts],
        memo: Memo | None = None,
        file_keys: Mapping[str, str] | None = None,
    ) -> None:
        self.root = root
        self.files = [f for f in files if f.parse_ok]
        self.memo = memo if memo is not None else Memo()
        # Each file's cache key (content, place and rule options), when the audit has a cache:
        # what a verdict about two files' definitions may be kept under (see Memo).
        self.file_keys: Mapping[str, str] = file_keys or {}

    @cached_property
    def by_module(self) -> dict[str, FileFacts]:
        return {f.module: f for f in self.files}

    def facts(self, collector: type[Collector[FactsT]]) -> Iterator[tuple[FileFacts, FactsT]]:
        """Each file with what `collector` gathered from it, in path order; files it did not
        run on (a rule disabled there by per-file-ignores) are left out."""
        key = collector.key()
        for file in self.files:
            if key in file.extras:
                # The engine keeps under this key only what this collector's facts() returned.
                yield file, cast(FactsT, file.extras[key])

    @cached_property
    def classes(self) -> ClassIndex[ClassFacts]:
        """Every class ClassCollector saw, by qualified name, following re-exports; empty
        unless a rule that lists ClassCollector ran."""
        index: ClassIndex[ClassFacts] = ClassIndex(self.by_module)
        for file, module in self.facts(ClassCollector):
            index.add(file.module, file.path, module.bindings, module.classes)
        return index

    @cached_property
    def _importers(self) -> dict[str, set[str]]:
        """For each module of this project, the other modules of it that import it. `from pkg
        import name` counts as importing `pkg.name` when that is a module of the project."""
        found: dict[str, set[str]] = {}
        modules = self.by_module
        for facts in self.files:
            for imp in facts.imports:
                targets = [f"{imp.module}.{n}" for n in imp.names if f"{imp.module}.{n}" in modules]
                if not targets and imp.module in modules:
                    targets = [imp.module]
                for target in targets:
                    if target != facts.module:
                        found.setdefault(target, set()).add(facts.module)
        return found

    @cached_property
    def _name_importers(self) -> dict[tuple[str, str], set[str]]:
        found: dict[tuple[str, str], set[str]] = {}
        for facts in self.files:
            for imp in facts.imports:
                for name in imp.names:
                    if imp.module != facts.module:
                        found.setdefault((imp.module, name), set()).add(facts.module)
        return found

    def name_importers(self, module: str, name: str) -> int:
        """How many project modules import `name` itself from `module` (`from module import name`)."""
        return len(self._name_importers.get((module, name), ()))

    def imports_name(self, importer: str, module: str, name: str) -> bool:
        """Whether `importer` imports `name` itself from `module`, under any alias."""
        return importer in self._name_importers.get((module, name), ())

    def imports(self, importer: str, module: str) -> bool:
        """Whether project module `importer` imports `module` (or a name from it) directly."""
        return importer in self._importers.get(module, ())

    def importers(self, module: str) -> int:
        """How many project modules import this one."""
        return len(self._importers.get(module, ()))
