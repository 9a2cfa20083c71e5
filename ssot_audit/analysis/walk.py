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
import functools
import inspect
import typing
from collections.abc import Sequence

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


def nullable_fields(cls: type[cst.CSTNode]) -> tuple[str, ...]:
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
        nullable = nullable_fields(cls)
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


# Node classes a walk may skip with everything below them, per set of handled class names:
# whitespace, comments, operators and brackets make up about half of a tree, and a visitor
# with no handler for any of them gains nothing from their walk. Computed once per process
# per set of handlers, from the node classes' field types.
_INERT: dict[frozenset[str], frozenset[type[cst.CSTNode]]] = {}


@functools.cache
def _subclasses(cls: type) -> frozenset[type[cst.CSTNode]]:
    """A node class (or abstract base) and every class derived from it (libcst's classes are
    all defined once it is imported)."""
    found: set[type[cst.CSTNode]] = {cls}
    stack: list[type] = [cls]
    while stack:
        subs: Sequence[type[cst.CSTNode]] = stack.pop().__subclasses__()
        for sub in subs:
            if sub not in found:
                found.add(sub)
                stack.append(sub)
    return frozenset(found)


def _field_node_types(cls: type[cst.CSTNode]) -> set[type[cst.CSTNode]] | None:
    """Every node class a field of cls may hold (subclasses of the declared ones), or None
    when a field's type cannot be read (then nothing below cls is skipped). The fields'
    types as declared settle most classes; typing.get_type_hints (two thirds of the time
    these took) resolves the forward references ("BaseExpression") of the others."""
    fields = dataclasses.fields(cls)
    found = _node_types([f.type for f in fields])
    if found is not None:
        return found
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - an unreadable annotation only costs the skip
        return None
    return _node_types([hints[f.name] for f in fields if f.name in hints])


def _node_types(stack: list[object]) -> set[type[cst.CSTNode]] | None:
    """The node classes (with their subclasses) the type hints name, or None if one of them
    is a forward reference."""
    found: set[type[cst.CSTNode]] = set()
    while stack:
        hint = stack.pop()
        if isinstance(hint, type):
            if issubclass(hint, cst.CSTNode):
                found |= _subclasses(hint)
        elif isinstance(hint, (str, typing.ForwardRef)):
            return None
        else:
            stack.extend(typing.get_args(hint))
    return found


@functools.cache
def attribute_node_types(cls: type[cst.CSTNode], name: str) -> frozenset[type[cst.CSTNode]] | None:
    """Every concrete node class the field `name` of cls may hold, or None when its type cannot be
    read (or it is not a field)."""
    declared = next((f for f in dataclasses.fields(cls) if f.name == name), None)
    if declared is None:
        return None
    found = _node_types([declared.type])
    if found is None:
        try:
            found = _node_types([typing.get_type_hints(cls)[name]])
        except Exception:  # noqa: BLE001 - an unreadable annotation only costs the skip
            return None
    # What a field holds is an instance of a concrete class: abstract bases never are.
    return frozenset(c for c in found if not inspect.isabstract(c)) if found is not None else None


@functools.cache
def _node_fields() -> dict[type[cst.CSTNode], set[type[cst.CSTNode]] | None]:
    """Every node class with what its fields may hold (_field_node_types): it depends only
    on the installed libcst, so it is read once per process, not once per set of handlers
    (a worker met three, and reading the type hints three times was a quarter of its first
    file's time on Django's query.py)."""
    return {c: _field_node_types(c) for c in _subclasses(cst.CSTNode) if dataclasses.is_dataclass(c)}


def inert_classes(handled: frozenset[str]) -> frozenset[type[cst.CSTNode]]:
    """Node classes that neither have a handler (`handled` holds the class names of every
    `visit_X`, `leave_X`, `visit_X_attr` and `leave_X_attr`) nor can hold a node that has
    one: walking them calls nothing."""
    inert = _INERT.get(handled)
    if inert is None:
        fields = _node_fields()
        classes = list(fields)
        found: set[type[cst.CSTNode]] = set()
        grew = True
        while grew:
            grew = False
            for cls in classes:
                inside = fields[cls]
                if cls not in found and cls.__name__ not in handled and inside is not None and inside <= found:
                    found.add(cls)
                    grew = True
        inert = _INERT[handled] = frozenset(found)
    return inert


def handled_class(handler_name: str) -> str:
    """The node class a handler name is for: `Name` in `visit_Name` and `leave_Name_value`
    (libcst's class names hold no underscore)."""
    return handler_name.split("_", 2)[1] if handler_name.count("_") >= 1 else ""


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
        plans, inert = _handler_plans(cls)
        _visit_handlers(node, visitor, plans, inert)
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
_PLANS: dict[type[cst.CSTVisitor], tuple[dict[Shape, _HandlerPlan], frozenset[type[cst.CSTNode]]]] = {}


def _handler_plans(
    cls: type[cst.CSTVisitor],
) -> tuple[dict[Shape, _HandlerPlan], frozenset[type[cst.CSTNode]]]:
    """The visitor class's plans per node shape (filled as shapes are met), and the node
    classes its walk skips."""
    found = _PLANS.get(cls)
    if found is None:
        names = [n for n in dir(cls) if n.startswith(("visit_", "leave_")) and _handler(cls, n) is not None]
        found = _PLANS[cls] = ({}, inert_classes(frozenset(handled_class(n) for n in names)))
    return found


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


def _visit_handlers(
    node: cst.CSTNode,
    visitor: cst.CSTVisitor,
    plans: dict[Shape, _HandlerPlan],
    inert: frozenset[type[cst.CSTNode]],
) -> None:
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
                    if type(child) not in inert:
                        _visit_handlers(child, visitor, plans, inert)
            elif value is not None and kind is not MaybeSentinel and kind not in inert:
                _visit_handlers(value, visitor, plans, inert)
            if after is not None:
                after(visitor, node)
    if leave is not None:
        leave(visitor, node)
