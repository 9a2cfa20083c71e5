"""Definitions that are placeholders, never implementations: `@overload` stubs, abstract
methods, bodies of only `...`, `pass`, a docstring or `raise NotImplementedError`, and classes
made of nothing else (interfaces)."""

from __future__ import annotations

import libcst as cst

from ssot_audit.analysis.names import dotted_name

OVERLOAD_DECORATORS = frozenset({"overload"})
ABSTRACT_DECORATORS = frozenset({"abstractmethod", "abstractproperty", "abstractclassmethod", "abstractstaticmethod"})


def _decorator_names(node: cst.FunctionDef | cst.ClassDef) -> set[str]:
    names = set()
    for decorator in node.decorators:
        expr = decorator.decorator
        dotted = dotted_name(expr.func if isinstance(expr, cst.Call) else expr)
        if dotted:
            names.add(dotted.rpartition(".")[2])
    return names


def docstring_of(node: cst.FunctionDef | cst.ClassDef) -> cst.Expr | None:
    body = node.body
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return None
    first = body.body[0]
    if isinstance(first, cst.SimpleStatementLine) and len(first.body) == 1:
        expr = first.body[0]
        if isinstance(expr, cst.Expr) and isinstance(expr.value, (cst.SimpleString, cst.ConcatenatedString)):
            return expr
    return None


def _is_stub_statement(stmt: cst.CSTNode) -> bool:
    """`pass`, `...`, a string or `raise NotImplementedError[(...)]`: a placeholder."""
    if isinstance(stmt, cst.Pass):
        return True
    if isinstance(stmt, cst.Expr):
        return isinstance(stmt.value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString))
    if isinstance(stmt, cst.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, cst.Call) else stmt.exc
        return dotted_name(exc) == "NotImplementedError"
    return False


def stub_reason(node: cst.FunctionDef | cst.ClassDef) -> str:
    """Why a definition is never a clone: `@overload`, abstract, or a placeholder body."""
    decorators = _decorator_names(node)
    if decorators & OVERLOAD_DECORATORS:
        return "overload"
    if decorators & ABSTRACT_DECORATORS:
        return "abstract"
    body = node.body
    statements: list[cst.CSTNode] = []
    if isinstance(body, cst.SimpleStatementSuite):
        statements = list(body.body)
    else:
        for line in body.body:
            statements.extend(line.body if isinstance(line, cst.SimpleStatementLine) else [line])
    docstring = docstring_of(node)
    real = [s for s in statements if s is not docstring]
    if isinstance(node, cst.ClassDef):
        # An interface: a class of nothing but placeholders and abstract methods.
        return "stub body" if all(_is_stub_statement(s) or _is_stub_method(s) for s in real) else ""
    return "stub body" if all(_is_stub_statement(s) for s in real) else ""


def _is_stub_method(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.FunctionDef) and bool(stub_reason(stmt))
