"""The facts every audit gathers from each file in the shared traversal: the enclosing scope
of each node (for findings) and the modules it imports (for the import graph)."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ssot_audit.analysis.interpreter import catches_import_error, reads_interpreter
from ssot_audit.analysis.names import dotted_name, resolve_relative
from ssot_audit.analysis.plugins import FileContext, FileVisitor
from ssot_audit.model import ImportFact


@dataclass
class _Choice:
    """An `if` chain or a `try` the traversal is inside, and the branch it is in."""

    key: int  # which choice of the file
    test: cst.BaseExpression | None  # the chain's first test; None for a `try`
    branch: int  # -1 where the code runs whatever was chosen (`finally:`)
    interpreter: bool | None = None  # whether it chooses by the interpreter, once asked


class CoreFacts(FileVisitor):
    """Runs first in the batch, so rules see context.scope already updated."""

    chunkable = True

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.imports: list[ImportFact] = []
        self._choices: list[_Choice] = []
        self._elifs: dict[int, _Choice] = {}  # an `elif` (an If in its chain's orelse): the choice it continues
        self._next_choice = 0

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

    # Imports in two branches of a choice by the interpreter are alternatives (analysis/interpreter.py).
    def _open(self, test: cst.BaseExpression | None) -> _Choice:
        self._next_choice += 1
        return _Choice(self._next_choice, test, 0)

    def visit_If(self, node: cst.If) -> None:
        continued = self._elifs.pop(id(node), None)
        choice = (
            self._open(node.test) if continued is None else _Choice(continued.key, continued.test, continued.branch + 1)
        )
        self._choices.append(choice)
        if isinstance(node.orelse, cst.If):
            self._elifs[id(node.orelse)] = choice

    def visit_If_orelse(self, node: cst.If) -> None:
        if isinstance(node.orelse, cst.Else):
            self._choices[-1].branch += 1

    def leave_If(self, original_node: cst.If) -> None:
        self._choices.pop()

    def visit_Try(self, node: cst.Try) -> None:
        choice = self._open(None)
        choice.interpreter = catches_import_error(node)
        self._choices.append(choice)

    def visit_Try_handlers(self, node: cst.Try) -> None:
        self._choices[-1].branch = 1

    def visit_Try_orelse(self, node: cst.Try) -> None:
        self._choices[-1].branch = 0  # runs when the `try:` body's imports worked

    def visit_Try_finalbody(self, node: cst.Try) -> None:
        self._choices[-1].branch = -1

    def leave_Try(self, original_node: cst.Try) -> None:
        self._choices.pop()

    def _branch(self) -> tuple[int, int] | None:
        """The innermost choice by the interpreter around the current node, and its branch."""
        for choice in reversed(self._choices):
            if choice.interpreter is None:
                choice.interpreter = choice.test is not None and reads_interpreter(choice.test)
            if choice.interpreter:
                return (choice.key, choice.branch) if choice.branch >= 0 else None
        return None

    def visit_Import(self, node: cst.Import) -> None:
        branch = self._branch() if self._choices else None
        for alias in node.names:
            name = dotted_name(alias.name)
            if name:
                self.imports.append(ImportFact(name, branch=branch))

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
        self.imports.append(ImportFact(module, names, self._branch() if self._choices else None))
