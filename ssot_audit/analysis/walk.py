"""Read-only walks of a libcst tree in libcst's own order, without rebuilding a node.

libcst's `node.visit(visitor)` and `node.children` run `_visit_and_replace_children`, which
rebuilds (and validates) every node it passes, even for a visitor that changes nothing: a
rule scanning each method body that way spent more time rebuilding than the whole parse.
`visit` and `children` here give the same calls and the same nodes in the same order by
reading the node's fields; the engine's batched traversal (pipeline/traversal.py) uses the
same child order. A transformer (`fix`) needs the rebuild and stays on libcst's `visit()`.

The order of a node's child attributes is libcst's own: recorded once per node class by
running the class's `_visit_and_replace_children` with a visitor that stops at each child,
so it follows the installed libcst. A few classes announce an attribute only when it is not
None (an f-string expression's `format_spec`), so the order is kept per class and per
pattern of None-valued fields.
"""

from __future__ import annotations

import dataclasses
import typing

import libcst as cst
from libcst import MaybeSentinel

Shape = tuple[type[cst.CSTNode], tuple[bool, ...]]

# libcst's child order per node shape. It depends only on the installed libcst, so one memo
# per process serves every file (a worker's batches included); about a hundred entries.
_ORDERS: dict[Shape, tuple[str, ...]] = {}
_NULLABLE: dict[type[cst.CSTNode], tuple[str, ...]] = {}


class _AttributeRecorder(cst.CSTVisitor):
    """Announced attributes of one node, in order; never descends into a child."""

    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.attributes.append(attribute)


def _nullable(cls: type[cst.CSTNode]) -> tuple[str, ...]:
    """The fields of a node class that may be None: the only ones whose value has changed
    which attributes libcst announces."""
    names = _NULLABLE.get(cls)
    if names is None:
        names = _NULLABLE[cls] = tuple(
            f.name for f in dataclasses.fields(cls) if f.default is None or type(None) in typing.get_args(f.type)
        )
    return names


def shape_of(node: cst.CSTNode) -> Shape:
    cls = type(node)
    nullable = _NULLABLE.get(cls)
    if nullable is None:
        nullable = _nullable(cls)
    return (cls, tuple([getattr(node, name) is None for name in nullable]) if nullable else ())


def child_order(node: cst.CSTNode, shape: Shape) -> tuple[str, ...]:
    """The attributes libcst announces for nodes of this shape, in its order."""
    order = _ORDERS.get(shape)
    if order is None:
        recorder = _AttributeRecorder()
        # Rebuilds this one node from its own children (a recorder keeps them): once per shape.
        node._visit_and_replace_children(recorder)
        order = _ORDERS[shape] = tuple(recorder.attributes)
    return order


def attribute_children(value: object) -> tuple[cst.CSTNode, ...]:
    """The nodes one child attribute holds: a node, a tuple (or list) of nodes, None or
    MaybeSentinel.DEFAULT. Exact type tests, as isinstance on CSTNode (an ABC) costs more
    than the rest of a step."""
    kind = type(value)
    if kind is tuple or kind is list:
        return tuple(typing.cast("typing.Iterable[cst.CSTNode]", value))
    if value is None or kind is MaybeSentinel:
        return ()
    return (typing.cast(cst.CSTNode, value),)


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """`node.children` without rebuilding the node: its direct children in libcst's order."""
    found: list[cst.CSTNode] = []
    for name in child_order(node, shape_of(node)):
        found.extend(attribute_children(getattr(node, name)))
    return found


def visit(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """`node.visit(visitor)` for a visitor that only reads: the same on_visit, attribute and
    on_leave calls in the same order, children skipped where on_visit returns False."""
    if visitor.on_visit(node):
        for name in child_order(node, shape_of(node)):
            visitor.on_visit_attribute(node, name)
            for child in attribute_children(getattr(node, name)):
                visit(child, visitor)
            visitor.on_leave_attribute(node, name)
    visitor.on_leave(node)
