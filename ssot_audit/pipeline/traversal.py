"""One read-only pass over a parsed module that calls batched visitors as libcst's
`MetadataWrapper.visit_batched` does, without rebuilding a node.

libcst's `visit()` rebuilds (and validates) every node of the tree even for a visitor that
changes nothing: on Django that rebuild was most of an audit's time, about 7x the cost of
walking the same nodes. This walk calls the same handlers in the same order:
`visit_<Type>` on a node, then for each child attribute in the order libcst visits it
`visit_<Type>_<attr>`, the children, `leave_<Type>_<attr>`, then `leave_<Type>`. As in
libcst's batched traversal, what a `visit_<Type>` returns is ignored (a batched visitor
cannot prune the walk of the others), handlers of one name run in the order of the
visitors, and every visitor's metadata dependencies are resolved first.

The order of a node's child attributes is libcst's own: recorded once per node class by
running the class's `_visit_and_replace_children` with a visitor that stops at each child,
so it follows the installed libcst. A few classes announce an attribute only when it is not
None (an f-string expression's `format_spec`), so the order is kept per class and per
pattern of None-valued fields. `fix` transforms, and stays on libcst's own traversal.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack

import libcst as cst
from libcst import MaybeSentinel
from libcst.metadata import MetadataWrapper

Handler = Callable[[cst.CSTNode], object]
_Shape = tuple[type[cst.CSTNode], tuple[bool, ...]]

# libcst's child order per node shape. It depends only on the installed libcst, so one memo
# per process serves every file (a worker's chunks included); about a hundred entries.
_ORDERS: dict[_Shape, tuple[str, ...]] = {}
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


def child_order(node: cst.CSTNode, shape: _Shape) -> tuple[str, ...]:
    """The attributes libcst announces for nodes of this shape, in its order."""
    order = _ORDERS.get(shape)
    if order is None:
        recorder = _AttributeRecorder()
        # Rebuilds this one node from its own children (a recorder keeps them): once per shape.
        node._visit_and_replace_children(recorder)
        order = _ORDERS[shape] = tuple(recorder.attributes)
    return order


# A node shape's plan for one file's visitors: its visit handlers, then per child attribute
# (name, attribute visit hooks, attribute leave hooks), then its leave handlers. Plain tuples:
# the walk reads them at every node.
_Step = tuple[str, tuple[Handler, ...], tuple[Handler, ...]]
_Plan = tuple[tuple[Handler, ...], tuple[_Step, ...], tuple[Handler, ...]]


class Traversal:
    """The handlers of one file's visitors, and the walk that calls them."""

    def __init__(self, visitors: Sequence[cst.BatchableCSTVisitor]) -> None:
        handlers: dict[str, list[Handler]] = {}
        for visitor in visitors:
            for name, method in visitor.get_visitors().items():
                handlers.setdefault(name, []).append(method)
        self._handlers = {name: tuple(methods) for name, methods in handlers.items()}
        self._plans: dict[_Shape, _Plan] = {}

    def _plan(self, node: cst.CSTNode, shape: _Shape) -> _Plan:
        kind = shape[0].__name__
        get = self._handlers.get
        steps = tuple(
            (name, get(f"visit_{kind}_{name}", ()), get(f"leave_{kind}_{name}", ()))
            for name in child_order(node, shape)
        )
        plan = self._plans[shape] = (get(f"visit_{kind}", ()), steps, get(f"leave_{kind}", ()))
        return plan

    def walk(self, node: cst.CSTNode) -> None:
        cls = type(node)
        nullable = _NULLABLE.get(cls)
        if nullable is None:
            nullable = _nullable(cls)
        shape = (cls, tuple([getattr(node, name) is None for name in nullable]) if nullable else ())
        plan = self._plans.get(shape) or self._plan(node, shape)
        visit, steps, leave = plan
        for handler in visit:
            handler(node)
        walk = self.walk
        for name, enter, leave_attribute in steps:
            for handler in enter:
                handler(node)
            value = getattr(node, name)
            # A child attribute holds a node, a tuple (or list) of nodes, None or
            # MaybeSentinel.DEFAULT; exact type tests, as isinstance on CSTNode (an ABC)
            # costs more than the rest of the step.
            kind = type(value)
            if kind is tuple or kind is list:
                for child in value:
                    walk(child)
            elif value is not None and kind is not MaybeSentinel:
                walk(value)
            for handler in leave_attribute:
                handler(node)
        for handler in leave:
            handler(node)


def visit_batched(wrapper: MetadataWrapper, visitors: Iterable[cst.BatchableCSTVisitor]) -> None:
    """What `wrapper.visit_batched(visitors)` does for read-only visitors, without rebuilding
    the tree: metadata resolved first, then one walk of wrapper.module."""
    batch = list(visitors)
    with ExitStack() as stack:
        for visitor in batch:
            # Metadata is computed only for visitors that declare a provider; the built-in
            # rules declare none (positions are resolved lazily, see analysis/positions.py).
            if visitor.get_inherited_dependencies():
                stack.enter_context(visitor.resolve(wrapper))
        Traversal(batch).walk(wrapper.module)
