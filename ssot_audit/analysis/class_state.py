"""Whether a class's own body gives its instances mutable state: what tells a shared manager
(`settings = LazySettings()`, `apps = Apps()`) from a shared constant (`MISSING = Sentinel()`).

State is what a method changes after construction: `__init__` making `self.x = {}` is not
enough on its own (pygments' root `Token` only interns its children in it).

Read from the class body alone; a project rule follows the bases through a ClassIndex.
"""

from __future__ import annotations

import libcst as cst

from ssot_audit.analysis import walk
from ssot_audit.analysis.names import dotted_name
from ssot_audit.analysis.syntax import callee, last_part

# Methods that build the instance: assigning `self.x` there is construction, not a change.
CONSTRUCTORS = frozenset({"__init__", "__new__", "__post_init__", "__init_subclass__", "__set_name__", "__setstate__"})
MUTATORS = frozenset(
    {
        "append", "add", "update", "setdefault", "pop", "popitem", "clear", "extend", "insert", "remove",
        "discard", "appendleft", "extendleft", "move_to_end", "__setitem__",
    }
)  # fmt: skip
# `__getattr__` filling `self.__dict__[key]`: a lazy table keyed by attribute name, interning;
# `__call__` filling `self.cache[code]`: a memoised function object (docutils' `get_language`).
LAZY_LOOKUPS = frozenset({"__getattr__", "__getattribute__", "__call__"})
# `__hash__` keeping the hash it worked out (SymPy's `Basic` sets `self._mhash`): by the hash
# contract that value never changes, so no user of a shared instance can see it change.
MEMOS = frozenset({"__hash__"})
# Methods whose assignments to the instance are not a change made after construction.
_NOT_CHANGES = LAZY_LOOKUPS | CONSTRUCTORS | MEMOS


def _head(node: cst.BaseExpression) -> cst.BaseExpression:
    """`self` in `self.a.b[k]`."""
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node


def _owned_by(node: cst.BaseExpression, owner: str) -> bool:
    head = _head(node)
    return node is not head and isinstance(head, cst.Name) and head.value == owner


class _Found(Exception):
    """Ends a method's scan at its first change: only the first is reported."""


class _Writes(cst.CSTVisitor):
    """Hands write() each change a method body makes to its owner: `self.x = ...` and
    `self.x[k] = ...` (sets, writes into), `self.x += ...` (updates), `del self.x[k]`,
    `self.x.append(...)` (calls) and `setattr(self, ...)`, with the node to show for it."""

    def __init__(self, owner: str) -> None:
        super().__init__()
        self.owner = owner

    def write(self, target: cst.BaseExpression, verb: str, shown: cst.CSTNode) -> None:
        raise NotImplementedError

    def _assigned(self, target: cst.BaseExpression) -> None:
        if _owned_by(target, self.owner):
            self.write(target, "writes into" if isinstance(target, cst.Subscript) else "sets", target)

    def visit_Assign(self, node: cst.Assign) -> None:
        for item in node.targets:
            self._assigned(item.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if _owned_by(node.target, self.owner):
            self.write(node.target, "updates", node.target)

    def visit_Del(self, node: cst.Del) -> None:
        if isinstance(node.target, cst.Subscript):
            self._assigned(node.target)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in MUTATORS and _owned_by(func.value, self.owner):
            self.write(func.value, "calls", func)
        elif isinstance(func, cst.Name) and func.value == "setattr" and node.args:
            first = node.args[0].value
            if (isinstance(first, cst.Name) and first.value == self.owner) or _owned_by(first, self.owner):
                self.write(first, "calls setattr on", first)


class _MethodState(_Writes):
    """The first change one method (not a constructor) makes to its instance (or class), as a
    reason."""

    def __init__(self, method: str, owner: str) -> None:
        super().__init__(owner)
        self.method = method
        self.reason = ""

    def write(self, target: cst.BaseExpression, verb: str, shown: cst.CSTNode) -> None:
        code = cst.Module([]).code_for_node(shown)
        self.reason = f"{self.method}() {verb} {code}()" if verb == "calls" else f"{self.method}() {verb} {code}"
        raise _Found


def mutable_state(node: cst.ClassDef) -> str:
    """Why instances of this class (by its own body) hold state that changes after they are
    made, or "" when nothing in the body says so."""
    # A class attribute `allowlist = ["localhost"]` alone is a default, not state: it counts
    # when a method fills it (`cls._registry[key] = ...`), which the method scan sees.
    setters = _property_setters(node)
    for stmt in node.body.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value not in setters:
            reason = _method_state(stmt)
            if reason:
                return reason
    return ""


def _property_setters(node: cst.ClassDef) -> set[str]:
    """`secret = property(_get_secret, _set_secret)`: `_set_secret` is a property setter."""
    found: set[str] = set()
    for stmt in node.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            value = small.value if isinstance(small, cst.Assign) else None
            if isinstance(value, cst.Call) and dotted_name(value.func) == "property":
                found.update(a.value.value for a in value.args[1:2] if isinstance(a.value, cst.Name))
    return found


def _decorators(function: cst.FunctionDef) -> set[str]:
    """The last part of each decorator's name: `setter` for `@value.setter`."""
    return {last_part(dotted_name(callee(d.decorator))) for d in function.decorators}


def _owner(function: cst.FunctionDef) -> str | None:
    """The name a method calls its instance (or class) by: its first parameter's."""
    params = function.params
    first = next(iter([*params.posonly_params, *params.params]), None)
    return None if first is None else first.name.value


def _method_state(function: cst.FunctionDef) -> str:
    decorators = _decorators(function)
    if "cached_property" in decorators:
        return f"cached_property '{function.name.value}' is filled on first use"
    # A property setter is how a caller configures the object, not a change it makes itself.
    if decorators & {"staticmethod", "setter", "deleter"}:
        return ""
    # A constructor's assignments build the instance, so its body cannot give a reason.
    if function.name.value in _NOT_CHANGES:
        return ""
    owner = _owner(function)
    if owner is None:
        return ""
    scan = _MethodState(function.name.value, owner)
    try:
        walk.visit(function.body, scan)
    except _Found:
        pass
    return scan.reason


def fixed_after_construction(node: cst.ClassDef) -> bool:
    """Whether, as Python's conventions read the class, its instances never change once built:
    every attribute a constructor sets is private (`self._val`), no method changes one, and no
    `__setattr__`, property setter or lazily filled table offers a way to. Seaborn's
    `Mappable(rc="lines.linewidth")`, a spec read through read-only properties, is one value
    every dataclass instance can share."""
    if _property_setters(node):
        return False
    for stmt in node.body.body:
        if not isinstance(stmt, cst.FunctionDef):
            continue
        name = stmt.name.value
        if name in ("__setattr__", "__delattr__") or name in LAZY_LOOKUPS or _decorators(stmt) & {"setter", "deleter"}:
            return False
        if name in CONSTRUCTORS:
            if _sets_public_attribute(stmt):
                return False
        elif _method_state(stmt):
            return False
    return True


class _PublicAttribute(cst.CSTVisitor):
    """Whether a constructor sets an attribute without a leading underscore, which any caller
    may set again (or one it cannot name, through `setattr`)."""

    def __init__(self, owner: str) -> None:
        super().__init__()
        self.owner = owner
        self.found = False

    def _target(self, target: cst.BaseExpression) -> None:
        if (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == self.owner
            and not target.attr.value.startswith("_")
        ):
            self.found = True

    def visit_Assign(self, node: cst.Assign) -> None:
        for item in node.targets:
            self._target(item.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "setattr":
            self.found = True


def _sets_public_attribute(function: cst.FunctionDef) -> bool:
    owner = _owner(function)
    if owner is None:
        return False
    scan = _PublicAttribute(owner)
    walk.visit(function.body, scan)
    return scan.found


class _Changed(_Writes):
    """Every attribute of its owner a method changes, by name (`x` for `self.x[k] = ...`)."""

    def __init__(self, owner: str) -> None:
        super().__init__(owner)
        self.names: set[str] = set()

    def write(self, target: cst.BaseExpression, verb: str, shown: cst.CSTNode) -> None:
        while isinstance(target, (cst.Attribute, cst.Subscript)):
            if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
                self.names.add(target.attr.value)
                return
            target = target.value


def changed_by_methods(node: cst.ClassDef) -> set[str]:
    """The attributes of its instances that the class's own methods, constructors aside, set or
    fill: the state a behaviour class keeps (mitmproxy's addons set theirs in `configure`)."""
    changed: set[str] = set()
    for stmt in node.body.body:
        if not isinstance(stmt, cst.FunctionDef) or stmt.name.value in CONSTRUCTORS:
            continue
        if _decorators(stmt) & {"staticmethod", "classmethod"}:
            continue
        owner = _owner(stmt)
        if owner is not None:
            scan = _Changed(owner)
            walk.visit(stmt.body, scan)
            changed |= scan.names
    return changed
