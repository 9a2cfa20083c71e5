"""What project rules see: every file's facts, and the import graph built from them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from ssot_audit.model import FileFacts

if TYPE_CHECKING:
    import networkx as nx


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
    def __init__(self, root: str, files: Sequence[FileFacts], memo: Memo | None = None) -> None:
        self.root = root
        self.files = [f for f in files if f.parse_ok]
        self.memo = memo if memo is not None else Memo()

    @cached_property
    def by_module(self) -> dict[str, FileFacts]:
        return {f.module: f for f in self.files}

    @cached_property
    def import_graph(self) -> nx.DiGraph[str]:
        """module -> module edges for imports between modules of this project. `from pkg
        import name` counts as importing `pkg.name` when that is a module of the project."""
        import networkx as nx  # 0.25 s to import: paid only when a project rule runs
        graph: nx.DiGraph[str] = nx.DiGraph()
        modules = self.by_module
        graph.add_nodes_from(modules)
        for facts in self.files:
            for imp in facts.imports:
                targets = [f"{imp.module}.{n}" for n in imp.names if f"{imp.module}.{n}" in modules]
                if not targets and imp.module in modules:
                    targets = [imp.module]
                for target in targets:
                    if target != facts.module:
                        graph.add_edge(facts.module, target)
        return graph

    def importers(self, module: str) -> int:
        """How many project modules import this one."""
        graph = self.import_graph
        return graph.in_degree(module) if module in graph else 0
