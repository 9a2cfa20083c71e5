"""Class facts for project rules: every class of a file with its bases resolved as far as the
file can, and what its own body says about its instances. One ClassCollector gathers them in
the per-file traversal for every rule that lists it (SSOT201 and SSOT202); the project phase
reads them as `project.classes`, a ClassIndex that follows bases across modules."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import libcst as cst

from ssot_audit.analysis.class_state import fixed_after_construction
from ssot_audit.analysis.dataclass_kinds import (
    CONSTRUCTOR_METHODS,
    DecoratorKind,
    base_names,
    decorator_kind,
    is_class_level,
    is_frozen,
    visited_class,
)
from ssot_audit.analysis.names import ImportTable, dotted_name
from ssot_audit.analysis.plugins import Collector, FileContext
from ssot_audit.analysis.syntax import body_statements, callee

CLASS_LEVEL_DECORATORS = frozenset({"classmethod", "staticmethod"})
CLASS_PARAMETERS = frozenset({"cls", "mcs", "mcls", "metacls"})


class InstanceState(enum.Enum):
    """What a class's own body says about its instances."""

    FROZEN = "frozen"  # a frozen dataclass or attrs class
    STATEFUL = "stateful"  # fields, an __init__ or __setattr__: each instance holds state
    STATELESS = "stateless"  # nothing of its own: immutable if its bases are
    # Private attributes set by its constructor and never changed after (class_state.
    # fixed_after_construction): immutable if its bases are.
    SET_ONCE = "set once"
    UNKNOWN = "unknown"  # a decorator, metaclass or __new__ we cannot see through


@dataclass(frozen=True)
class ClassFacts:
    """One class, as far as its own module can tell. Where it is defined: `scope` in its
    module (`Outer.Inner`); the module's path is ClassIndex.paths[qualname]."""

    qualname: str
    scope: str
    # Each base's qualified name; None where it cannot be resolved (a call, `*bases`).
    bases: tuple[str | None, ...]
    state: InstanceState
    # No decorator, keyword, or constructor method of its own that could give it an __init__.
    plain: bool
    # A field without a plain default, or a method taking `self` (see needs_instances).
    needs_instances: bool


@dataclass(frozen=True)
class ModuleClasses:
    """A module's classes and its import bindings (to follow re-exported bases)."""

    classes: tuple[ClassFacts, ...]
    bindings: dict[str, str]


def own_state(node: cst.ClassDef, names: ImportTable) -> InstanceState:
    if is_frozen(node, names):
        return InstanceState.FROZEN
    kinds = {decorator_kind(d, names) for d in node.decorators}
    if kinds & {DecoratorKind.DATACLASS, DecoratorKind.DATA_MODEL}:
        return InstanceState.STATEFUL
    if DecoratorKind.UNKNOWN in kinds or node.keywords:
        return InstanceState.UNKNOWN
    has_init = False
    for stmt in body_statements(node):
        if isinstance(stmt, cst.FunctionDef):
            if stmt.name.value == "__setattr__":
                return InstanceState.STATEFUL
            has_init = has_init or stmt.name.value == "__init__"
            if stmt.name.value == "__new__":
                # Unknown unless an `__init__` above has already shown per-instance state.
                return InstanceState.STATEFUL if has_init else InstanceState.UNKNOWN
        elif isinstance(stmt, cst.AnnAssign) and not is_class_level(stmt.annotation.annotation):
            return InstanceState.STATEFUL
        elif isinstance(stmt, cst.Assign) and any(
            isinstance(t.target, cst.Name) and t.target.value == "__slots__" for t in stmt.targets
        ):
            empty = isinstance(stmt.value, (cst.Tuple, cst.List)) and not stmt.value.elements
            if not empty:
                return InstanceState.STATEFUL
    if has_init:
        return InstanceState.SET_ONCE if fixed_after_construction(node) else InstanceState.STATEFUL
    return InstanceState.STATELESS


def is_own_plain(node: cst.ClassDef, names: ImportTable) -> bool:
    """No keyword (a metaclass), constructor method or decorator other than harmless ones."""
    return (
        not node.keywords
        and not defines_constructor(node)
        and all(decorator_kind(d, names) is DecoratorKind.HARMLESS for d in node.decorators)
    )


def needs_instances(node: cst.ClassDef) -> bool:
    """A field without a plain default (a bare annotation or `field(...)`), or a method that
    takes `self`. A class with neither is a namespace of settings read from the class itself
    (`Glyphs.last`), unless a base shows otherwise."""
    for stmt in body_statements(node):
        if isinstance(stmt, cst.AnnAssign) and isinstance(stmt.target, cst.Name):
            if not is_class_level(stmt.annotation.annotation) and (
                stmt.value is None or isinstance(stmt.value, cst.Call)
            ):
                return True
        elif isinstance(stmt, cst.FunctionDef) and is_instance_method(stmt):
            return True
    return False


def is_instance_method(func: cst.FunctionDef) -> bool:
    for decorator in func.decorators:
        dotted = dotted_name(callee(decorator.decorator))
        if dotted in CLASS_LEVEL_DECORATORS:
            return False
    params = [*func.params.posonly_params, *func.params.params]
    return bool(params) and params[0].name.value not in CLASS_PARAMETERS


def defines_constructor(node: cst.ClassDef) -> bool:
    return any(isinstance(s, cst.FunctionDef) and s.name.value in CONSTRUCTOR_METHODS for s in body_statements(node))


def resolved_bases(node: cst.ClassDef, names: ImportTable) -> tuple[str | None, ...]:
    """Each base's qualified name; None for `*bases` and what cannot be resolved."""
    return tuple(None if arg.star else name for arg, name in zip(node.bases, base_names(node, names)))


class ClassCollector(Collector[ModuleClasses]):
    """Records every class of a file. Stubs (`.pyi`) declare what is implemented elsewhere,
    so their classes are left out."""

    chunkable = True

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.classes: list[ClassFacts] = []
        self.is_stub = context.path.endswith(".pyi")

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self.is_stub:
            return
        scope, qualname, names = visited_class(self.context)
        self.classes.append(
            ClassFacts(
                qualname,
                scope,
                resolved_bases(node, names),
                own_state(node, names),
                is_own_plain(node, names),
                needs_instances(node),
            )
        )

    def facts(self) -> ModuleClasses:
        # Bindings are kept even without classes: an `__init__.py` re-exporting a base is how
        # many packages name their model base.
        return ModuleClasses(tuple(self.classes), dict(self.context.names.bindings))
