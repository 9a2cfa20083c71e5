"""The facts every audit gathers from each file in the shared traversal: the enclosing scope
of each node (for findings) and the modules it imports (for the import graph)."""

from __future__ import annotations

import libcst as cst

from ssot_audit.analysis.names import dotted_name, resolve_relative
from ssot_audit.analysis.plugins import FileContext, FileVisitor
from ssot_audit.model import ImportFact


class CoreFacts(FileVisitor):
    """Runs first in the batch, so rules see context.scope already updated."""

    chunkable = True

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.imports: list[ImportFact] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.context.scope.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.context.scope.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.context.scope.append(node.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.context.scope.pop()

    # A definition's body, not its header, is its own scope: decorators, bases, defaults
    # and parameter annotations are looked up in the enclosing one.
    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.context.scopes.append(node)

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.context.scopes.pop()

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.context.scopes.append(node)

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.context.scopes.pop()

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self.context.scopes.append(node)

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self.context.scopes.pop()

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted_name(alias.name)
            if name:
                self.imports.append(ImportFact(name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        target = dotted_name(node.module) if node.module is not None else None
        module = target
        if node.relative:
            module = resolve_relative(self.context.module_name, self.context.is_package, len(node.relative), target)
        if module is None:
            return
        names: tuple[str, ...] = ()
        if not isinstance(node.names, cst.ImportStar):
            names = tuple(n for n in (dotted_name(a.name) for a in node.names) if n)
        self.imports.append(ImportFact(module, names))
