"""Every class of a project by qualified name, for project rules that follow a base or a callee
from the module that names it to the module that defines it, through re-exports such as
`pkg/__init__.py` doing `from pkg.base import Base`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, Protocol, TypeVar

# How many re-exports a name may pass through before the index gives up on it.
MAX_REEXPORT_HOPS = 8


class HasQualname(Protocol):
    @property
    def qualname(self) -> str: ...


C = TypeVar("C", bound=HasQualname)


class ClassIndex(Generic[C]):
    """Class facts of every module, with each module's import bindings to follow re-exports."""

    def __init__(self, modules: Iterable[str]) -> None:
        self.modules = frozenset(modules)
        self.classes: dict[str, C] = {}
        self.paths: dict[str, str] = {}
        self.bindings: dict[str, Mapping[str, str]] = {}

    def add(self, module: str, path: str, bindings: Mapping[str, str], classes: Iterable[C]) -> None:
        self.bindings[module] = bindings
        for cls in classes:
            self.classes[cls.qualname] = cls
            self.paths[cls.qualname] = path

    def __iter__(self) -> Iterator[tuple[str, C]]:
        """(path, class) for every class, in the order modules were added."""
        for qualname, cls in self.classes.items():
            yield self.paths[qualname], cls

    def is_project_name(self, qualified: str) -> bool:
        """Whether a qualified name lies inside one of the project's modules."""
        return self._split(qualified)[0] is not None

    def lookup(self, qualified: str) -> C | None:
        """The project class a qualified name denotes, None when it is not one (a function,
        a name from outside the project, or a chain of re-exports too long to follow)."""
        for _ in range(MAX_REEXPORT_HOPS):
            found = self.classes.get(qualified)
            if found is not None:
                return found
            module, rest = self._split(qualified)
            if module is None:
                return None
            head, dot, tail = rest.partition(".")
            target = self.bindings.get(module, {}).get(head)
            if target is None:
                return None
            qualified = target + dot + tail
        return None

    def _split(self, qualified: str) -> tuple[str | None, str]:
        """The longest project module that prefixes `qualified`, and the rest."""
        parts = qualified.split(".")
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            if module in self.modules:
                return module, ".".join(parts[i:])
        return None, qualified
