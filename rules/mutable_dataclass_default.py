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
from ssot_audit.analysis.syntax import callee
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
    if _last_name(func) in FIELD_SPECIFIER_NAMES:
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "default":
                return mutable_default(arg.value, names)
        return None
    target = node.func
    if isinstance(target, cst.Attribute) and isinstance(target.value, (cst.SimpleString, cst.FormattedString)):
        # "a,b".split(",") is a list; " ".join(parts) is a string.
        return MutableDefault(node, _factory_for(node)) if target.attr.value in _CONTAINER_STR_METHODS else None
    qualified = names.global_name(func)
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

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.pending: list[tuple[cst.AnnAssign, MutableDefault, str]] = []
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

    def facts(self) -> tuple[Candidate, ...]:
        candidates = []
        spans = self.context.spans(a for a, _, _ in self.pending) if self.pending else {}
        for assignment, found, scope in self.pending:
            span = spans[assignment]
            shown = _code(found.expression).strip()
            if len(shown) > _MAX_SHOWN:
                shown = shown[: _MAX_SHOWN - 3] + "..."
            name = assignment.target.value if isinstance(assignment.target, cst.Name) else "?"
            code = self.context.line_text(span.line)
            candidates.append(Candidate(span, name, shown, found.factory, found.call, scope, code))
        return tuple(candidates)


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
        else:
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
        "reported when that class's instances hold state (fields, an `__init__`, a non-frozen dataclass), "
        "wherever it is defined; a frozen dataclass, an enum or a stateless sentinel is safe to share. A "
        "call of anything from outside the project is reported unless it is known to return an immutable "
        "or deliberately shared value (`frozenset()`, `tuple()`, `Decimal(...)`, `timedelta(...)`, "
        "`Path(...)`, `re.compile(...)`, `logging.getLogger(...)`, `math`, `os.path`). Calls of project "
        "functions and of methods are not judged. Tuples, frozensets, numbers, strings, `None`, enum members "
        "and other names or attributes, `field(default_factory=...)` and `ClassVar` fields are fine. Stubs "
        "(`.pyi`) are skipped."
    )
    why = (
        "A default is evaluated once, when the class is created, and every instance that does not pass the "
        "field gets that same object: appending to one instance's list changes all of them. For `list`, "
        "`dict` and `set` the standard library refuses at import time; for any other mutable object the "
        "sharing is silent, and state leaks between instances that were meant to be independent."
    )
    example = (
        "```python\nfrom collections import defaultdict\nfrom dataclasses import dataclass\n\n@dataclass\n"
        "class Room:\n    members: set[str] = set()\n    counts: dict[str, int] = defaultdict(int)\n```"
    )
    fix = (
        "Build a fresh value per instance with `field(default_factory=...)`: "
        "`members: set[str] = field(default_factory=set)`, "
        "`counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))`. "
        "Use an immutable value (a tuple, a frozenset) when the field is never changed."
    )

    VALID = (
        Valid(
            "from dataclasses import dataclass, field\n\n@dataclass\nclass Room:\n"
            "    members: list[str] = field(default_factory=list)\n    meta: dict = field(default_factory=dict)\n"
        ),
        Valid(
            "from dataclasses import dataclass\n\n@dataclass(frozen=True)\nclass Opts:\n"
            "    tags: tuple[str, ...] = ()\n    names: tuple[str, ...] = ('a', 'b')\n    ids: frozenset[int] = frozenset()\n"
        ),
        Valid(
            "from dataclasses import dataclass\n\n@dataclass\nclass Limits:\n    size: int = 10\n    ratio: float = -0.5\n"
            "    name: str = 'x'\n    data: bytes = b''\n    parent: 'Limits | None' = None\n    flag: bool = True\n"
        ),
        Valid(
            "import enum\nfrom dataclasses import dataclass\n\nclass Color(enum.Enum):\n    RED = 1\n\n"
            "@dataclass\nclass Pixel:\n    color: Color = Color.RED\n"
        ),
        Valid(
            "from dataclasses import dataclass\nfrom typing import ClassVar\n\n@dataclass\nclass Job:\n"
            "    registry: ClassVar[list[str]] = []\n    name: str = ''\n"
        ),
        Valid("class Plain:\n    items: list[int] = []\n"),
        Valid("from pydantic import BaseModel\n\nclass User(BaseModel):\n    tags: list[str] = []\n"),
        Valid(
            "from pydantic import Field\nfrom pydantic.dataclasses import dataclass\n\n@dataclass\nclass User:\n"
            "    tags: list[str] = Field(default_factory=list)\n"
        ),
        Valid("def dataclass(cls):\n    return cls\n\n@dataclass\nclass Box:\n    items: list = []\n"),
        Valid(
            "import datetime\nfrom dataclasses import dataclass\nfrom decimal import Decimal\nfrom pathlib import Path\n\n"
            "@dataclass\nclass Policy:\n    ttl: datetime.timedelta = datetime.timedelta(minutes=5)\n"
            "    price: Decimal = Decimal('1.50')\n    root: Path = Path('/srv')\n"
        ),
        Valid(
            "from dataclasses import dataclass\n\nDEFAULT_SEP = ','\n\n@dataclass\nclass Csv:\n"
            "    sep: str = DEFAULT_SEP\n    label: str = ' '.join(['a', 'b'])\n    handler: object = lambda: []\n"
        ),
        Valid(
            "from dataclasses import dataclass\n\n@dataclass\nclass Outer:\n    size: int = 0\n\n"
            "    def make(self) -> list[int]:\n        items: list[int] = []\n        return items\n"
        ),
        Valid("from typing import NamedTuple\n\nclass Pair(NamedTuple):\n    items: tuple[int, ...] = ()\n"),
        # Found on real code (libcst's `dot: Dot = Dot()`): a frozen dataclass instance.
        Valid(
            {
                "pkg/tokens.py": "from dataclasses import dataclass\n\n@dataclass(frozen=True)\nclass Dot:\n    text: str = '.'\n",
                "pkg/nodes.py": "from dataclasses import dataclass\nfrom pkg.tokens import Dot\n\n"
                "@dataclass(frozen=True)\nclass Attribute:\n    dot: Dot = Dot()\n",
            }
        ),
        # Found on real code (libcst matchers' `DoNotCare()`): a stateless sentinel from another module.
        Valid(
            {
                "pkg/base.py": "class DoNotCare:\n    def __repr__(self) -> str:\n        return 'DoNotCare()'\n",
                "pkg/__init__.py": "from pkg.base import DoNotCare\n",
                "pkg/match.py": "from dataclasses import dataclass\nfrom pkg import DoNotCare\n\n"
                "@dataclass(frozen=True)\nclass Name:\n    value: object = DoNotCare()\n",
            }
        ),
        # Found on real code (pytest's timing): a method of a value, whose result we cannot know.
        Valid(
            "from dataclasses import dataclass\nfrom datetime import datetime\n\n@dataclass\nclass Clock:\n"
            "    now: float = datetime(2020, 5, 22).timestamp()\n"
        ),
        Valid(
            "import enum\nfrom dataclasses import dataclass\n\nclass Mode(enum.Enum):\n    FAST = 'fast'\n\n"
            "@dataclass\nclass Job:\n    mode: Mode = Mode('fast')\n    log: object = __import__('logging').getLogger()\n"
        ),
        Valid("class Limits:\n    size: list = []\n", path="example.pyi"),
    )
    INVALID = (
        Invalid("from dataclasses import dataclass\n\n@dataclass\nclass Room:\n    members: list[str] = []\n", line=5),
        Invalid("from dataclasses import dataclass\n\n@dataclass\nclass Room:\n    meta: dict = {}\n", line=5),
        Invalid("from dataclasses import dataclass\n\n@dataclass\nclass Room:\n    ids: set[int] = set()\n", line=5),
        Invalid(
            "from dataclasses import dataclass\n\n@dataclass\nclass Room:\n    a: list = list()\n    b: dict = dict()\n",
            count=2,
        ),
        Invalid(
            "from collections import defaultdict\nfrom dataclasses import dataclass\n\n@dataclass\nclass Stats:\n"
            "    counts: dict[str, int] = defaultdict(int)\n",
            line=6,
        ),
        Invalid(
            "import collections\nimport dataclasses\n\n@dataclasses.dataclass(frozen=True)\nclass Cache:\n"
            "    order: collections.OrderedDict = collections.OrderedDict()\n    queue: collections.deque = collections.deque()\n",
            count=2,
        ),
        Invalid(
            "from dataclasses import dataclass\n\n@dataclass\nclass Grid:\n    cells: list[int] = [0 for _ in range(9)]\n"
            "    index: dict[int, int] = {i: i for i in range(3)}\n",
            count=2,
        ),
        Invalid(
            "from dataclasses import dataclass\n\n@dataclass\nclass Retry:\n    attempts: int = 3\n\n"
            "@dataclass\nclass Client:\n    retry: Retry = Retry()\n",
            line=9,
        ),
        Invalid(
            "from dataclasses import dataclass, field\n\n@dataclass\nclass Room:\n    members: list[str] = field(default=[])\n",
            line=5,
        ),
        Invalid("import pydantic.dataclasses\n\n@pydantic.dataclasses.dataclass\nclass User:\n    tags: list = []\n", line=5),
        Invalid(
            "from dataclasses import dataclass as dc\n\n@dc\nclass Matrix:\n    rows: tuple = ([], [])\n", line=5
        ),
        Invalid(
            "from dataclasses import dataclass\n\n@dataclass\nclass Doc:\n    title: str = ''\n\n"
            "    parts: list[str] = (\n        []\n    )\n",
            line=7,
        ),
        Invalid(
            "from dataclasses import dataclass\n\n@dataclass\nclass Form:\n    fields: list[str] = 'a b'.split()\n", line=5
        ),
        Invalid(
            {
                "pkg/session.py": "class Session:\n    def __init__(self) -> None:\n        self.cookies: dict[str, str] = {}\n",
                "pkg/client.py": "from dataclasses import dataclass\nfrom pkg.session import Session\n\n"
                "@dataclass\nclass Client:\n    session: Session = Session()\n",
            },
            path="pkg/client.py",
            line=6,
        ),
        Invalid(
            "def build() -> type:\n    from dataclasses import dataclass\n\n    @dataclass\n    class Local:\n"
            "        tags: set[str] = set()\n\n    return Local\n",
            line=6,
        ),
        Invalid(
            "import threading\nfrom dataclasses import dataclass\n\n@dataclass\nclass Worker:\n"
            "    lock: threading.Lock = threading.Lock()\n",
            line=6,
        ),
        Invalid(
            "from dataclasses import dataclass\n\ndef build():\n    @dataclass\n    class Local:\n        items: list = []\n"
            "    return Local\n",
            line=6,
        ),
    )


    def check(self, project: Project) -> Iterable[Finding]:
        index = project.classes
        immutability = Immutability(index)
        for file, candidates in project.facts(DataclassDefaults):
            for candidate in candidates:
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
