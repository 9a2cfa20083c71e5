"""SSOT301 singleton-manager: process-wide shared instances hidden in a class or a module."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

from ssot_audit.analysis import walk
from ssot_audit.analysis.class_index import ClassIndex
from ssot_audit.analysis.class_state import mutable_state
from ssot_audit.analysis.names import dotted_name, head_name
from ssot_audit.analysis.places import TEST_CODE, VENDORED, compile_globs
from ssot_audit.analysis.plugins import Collector, FileContext, Invalid, ProjectRule, Valid
from ssot_audit.analysis.project import Project
from ssot_audit.analysis.syntax import last_part, parameters
from ssot_audit.model import SINGLETONS, Finding, Severity, Span

DEFAULT_SUFFIXES = ("Manager", "Service", "Registry", "Factory", "Client", "Pool", "Cache", "Store", "Provider")
CACHE_DECORATORS = frozenset({"functools.lru_cache", "functools.cache"})
# A cached instance of these is a constant value or a lookup table, not a shared service.
VALUE_TYPES = frozenset(
    {
        "Any",
        "ChainMap",
        "Counter",
        "Decimal",
        "Dict",
        "Fraction",
        "FrozenSet",
        "List",
        "Mapping",
        "MappingProxyType",
        "OrderedDict",
        "Path",
        "Pattern",
        "PosixPath",
        "PurePath",
        "PurePosixPath",
        "PureWindowsPath",
        "Sequence",
        "Set",
        "SimpleNamespace",
        "Tuple",
        "UUID",
        "Version",
        "WindowsPath",
        "ZoneInfo",
    }
)
# Calls that build plain data (or only retype a value, as `cast` does): caching their result
# memoises a computation, it does not share a service object.
DATA_BUILDERS = frozenset(
    {
        "bool",
        "bytes",
        "cast",
        "copy",
        "deepcopy",
        "dict",
        "float",
        "frozenset",
        "int",
        "list",
        "set",
        "sorted",
        "str",
        "tuple",
    }
)
SCALARS = frozenset({"bool", "bytes", "complex", "float", "frozenset", "int", "str", "tuple"})
LITERALS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Integer, cst.Float, cst.Imaginary)
# A first argument such as "GEOSFree", "tasks" or "bp" names one instance of a family
# (ctypes prototypes, Celery apps, blueprints); a URL or path is configuration, not a name.
HANDLE_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
CLASS_LIKE = re.compile(r"^_*[A-Z]")
# `renderer_class()`: a class chosen at run time (from settings, a registry...) being instantiated.
CLASS_VARIABLE = re.compile(r"(?i)(^|_)(class|cls|klass)$")


@dataclass(frozen=True)
class SingletonManagerOptions:
    suffixes: tuple[str, ...] = field(
        default=DEFAULT_SUFFIXES,
        metadata={
            "doc": "class-name endings whose public (or imported) module-level instances are reported even "
            "when the audit cannot see the class hold state (a third-party `redis.ConnectionPool`)"
        },
    )
    exclude: tuple[str, ...] = field(
        default=(*TEST_CODE, *VENDORED),
        metadata={
            "doc": "Files whose shared instances are not reported, as .gitignore-style patterns: tests and "
            "testing support, where one instance shared by a module's tests is a fixture (a pint "
            "`UnitRegistry`, one test cluster per session), not the application's wiring, and vendored "
            "third-party code (datasette's `vendored/pint`), whose design is its own project's. Their imports "
            "of the application's instances still count as evidence that an instance is shared."
        },
    )


class BodyScan(cst.CSTVisitor):
    """The statements that belong to one function body itself, not to nested definitions.

    Expressions are read where their statement is, never descended into: that keeps the
    scan of a method a walk over its statements, a fraction of its nodes."""

    def __init__(self) -> None:
        super().__init__()
        self.assigns: list[cst.Assign] = []
        self.returns: list[cst.BaseExpression] = []
        # Conditions the body branches on: `if`, ternaries, and the left side of `a or b`.
        self.tests: list[cst.BaseExpression] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.BaseExpression, cst.FunctionDef, cst.ClassDef)):
            return False
        if isinstance(node, cst.Assign):
            self.assigns.append(node)
            self._branch(node.value)
        elif isinstance(node, cst.Return) and node.value is not None:
            self.returns.append(node.value)
            self._branch(node.value)
        elif isinstance(node, (cst.If, cst.While)):
            self.tests.append(node.test)
        return True

    def tested_words(self) -> set[str]:
        return {word for test in self.tests for word in words_in(test)}

    def _branch(self, value: cst.BaseExpression) -> None:
        if isinstance(value, cst.BooleanOperation):
            self.tests.append(value.left)
        elif isinstance(value, cst.IfExp):
            self.tests.append(value.test)


class WordScan(cst.CSTVisitor):
    """Every identifier, attribute name and short string an expression mentions."""

    def __init__(self) -> None:
        super().__init__()
        self.words: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.words.add(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if isinstance(value, str):
            self.words.add(value)


def scan_body(function: cst.FunctionDef) -> BodyScan:
    scan = BodyScan()
    walk.visit(function.body, scan)
    return scan


def words_in(node: cst.CSTNode) -> set[str]:
    scan = WordScan()
    walk.visit(node, scan)
    return scan.words


def called_name(call: cst.Call) -> str | None:
    """The dotted name called, looking through a generic subscript (`Registry[str]()`)."""
    func = call.func.value if isinstance(call.func, cst.Subscript) else call.func
    return dotted_name(func)


def cache_key(target: cst.Attribute | cst.Subscript) -> str | None:
    """The attribute or name that holds the cache: `_instances` in `cls._instances[cls]`."""
    node: cst.BaseExpression = target
    while isinstance(node, cst.Subscript):
        node = node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else None


def is_named_handle(call: cst.Call) -> bool:
    """`GEOSFuncFactory("GEOSFree")`: an instance identified by the name it is given, one of many."""
    first = call.args[0] if call.args else None
    if first is None or first.keyword is not None or first.star or not isinstance(first.value, cst.SimpleString):
        return False
    value = first.value.evaluated_value
    return isinstance(value, str) and bool(HANDLE_NAME.match(value))


def builds_data(value: cst.BaseExpression) -> bool:
    """`tuple(names)`, `config.copy()`, `cast(Backend, module)`: a value, not a new object."""
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    name = func.attr.value if isinstance(func, cst.Attribute) else last_part(called_name(value))
    return name in DATA_BUILDERS


def is_scalar_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.UnaryOperation):
        node = node.expression
    return isinstance(node, LITERALS) or (isinstance(node, cst.Name) and node.value in ("True", "False"))


def is_value_annotation(annotation: cst.Annotation | None) -> bool:
    """`-> str`, `-> Path`, `-> Pattern[str]`, `-> tuple[int, ...]`: what a function returns is
    a value, not a shared object (pydantic.v1's `url_regex()` caches one compiled pattern)."""
    if annotation is None:
        return False
    node = annotation.annotation
    name = last_part(dotted_name(node.value if isinstance(node, cst.Subscript) else node))
    return name in SCALARS or name in VALUE_TYPES


def decorator_targets(node: cst.FunctionDef | cst.ClassDef) -> list[cst.BaseExpression]:
    """What each decorator names: `lru_cache` for both `@lru_cache` and `@lru_cache(maxsize=None)`."""
    return [d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator for d in node.decorators]


def decorator_names(node: cst.FunctionDef | cst.ClassDef) -> list[str]:
    return [name for name in map(dotted_name, decorator_targets(node)) if name]


FROZEN_DECORATORS = frozenset({"dataclass", "s", "attrs", "define", "mutable"})


def is_frozen_class(node: cst.ClassDef) -> bool:
    """attrs' `@frozen` (`@attr.frozen`, `@attrs.frozen`), or `@dataclass(frozen=True)`,
    `@attr.s(frozen=True)`, `@define(frozen=True)`: instances that no method can change."""
    for decorator in node.decorators:
        target = decorator.decorator
        if not isinstance(target, cst.Call):
            if last_part(dotted_name(target)) == "frozen":
                return True
            continue
        name = last_part(dotted_name(target.func))
        if name == "frozen" or (
            name in FROZEN_DECORATORS
            and any(
                arg.keyword is not None
                and arg.keyword.value == "frozen"
                and isinstance(arg.value, cst.Name)
                and arg.value.value == "True"
                for arg in target.args
            )
        ):
            return True
    return False


def is_main_guard(node: cst.If) -> bool:
    test = node.test
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = [test.left, test.comparisons[0].comparator]
    return any(isinstance(s, cst.Name) and s.value == "__name__" for s in sides) and any(
        isinstance(s, cst.SimpleString) and s.evaluated_value == "__main__" for s in sides
    )


def module_statements(body: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """Statements that run at import time: the module body and its if/try/with blocks, but not
    an `if __name__ == "__main__":` block, which runs only as a script."""
    for stmt in body:
        if isinstance(stmt, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            yield from stmt.body
        elif isinstance(stmt, cst.ClassDef):
            yield stmt
        elif isinstance(stmt, cst.If) and is_main_guard(stmt):
            continue
        elif isinstance(stmt, (cst.If, cst.Try, cst.TryStar, cst.With)):
            yield from module_statements(branches(stmt))


def branches(stmt: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements of every branch of an if/try/with; an `elif` stays an `if` of its own."""
    found: list[cst.CSTNode] = []
    for child in walk.children(stmt):
        if isinstance(child, cst.IndentedBlock):
            found.extend(child.body)
        elif isinstance(child, (cst.SimpleStatementSuite, cst.If)):
            found.append(child)
        elif isinstance(child, (cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally)):
            found.extend(branches(child))
    return found


@dataclass(frozen=True)
class CachingMethod:
    """How one method of a class creates the instance it may cache."""

    function: cst.FunctionDef
    first: str
    class_name: str

    def creates(self, value: cst.BaseExpression) -> bool:
        if isinstance(value, cst.BooleanOperation):
            return self.creates(value.right)
        if not isinstance(value, cst.Call):
            return False
        func = value.func
        if self.function.name.value in ("__new__", "__call__"):
            return isinstance(func, cst.Attribute) and func.attr.value == self.function.name.value
        return isinstance(func, cst.Name) and func.value in (self.first, self.class_name)

    def keyed_by_class(self, target: cst.BaseExpression) -> bool:
        """`_instances[cls]`: a dict anywhere (often a module global) holding one per class."""
        if not isinstance(target, cst.Subscript) or len(target.slice) != 1:
            return False
        index = target.slice[0].slice
        return isinstance(index, cst.Index) and isinstance(index.value, cst.Name) and index.value.value == self.first

    def cache(self) -> str | None:
        """The written cache (`cls._instance`) when this method fills it once and returns it."""
        scan = scan_body(self.function)
        body = MethodBody.of(scan)
        created = body.created(self)
        for assign in scan.assigns:
            value = assign.value
            if not (self.creates(value) or (isinstance(value, cst.Name) and value.value in created)):
                continue
            # The local names the new instance goes by: `cls.__it__ = it = ...`, `cls._x = inst`.
            held_as = {t.target.value for t in assign.targets if isinstance(t.target, cst.Name)}
            if isinstance(value, cst.Name):
                held_as.add(value.value)
            for item in assign.targets:
                target = item.target
                if not isinstance(target, (cst.Attribute, cst.Subscript)) or not self.is_class_cache(target, body):
                    continue
                key = cache_key(target)
                returned = any(
                    r.deep_equals(target) or (isinstance(r, cst.Name) and r.value in held_as) for r in scan.returns
                )
                if key is not None and body.tests_for(key) and returned:
                    return cst.Module([]).code_for_node(target)
        return None

    def is_class_cache(self, target: cst.Attribute | cst.Subscript, body: MethodBody) -> bool:
        """A place on the class, or a dict keyed by the class, not keyed by the arguments."""
        if head_name(target, through_subscripts=True) not in (self.first, self.class_name) and not self.keyed_by_class(
            target
        ):
            return False
        if isinstance(target, cst.Subscript):
            index = body.expand({w for element in target.slice for w in words_in(element)})
            others = {p.name.value for p in parameters(self.function.params)} - {self.first}
            return not index & others  # keyed by the arguments: interning, one instance per value
        return True


@dataclass(frozen=True)
class MethodBody:
    """What a method body tests, and what its local names were computed from."""

    scan: BodyScan
    tested: frozenset[str]
    # `it = cls.__dict__.get("__it__")`, then `if it is not None`: a test through a local.
    aliases: dict[str, frozenset[str]]

    @classmethod
    def of(cls, scan: BodyScan) -> MethodBody:
        aliases: dict[str, set[str]] = {}
        for assign in scan.assigns:
            for item in assign.targets:
                if isinstance(item.target, cst.Name):
                    aliases.setdefault(item.target.value, set()).update(words_in(assign.value))
        return cls(scan, frozenset(scan.tested_words()), {k: frozenset(v) for k, v in aliases.items()})

    def created(self, method: CachingMethod) -> set[str]:
        return {
            t.target.value
            for a in self.scan.assigns
            if method.creates(a.value)
            for t in a.targets
            if isinstance(t.target, cst.Name)
        }

    def expand(self, words: set[str]) -> set[str]:
        """The words and, through every chain of locals, what they were computed from: dask's
        `inst = super().__new__(cls, *args)`, `_name = inst._name`, `cls._instances[_name]` is
        keyed by the arguments."""
        found = set(words)
        pending = list(words)
        while pending:
            for word in self.aliases.get(pending.pop(), ()):
                if word not in found:
                    found.add(word)
                    pending.append(word)
        return found

    def tests_for(self, key: str) -> bool:
        """Whether some condition looks at the cache before filling it."""
        return key in self.expand(set(self.tested))


@dataclass(frozen=True)
class _Pending:
    node: cst.CSTNode
    definition: cst.FunctionDef | cst.ClassDef | None
    message: str
    scope: str
    base: str
    product: str


@dataclass(frozen=True)
class FileVerdict:
    """A finding the file alone decides; `base`, when set, is the qualified name of a base or
    metaclass that made it a singleton by its name only, for the project phase to check."""

    span: Span
    message: str
    suppress_lines: tuple[int, ...]
    scope: str
    code: str
    base: str
    singleton: str  # the qualified name of the class reported, for a class
    product: str  # for a getter, the qualified name of the class its annotation says it returns


@dataclass(frozen=True)
class InstanceDraft:
    names: tuple[str, ...]  # the plain names it is bound to
    shown: str  # every target as written
    class_name: str
    qualified: str  # the class called, as the module's imports name it
    # `other_module.name = ...` targets: the instance installed as another module's global.
    installs: tuple[str, ...]


@dataclass(frozen=True)
class Instance:
    """A module-level `name = SomeClass(...)`, judged in the project phase."""

    span: Span
    code: str
    draft: InstanceDraft


@dataclass(frozen=True)
class ClassState:
    qualname: str
    bases: tuple[str, ...]
    state: str  # why its own body gives instances mutable state; "" when it does not
    plain_record: bool  # a dataclass of fields and nothing else
    # A class whose only methods are dunders, `__call__` or `__enter__` among them, is a
    # callable or a context manager, whatever its name ends with.
    callable_only: bool = False


@dataclass(frozen=True)
class SingletonFacts:
    reports: tuple[FileVerdict, ...]
    classes: tuple[ClassState, ...]
    instances: tuple[Instance, ...]
    references: tuple[str, ...]
    bindings: dict[str, str]
    aliases: tuple[tuple[str, str], ...]


class SingletonScan(Collector[SingletonFacts]):
    """SSOT301's pass over one file: what it finds there alone, plus the module-level instances,
    class facts and references to other modules that the project phase judges. It takes no
    options: the `suffixes` are applied in the project phase."""

    chunkable = True

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._looked_ahead = False
        self.local_classes: set[str] = set()
        self.singletons: set[str] = set()
        # Per local singleton that only a base's name made one, that base's qualified name, for
        # the project phase to confirm: dask's `Expr(core.SingletonExpr)` passes it to `Binop(Expr)`.
        self.unconfirmed: dict[str, str] = {}
        self.global_frames: list[set[str]] = []
        # Module globals that start as a string or number: a getter filling one caches a value.
        self.scalar_globals: set[str] = set()
        self._pending: list[_Pending] = []
        self._instances: list[tuple[cst.CSTNode, InstanceDraft]] = []
        # What settle() made of the two above.
        self._reports: list[FileVerdict] = []
        self._placed: list[Instance] = []
        self._classes: list[ClassState] = []
        # `module.name` for each `alias.name` this file writes, alias an imported name of its own package.
        self._references: set[str] = set()
        self._aliases: list[tuple[str, str]] = []  # (instance name, module global bound to one of its attributes)
        self._package = context.module_name.split(".", 1)[0] + "."

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        definition: cst.FunctionDef | cst.ClassDef | None = None,
        base: str = "",
    ) -> None:
        product = ""
        if isinstance(definition, cst.FunctionDef):
            dotted = annotation_dotted(definition.returns)
            if dotted is not None:
                qualified = self.context.names.qualified_name(cst.parse_expression(dotted))
                product = qualified or f"{self.context.module_name}.{dotted}"
        self._pending.append(_Pending(node, definition, message, ".".join(self.context.scope), base, product))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name):
            bound = self.context.names.bindings.get(node.value.value)
            if bound is not None and bound.startswith(self._package):
                self._references.add(f"{bound}.{node.attr.value}")

    def settle(self) -> None:
        nodes: list[cst.CSTNode] = [n for n, _ in self._instances]
        for p in self._pending:
            nodes.append(p.node)
            if p.definition is not None and p.definition.decorators:
                nodes.append(p.definition.decorators[0])
        spans = self.context.spans(nodes)
        for p in self._pending:
            span = spans[p.node]
            decorators = p.definition.decorators if p.definition is not None else ()
            extra = (spans[decorators[0]].line,) if decorators else ()
            singleton = (
                f"{self.context.module_name}.{p.definition.name.value}"
                if isinstance(p.definition, cst.ClassDef)
                else ""
            )
            self._reports.append(
                FileVerdict(
                    span, p.message, extra, p.scope, self.context.line_text(span.line), p.base, singleton, p.product
                )
            )
        self._placed.extend(
            Instance(spans[n], self.context.line_text(spans[n].line), draft) for n, draft in self._instances
        )
        self._pending = []
        self._instances = []

    def facts(self) -> SingletonFacts:
        self.settle()
        return SingletonFacts(
            tuple(self._reports),
            tuple(self._classes),
            tuple(self._placed),
            tuple(sorted(self._references)),
            dict(self.context.names.bindings),
            tuple(self._aliases),
        )

    # -- module-level instances -------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        if not self._looked_ahead:
            self._look_ahead(self.context.outline)
        for stmt in module_statements(node.body):
            if isinstance(stmt, cst.ClassDef):
                self._classes.append(self._class_state(stmt))
            elif isinstance(stmt, (cst.Assign, cst.AnnAssign)) and isinstance(stmt.value, cst.Call):
                self.count_checked()
                self._check_module_instance(stmt, stmt.value)
            elif isinstance(stmt, cst.Assign) and isinstance(stmt.value, cst.Attribute):
                # `preload_module = _reg.preload_module`: importing the alias uses the instance.
                head = stmt.value.value
                if isinstance(head, cst.Name):
                    self._aliases.extend(
                        (head.value, t.target.value) for t in stmt.targets if isinstance(t.target, cst.Name)
                    )

    def _look_ahead(self, outline: cst.Module) -> None:
        """The module's classes and scalar globals, wherever they are defined: a class's base
        may be defined below it, and a function may fill a global assigned further down.
        From the outline, which a file read in chunks has in full before its first chunk."""
        self._looked_ahead = True
        for stmt in module_statements(outline.body):
            if isinstance(stmt, cst.ClassDef):
                self.local_classes.add(stmt.name.value)
            elif isinstance(stmt, cst.Assign) and is_scalar_literal(stmt.value):
                self.scalar_globals.update(t.target.value for t in stmt.targets if isinstance(t.target, cst.Name))
            elif (
                isinstance(stmt, cst.AnnAssign)
                and stmt.value is not None
                and is_scalar_literal(stmt.value)
                and isinstance(stmt.target, cst.Name)
            ):
                self.scalar_globals.add(stmt.target.value)

    def _check_module_instance(self, stmt: cst.Assign | cst.AnnAssign, call: cst.Call) -> None:
        """Note the instance; the project phase judges it (see judge_instances)."""
        class_name = last_part(called_name(call))
        if not CLASS_LIKE.match(class_name) or is_named_handle(call):
            return
        targets = [t.target for t in stmt.targets] if isinstance(stmt, cst.Assign) else [stmt.target]
        names = tuple(t.value for t in targets if isinstance(t, cst.Name))
        if not names:
            return  # `PathRegistry.root = RootRegistry()`: a class attribute, one per class
        shown = ", ".join(cst.Module([]).code_for_node(t) for t in targets)
        func = call.func.value if isinstance(call.func, cst.Subscript) else call.func
        dotted = dotted_name(func) or class_name
        qualified = self.context.names.qualified_name(func) or f"{self.context.module_name}.{dotted}"
        installs = tuple(
            q
            for t in targets
            if isinstance(t, cst.Attribute) and (q := self.context.names.qualified_name(t)) is not None
        )
        self._instances.append((stmt, InstanceDraft(names, shown, class_name, qualified, installs)))

    def _class_state(self, node: cst.ClassDef) -> ClassState:
        bases = []
        for arg in node.bases:
            dotted = dotted_name(arg.value.value if isinstance(arg.value, cst.Subscript) else arg.value)
            if dotted is not None:
                qualified = self.context.names.qualify(dotted)
                bases.append(qualified or f"{self.context.module_name}.{dotted}")
        declared = any(last_part(d) == "dataclass" for d in decorator_names(node)) or any(
            last_part(base) == "NamedTuple" for base in bases
        )
        record = declared and not any(isinstance(stmt, cst.FunctionDef) for stmt in node.body.body)
        # A frozen attrs class or dataclass returns new instances from its "updates" (jsonschema's
        # `TypeChecker.redefine` on a persistent map); nothing in it changes after it is made.
        state = "" if is_frozen_class(node) else mutable_state(node)
        methods = {stmt.name.value for stmt in node.body.body if isinstance(stmt, cst.FunctionDef)}
        dunders_only = all(m.startswith("__") and m.endswith("__") for m in methods)
        callable_only = dunders_only and bool(methods & {"__call__", "__enter__", "__aenter__"})
        return ClassState(f"{self.context.module_name}.{node.name.value}", tuple(bases), state, record, callable_only)

    # -- classes ----------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.count_checked()
        reason = self._caching_reason(node)
        base = ""
        if reason is None:
            reason, base = self._inherited_reason(node)
        if reason is not None:
            self.singletons.add(node.name.value)
            if base:
                self.unconfirmed[node.name.value] = base
            self.report(node, f"class '{node.name.value}' is a singleton: {reason}", definition=node, base=base)

    def _caching_reason(self, node: cst.ClassDef) -> str | None:
        for stmt in node.body.body:
            if not isinstance(stmt, cst.FunctionDef):
                continue
            params = parameters(stmt.params)
            is_classmethod = "classmethod" in decorator_names(stmt)
            if not params or not (stmt.name.value in ("__new__", "__call__") or is_classmethod):
                continue
            cache = CachingMethod(stmt, params[0].name.value, node.name.value).cache()
            if cache is None:
                continue
            if stmt.name.value == "__call__":
                return f"as a metaclass, its __call__ caches the instances it creates in '{cache}'"
            return f"{stmt.name.value}() caches the instance in '{cache}' and returns it"
        return None

    def _inherited_reason(self, node: cst.ClassDef) -> tuple[str | None, str]:
        """Why the class is a singleton through a decorator, base or metaclass, and, when only
        the base's name says so, the base's qualified name for the project phase to look at."""
        for decorator in decorator_names(node):
            if "singleton" in last_part(decorator).lower():
                return f"it is decorated with @{decorator}", ""
        for arg in (*node.bases, *node.keywords):
            name = dotted_name(arg.value)
            base = last_part(name)
            if not base:
                continue
            if base in self.local_classes and base not in self.singletons:
                continue  # defined here and found not to cache: its name does not matter
            if base in self.singletons or "Singleton" in base:
                role = "metaclass" if arg.keyword is not None else "base"
                if base in self.singletons:
                    by_name = self.unconfirmed.get(base, "")
                else:
                    by_name = self.context.qualified_name(arg.value) or ""
                return f"its {role} '{name}' caches its instances", by_name
        return None, ""

    # -- functions --------------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.count_checked()
        self.global_frames.append(set())
        if node.decorators:
            self._check_cached_factory(node)

    def visit_Global(self, node: cst.Global) -> None:
        if self.global_frames:
            self.global_frames[-1].update(item.name.value for item in node.names)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        names = self.global_frames.pop()
        if names:
            self._check_global_getter(original_node, names)

    def _check_global_getter(self, node: cst.FunctionDef, names: set[str]) -> None:
        names = names - self.scalar_globals
        if not names or is_value_annotation(node.returns):
            return
        scan = scan_body(node)
        tested = scan.tested_words()
        filled: set[str] = set()
        for assign in scan.assigns:
            value = assign.value.expression if isinstance(assign.value, cst.Await) else assign.value
            if not isinstance(value, (cst.Call, cst.BooleanOperation)) or builds_data(value):
                continue
            for item in assign.targets:
                if isinstance(item.target, cst.Name) and item.target.value in names & tested:
                    filled.add(item.target.value)
        returned = sorted({r.value for r in scan.returns if isinstance(r, cst.Name) and r.value in filled})
        if returned:
            self.report(
                node,
                f"'{node.name.value}' creates the module global '{returned[0]}' once and returns it: "
                "a hidden singleton; pass the instance in instead",
                definition=node,
            )

    def _check_cached_factory(self, node: cst.FunctionDef) -> None:
        qualified = [self.context.qualified_name(d) for d in decorator_targets(node)]
        if not any(q in CACHE_DECORATORS for q in qualified):
            return
        params = parameters(node.params)
        is_classmethod = "classmethod" in decorator_names(node)
        if len(params) > (1 if is_classmethod else 0):
            return
        product = returned_instance(node)
        if product is not None:
            self.report(
                node,
                f"'{node.name.value}' is a cached zero-argument factory: every caller shares one "
                f"instance of {product}; create it once where the application is assembled and pass it in",
                definition=node,
            )


class SingletonManager(ProjectRule[SingletonManagerOptions]):
    code = "SSOT301"
    name = "singleton-manager"
    category = SINGLETONS
    severity = Severity.MEDIUM
    summary = "A process-wide shared instance (singleton class, module-level manager, cached getter)."
    what = (
        "Reports the ways Python code hides one shared instance behind a name:\n\n"
        "- a class whose `__new__` (or a classmethod such as `instance()`) stores the instance it "
        "creates on the class (`cls._instance`, `cls.__it__`, `cls._instances[cls]`) and returns it;\n"
        "- a metaclass whose `__call__` caches what `super().__call__()` creates, and every class "
        "that uses such a metaclass or base (a base or metaclass imported from elsewhere counts when "
        "its name says `Singleton`, unless the project defines that base and it does not cache, as "
        "SQLAlchemy's `SingletonConstant`), or a `@singleton` decorator;\n"
        "- a module-level instance that is a shared manager, judged with the whole project in view: its "
        "class (or a project base) holds mutable state (a method other than a constructor, `__call__`, "
        "`__getattr__` or `__hash__` keeping its hash sets `self.x`, fills `self.x[...]`, calls `self.x.append()`, or a "
        "`cached_property`), other "
        "modules import it (by name, through a re-export, as `package.name`, through a module global bound "
        "to one of its attributes, or it is installed as another module's global), and it is the one "
        "module-level instance of its class (`settings = LazySettings()`, `connections = "
        "ConnectionHandler()`, `apps = Apps()`);\n"
        "- a module-level instance of a class whose name ends with one of the `suffixes` "
        "(`connection_manager = ConnectionManager()`), unless it is a module's own memo table: a `...Cache` "
        "named private or as a constant that no other module imports (`_memoized_schema = LRUCache()`), or "
        "a project class without mutable state whose only methods are dunders, `__call__` or `__enter__` "
        "among them (a callable or a context manager: `Skippable = _SkippableContextManager()`);\n"
        "- a function that fills a module `global` once and returns it "
        "(`global _client; if _client is None: _client = Client(); return _client`);\n"
        "- an `@lru_cache`/`@cache` function without parameters that returns an instance "
        "(`functools.lru_cache` however imported or aliased).\n\n"
        "Loggers, web framework apps and routers, compiled regexes, constants, plain records, "
        "factories that build a new object per call, `__new__` that does not cache, caches keyed by "
        'arguments (interning), `if __name__ == "__main__":` blocks, instances created inside '
        "functions or as class attributes (Django's `objects = Manager()`), families of module-level "
        "instances of one class (Django's signals), instances named as constants (`NULLTYPE = "
        "NullType()`), lazy per-attribute lookups (`__getattr__` filling `self.__dict__`), property "
        "setters, getters that cache a dataclass or `NamedTuple` of fields only, instances given a name as "
        'their first argument (`GEOSFuncFactory("GEOSFree")`: one of a family, not a singleton), '
        "instances of a frozen attrs class or dataclass (`@frozen`, `@dataclass(frozen=True)`: nothing in "
        "them changes), instances a top-level package binds under a public name in its `__init__` "
        "(`nox.options`, `plumbum.local`, `pint.application_registry`: a library's documented API, there by "
        "design; a sub-package's, such as `django.conf.settings`, is judged as any other), and getters that cache plain data (a string, a number, a `tuple(...)`/`dict.copy()`, a value "
        "such as a `Path` or `ZoneInfo`) are left alone. The rule counts the classes, functions and "
        "module-level assignments of a call that it inspects."
    )
    why = (
        "A singleton is global mutable state with a constructor. Every module that reaches for it "
        "depends on one hidden instance: tests cannot replace it without patching, two configurations "
        "cannot live in one process, and its lifetime (when it connects, when it is closed) is decided "
        "by whoever imports it first. The single source of truth for which instance a component uses "
        "should be the code that wires the application together, not an import side effect."
    )
    example = (
        "```python\n"
        "class ConnectionManager:\n"
        "    _instance = None\n\n"
        "    def __new__(cls):\n"
        "        if cls._instance is None:\n"
        "            cls._instance = super().__new__(cls)\n"
        "        return cls._instance\n\n"
        "connection_manager = ConnectionManager()\n\n"
        "@functools.lru_cache(maxsize=None)\n"
        "def get_settings() -> Settings:\n"
        "    return Settings()\n"
        "```"
    )
    fix = (
        "Create the instance once where the application is assembled (its `main`, app factory or "
        "dependency-injection container) and pass it to what needs it as a parameter or constructor "
        "argument. Keep the class an ordinary class; a framework's dependency mechanism (FastAPI "
        "`Depends`, a DI container) can hold the one instance explicitly."
    )

    VALID = (
        Valid("""
            class ConnectionManager:
                def __init__(self, settings):
                    self.settings = settings


            def main(settings) -> None:
                manager = ConnectionManager(settings)
                serve(manager)
            """),
        Valid("""
            MAX_CONNECTIONS = 100
            NAMES = ('a', 'b')
            TIMEOUT = float('1.5')
            """),
        Valid("""
            import logging

            logger = logging.getLogger(__name__)
            """),
        Valid(
            """
            from fastapi import APIRouter, FastAPI
            from flask import Blueprint, Flask
            from celery import Celery

            router = APIRouter()
            api = FastAPI()
            app = Flask(__name__)
            bp = Blueprint('bp', __name__)
            worker = Celery('tasks')
            """
        ),
        Valid("""
            import re

            MENTION_RE = re.compile(r'@(\\w+)')
            """),
        Valid(
            """
            class Money:
                def __new__(cls, amount):
                    self = super().__new__(cls)
                    self.amount = amount
                    return self
            """
        ),
        Valid(
            """
            class RoomService:
                pass


            def create_room_service() -> RoomService:
                return RoomService()
            """
        ),
        Valid(
            """
            class ConnectionManager:
                pass


            def main() -> None:
                manager = ConnectionManager()
                manager.run()
            """
        ),
        Valid(
            """
            class ConnectionManager:
                pass


            if __name__ == '__main__':
                manager = ConnectionManager()
            """
        ),
        Valid(
            """
            from functools import lru_cache


            @lru_cache(maxsize=None)
            def get_client(name: str) -> 'Client':
                return Client(name)
            """
        ),
        Valid(
            """
            from typing import Callable, TypeAlias, TypeVar

            ManagerT = TypeVar('ManagerT', bound='BaseManager')
            ServiceAlias: TypeAlias = 'UserService'
            ClientFactory = Callable[[], 'Client']
            """
        ),
        Valid(
            """
            from dataclasses import dataclass


            @dataclass
            class Point:
                x: int
                y: int


            ORIGIN = Point(0, 0)
            """
        ),
        Valid(
            """
            class Node:
                _instance = None

                def __new__(cls, *args):
                    return super().__new__(cls)
            """
        ),
        # A per-argument cache (interning) keeps one instance per value, not one per process.
        Valid(
            """
            class Symbol:
                _cache = {}

                def __new__(cls, name):
                    if name not in cls._cache:
                        cls._cache[name] = super().__new__(cls)
                    return cls._cache[name]
            """
        ),
        Valid("""
            def lru_cache(f):
                return f


            @lru_cache
            def get_settings():
                return Settings()
            """),
        Valid(
            """
            import functools
            from pathlib import Path


            @functools.cache
            def is_tty() -> bool:
                return os.isatty(1)


            @functools.cache
            def home() -> Path:
                return Path.home()
            """
        ),
        Valid("""
            class _Singleton:
                pass


            class Sentinel(_Singleton):
                pass


            MISSING = Sentinel()
            """),
        Valid(
            """
            _counter = 0


            def next_id():
                global _counter
                _counter += 1
                return _counter
            """
        ),
        Valid(
            """
            class Flyweight:
                _pool = {}

                def __new__(cls, *args):
                    key = (cls, args)
                    if key not in cls._pool:
                        cls._pool[key] = super().__new__(cls)
                    return cls._pool[key]
            """
        ),
        Valid(
            """
            class Config:
                _last = None

                def __new__(cls):
                    cls._last = super().__new__(cls)
                    return cls._last
            """
        ),
        Valid(
            """
            _version = None


            def version() -> str:
                global _version
                if _version is None:
                    _version = read_version()
                return _version
            """
        ),
        Valid(
            """
            _categories = None


            def categories():
                global _categories
                if _categories is None:
                    _categories = tuple(sorted(charmap()))
                return _categories
            """
        ),
        Valid(
            """
            import functools
            from typing import cast


            @functools.lru_cache(maxsize=None)
            def select_backend() -> 'Backend':
                from . import importlib_backend
                return cast('Backend', importlib_backend)
            """
        ),
        # A decorator is resolved where it is written: this `lru_cache` is the local one.
        Valid("""
            from functools import lru_cache


            def build():
                def lru_cache(f):
                    return f

                @lru_cache
                def get_settings():
                    return Settings()

                return get_settings
            """),
        # One registry shared by a module's tests is a fixture (pint needs every quantity of a
        # test to come from one registry), not the application's wiring.
        Valid(
            {
                "tests/test_units.py": """
                    import pint

                    unit_registry = pint.UnitRegistry()
                    """,
                "tests/conftest.py": """
                    from tests.test_units import unit_registry
                    """,
            },
        ),
        Valid(
            {
                "site/vendored/pint/__init__.py": """
                    from site.vendored.pint.registry import LazyRegistry

                    _DEFAULT_REGISTRY = LazyRegistry()
                    """,
                "site/views.py": """
                    from site.vendored.pint import _DEFAULT_REGISTRY
                    """,
            },
        ),
    )
    INVALID = (
        Invalid(
            {
                "tests/test_units.py": """
                    import pint

                    unit_registry = pint.UnitRegistry()
                    """,
                "tests/conftest.py": """
                    from tests.test_units import unit_registry
                    """,
            },
            options={"exclude": []},
            path="tests/test_units.py",
            line=3,
        ),
        Invalid(
            {
                "site/vendored/pint/__init__.py": """
                    from site.vendored.pint.registry import LazyRegistry

                    _DEFAULT_REGISTRY = LazyRegistry()
                    """,
                "site/views.py": """
                    from site.vendored.pint import _DEFAULT_REGISTRY
                    """,
            },
            options={"exclude": []},
            path="site/vendored/pint/__init__.py",
            line=3,
        ),
        Invalid(
            """
            class ConnectionManager:
                _instance = None

                def __new__(cls):
                    if cls._instance is None:
                        cls._instance = super().__new__(cls)
                    return cls._instance
            """,
            line=1,
            message="class 'ConnectionManager' is a singleton",
        ),
        Invalid(
            """
            class Config:
                __instance = None

                def __new__(klass, *args, **kwargs):
                    if not klass.__instance:
                        klass.__instance = object.__new__(klass)
                    return klass.__instance
            """,
            line=1,
        ),
        Invalid(
            """
            import threading


            class IDs:
                _inst = None
                _lock = threading.Lock()

                def __new__(cls):
                    if cls._inst is None:
                        with cls._lock:
                            if cls._inst is None:
                                inst = super().__new__(cls)
                                cls._inst = inst
                    return cls._inst
            """,
            line=4,
        ),
        Invalid(
            """
            class Singleton:
                def __new__(cls, *args, **kwds):
                    it = cls.__dict__.get('__it__')
                    if it is not None:
                        return it
                    cls.__it__ = it = object.__new__(cls)
                    return it
            """,
            line=1,
        ),
        Invalid(
            """
            class SingletonMeta(type):
                _instances = {}

                def __call__(cls, *args, **kwargs):
                    if cls not in cls._instances:
                        cls._instances[cls] = super().__call__(*args, **kwargs)
                    return cls._instances[cls]


            class Settings(metaclass=SingletonMeta):
                pass
            """,
            line=(1, 10),
            count=2,
        ),
        Invalid(
            """
            _instances = {}


            class Once(type):
                def __call__(cls, *args, **kwargs):
                    if cls not in _instances:
                        _instances[cls] = super(Once, cls).__call__(*args, **kwargs)
                    return _instances[cls]
            """,
            line=4,
        ),
        Invalid(
            """
            class Config:
                def __new__(cls):
                    if not hasattr(cls, 'instance'):
                        cls.instance = super().__new__(cls)
                    return cls.instance
            """,
            line=1,
        ),
        Invalid(
            """
            from app.patterns import Singleton


            class Registry(Singleton):
                pass
            """,
            path="app/registry.py",
            line=4,
        ),
        Invalid(
            """
            from app import patterns


            class Bus(metaclass=patterns.SingletonMeta):
                pass
            """,
            path="app/bus.py",
            line=4,
        ),
        Invalid(
            """
            class ConnectionManager:
                pass


            connection_manager = ConnectionManager()
            """,
            line=5,
        ),
        Invalid(
            """
            import httpx

            http: httpx.Client = httpx.Client(timeout=5)
            """,
            line=3,
        ),
        Invalid(
            """
            try:
                from redis import ConnectionPool
            except ImportError:
                ConnectionPool = None
            else:
                pool = ConnectionPool()
            """,
            line=6,
        ),
        Invalid(
            """
            _client = None


            def get_client():
                global _client
                if _client is None:
                    _client = Client()
                return _client
            """,
            line=4,
        ),
        Invalid(
            """
            import functools


            @functools.lru_cache(maxsize=None)
            def get_settings() -> 'Settings':
                return Settings()
            """,
            line=5,
        ),
        Invalid(
            """
            from functools import cache as memo


            @memo
            def engine():
                return create_engine('sqlite://')


            @memo
            def session_factory():
                factory = SessionMaker(bind=engine())
                return factory
            """,
            line=10,
        ),
        Invalid(
            """
            from functools import lru_cache


            @lru_cache
            def get_renderer():
                renderer_class = import_string('app.Renderer')
                return renderer_class()
            """,
            line=5,
        ),
        Invalid(
            """
            class Clock:
                _instance = None

                @classmethod
                def instance(cls):
                    if cls._instance is None:
                        cls._instance = cls()
                    return cls._instance
            """,
            line=1,
        ),
        Invalid(
            """
            @singleton
            class Settings:
                pass
            """,
            line=2,
        ),
        Invalid(
            """
            _engine = None


            def engine():
                global _engine
                _engine = _engine or Engine()
                return _engine
            """,
            line=4,
        ),
        Invalid(
            """
            from pymongo import MongoClient

            client = MongoClient('mongodb://localhost:27017')
            """,
            line=3,
        ),
    )

    collectors = (SingletonScan,)

    def check(self, project: Project) -> Iterable[Finding]:
        return judge(self, project)


def returned_instance(function: cst.FunctionDef) -> str | None:
    """What class of instance a function returns, when it visibly builds one."""
    if is_value_annotation(function.returns):
        return None
    scan = scan_body(function)
    bound = {
        t.target.value: a.value
        for a in scan.assigns
        for t in a.targets
        if isinstance(t.target, cst.Name) and isinstance(a.value, cst.Call)
    }
    declared = annotation_class(function.returns)
    for value in scan.returns:
        if isinstance(value, cst.Name) and value.value in bound:
            value = bound[value.value]
        if not isinstance(value, cst.Call) or builds_data(value):
            continue
        if isinstance(value.func, cst.Call):
            # `import_string(settings.X)()`: a class looked up at run time, then instantiated.
            return f"the class {last_part(called_name(value.func)) or 'a call'}() returns"
        name = last_part(called_name(value))
        if name not in VALUE_TYPES and (CLASS_LIKE.match(name) and not name.isupper() or CLASS_VARIABLE.search(name)):
            return f"'{name}'"
        if declared is not None:
            return f"'{declared}'"
    return None


def annotation_dotted(annotation: cst.Annotation | None) -> str | None:
    """The dotted name a return annotation is (`Settings`, `"db.Engine"`), if it is one."""
    if annotation is None:
        return None
    expr = annotation.annotation
    if isinstance(expr, cst.SimpleString):
        text = expr.evaluated_value
        return text.strip() if isinstance(text, str) and re.fullmatch(r"[\w.]+", text.strip()) else None
    return dotted_name(expr)


def annotation_class(annotation: cst.Annotation | None) -> str | None:
    """The class a return annotation names (`Settings`, `"db.Engine"`), if it is a plain class."""
    short = last_part(annotation_dotted(annotation))
    if not short or short in VALUE_TYPES or not CLASS_LIKE.match(short) or short.isupper():
        return None
    return short


# -- the project phase ------------------------------------------------------------------------


class _Judge:
    """What SSOT301 decides with every file in view: which class-level findings rest on a base
    that the project shows is no singleton, and which module-level instances are shared managers."""

    def __init__(self, rule: SingletonManager, project: Project) -> None:
        self.rule = rule
        self.files = list(project.facts(SingletonScan))
        self.suffixes = tuple(rule.options.suffixes)
        self.index: ClassIndex[ClassState] = ClassIndex(project.by_module)
        # address (`pkg.mod.name`) -> modules binding it by import or naming it as `alias.name`
        self.users: dict[str, set[str]] = {}
        for facts, found in self.files:
            self.index.add(facts.module, facts.path, found.bindings, found.classes)
            for qualified in (*found.bindings.values(), *found.references):
                self.users.setdefault(qualified, set()).add(facts.module)
        self.rebound: dict[str, list[str]] = {}  # address -> the addresses that re-export it
        for facts, found in self.files:
            for local, qualified in found.bindings.items():
                self.rebound.setdefault(qualified, []).append(f"{facts.module}.{local}")
        self.family = Counter(self._class_key(i) for _, found in self.files for i in found.instances)
        self._state: dict[str, str] = {}
        # Top-level packages (`nox`, `pint`): what their `__init__` binds is the library's own API.
        self.top_packages = {facts.module for facts, _ in self.files if facts.is_package and "." not in facts.module}

    def _class_key(self, instance: Instance) -> str:
        found = self.index.lookup(instance.draft.qualified)
        return found.qualname if found is not None else instance.draft.qualified

    def findings(self) -> Iterator[Finding]:
        singletons = self._singleton_classes()
        excluded = compile_globs(self.rule.options.exclude)
        for facts, found in self.files:
            if excluded.match_file(facts.path):
                continue
            for report in found.reports:
                if report.base and self._not_a_singleton(report.base, singletons):
                    continue
                if report.product and self._plain_record(report.product):
                    continue
                yield self._finding(
                    facts.path, report.span, report.message, report.suppress_lines, report.scope, report.code
                )
            for instance in found.instances:
                message = self._instance_message(facts.module, instance, found.aliases)
                if message is not None:
                    yield self._finding(facts.path, instance.span, message, (), "", instance.code)

    def _finding(self, path: str, span: Span, message: str, suppress: Iterable[int], scope: str, code: str) -> Finding:
        return self.rule.make_finding(path, span, message, suppress_lines=suppress, scope=scope, code=code)

    def _singleton_classes(self) -> set[str]:
        """Qualified names of the classes some file reports as singletons."""
        return {r.singleton for _, found in self.files for r in found.reports if r.singleton}

    def _not_a_singleton(self, base: str, singletons: set[str]) -> bool:
        """A base named `...Singleton...` that the project defines and that does not cache
        (SQLAlchemy's `SingletonConstant`, whose subclasses `Null`, `True_` are constants)."""
        found = self.index.lookup(base)
        return found is not None and found.qualname not in singletons

    def _plain_record(self, qualified: str) -> bool:
        """A getter that caches a dataclass of fields only (Rich's `WindowsConsoleFeatures`) caches
        a value, not a service; one with behaviour (a `Settings` with `from_env()`) is reported."""
        found = self.index.lookup(qualified)
        return found is not None and found.plain_record and not self.state(found.qualname)

    def state(self, qualname: str, seen: frozenset[str] = frozenset()) -> str:
        """Why instances of a project class hold mutable state, its bases included."""
        if qualname in self._state:
            return self._state[qualname]
        found = self.index.classes.get(qualname)
        reason = ""
        if found is not None and qualname not in seen:
            reason = found.state
            for base in found.bases:
                if reason:
                    break
                parent = self.index.lookup(base)
                if parent is not None:
                    inherited = self.state(parent.qualname, seen | {qualname})
                    reason = f"{inherited} (in its base {parent.qualname.rsplit('.', 1)[-1]})" if inherited else ""
        self._state[qualname] = reason
        return reason

    def addresses(self, first: Iterable[str]) -> Iterator[str]:
        """The addresses given (`pkg.mod.name`), then every address re-exporting one of them."""
        pending = list(first)
        seen = set(pending)
        while pending:
            address = pending.pop()
            yield address
            for again in self.rebound.get(address, ()):
                if again not in seen:
                    seen.add(again)
                    pending.append(again)

    def importers(self, module: str, instance: InstanceDraft, aliases: Iterable[tuple[str, str]]) -> set[str]:
        """Other modules that import the instance, directly, through re-exports or through a
        module global bound to one of its attributes, or that it is installed into."""
        names = {*instance.names, *(alias for name, alias in aliases if name in instance.names)}
        found = {address.rsplit(".", 1)[0] for address in instance.installs}
        for address in self.addresses([*(f"{module}.{name}" for name in sorted(names)), *instance.installs]):
            found |= self.users.get(address, set())
        return found - {module}

    def in_top_level_api(self, module: str, names: Iterable[str]) -> bool:
        """Whether a top-level package binds the instance under a public name in its `__init__`,
        defining it there or importing it (`nox.options`, `plumbum.local`, `cherrypy.engine`,
        `pint.application_registry`): a library's documented global, there by design. A private
        one (urllib3's `_DEFAULT_POOL` behind `urllib3.request()`) and sub-packages' globals
        (`django.conf.settings`, `django.db.connections`) are judged as any other."""
        for address in self.addresses(f"{module}.{name}" for name in names):
            package, _, name = address.rpartition(".")
            if package in self.top_packages and not name.startswith("_"):
                return True
        return False

    def _instance_message(self, module: str, instance: Instance, aliases: Iterable[tuple[str, str]]) -> str | None:
        draft = instance.draft
        if self.in_top_level_api(module, draft.names):
            return None
        importers = self.importers(module, draft, aliases)
        found = self.index.lookup(draft.qualified)
        state = self.state(found.qualname) if found is not None else ""
        single = self.family[self._class_key(instance)] == 1
        head = f"module-level instance '{draft.shown}' of '{draft.class_name}' is a process-wide singleton"
        advice = "create it where the application is assembled and pass it in"
        # `NULLTYPE = NullType()`, `DNS_NAME = CachedDnsName()`: named as a constant (PEP 8), used as one.
        constant = all(name.isupper() for name in draft.names)
        if state and importers and single and not constant:
            n = len(importers)
            importing = "1 other module imports it" if n == 1 else f"{n} other modules import it"
            return f"{head}: its class holds mutable state ({state}) and {importing}; {advice}"
        # `_memoized_schema = LRUCache()`, `AST_LAMBDAS_CACHE = LRUCache(5000)`: a module's own
        # memo table, named private or as a constant, that no other module reaches. A private
        # service (urllib3's `_DEFAULT_POOL = PoolManager()` behind `urllib3.request()`) is reported.
        internal = all(name.startswith("_") or name.isupper() for name in draft.names)
        by_suffix = any(draft.class_name.endswith(s) for s in self.suffixes)
        memo_table = internal and draft.class_name.endswith("Cache") and not importers
        # A project class with no mutable state whose methods are only dunders (ansible's
        # `Skippable = _SkippableContextManager()`, pyramid's pre-configured view callable): a
        # callable or a context manager, whatever its class name ends with.
        stateless = found is not None and not state and found.callable_only
        if by_suffix and not memo_table and not stateless:
            return f"{head}; {advice}"
        return None


def judge(rule: SingletonManager, project: Project) -> Iterator[Finding]:
    return _Judge(rule, project).findings()
