"""The engine's read-only traversal calls the same handlers, on the same nodes, in the same
order as libcst's own `visit_batched`: every node and attribute hook of every node class,
over the rules' examples, our own sources and code written to reach the odd corners."""

from __future__ import annotations

import dataclasses
import gc
import typing
import weakref
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from ssot_audit.analysis import walk
from ssot_audit.analysis.plugins import FileContext, FileRule, FileVisitor, ProjectRule, Registry
from ssot_audit.pipeline import traversal
from ssot_audit.pipeline.facts import CoreFacts
from tests.support import REPO

Call = tuple[str, int, int]


def _node_classes() -> Iterator[type[cst.CSTNode]]:
    seen: set[type[cst.CSTNode]] = set()
    stack = [cst.CSTNode]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
                yield sub


def _every_handler_name() -> list[str]:
    names = []
    for cls in _node_classes():
        names += [f"visit_{cls.__name__}", f"leave_{cls.__name__}"]
        if dataclasses.is_dataclass(cls):
            for field in dataclasses.fields(cls):
                names += [f"visit_{cls.__name__}_{field.name}", f"leave_{cls.__name__}_{field.name}"]
    return sorted(set(names))


class Everything(cst.BatchableCSTVisitor):
    """Handlers for every node class and every attribute: logs (handler, visitor, node)."""

    NAMES = _every_handler_name()

    def __init__(self, tag: int, log: list[Call]) -> None:
        super().__init__()
        self.tag = tag
        self.log = log

    def _handler(self, name: str) -> Callable[[cst.CSTNode], None]:
        def handler(node: cst.CSTNode) -> None:
            self.log.append((name, self.tag, id(node)))

        return handler

    def get_visitors(self) -> Mapping[str, Callable[[cst.CSTNode], None]]:
        return {name: self._handler(name) for name in self.NAMES}


class Pruning(cst.BatchableCSTVisitor):
    """Returns False from visit handlers: libcst's batched traversal still visits children."""

    def __init__(self, log: list[Call]) -> None:
        super().__init__()
        self.log = log

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.log.append(("visit_FunctionDef", 99, id(node)))
        return False

    def visit_Name(self, node: cst.Name) -> bool:
        self.log.append(("visit_Name", 99, id(node)))
        return False


class Positions(cst.BatchableCSTVisitor):
    """A visitor that needs libcst metadata: it is resolved before the walk, as libcst does."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, log: list[Call]) -> None:
        super().__init__()
        self.log = log

    def visit_Name(self, node: cst.Name) -> None:
        start = self.get_metadata(PositionProvider, node).start
        self.log.append((f"Name@{start.line}:{start.column}", 7, id(node)))


def _calls(
    wrapper: MetadataWrapper, run: Callable[[MetadataWrapper, list[cst.BatchableCSTVisitor]], object]
) -> list[Call]:
    log: list[Call] = []
    run(wrapper, [Everything(1, log), Pruning(log), Positions(log), Everything(2, log)])
    return log


CORNERS = '''\
"""Module docstring."""
from __future__ import annotations
from . import a, b as c
from .. pkg import (x,
    y as z,)
from m import *
import os.path as p, sys; import json
@dec(1)
@other.attr
async def f[T: int = str, *Ts, **P](a, /, b: int = 1, *args: T, c=2, **kw) -> list[int]:
    global g
    nonlocal_thing = lambda q, *r, s=3, **t: q
    async with x as (y, z), w:
        async for i in aiter():
            yield i
            await i
    return [v for v in range(3) if v for w in v] + {k: v for k, v in d.items()} or {*s, 1}
class C(Base, metaclass=M, **extra):
    x: int = 1
    y: "List[int]" = field(default_factory=list)
    def m(self):
        nonlocal q
        del self.x, self[1:2:3]
        try:
            pass
        except* (A, B) as e:
            raise X from e
        else:
            ...
        finally:
            return
match point:
    case Point(x=0, y=0) | [1, 2, *rest] | {"k": v, **kw} if v > 0:
        pass
    case str() as s:
        pass
    case _:
        pass
type Alias[K] = dict[K, int]
s = f"{x!r:>{width}} {y=} {z:{w}.{p}f} {'nested' + f'{q}'}" "implicit" 'concat'
t = (yield)
u = not a if b else -c ** ~d @ e // f
with (open(a) as b, open(c) as d):
    while (n := n - 1) > 0:
        if a < b <= c is not d not in e:
            break
        elif x:
            continue
    else:
        assert x, "msg"
for (i, j), k in []:
    x[i, ..., ::2] += j; x.y >>= 1
print(*args, sep="", **kw)  # a comment
'''


def _sources() -> list[pytest.ParameterSet]:
    cases = [pytest.param(CORNERS, id="corners")]
    for rule in Registry.load().sorted():
        for i, example in enumerate([*rule.VALID, *rule.INVALID]):
            for path, source in example.files().items():
                if "\x00" not in source:
                    cases.append(pytest.param(source, id=f"{rule.code}-{i}-{path}"))
    for path in ("ssot_audit/pipeline/engine.py", "rules/singleton_manager.py", "ssot_audit/cli.py"):
        cases.append(pytest.param((REPO / path).read_text(encoding="utf-8"), id=path))
    return cases


@pytest.mark.parametrize("source", _sources())
def test_same_calls_as_libcst(source: str) -> None:
    try:
        wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    except cst.ParserSyntaxError:
        pytest.skip("an example of a file that does not parse")
    expected = _calls(wrapper, lambda wrapper, visitors: wrapper.visit_batched(visitors))
    assert _calls(wrapper, traversal.visit_batched) == expected


def test_an_fstring_format_spec_is_announced_only_when_present() -> None:
    # libcst's only conditional attribute: the walk keys its order by which fields are None.
    wrapper = MetadataWrapper(cst.parse_module('a = f"{x}"\nb = f"{x:>3}"\nc = f"{y}"\n'), unsafe_skip_copy=True)
    expected = _calls(wrapper, lambda wrapper, visitors: wrapper.visit_batched(visitors))
    assert _calls(wrapper, traversal.visit_batched) == expected
    assert any(name == "visit_FormattedStringExpression_format_spec" for name, _, _ in expected)


def test_the_rules_see_the_same_calls(tmp_path: Path) -> None:
    """The engine's own visitors, as the per-file phase batches them: same findings and facts."""
    source = CORNERS + (REPO / "rules/any_usage.py").read_text(encoding="utf-8")
    registry = Registry.load()

    def run(visit: Callable[[MetadataWrapper, list[cst.BatchableCSTVisitor]], object]) -> list[object]:
        wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
        context = FileContext("m.py", "pkg.m", False, source, wrapper)
        core = CoreFacts(context)
        visitors: list[FileVisitor] = [core]
        for rule in registry.sorted():
            if issubclass(rule, FileRule):
                visitors.append(rule(context, rule.default_options()))
            elif issubclass(rule, ProjectRule):
                visitors.extend(collector(context) for collector in rule.collectors)
        visit(wrapper, list(visitors))
        out: list[object] = [core.imports]
        for visitor in visitors[1:]:
            out.append(visitor.checked)
            if isinstance(visitor, FileRule):
                out.append([(f.rule, f.span, f.message, f.scope) for f in visitor.findings])
            facts = getattr(visitor, "facts", None)
            if callable(facts):
                out.append(repr(facts()))
        return out

    assert run(traversal.visit_batched) == run(lambda wrapper, visitors: wrapper.visit_batched(visitors))


class Recorder(cst.CSTVisitor):
    """Logs every call a read-only visitor gets; prunes below lambdas and classes, as rules
    that scan one function body without entering nested scopes do."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, int, str]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.log.append(("visit", id(node), ""))
        return not isinstance(node, (cst.Lambda, cst.ClassDef))

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.log.append(("visit_attribute", id(node), attribute))

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        self.log.append(("leave_attribute", id(original_node), attribute))

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.log.append(("leave", id(original_node), ""))


class Handlers(cst.CSTVisitor):
    """A visitor on libcst's default hooks (the walk's fast path): node and attribute handlers,
    one of which prunes."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, int]] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.log.append(("visit_Name", id(node)))

    def leave_Attribute(self, original_node: cst.Attribute) -> None:
        self.log.append(("leave_Attribute", id(original_node)))

    def visit_Call(self, node: cst.Call) -> bool:
        self.log.append(("visit_Call", id(node)))
        return len(node.args) != 1

    def visit_Call_func(self, node: cst.Call) -> None:
        self.log.append(("visit_Call_func", id(node)))

    def leave_Call_args(self, node: cst.Call) -> None:
        self.log.append(("leave_Call_args", id(node)))

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


@pytest.mark.parametrize("source", _sources())
def test_walk_visit_and_children_match_libcst(source: str) -> None:
    """Rules scan subtrees with walk.visit and walk.children: the calls and nodes libcst's
    node.visit() and node.children give, without the rebuild."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        pytest.skip("an example of a file that does not parse")
    ours, libcsts = Recorder(), Recorder()
    walk.visit(module, ours)
    module.visit(libcsts)
    assert ours.log == libcsts.log
    fast, slow = Handlers(), Handlers()
    walk.visit(module, fast)
    module.visit(slow)
    assert fast.log == slow.log
    nodes: list[cst.CSTNode] = [module]
    while nodes:
        node = nodes.pop()
        expected = list(node.children)
        assert walk.children(node) == expected
        assert all(a is b for a, b in zip(walk.children(node), expected, strict=True))
        nodes.extend(expected)


@pytest.mark.parametrize("source", [CORNERS, (REPO / "rules/any_usage.py").read_text(encoding="utf-8")])
def test_subtrees_without_handlers_are_skipped_with_the_same_calls(source: str) -> None:
    """Visitors with few handlers: whitespace, operators and literals below them are not
    walked, and the handlers still see the same calls as in libcst's traversal."""

    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)

    def calls(run: Callable[[MetadataWrapper, list[cst.BatchableCSTVisitor]], object]) -> list[Call]:
        log: list[Call] = []
        run(wrapper, [Pruning(log)])
        return log

    assert traversal.Traversal([Pruning([])])._inert >= {cst.SimpleWhitespace, cst.Comma, cst.Integer}
    assert calls(traversal.visit_batched) == calls(lambda wrapper, visitors: wrapper.visit_batched(visitors))


def test_field_types_read_as_declared_match_the_resolved_type_hints() -> None:
    """What each node class's fields may hold, read from the declared field types (with the
    type hints resolved only for classes that name a forward reference), is what resolving
    every class's type hints gives: the walk skips the same subtrees."""

    def resolved(cls: type[cst.CSTNode]) -> set[type[cst.CSTNode]] | None:
        hints = typing.get_type_hints(cls)
        return walk._node_types([hints[f.name] for f in dataclasses.fields(cls) if f.name in hints])

    classes = [c for c in [cst.CSTNode, *_node_classes()] if dataclasses.is_dataclass(c)]
    assert walk._node_fields() == {c: resolved(c) for c in classes}


class Chosen(cst.BatchableCSTVisitor):
    """Handlers chosen per instance, as the clone collector's are (it handles whitespace only
    in a file with backslash continuations): one visitor class, two sets of handler names."""

    def __init__(self, names: tuple[str, ...], log: list[Call]) -> None:
        super().__init__()
        self.names = names
        self.log = log

    def get_visitors(self) -> Mapping[str, Callable[[cst.CSTNode], None]]:
        def handler(name: str) -> Callable[[cst.CSTNode], None]:
            return lambda node: self.log.append((name, len(self.names), id(node)))

        return {name: handler(name) for name in self.names}


def test_instances_of_one_class_with_different_handlers_each_get_their_own() -> None:
    wrapper = MetadataWrapper(cst.parse_module(CORNERS), unsafe_skip_copy=True)
    few = ("visit_Name", "leave_FunctionDef")
    many = (*few, "visit_SimpleWhitespace", "visit_Call_args", "leave_Integer")
    for names in (few, many, few):
        calls: list[list[Call]] = []
        for run in (traversal.visit_batched, lambda wrapper, visitors: wrapper.visit_batched(visitors)):
            log: list[Call] = []
            run(wrapper, [Chosen(names, log), Pruning(log)])
            calls.append(log)
        assert calls[0] == calls[1]
        assert {name for name, _, _ in calls[0]} >= {"visit_Name", "leave_FunctionDef"}


def test_a_traversal_lets_its_visitors_go_once_it_has_run() -> None:
    """Without the cyclic collector: a file's visitors (and through them its tree) are freed
    as soon as the per-file phase drops them, not kept until a collection."""
    wrapper = MetadataWrapper(cst.parse_module(CORNERS), unsafe_skip_copy=True)
    visitor = Pruning([])
    gone = weakref.ref(visitor)
    enabled = gc.isenabled()
    gc.disable()
    try:
        traversal.visit_batched(wrapper, [visitor])
        del visitor
        assert gone() is None
    finally:
        if enabled:
            gc.enable()
