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

The order of a node's child attributes is libcst's own (analysis/walk.py records it).
`fix` transforms, and stays on libcst's own traversal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from operator import itemgetter

import libcst as cst
from libcst import MaybeSentinel
from libcst.metadata import MetadataWrapper

from ssot_audit.analysis.walk import (
    Shape,
    attribute_node_types,
    child_order,
    handled_class,
    inert_classes,
    nullable_fields,
    shape_of,
)

Handler = Callable[[cst.CSTNode], object]

# A node shape's plan: the positions in the file's handler table (_Layout.table) of its
# visit handlers, then per child attribute (name, attribute visit hooks, attribute leave
# hooks), then its leave handlers. Plain tuples: the walk reads them at every node.
_Step = tuple[str, tuple[int, ...], tuple[int, ...]]
_Plan = tuple[tuple[int, ...], tuple[_Step, ...], tuple[int, ...]]


@dataclass
class _Layout:
    """Where one set of visitors' handlers sit in a file's handler table, and each node
    shape's plan over those positions. It depends only on the visitors' classes and handler
    names, the same for nearly every file of an audit, so it is worked out once per process
    and each file only looks its visitors' handlers up into a table: building the plans anew
    for every file, bound to its visitors, was a tenth of the per-file phase on a tree of
    small files."""

    names: tuple[frozenset[str], ...]  # each visitor's handler names
    inert: frozenset[type[cst.CSTNode]]
    # Per visitor, its handlers in table order; the table is every visitor's, one after another.
    order: tuple[tuple[str, ...], ...]
    pickers: tuple[Callable[[Mapping[str, Handler]], Sequence[Handler]], ...]
    # Per handler name, its positions in the table, in the visitors' order.
    positions: dict[str, tuple[int, ...]]
    # Plans of node classes without a field that may be None (one shape each), by class;
    # the others by shape.
    by_class: dict[type[cst.CSTNode], _Plan] = field(default_factory=dict)
    by_shape: dict[Shape, _Plan] = field(default_factory=dict)

    @classmethod
    def of(cls, names: tuple[frozenset[str], ...]) -> _Layout:
        order = tuple(tuple(sorted(own)) for own in names)
        positions: dict[str, list[int]] = {}
        at = 0
        for own in order:
            for name in own:
                positions.setdefault(name, []).append(at)
                at += 1
        # Subtrees where no visitor has a handler (whitespace, operators) are not walked.
        inert = inert_classes(frozenset(handled_class(n) for n in positions))
        return cls(
            names,
            inert,
            order,
            tuple(_picker(own) for own in order),
            {name: tuple(at) for name, at in positions.items()},
        )

    def table(self, bound: Sequence[Mapping[str, Handler]]) -> list[Handler]:
        """A file's handlers, at the positions the plans name."""
        found: list[Handler] = []
        for pick, handlers in zip(self.pickers, bound):
            found.extend(pick(handlers))
        return found

    def plan(self, node: cst.CSTNode) -> _Plan:
        shape = shape_of(node)
        plan = self.by_shape.get(shape)
        if plan is None:
            kind = shape[0].__name__
            positions = self.positions

            def at(name: str) -> tuple[int, ...]:
                return positions.get(name, ())

            steps = []
            for name in child_order(node, shape):
                enter, after = at(f"visit_{kind}_{name}"), at(f"leave_{kind}_{name}")
                # An attribute with no hooks that can hold only nodes the walk skips is not
                # read at all: whitespace and brackets are most of a node's attributes.
                types = attribute_node_types(shape[0], name)
                if enter or after or types is None or not types <= self.inert:
                    steps.append((name, enter, after))
            plan = self.by_shape[shape] = (at(f"visit_{kind}"), tuple(steps), at(f"leave_{kind}"))
            if not nullable_fields(shape[0]):
                self.by_class[shape[0]] = plan
        return plan


def _picker(names: tuple[str, ...]) -> Callable[[Mapping[str, Handler]], Sequence[Handler]]:
    """What looks a visitor's handlers of these names up, in this order, in one call."""
    if not names:
        return lambda handlers: ()
    if len(names) == 1:
        only = names[0]
        return lambda handlers: (handlers[only],)
    return itemgetter(*names)


# Layouts by the visitors' classes; more than one where instances of one class have
# different handlers (the clone collector's, in a file with backslash continuations).
_LAYOUTS: dict[tuple[type, ...], list[_Layout]] = {}


class Traversal:
    """The handlers of one file's visitors, and the walk that calls them."""

    def __init__(self, visitors: Sequence[cst.BatchableCSTVisitor]) -> None:
        bound = [visitor.get_visitors() for visitor in visitors]
        self._layout = _layout(tuple(type(v) for v in visitors), bound)
        self._inert = self._layout.inert
        self._table = self._layout.table(bound)

    def walk(self, node: cst.CSTNode) -> None:
        layout = self._layout
        by_class = layout.by_class
        plan_of = layout.plan
        table = self._table
        inert = self._inert

        # A closure over locals: this runs at every node of every file.
        def walk(node: cst.CSTNode) -> None:
            plan = by_class.get(type(node)) or plan_of(node)
            visit, steps, leave = plan
            for at in visit:
                table[at](node)
            for name, enter, leave_attribute in steps:
                for at in enter:
                    table[at](node)
                value = getattr(node, name)
                # A child attribute holds a node, a tuple (or list) of nodes, None or
                # MaybeSentinel.DEFAULT; exact type tests, as isinstance on CSTNode (an ABC)
                # costs more than the rest of the step.
                kind = type(value)
                if kind is tuple or kind is list:
                    for child in value:
                        if type(child) not in inert:
                            walk(child)
                elif value is not None and kind is not MaybeSentinel and kind not in inert:
                    walk(value)
                for at in leave_attribute:
                    table[at](node)
            for at in leave:
                table[at](node)

        try:
            walk(node)
        finally:
            # The closure calls itself through this name: left pointing at it, the closure
            # would keep the file's tree and visitors alive until the cyclic collector ran.
            walk = _walked


def _walked(node: cst.CSTNode) -> None:
    """What a traversal's walk is once it has run."""


def _layout(classes: tuple[type, ...], bound: Sequence[Mapping[str, Handler]]) -> _Layout:
    known = _LAYOUTS.setdefault(classes, [])
    for layout in known:
        if all(handlers.keys() == names for handlers, names in zip(bound, layout.names)):
            return layout
    layout = _Layout.of(tuple(frozenset(handlers) for handlers in bound))
    known.append(layout)
    return layout


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
