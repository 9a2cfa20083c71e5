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
    cls = type(visitor)
    if all(getattr(cls, hook) is getattr(cst.CSTVisitor, hook) for hook in _HOOKS):
        _visit_handlers(node, visitor, _handler_plans(cls))
        return
    if visitor.on_visit(node):
        for name in child_order(node, shape_of(node)):
            visitor.on_visit_attribute(node, name)
            for child in attribute_children(getattr(node, name)):
                visit(child, visitor)
            visitor.on_leave_attribute(node, name)
    visitor.on_leave(node)


# A visitor that keeps libcst's default hooks only calls its `visit_<Type>`, `leave_<Type>`
# and attribute handlers, which the hooks look up by name at every node: looked up once per
# visitor class and node shape instead, the walk costs a fraction of the lookups.
_HOOKS = ("on_visit", "on_leave", "on_visit_attribute", "on_leave_attribute")
_Handler = typing.Callable[[cst.CSTVisitor, cst.CSTNode], object]
_Step = tuple[str, "_Handler | None", "_Handler | None"]
_HandlerPlan = tuple["_Handler | None", tuple[_Step, ...], "_Handler | None"]
_PLANS: dict[type[cst.CSTVisitor], dict[Shape, _HandlerPlan]] = {}


def _handler_plans(cls: type[cst.CSTVisitor]) -> dict[Shape, _HandlerPlan]:
    plans = _PLANS.get(cls)
    if plans is None:
        plans = _PLANS[cls] = {}
    return plans


def _handler(cls: type[cst.CSTVisitor], name: str) -> _Handler | None:
    """The class's handler of this name, or None for none or libcst's empty stub (marked
    `_is_no_op`, as its own get_visitors() leaves them out): a stub does nothing and lets
    the walk go on, so skipping it changes nothing."""
    handler = getattr(cls, name, None)
    return None if handler is None or getattr(handler, "_is_no_op", False) else typing.cast(_Handler, handler)


def _handler_plan(node: cst.CSTNode, shape: Shape, cls: type[cst.CSTVisitor]) -> _HandlerPlan:
    kind = shape[0].__name__
    steps = tuple(
        (name, _handler(cls, f"visit_{kind}_{name}"), _handler(cls, f"leave_{kind}_{name}"))
        for name in child_order(node, shape)
    )
    return (_handler(cls, f"visit_{kind}"), steps, _handler(cls, f"leave_{kind}"))


def _visit_handlers(node: cst.CSTNode, visitor: cst.CSTVisitor, plans: dict[Shape, _HandlerPlan]) -> None:
    shape = shape_of(node)
    plan = plans.get(shape)
    if plan is None:
        plan = plans[shape] = _handler_plan(node, shape, type(visitor))
    enter, steps, leave = plan
    # libcst's default on_visit: children are skipped only when the handler returns False.
    if enter is None or enter(visitor, node) is not False:
        for name, before, after in steps:
            if before is not None:
                before(visitor, node)
            # attribute_children() inlined: this loop runs at every node of every scan.
            value = getattr(node, name)
            kind = type(value)
            if kind is tuple or kind is list:
                for child in value:
                    _visit_handlers(child, visitor, plans)
            elif value is not None and kind is not MaybeSentinel:
                _visit_handlers(value, visitor, plans)
            if after is not None:
                after(visitor, node)
    if leave is not None:
        leave(visitor, node)
