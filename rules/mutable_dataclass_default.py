"""SSOT202 mutable-dataclass-default: a dataclass field whose default is a shared mutable value.

A project rule: whether `Dot()` is a shared mutable value depends on the class `Dot`, often
defined in another module (a frozen dataclass or a stateless sentinel is safe to share).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from ssot_audit.analysis.class_facts import ClassCollector, ClassFacts, InstanceState
from ssot_audit.analysis.class_index import ClassIndex
from ssot_audit.analysis.dataclass_kinds import (
    OBJECT,
    annotated_assignments,
    is_class_level,
    is_dataclass,
    visited_class,
)
from ssot_audit.analysis.names import ImportTable
from ssot_audit.analysis.options import NoOptions
from ssot_audit.analysis.plugins import Collector, FileContext, Invalid, ProjectRule, Valid
from ssot_audit.analysis.project import Project
from ssot_audit.analysis.syntax import callee, last_part
from ssot_audit.model import DATACLASSES, Finding, Severity, Span

# Calls that build a fresh mutable container: the factory to suggest instead.
MUTABLE_FACTORIES = frozenset(
    {
        "builtins.list",
        "builtins.dict",
        "builtins.set",
        "builtins.bytearray",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.deque",
        "collections.Counter",
        "collections.ChainMap",
    }
)

# Calls whose result cannot be changed in place, or is meant to be shared (a logger), so one
# value for every instance is safe.
SAFE_TO_SHARE = frozenset(
    {
        "builtins.frozenset",
        "builtins.tuple",
        "builtins.int",
        "builtins.float",
        "builtins.complex",
        "builtins.str",
        "builtins.bytes",
        "builtins.bool",
        "builtins.range",
        "builtins.object",
        "builtins.len",
        "builtins.abs",
        "builtins.round",
        "builtins.min",
        "builtins.max",
        "builtins.repr",
        "builtins.chr",
        "builtins.ord",
        "decimal.Decimal",
        "fractions.Fraction",
        "datetime.date",
        "datetime.date.today",
        "datetime.datetime",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.time",
        "datetime.timedelta",
        "datetime.timezone",
        "pathlib.Path",
        "pathlib.Path.cwd",
        "pathlib.Path.home",
        "pathlib.PurePath",
        "pathlib.PurePosixPath",
        "pathlib.PureWindowsPath",
        "pathlib.PosixPath",
        "pathlib.WindowsPath",
        "re.compile",
        "types.MappingProxyType",
        "uuid.UUID",
        "uuid.uuid4",
        "os.getenv",
        "os.environ.get",
        "os.getcwd",
        "sys.intern",
        "typing.cast",
        "typing.NewType",
        "typing.TypeVar",
        "functools.partial",
        "logging.getLogger",
        "ipaddress.ip_address",
        "ipaddress.ip_network",
        "ipaddress.IPv4Address",
        "ipaddress.IPv6Address",
        "ipaddress.IPv4Network",
        "ipaddress.IPv6Network",
    }
)
# Calls whose value is meant to differ per instance or per moment: as a default they run once,
# at import, and every instance gets the same timestamp or "unique" id. Immutable, so the
# mutability test above passes them; ruff's RUF009 flags them with any call not known to be
# immutable. Environment reads (`os.getenv`) are left alone: one value per process is what
# a settings default means.
PER_INSTANCE_VALUES = frozenset(
    {
        "time.time", "time.time_ns", "time.monotonic", "time.monotonic_ns", "time.perf_counter",
        "time.perf_counter_ns", "time.localtime", "time.gmtime", "time.strftime", "time.ctime",
        "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
        "uuid.uuid1", "uuid.uuid4", "os.urandom", "os.getpid",
    }
)  # fmt: skip
PER_INSTANCE_MODULES = ("random.", "secrets.")
# Modules whose functions all return immutable values.
SAFE_MODULES = ("math.", "operator.", "os.path.", "time.")

# Bases that make every instance immutable, or mutable, whatever the subclass adds.
IMMUTABLE_BASES = frozenset(
    {
        "builtins.tuple",
        "builtins.str",
        "builtins.int",
        "builtins.float",
        "builtins.bytes",
        "builtins.frozenset",
        "builtins.complex",
        "typing.NamedTuple",
        "enum.Enum",
        "enum.IntEnum",
        "enum.StrEnum",
        "enum.Flag",
        "enum.IntFlag",
    }
)
MUTABLE_BASES = MUTABLE_FACTORIES | {"collections.UserDict", "collections.UserList"}

# Field specifiers (`dataclasses.field`, `pydantic.Field`, a project's own wrapper): their
# `default=` is the default; `default_factory=` builds a fresh value per instance. Matched by
# name, since projects often wrap and re-export `field`.
FIELD_SPECIFIER_NAMES = frozenset({"field", "Field"})

# str methods that return a new container rather than a string.
_CONTAINER_STR_METHODS = frozenset({"split", "rsplit", "splitlines"})

_MAX_SHOWN = 40


@dataclass(frozen=True)
class MutableDefault:
    """Why a default is mutable, and the `default_factory` to use instead. `call` is the
    qualified callee when the verdict depends on what that callee returns."""

    expression: cst.BaseExpression
    factory: str
    call: str | None = None
    # Not mutable, but a value meant to differ per instance (a clock read, a random id)
    # frozen at import: `issued_at: float = time.time()`.
    at_import: bool = False


@dataclass(frozen=True)
class Candidate:
    """A dataclass field whose default is, or may be, a shared mutable value."""

    span: Span
    field: str
    shown: str
    factory: str
    call: str | None
    scope: str
    code: str
    at_import: bool = False


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _factory_for(node: cst.BaseExpression) -> str:
    """`list` for `[]`, `OrderedDict` for `OrderedDict()`, else `lambda: <the expression>`."""
    if isinstance(node, cst.List) and not node.elements:
        return "list"
    if isinstance(node, cst.Dict) and not node.elements:
        return "dict"
    if isinstance(node, cst.Call) and not node.args:
        return _code(node.func)
    return f"lambda: {_code(node)}"


def mutable_default(node: cst.BaseExpression, names: ImportTable) -> MutableDefault | None:
    """The reason a default expression is, or may be, a shared mutable value."""
    if isinstance(node, (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp, cst.GeneratorExp)):
        return MutableDefault(node, _factory_for(node))
    parts: tuple[cst.BaseExpression, ...] = ()
    if isinstance(node, cst.Tuple):
        parts = tuple(element.value for element in node.elements)
    elif isinstance(node, (cst.BinaryOperation, cst.BooleanOperation)):
        parts = (node.left, node.right)
    elif isinstance(node, cst.IfExp):
        parts = (node.body, node.orelse)
    elif isinstance(node, cst.NamedExpr):
        return mutable_default(node.value, names)
    elif isinstance(node, cst.Call):
        return _mutable_call(node, names)
    for part in parts:
        found = mutable_default(part, names)
        if found is not None:
            return MutableDefault(node, _factory_for(node), found.call)
    # Names, attributes (enum members, constants), literals, subscripts, lambdas: the rule
    # cannot tell what a name holds, and says nothing rather than guess.
    return None


def _mutable_call(node: cst.Call, names: ImportTable) -> MutableDefault | None:
    func = callee(node)
    # `field(...)`, also imported under another name (`from dataclasses import field as dataclass_field`).
    specifier = _last_name(func) in FIELD_SPECIFIER_NAMES or last_part(names.global_name(func)) in FIELD_SPECIFIER_NAMES
    if specifier:
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "default":
                return mutable_default(arg.value, names)
        return None
    target = node.func
    if isinstance(target, cst.Attribute) and isinstance(target.value, (cst.SimpleString, cst.FormattedString)):
        # "a,b".split(",") is a list; " ".join(parts) is a string.
        return MutableDefault(node, _factory_for(node)) if target.attr.value in _CONTAINER_STR_METHODS else None
    qualified = names.global_name(func)
    if qualified is not None and (qualified in PER_INSTANCE_VALUES or qualified.startswith(PER_INSTANCE_MODULES)):
        return MutableDefault(node, _factory_for(node), at_import=True)
    if qualified is not None and qualified in SAFE_TO_SHARE:
        # `str(uuid.uuid4())`: an immutable wrapper around a value read at import.
        for arg in node.args:
            inner = mutable_default(arg.value, names)
            if inner is not None and inner.at_import:
                return MutableDefault(node, _factory_for(node), at_import=True)
    if qualified is None or qualified in SAFE_TO_SHARE or qualified.startswith(SAFE_MODULES):
        # None: a method of some object, or a name we cannot resolve; unknown, so no finding.
        return None
    if qualified in MUTABLE_FACTORIES:
        return MutableDefault(node, _factory_for(node))
    # Any other call runs once, when the class is created; the project phase decides from
    # the callee whether the value every instance shares is mutable.
    return MutableDefault(node, _factory_for(node), qualified)


def _last_name(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Name):
        return func.value
    return func.attr.value if isinstance(func, cst.Attribute) else ""


class DataclassDefaults(Collector[tuple[Candidate, ...]]):
    """Per file: the dataclass fields whose default is, or may be, a shared mutable value.
    Counts every dataclass field."""

    chunkable = True

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.pending: list[tuple[cst.AnnAssign, MutableDefault, str]] = []
        self.candidates: list[Candidate] = []
        # A stub's defaults are placeholders (`x: list = ...`), never evaluated.
        self.is_stub = context.path.endswith(".pyi")

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self.is_stub:
            return
        scope, _, names = visited_class(self.context)
        if not node.decorators or not is_dataclass(node, names):
            return
        for assignment in annotated_assignments(node):
            if is_class_level(assignment.annotation.annotation):
                continue
            self.count_checked()
            if assignment.value is not None:
                found = mutable_default(assignment.value, names)
                if found is not None:
                    self.pending.append((assignment, found, scope))

    def settle(self) -> None:
        spans = self.context.spans(a for a, _, _ in self.pending) if self.pending else {}
        for assignment, found, scope in self.pending:
            span = spans[assignment]
            shown = _code(found.expression).strip()
            if len(shown) > _MAX_SHOWN:
                shown = shown[: _MAX_SHOWN - 3] + "..."
            name = assignment.target.value if isinstance(assignment.target, cst.Name) else "?"
            code = self.context.line_text(span.line)
            self.candidates.append(
                Candidate(span, name, shown, found.factory, found.call, scope, code, found.at_import)
            )
        self.pending = []

    def facts(self) -> tuple[Candidate, ...]:
        self.settle()
        return tuple(self.candidates)


class Immutability:
    """Whether instances of a project class can be shared safely: True, False, or None when
    the rule cannot tell."""

    def __init__(self, index: ClassIndex[ClassFacts]) -> None:
        self.index = index
        self._known: dict[str, bool | None] = {}

    def of_class(self, cls: ClassFacts) -> bool | None:
        if cls.qualname in self._known:
            return self._known[cls.qualname]
        self._known[cls.qualname] = None  # an inheritance cycle: unknown
        verdict: bool | None
        if cls.state is InstanceState.FROZEN:
            verdict = True
        elif cls.state is InstanceState.STATEFUL:
            verdict = False
        elif cls.state is InstanceState.UNKNOWN:
            verdict = None
        else:  # stateless, or set once by its constructor: as immutable as its bases
            bases = [self.of_base(b) for b in cls.bases]
            verdict = False if False in bases else (None if None in bases else True)
        self._known[cls.qualname] = verdict
        return verdict

    def of_base(self, base: str | None) -> bool | None:
        if base is None:
            return None
        if base == OBJECT or base in IMMUTABLE_BASES:
            return True
        if base in MUTABLE_BASES:
            return False
        target = self.index.lookup(base)
        return None if target is None else self.of_class(target)


class MutableDataclassDefault(ProjectRule[NoOptions]):
    code = "SSOT202"
    name = "mutable-dataclass-default"
    category = DATACLASSES
    severity = Severity.HIGH
    unit = "dataclass fields"
    collectors = (ClassCollector, DataclassDefaults)
    summary = "A dataclass field defaults to a mutable value that every instance shares."
    what = (
        "Reports a field of a class decorated with `dataclass` (from `dataclasses` or `pydantic.dataclasses`) "
        "whose default is mutable: `[]`, `{}`, a set, a comprehension, `list()`, `dict()`, `set()`, "
        "`defaultdict(...)`, `OrderedDict()`, `deque()`, `Counter()`, a tuple holding one of these, "
        "`field(default=[])`, or another call whose result is mutable. A call of a class of the project is "
        "reported when that class's instances hold state (fields, an `__init__` setting a public attribute, "
        "a method or property setter that changes one, a non-frozen dataclass), wherever it is defined; a "
        "frozen dataclass, an enum, a stateless sentinel, or a class whose `__init__` sets only private "
        "attributes that nothing changes afterwards (a spec read through read-only properties) is safe to "
        "share. A "
        "call of anything from outside the project is reported unless it is known to return an immutable "
        "or deliberately shared value (`frozenset()`, `tuple()`, `Decimal(...)`, `timedelta(...)`, "
        "`Path(...)`, `re.compile(...)`, `logging.getLogger(...)`, `math`, `os.path`). Calls of project "
        "functions and of methods are not judged. Tuples, frozensets, numbers, strings, `None`, enum members "
        "and other names or attributes, `field(default_factory=...)` and `ClassVar` fields are fine. Stubs "
        "(`.pyi`) are skipped.\n\n"
        "Also reported: a default that is immutable but meant to differ per instance, which a default "
        "evaluates once, at import: a clock read (`issued_at: float = time.time()`, `datetime.now()`, "
        "`date.today()`), a random or unique value (`uuid.uuid4()`, `random.random()`, `secrets.token_hex()`, "
        "`os.urandom()`), also inside an immutable wrapper (`str(uuid.uuid4())`). Ruff's RUF009 flags every "
        "call in a dataclass default that is not on its list of known-immutable calls; this rule is "
        "narrower on purpose: an immutable value that is the same for every instance by design "
        "(`timedelta(minutes=5)`, `Path(...)`, `re.compile(...)`, `os.getenv(...)`, a frozen dataclass of "
        "the project) is left alone, so a finding is a shared mutable value or a per-instance value frozen "
        "at import, both bugs."
    )
    why = (
        "A default is evaluated once, when the class is created, and every instance that does not pass the "
        "field gets that same object: appending to one instance's list changes all of them. For `list`, "
        "`dict` and `set` the standard library refuses at import time; for any other mutable object the "
        "sharing is silent, and state leaks between instances that were meant to be independent. A "
        "timestamp or id default is the same bug in another shape: every record says it was issued when "
        'the module was imported, and every "unique" id is one id.'
    )
    example = (
        "```python\nfrom collections import defaultdict\nfrom dataclasses import dataclass\n\n@dataclass\n"
        "class Room:\n    members: set[str] = set()\n    counts: dict[str, int] = defaultdict(int)\n```"
    )
    fix = (
        "Build a fresh value per instance with `field(default_factory=...)`: "
        "`members: set[str] = field(default_factory=set)`, "
        "`counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))`, "
        "`issued_at: float = field(default_factory=time.time)`. "
        "Use an immutable value (a tuple, a frozenset) when the field is never changed."
    )

    VALID = (
        Valid(
            """
            from dataclasses import dataclass, field

            @dataclass
            class Room:
                members: list[str] = field(default_factory=list)
                meta: dict = field(default_factory=dict)
            """
        ),
        Valid(
            """
            from dataclasses import dataclass

            @dataclass(frozen=True)
            class Opts:
                tags: tuple[str, ...] = ()
                names: tuple[str, ...] = ('a', 'b')
                ids: frozenset[int] = frozenset()
            """
        ),
        Valid(
            """
            from dataclasses import dataclass

            @dataclass
            class Limits:
                size: int = 10
                ratio: float = -0.5
                name: str = 'x'
                data: bytes = b''
                parent: 'Limits | None' = None
                flag: bool = True
            """
        ),
        Valid(
            """
            import enum
            from dataclasses import dataclass

            class Color(enum.Enum):
                RED = 1

            @dataclass
            class Pixel:
                color: Color = Color.RED
            """
        ),
        Valid(
            """
            from dataclasses import dataclass
            from typing import ClassVar

            @dataclass
            class Job:
                registry: ClassVar[list[str]] = []
                name: str = ''
            """
        ),
        Valid("""
            class Plain:
                items: list[int] = []
            """),
        Valid("""
            from pydantic import BaseModel

            class User(BaseModel):
                tags: list[str] = []
            """),
        Valid(
            """
            from pydantic import Field
            from pydantic.dataclasses import dataclass

            @dataclass
            class User:
                tags: list[str] = Field(default_factory=list)
            """
        ),
        Valid("""
            def dataclass(cls):
                return cls

            @dataclass
            class Box:
                items: list = []
            """),
        Valid(
            """
            import datetime
            from dataclasses import dataclass
            from decimal import Decimal
            from pathlib import Path

            @dataclass
            class Policy:
                ttl: datetime.timedelta = datetime.timedelta(minutes=5)
                price: Decimal = Decimal('1.50')
                root: Path = Path('/srv')
            """
        ),
        Valid(
            """
            from dataclasses import dataclass

            DEFAULT_SEP = ','

            @dataclass
            class Csv:
                sep: str = DEFAULT_SEP
                label: str = ' '.join(['a', 'b'])
                handler: object = lambda: []
            """
        ),
        Valid(
            """
            from dataclasses import dataclass

            @dataclass
            class Outer:
                size: int = 0

                def make(self) -> list[int]:
                    items: list[int] = []
                    return items
            """
        ),
        Valid("""
            from typing import NamedTuple

            class Pair(NamedTuple):
                items: tuple[int, ...] = ()
            """),
        Valid(
            """
            import enum
            from dataclasses import dataclass

            class Mode(enum.Enum):
                FAST = 'fast'

            @dataclass
            class Job:
                mode: Mode = Mode('fast')
                log: object = __import__('logging').getLogger()
            """
        ),
        Valid(
            """
            class Limits:
                size: list = []
            """,
            path="example.pyi",
        ),
        # tortoise-orm imports `field` under another name.
        Valid(
            """
            from dataclasses import dataclass
            from dataclasses import field as dataclass_field


            @dataclass
            class ImportManager:
                imports: dict[str, set[str]] = dataclass_field(default_factory=dict)
            """
        ),
        # Seaborn's `Mappable`: private attributes set once by `__init__`, read through
        # read-only properties; one spec every mark can share.
        Valid(
            """
            from dataclasses import dataclass


            class Mappable:
                def __init__(self, val=None, rc=None):
                    if rc is not None:
                        assert rc in RC_PARAMS
                    self._val = val
                    self._rc = rc

                @property
                def default(self):
                    return self._val


            @dataclass
            class Line:
                linewidth: Mappable = Mappable(rc="lines.linewidth")
            """
        ),
    )
    INVALID = (
        # redis' `Retry`: private attributes, but a method changes one after construction.
        Invalid(
            """
            from dataclasses import dataclass


            class Retry:
                def __init__(self, retries=3, errors=()):
                    self._retries = retries
                    self._errors = tuple(errors)

                def update_supported_errors(self, errors):
                    self._errors = tuple(set(self._errors + tuple(errors)))


            @dataclass
            class MultiDbConfig:
                retry: Retry = Retry(3)
            """,
            line=15,
        ),
        # Set once, but a property setter (or a public attribute) lets any caller change it.
        Invalid(
            """
            from dataclasses import dataclass


            class Style:
                def __init__(self, color):
                    self._color = color

                @property
                def color(self):
                    return self._color

                @color.setter
                def color(self, value):
                    self._color = value


            class Pen:
                def __init__(self, width):
                    self.width = width


            @dataclass
            class Mark:
                style: Style = Style("red")
                pen: Pen = Pen(1)
            """,
            line=(24, 25),
        ),
        # A private list that a method fills in place.
        Invalid(
            """
            from dataclasses import dataclass


            class Log:
                def __init__(self):
                    self._lines = []

                def write(self, line):
                    self._lines.append(line)


            @dataclass
            class Job:
                log: Log = Log()
            """,
            line=14,
        ),
        Invalid(
            """
            from dataclasses import dataclass

            @dataclass
            class Room:
                members: list[str] = []
            """,
            line=5,
            message="use `field(default_factory=list)`",
        ),
        Invalid(
            """
            from dataclasses import dataclass

            @dataclass
            class Room:
                meta: dict = {}
            """,
            line=5,
        ),
        Invalid(
            """
            from dataclasses import dataclass

            @dataclass
            class Room:
                ids: set[int] = set()
            """,
            line=5,
        ),
        Invalid(
            """
            from dataclasses import dataclass

            @dataclass
            class Room:
                a: list = list()
                b: dict = dict()
            """,
            count=2,
        ),
        Invalid(
            """
            from collections import defaultdict
            from dataclasses import dataclass

            @dataclass
            class Stats:
                counts: dict[str, int] = defaultdict(int)
            """,
            line=6,
        ),
        Invalid(
            """
            import collections
            import dataclasses

            @dataclasses.dataclass(frozen=True)
            class Cache:
                order: collections.OrderedDict = collections.OrderedDict()
                queue: collections.deque = collections.deque()
            """,
            count=2,
        ),
        Invalid(
            """
            from dataclasses import dataclass

            @dataclass
            class Grid:
                cells: list[int] = [0 for _ in range(9)]
                index: dict[int, int] = {i: i for i in range(3)}
            """,
            count=2,
        ),
        Invalid(
            """
            from dataclasses import dataclass

            @dataclass
            class Retry:
                attempts: int = 3

            @dataclass
            class Client:
                retry: Retry = Retry()
            """,
            line=9,
        ),
        Invalid(
            """
            from dataclasses import dataclass, field

            @dataclass
            class Room:
                members: list[str] = field(default=[])
            """,
            line=5,
        ),
        Invalid(
            """
            import pydantic.dataclasses

            @pydantic.dataclasses.dataclass
            class User:
                tags: list = []
            """,
            line=5,
        ),
        Invalid(
            """
            from dataclasses import dataclass as dc

            @dc
            class Matrix:
                rows: tuple = ([], [])
            """,
            line=5,
        ),
        Invalid(
            """
            from dataclasses import dataclass

            @dataclass
            class Doc:
                title: str = ''

                parts: list[str] = (
                    []
                )
            """,
            line=7,
        ),
        Invalid(
            """
            from dataclasses import dataclass

            @dataclass
            class Form:
                fields: list[str] = 'a b'.split()
            """,
            line=5,
        ),
        Invalid(
            {
                "pkg/session.py": """
                    class Session:
                        def __init__(self) -> None:
                            self.cookies: dict[str, str] = {}
                    """,
                "pkg/client.py": """
                    from dataclasses import dataclass
                    from pkg.session import Session

                    @dataclass
                    class Client:
                        session: Session = Session()
                    """,
            },
            path="pkg/client.py",
            line=6,
        ),
        Invalid(
            """
            def build() -> type:
                from dataclasses import dataclass

                @dataclass
                class Local:
                    tags: set[str] = set()

                return Local
            """,
            line=6,
        ),
        Invalid(
            """
            import threading
            from dataclasses import dataclass

            @dataclass
            class Worker:
                lock: threading.Lock = threading.Lock()
            """,
            line=6,
        ),
        Invalid(
            """
            from dataclasses import dataclass

            def build():
                @dataclass
                class Local:
                    items: list = []
                return Local
            """,
            line=6,
        ),
    )

    def check(self, project: Project) -> Iterable[Finding]:
        index = project.classes
        immutability = Immutability(index)
        for file, candidates in project.facts(DataclassDefaults):
            for candidate in candidates:
                if candidate.at_import:
                    yield self.make_finding(
                        file.path,
                        candidate.span,
                        f"dataclass field '{candidate.field}' defaults to `{candidate.shown}`, evaluated once at "
                        "import: every instance gets the same value; use "
                        f"`field(default_factory={candidate.factory})`",
                        scope=candidate.scope,
                        code=candidate.code,
                    )
                    continue
                if candidate.call is not None and not self._shares_mutable(candidate.call, index, immutability):
                    continue
                yield self.make_finding(
                    file.path,
                    candidate.span,
                    f"dataclass field '{candidate.field}' defaults to mutable `{candidate.shown}`, shared by every "
                    f"instance; use `field(default_factory={candidate.factory})`",
                    scope=candidate.scope,
                    code=candidate.code,
                )

    @staticmethod
    def _shares_mutable(call: str, index: ClassIndex[ClassFacts], immutability: Immutability) -> bool:
        """A call of a project class whose instances are mutable, or of anything from outside
        the project that is not known to be safe; never a project function (unknown)."""
        target = index.lookup(call)
        if target is not None:
            return immutability.of_class(target) is False
        return not index.is_project_name(call)
