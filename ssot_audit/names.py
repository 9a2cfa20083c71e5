"""A light name resolver: which module-level names were bound by which imports.

libcst's QualifiedNameProvider would answer the same questions, but it needs the full scope
analysis of every file; a table of import bindings is built from the top-level statements
alone, which is what rules asking "is this `Any` really `typing.Any`?" need.
"""

from __future__ import annotations

import libcst as cst


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, None for anything else (calls, subscripts)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


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


class ImportTable:
    """Local name -> qualified name for names bound by `import` statements."""

    def __init__(self, module_name: str = "", is_package: bool = False) -> None:
        self.module_name = module_name
        self.is_package = is_package
        self.bindings: dict[str, str] = {}
        self.shadowed: set[str] = set()

    @classmethod
    def from_module(cls, module: cst.Module, module_name: str = "", is_package: bool = False) -> ImportTable:
        table = cls(module_name, is_package)
        table._scan(module.body)
        return table

    def _scan(self, body: object) -> None:
        for stmt in body if isinstance(body, (list, tuple)) else ():
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        self.add(small)
                    elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                        self._shadow_targets(small)
            elif isinstance(stmt, (cst.ClassDef, cst.FunctionDef)):
                self._bind_local(stmt.name.value)
            elif isinstance(stmt, (cst.If, cst.Try, cst.With, cst.TryStar)):
                self._scan_compound(stmt)

    def _scan_compound(self, stmt: cst.CSTNode) -> None:
        for child in stmt.children:
            if isinstance(child, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                self._scan(child.body)
            elif isinstance(child, (cst.If, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally)):
                self._scan_compound(child)

    def _shadow_targets(self, node: cst.Assign | cst.AnnAssign) -> None:
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        for target in targets:
            if isinstance(target, cst.Name):
                self._bind_local(target.value)

    def _bind_local(self, name: str) -> None:
        self.bindings.pop(name, None)
        self.shadowed.add(name)

    def add(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self._bind(alias.asname.name.value, full)
                else:
                    head = full.split(".")[0]
                    self._bind(head, head)
            return
        base = dotted_name(node.module) if node.module is not None else None
        if node.relative:
            base = resolve_relative(self.module_name, self.is_package, len(node.relative), base)
        if base is None or isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self._bind(local, f"{base}.{name}")

    def _bind(self, local: str, qualified: str) -> None:
        self.bindings[local] = qualified
        self.shadowed.discard(local)

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        """`typing.Any` for `t.Any` after `import typing as t`; None when not an import."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        bound = self.bindings.get(head)
        if bound is None:
            return None
        return f"{bound}.{rest}" if rest else bound

    def is_bound_to(self, node: cst.BaseExpression, *qualified: str) -> bool:
        return self.qualified_name(node) in qualified
