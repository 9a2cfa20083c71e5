"""What project rules see: every file's facts, and the import graph built from them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from itertools import combinations
from typing import TypeVar, cast

from ssot_audit.analysis.class_facts import ClassCollector, ClassFacts
from ssot_audit.analysis.class_index import ClassIndex
from ssot_audit.analysis.plugins import Collector
from ssot_audit.model import FileFacts, ImportFact

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

    @cached_property
    def paths(self) -> frozenset[str]:
        return frozenset(f.path for f in self.files)

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

    def _targets(self, imp: ImportFact) -> list[str]:
        """The project modules an import names. `from pkg import name` counts as importing
        `pkg.name` when that is a module of the project."""
        modules = self.by_module
        targets = [f"{imp.module}.{n}" for n in imp.names if f"{imp.module}.{n}" in modules]
        if not targets and imp.module in modules:
            targets = [imp.module]
        return targets

    @cached_property
    def _importers(self) -> dict[str, set[str]]:
        """For each module of this project, the other modules of it that import it."""
        found: dict[str, set[str]] = {}
        for facts in self.files:
            for imp in facts.imports:
                for target in self._targets(imp):
                    if target != facts.module:
                        found.setdefault(target, set()).add(facts.module)
        return found

    @cached_property
    def _alternatives(self) -> frozenset[frozenset[str]]:
        """Pairs of project modules (or packages) that one file imports in two branches of one
        choice by the interpreter (see ImportFact.branch)."""
        found: set[frozenset[str]] = set()
        for facts in self.files:
            choices: dict[int, dict[int, set[str]]] = {}
            for imp in facts.imports:
                if imp.branch is not None:
                    key, branch = imp.branch
                    choices.setdefault(key, {}).setdefault(branch, set()).update(self._targets(imp))
            for branches in choices.values():
                for (i, in_i), (j, in_j) in combinations(sorted(branches.items()), 2):
                    found.update(frozenset((a, b)) for a in in_i for b in in_j if not _nested(a, b))
        return frozenset(found)

    def alternatives(self, a: str, b: str) -> bool:
        """Whether modules a and b (or packages holding them) are alternatives the project picks
        between by Python version or platform (pexpect's `_async_w_await` and `_async_pre_await`,
        prompt_toolkit's `input.win32` and `input.vt100`): one is loaded, the other may not even
        import, so neither can use the other's code."""
        if not self._alternatives or a == b:
            return False
        return any(frozenset((x, y)) in self._alternatives for x in _with_packages(a) for y in _with_packages(b))

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


def _with_packages(module: str) -> list[str]:
    """`a.b.c`, `a.b` and `a`."""
    parts = module.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _nested(a: str, b: str) -> bool:
    """One module, or one module and a package holding it."""
    return a == b or a.startswith(f"{b}.") or b.startswith(f"{a}.")
