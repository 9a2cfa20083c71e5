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

from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field

import libcst as cst
from libcst import MaybeSentinel
from libcst.metadata import MetadataWrapper

from ssot_audit.analysis.walk import Shape, child_order, handled_class, inert_classes, shape_of

Handler = Callable[[cst.CSTNode], object]


# A node shape's plan for one file's visitors: its visit handlers, then per child attribute
# (name, attribute visit hooks, attribute leave hooks), then its leave handlers. Plain tuples:
# the walk reads them at every node.
_Step = tuple[str, tuple[Handler, ...], tuple[Handler, ...]]
_Plan = tuple[tuple[Handler, ...], tuple[_Step, ...], tuple[Handler, ...]]


# A shape's plan by handler name (None where no visitor has that handler), with the steps of
# attributes that have no hooks ready made. It depends only on which handler names the
# visitors have, the same for nearly every file of an audit, so it is worked out once per
# process and only bound to each file's visitors: per-file set-up was a third of the
# per-file phase on a tree of small files.
_NameStep = tuple[str, str | None, str | None, _Step]
_NamePlan = tuple[str | None, tuple[_NameStep, ...], str | None]


@dataclass
class _Layout:
    inert: frozenset[type[cst.CSTNode]]
    plans: dict[Shape, _NamePlan] = field(default_factory=dict)


_LAYOUTS: dict[frozenset[str], _Layout] = {}


class Traversal:
    """The handlers of one file's visitors, and the walk that calls them."""

    def __init__(self, visitors: Sequence[cst.BatchableCSTVisitor]) -> None:
        # Each visitor's handlers by name. They are gathered per name only for the node shapes
        # the file has (_plan): merging all of them up front was most of a small file's set-up.
        self._bound = [visitor.get_visitors() for visitor in visitors]
        self._plans: dict[Shape, _Plan] = {}
        names: frozenset[str] = frozenset().union(*self._bound)
        self._names = names
        layout = _LAYOUTS.get(names)
        if layout is None:
            # Subtrees where no visitor has a handler (whitespace, operators) are not walked.
            layout = _LAYOUTS[names] = _Layout(inert_classes(frozenset(handled_class(n) for n in names)))
        self._layout = layout
        self._inert = layout.inert

    def _name_plan(self, node: cst.CSTNode, shape: Shape) -> _NamePlan:
        kind = shape[0].__name__
        names = self._names

        def named(name: str) -> str | None:
            return name if name in names else None

        steps = tuple(
            (name, named(f"visit_{kind}_{name}"), named(f"leave_{kind}_{name}"), (name, (), ()))
            for name in child_order(node, shape)
        )
        plan = self._layout.plans[shape] = (named(f"visit_{kind}"), steps, named(f"leave_{kind}"))
        return plan

    def _handlers(self, name: str | None) -> tuple[Handler, ...]:
        """The visitors' handlers of that name, in the visitors' order."""
        if name is None:
            return ()
        return tuple(bound[name] for bound in self._bound if name in bound)

    def _plan(self, node: cst.CSTNode, shape: Shape) -> _Plan:
        named = self._layout.plans.get(shape) or self._name_plan(node, shape)
        handlers = self._handlers
        visit, steps, leave = named
        plan = self._plans[shape] = (
            handlers(visit),
            tuple(
                ready if enter is None and after is None else (name, handlers(enter), handlers(after))
                for name, enter, after, ready in steps
            ),
            handlers(leave),
        )
        return plan

    def walk(self, node: cst.CSTNode) -> None:
        shape = shape_of(node)
        plan = self._plans.get(shape) or self._plan(node, shape)
        visit, steps, leave = plan
        for handler in visit:
            handler(node)
        walk = self.walk
        inert = self._inert
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
                    if type(child) not in inert:
                        walk(child)
            elif value is not None and kind is not MaybeSentinel and kind not in inert:
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
