"""SSOT202 mutable-dataclass-default: a dataclass field whose default is a shared mutable value."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ssot_audit.categories import DATACLASSES
from ssot_audit.dataclass_kinds import annotated_assignments, callee, global_name, is_class_level, is_dataclass
from ssot_audit.model import Severity
from ssot_audit.names import ImportTable
from ssot_audit.plugins import FileRule, Invalid, Valid

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

# Calls whose result cannot be changed in place, so sharing it between instances is safe.
IMMUTABLE_RESULTS = frozenset(
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
        "datetime.datetime",
        "datetime.time",
        "datetime.timedelta",
        "datetime.timezone",
        "pathlib.Path",
        "pathlib.PurePath",
        "pathlib.PurePosixPath",
        "pathlib.PureWindowsPath",
        "pathlib.PosixPath",
        "pathlib.WindowsPath",
        "re.compile",
        "types.MappingProxyType",
        "uuid.UUID",
        "os.getenv",
        "os.environ.get",
        "sys.intern",
        "typing.cast",
        "typing.NewType",
        "typing.TypeVar",
        "ipaddress.ip_address",
        "ipaddress.ip_network",
        "ipaddress.IPv4Address",
        "ipaddress.IPv6Address",
        "ipaddress.IPv4Network",
        "ipaddress.IPv6Network",
    }
)

# Field specifiers (`dataclasses.field`, `pydantic.Field`, a project's own wrapper): their
# `default=` is the default; `default_factory=` builds a fresh value per instance. Matched by
# name, since projects often wrap and re-export `field`.
FIELD_SPECIFIER_NAMES = frozenset({"field", "Field"})

# str methods that return a new container rather than a string.
_CONTAINER_STR_METHODS = frozenset({"split", "rsplit", "splitlines"})

_MAX_SHOWN = 40


@dataclass(frozen=True)
class MutableDefault:
    """Why a default is mutable, and the `default_factory` to use instead."""

    expression: cst.BaseExpression
    factory: str


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
    """The part of a default expression that makes it a shared mutable value, if any."""
    if isinstance(node, (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp, cst.GeneratorExp)):
        return MutableDefault(node, _factory_for(node))
    if isinstance(node, cst.Tuple):
        for element in node.elements:
            found = mutable_default(element.value, names)
            if found is not None:
                return MutableDefault(node, _factory_for(node))
        return None
    if isinstance(node, (cst.BinaryOperation, cst.BooleanOperation)):
        for side in (node.left, node.right):
            if mutable_default(side, names) is not None:
                return MutableDefault(node, _factory_for(node))
        return None
    if isinstance(node, cst.IfExp):
        for branch in (node.body, node.orelse):
            if mutable_default(branch, names) is not None:
                return MutableDefault(node, _factory_for(node))
        return None
    if isinstance(node, cst.NamedExpr):
        return mutable_default(node.value, names)
    if isinstance(node, cst.Call):
        return _mutable_call(node, names)
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
    qualified = global_name(func, names)
    if qualified in MUTABLE_FACTORIES:
        return MutableDefault(node, _factory_for(node))
    if qualified in IMMUTABLE_RESULTS:
        return None
    target = node.func
    if isinstance(target, cst.Attribute) and isinstance(target.value, (cst.SimpleString, cst.FormattedString)):
        # "a,b".split(",") is a list; " ".join(parts) is a string.
        return MutableDefault(node, _factory_for(node)) if target.attr.value in _CONTAINER_STR_METHODS else None
    # Any other call runs once, when the class is created, and every instance shares its result.
    return MutableDefault(node, _factory_for(node))


def _last_name(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Name):
        return func.value
    return func.attr.value if isinstance(func, cst.Attribute) else ""


class MutableDataclassDefault(FileRule):
    code = "SSOT202"
    name = "mutable-dataclass-default"
    category = DATACLASSES
    severity = Severity.HIGH
    summary = "A dataclass field defaults to a mutable value that every instance shares."
    what = (
        "Reports a field of a class decorated with `dataclass` (from `dataclasses` or `pydantic.dataclasses`) "
        "whose default is mutable: `[]`, `{}`, a set, a comprehension, `list()`, `dict()`, `set()`, "
        "`defaultdict(...)`, `OrderedDict()`, `deque()`, `Counter()`, a tuple holding one of these, "
        "`field(default=[])`, or any other call except `field(...)` and calls known to return an immutable "
        "value (`frozenset()`, `tuple()`, `Decimal(...)`, `timedelta(...)`, `Path(...)`, `re.compile(...)`). "
        "Tuples, frozensets, numbers, strings, `None`, enum members and other names or attributes, "
        "`field(default_factory=...)` and `ClassVar` fields are fine."
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
            "from dataclasses import dataclass\n\nclass Session:\n    pass\n\n@dataclass\nclass Client:\n"
            "    session: Session = Session()\n",
            line=8,
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
            "from dataclasses import dataclass\n\ndef build():\n    @dataclass\n    class Local:\n        items: list = []\n"
            "    return Local\n",
            line=6,
        ),
    )

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not node.decorators:
            return
        names = self.context.names
        if not is_dataclass(node, names):
            return
        for assignment in annotated_assignments(node):
            if is_class_level(assignment.annotation.annotation):
                continue
            self.count_checked()
            if assignment.value is None:
                continue
            found = mutable_default(assignment.value, names)
            if found is None:
                continue
            shown = _code(found.expression).strip()
            if len(shown) > _MAX_SHOWN:
                shown = shown[: _MAX_SHOWN - 3] + "..."
            field_name = assignment.target.value if isinstance(assignment.target, cst.Name) else "?"
            self.report(
                assignment,
                f"dataclass field '{field_name}' defaults to mutable `{shown}`, shared by every instance; "
                f"use `field(default_factory={found.factory})`",
            )
