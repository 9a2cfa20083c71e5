"""A light name resolver: what a `Name` or `a.b.c` chain refers to, from import statements.

Each scope (the module, a class body, a function body) gets a table of the names its own
statements bind: an import binds a name to a qualified name (`t` -> `typing` after
`import typing as t`); any other binding (assignment, `def`, `class`, parameter, `for`,
`with ... as`, `except ... as`) shadows it. A lookup walks the enclosing scopes the way
Python does (class bodies are skipped by the functions nested in them), so a local class
named `Any` or a function-local `from os import environ as env` is seen for what it is.

Why not libcst's QualifiedNameProvider: it needs ScopeProvider's analysis of every name in
every file. These tables come from statements alone and are built lazily, only for scopes a
rule actually asks about. `python -m benchmarks.name_resolution` measures both: on Django
5.2 SSOT401 and SSOT501 each add 2-4 s CPU to a 19 s parse and traversal with this resolver
and about 75 s with QualifiedNameProvider, with the same findings there, on Flask and httpx,
and on the rules' examples.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator, Sequence

import libcst as cst

from ssot_audit.analysis import walk
from ssot_audit.analysis.syntax import bound_names, parameters

TYPING_MODULES = ("typing", "typing_extensions")
BUILTIN_NAMES = frozenset(dir(builtins))

# The definitions that open a scope of their own.
ScopeNode = cst.ClassDef | cst.FunctionDef | cst.Lambda


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, None for anything else (calls, subscripts)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def typing_names(*names: str) -> frozenset[str]:
    """`typing.X` and `typing_extensions.X` for each X: the spellings type checkers accept."""
    return frozenset(f"{module}.{name}" for module in TYPING_MODULES for name in names)


def resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str | None:
    """The absolute module that `from <level dots><target> import ...` names, if knowable."""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level - 1 > len(parts) or (level - 1 == len(parts) and not target):
        return None
    base = parts[: len(parts) - (level - 1)]
    if target:
        base = base + target.split(".")
    return ".".join(base) or None


def import_bindings(
    node: cst.Import | cst.ImportFrom, module_name: str = "", is_package: bool = False
) -> Iterator[tuple[str, str]]:
    """(local name, qualified name) for each name an import binds: `import a.b` binds `a`,
    `import a.b as c` binds `c` -> `a.b`, `from .m import x as y` binds `y` -> `pkg.m.x`."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value, full
            else:
                head = full.split(".")[0]
                yield head, head
        return
    base = dotted_name(node.module) if node.module is not None else None
    if node.relative:
        base = resolve_relative(module_name, is_package, len(node.relative), base)
    if base is None or isinstance(node.names, cst.ImportStar):
        return
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        local = name
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        yield local, f"{base}.{name}"


class ImportTable:
    """The names one scope binds: imports map to qualified names, other bindings shadow.

    `ImportTable.from_module(module)` is the module scope; `child(node)` the table of a
    class or function defined in this scope, built on first use and cached.
    """

    def __init__(
        self,
        module_name: str = "",
        is_package: bool = False,
        parent: ImportTable | None = None,
        is_class: bool = False,
    ) -> None:
        self.module_name = module_name
        self.is_package = is_package
        self.parent = parent
        self.is_class = is_class
        self.bindings: dict[str, str] = {}
        self.shadowed: set[str] = set()
        self.declared_global: set[str] = set()
        self.star_imports = False
        self._children: dict[cst.CSTNode, ImportTable] = {}

    @classmethod
    def from_module(cls, module: cst.Module, module_name: str = "", is_package: bool = False) -> ImportTable:
        table = cls(module_name, is_package)
        table._scan(module.body, conditional=False)
        return table

    # -- building -----------------------------------------------------------------------

    def child(self, node: ScopeNode) -> ImportTable:
        """The table of a class, function or lambda body nested directly in this scope."""
        table = self._children.get(node)
        if table is None:
            # Python skips class bodies when a nested function looks a name up.
            parent = self.parent if self.is_class and self.parent is not None else self
            table = ImportTable(self.module_name, self.is_package, parent, is_class=isinstance(node, cst.ClassDef))
            if isinstance(node, (cst.FunctionDef, cst.Lambda)):
                for param in parameters(node.params):
                    table._bind_local(param.name.value, conditional=False)
            # A lambda's body is one expression: it binds nothing but its parameters.
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                suite = node.body
                table._scan(suite.body if isinstance(suite, cst.IndentedBlock) else [suite], conditional=False)
            self._children[node] = table
        return table

    def _scan(self, body: Sequence[cst.CSTNode], conditional: bool) -> None:
        for stmt in body:
            if isinstance(stmt, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                for small in stmt.body:
                    self._scan_small(small, conditional)
            elif isinstance(stmt, (cst.ClassDef, cst.FunctionDef)):
                self._bind_local(stmt.name.value, conditional)
            elif isinstance(stmt, cst.BaseCompoundStatement):
                self._scan_compound(stmt, conditional)

    def _scan_small(self, small: cst.BaseSmallStatement, conditional: bool) -> None:
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            self.add(small)
        elif isinstance(small, cst.Assign):
            for target in small.targets:
                self._bind_targets(target.target, conditional)
        elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
            self._bind_targets(small.target, conditional)
        elif isinstance(small, cst.Global):
            self.declared_global.update(item.name.value for item in small.names)

    def _scan_compound(self, stmt: cst.CSTNode, conditional: bool) -> None:
        """Bindings of if/try/with/for/while. What their bodies bind is conditional: a
        fallback such as `except ImportError: Any = object` does not hide the import it
        stands in for."""
        if isinstance(stmt, cst.For):
            self._bind_targets(stmt.target, conditional)
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                if item.asname is not None:
                    self._bind_targets(item.asname.name, conditional)
        elif isinstance(stmt, (cst.ExceptHandler, cst.ExceptStarHandler)) and stmt.name is not None:
            self._bind_targets(stmt.name.name, conditional=True)
        for child in walk.children(stmt):
            if isinstance(child, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                self._scan(child.body, conditional=True)
            elif isinstance(child, (cst.If, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally)):
                self._scan_compound(child, conditional=True)

    def _bind_targets(self, target: cst.BaseExpression, conditional: bool) -> None:
        for name in bound_names(target):
            self._bind_local(name.value, conditional)

    def _bind_local(self, name: str, conditional: bool = False) -> None:
        if conditional and name in self.bindings:
            return
        self.bindings.pop(name, None)
        self.shadowed.add(name)

    def add(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar):
            self.star_imports = True
        for local, qualified in import_bindings(node, self.module_name, self.is_package):
            self._bind(local, qualified)

    def _bind(self, local: str, qualified: str) -> None:
        self.bindings[local] = qualified
        self.shadowed.discard(local)

    def forget_scopes(self) -> None:
        """Drop the tables of nested scopes (and the nodes they are keyed on): a file parsed
        in chunks is done with the last chunk's definitions."""
        self._children.clear()

    # -- lookups ------------------------------------------------------------------------

    def lookup(self, name: str) -> str | None:
        """The qualified name a bare name is bound to by an import, seen from this scope."""
        table: ImportTable | None = self
        while table is not None:
            if name in table.declared_global:
                return table._root().lookup(name)
            bound = table.bindings.get(name)
            if bound is not None:
                return bound
            if name in table.shadowed:
                return None
            table = table.parent
        return None

    def builtin_name(self, name: str) -> str | None:
        """`builtins.print` for `print` when no scope in sight binds `print` (and no star
        import could have); None otherwise."""
        if name not in BUILTIN_NAMES:
            return None
        table: ImportTable | None = self
        while table is not None:
            if name in table.declared_global:
                table = table._root()
            if name in table.bindings or name in table.shadowed or table.star_imports:
                return None
            table = table.parent
        return f"builtins.{name}"

    def global_name(self, node: cst.BaseExpression) -> str | None:
        """The qualified name a reference denotes, seen from this scope: `typing.Any` for an
        imported name, `pkg.mod.Base` for a name the module itself defines, `builtins.dict` for
        a builtin (as builtin_name decides: not under a star import); None when it cannot be
        known (a call, a name bound inside a function or class body)."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        qualified = self.qualified_name(node)
        if qualified is not None:
            return qualified
        head = dotted.partition(".")[0]
        table: ImportTable | None = self
        while table is not None:
            if head in table.shadowed:
                # Bound by the module itself: a name other modules can import. Bound inside a
                # function or class body: nothing outside can name it.
                if table.parent is not None:
                    return None
                return f"{self.module_name}.{dotted}" if self.module_name else dotted
            table = table.parent
        return f"builtins.{dotted}" if self.builtin_name(head) is not None else None

    def _root(self) -> ImportTable:
        table = self
        while table.parent is not None:
            table = table.parent
        return table

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        """`typing.Any` for `t.Any` after `import typing as t`; None when not an import."""
        dotted = dotted_name(node)
        return None if dotted is None else self.qualify(dotted)

    def qualify(self, dotted: str) -> str | None:
        """qualified_name of the `a.b.c` chain spelled `dotted`."""
        head, _, rest = dotted.partition(".")
        bound = self.lookup(head)
        if bound is None:
            return None
        return f"{bound}.{rest}" if rest else bound

    def is_bound_to(self, node: cst.BaseExpression, *qualified: str) -> bool:
        return self.qualified_name(node) in qualified

    def in_scopes(self, scopes: Sequence[ScopeNode]) -> ImportTable:
        """The table of the innermost of `scopes`, a chain of nested definitions in this scope."""
        table = self
        for scope in scopes:
            table = table.child(scope)
        return table


def leads_to(qualified: str, targets: Iterable[str]) -> bool:
    """Whether a name bound to `qualified` can reach one of targets: it is one, is under one,
    or holds one (`typing` holds `typing.Any`)."""
    return any(qualified == t or qualified.startswith(t + ".") or t.startswith(qualified + ".") for t in targets)


def head_name(node: cst.BaseExpression, *, through_subscripts: bool = False) -> str | None:
    """`a` for `a`, `a.b.c` (and `a._cache[key]` when through_subscripts); None when the
    chain starts with a call, a literal, ..."""
    chain = (cst.Attribute, cst.Subscript) if through_subscripts else (cst.Attribute,)
    while isinstance(node, chain):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


class ImportHeads:
    """The local names through which code can reach some qualified names (an import binds
    them to one of those names, to something under one, or to a module holding one).

    A rule that only cares about a few APIs checks a name against this set before resolving
    it, so most names cost one set lookup. Module-level imports are all known up front;
    call `note()` on each import the traversal meets to add function-level ones, which
    precede the uses that follow them."""

    def __init__(self, targets: Iterable[str]) -> None:
        self.targets = tuple(targets)
        self.names: set[str] | None = None

    def _seeded(self, table: ImportTable) -> set[str]:
        if self.names is None:
            self.names = {local for local, q in table.bindings.items() if leads_to(q, self.targets)}
        return self.names

    def note(self, node: cst.Import | cst.ImportFrom, table: ImportTable) -> None:
        names = self._seeded(table)
        for local, qualified in import_bindings(node, table.module_name, table.is_package):
            if leads_to(qualified, self.targets):
                names.add(local)

    def may_reach(self, node: cst.BaseExpression, table: ImportTable) -> bool:
        head = head_name(node)
        return head is not None and head in self._seeded(table)
