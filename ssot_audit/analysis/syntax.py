"""Syntax helpers rules share: what a statement binds, a call or decorator's callee, a class
body's statements. Pure functions of libcst nodes; name resolution lives in names.py."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst


def callee(node: cst.BaseExpression) -> cst.BaseExpression:
    """The decorator or base itself: `dataclass` for `@dataclass(frozen=True)`, `Generic`
    for `Generic[T]`."""
    while isinstance(node, (cst.Call, cst.Subscript)):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node


def last_part(name: str | None) -> str:
    """`c` for `a.b.c`; "" for None."""
    return (name or "").rsplit(".", 1)[-1]


def bound_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    """The Name nodes an assignment-like target binds: `a`, `a, (b, *c)`; not `a.b` or `a[0]`."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from bound_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from bound_names(target.value)


def parameters(params: cst.Parameters) -> list[cst.Param]:
    """Every parameter: positional-only, ordinary, keyword-only, then `*args` and `**kwargs`."""
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            found.append(star)
    return found


def body_statements(node: cst.ClassDef) -> Iterator[cst.BaseStatement | cst.BaseSmallStatement]:
    """The class body's own statements, small statements unpacked from their lines."""
    for stmt in node.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield from stmt.body
        else:
            yield stmt
