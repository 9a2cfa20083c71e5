"""SSOT201 missing-dataclass: a plain class that is only a record of annotated fields."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst

from ssot_audit.analysis.class_facts import ClassCollector, ClassFacts, is_own_plain, resolved_bases
from ssot_audit.analysis.class_index import ClassIndex
from ssot_audit.analysis.dataclass_kinds import (
    CONSTRUCTOR_METHODS,
    DATA_MODEL_BASES,
    OBJECT,
    is_class_level,
    is_outside_any_project,
    is_type_checking_test,
    matches_any,
    visited_class,
)
from ssot_audit.analysis.names import ImportTable, dotted_name
from ssot_audit.analysis.plugins import Collector, FileContext, Invalid, ProjectRule, Valid
from ssot_audit.analysis.project import Project
from ssot_audit.analysis.syntax import body_statements, callee
from ssot_audit.model import DATACLASSES, Finding, Severity, Span

ABSTRACT_DECORATORS = frozenset({"abstractmethod", "abstractproperty", "abstractclassmethod", "abstractstaticmethod"})
DATACLASS_FIELD = "dataclasses.field"


@dataclass(frozen=True)
class MissingDataclassOptions:
    exempt_bases: tuple[str, ...] = field(
        default=DATA_MODEL_BASES,
        metadata={
            "doc": "Bases that make a class a data model of its own kind, so neither they nor their "
            "subclasses are reported. An entry matches a base's qualified name exactly or by its "
            "last dotted parts (`Model` matches `shop.db.Model`). Bases from outside the project are "
            "always exempt, since the rule cannot see that they are plain; list your own project's "
            "model bases here (a home-made ORM base, for example)."
        },
    )


@dataclass(frozen=True)
class RecordCandidate:
    """A class whose own body is a record and whose bases may all be plain: the project phase
    decides. Only candidates are positioned, so files without any pay nothing for positions."""

    qualname: str
    # Its instance fields.
    fields: tuple[str, ...]
    span: Span
    decorator_line: int | None
    scope: str
    code: str


def is_abstract(func: cst.FunctionDef) -> bool:
    """Decorated @abstractmethod, or a body that only raises NotImplementedError: an interface."""
    for decorator in func.decorators:
        dotted = dotted_name(callee(decorator.decorator))
        if dotted is not None and dotted.rpartition(".")[2] in ABSTRACT_DECORATORS:
            return True
    statements = list(func.body.body)
    if statements and _is_docstring(statements[0]):
        statements = statements[1:]
    if len(statements) != 1 or not isinstance(statements[0], cst.SimpleStatementLine):
        return False
    small = statements[0].body[0]
    if not isinstance(small, cst.Raise) or small.exc is None:
        return False
    return dotted_name(callee(small.exc)) == "NotImplementedError"


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def record_fields(node: cst.ClassDef, names: ImportTable) -> tuple[str, ...]:
    """The instance fields of a class whose body is a record (none when it is not one).

    Not fields: constants (UPPER_CASE, ClassVar, Final) and dunders (`__slots__`). Not a
    record: a constructor or an abstract method (the annotations describe something else);
    a field whose default is a call other than `dataclasses.field()` (a descriptor or an ORM
    column: a declarative model); only private fields (the state of a behaviour class); a
    `...Mixin` (its annotations declare what the host class provides); a pytest `Test...`
    class."""
    name = node.name.value
    # pytest collects `Test*` classes only when they have no __init__: their annotations
    # are fixtures' state, and a dataclass would not be collected at all.
    if name.endswith("Mixin") or name.startswith("Test"):
        return ()
    fields: list[str] = []
    for stmt in body_statements(node):
        if isinstance(stmt, cst.AnnAssign) and isinstance(stmt.target, cst.Name):
            name = stmt.target.value
            if name.isupper() or (name.startswith("__") and name.endswith("__")):
                continue
            if is_class_level(stmt.annotation.annotation):
                continue
            if isinstance(stmt.value, cst.Call) and names.global_name(callee(stmt.value)) != DATACLASS_FIELD:
                return ()
            fields.append(name)
        elif isinstance(stmt, cst.FunctionDef) and (stmt.name.value in CONSTRUCTOR_METHODS or is_abstract(stmt)):
            return ()
    if all(name.startswith("_") for name in fields):
        return ()
    return tuple(fields)


class RecordCandidates(Collector[tuple[RecordCandidate, ...]]):
    """Per file: the classes whose body is a record, positioned. Counts every class."""

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.candidates: list[tuple[str, str, tuple[str, ...], cst.ClassDef]] = []
        self.type_checking_depth = 0
        # A stub declares what is implemented elsewhere; its classes are not code to change.
        self.is_stub = context.path.endswith(".pyi")

    def visit_If(self, node: cst.If) -> None:
        if is_type_checking_test(node.test):
            self.type_checking_depth += 1

    def leave_If(self, original_node: cst.If) -> None:
        if is_type_checking_test(original_node.test):
            self.type_checking_depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self.is_stub:
            return
        self.count_checked()
        if self.type_checking_depth:
            return
        scope, qualname, names = visited_class(self.context)
        fields = record_fields(node, names) if is_own_plain(node, names) else ()
        # A base that is unknown, or a builtin or stdlib class other than `object`, can never
        # be plain; leaving such classes out here spares their files the cost of positions.
        bases = resolved_bases(node, names)
        if fields and all(b == OBJECT or (b is not None and not is_outside_any_project(b)) for b in bases):
            self.candidates.append((qualname, scope, fields, node))

    def facts(self) -> tuple[RecordCandidate, ...]:
        if not self.candidates:
            return ()
        spans = self.context.spans(n for *_, node in self.candidates for n in (node, node.name, *node.decorators[:1]))
        found = []
        for qualname, scope, fields, node in self.candidates:
            header, name = spans[node], spans[node.name]
            found.append(
                RecordCandidate(
                    qualname,
                    fields,
                    Span(header.line, header.column, name.end_line, name.end_column),
                    spans[node.decorators[0]].line if node.decorators else None,
                    scope,
                    self.context.line_text(header.line),
                )
            )
        return tuple(found)


class RecordJudge:
    """Decides, over the whole project, which candidate classes are records to report."""

    def __init__(self, index: ClassIndex[ClassFacts], exempt: Iterable[str]) -> None:
        self.index = index
        self.exempt = tuple(exempt)
        self._plain: dict[str, bool] = {}
        self._namespace: dict[str, bool] = {}
        # Classes that other project classes derive from: their annotations declare what
        # the subclasses provide (BaseEditor, _BaseEnvironment), so they are not records.
        self.extended = {
            target.qualname
            for _, cls in index
            for base in cls.bases
            if base is not None and (target := index.lookup(base)) is not None
        }

    def is_record(self, cls: ClassFacts) -> bool:
        return (
            cls.qualname not in self.extended
            and self.is_plain(cls)
            and not self.is_namespace(cls)
        )

    def is_plain(self, cls: ClassFacts) -> bool:
        """Nothing in the class or its bases (transitively) can give it an __init__ or make
        it a data model: every base is `object` or a plain project class."""
        known = self._plain.get(cls.qualname)
        if known is not None:
            return known
        self._plain[cls.qualname] = False  # an inheritance cycle is not plain
        plain = (
            cls.plain
            and not matches_any(cls.qualname, self.exempt)
            and all(self._plain_base(b) for b in cls.bases)
        )
        self._plain[cls.qualname] = plain
        return plain

    def _plain_base(self, base: str | None) -> bool:
        if base == OBJECT:
            return True
        if base is None or matches_any(base, self.exempt):
            return False
        target = self.index.lookup(base)
        # A base from outside the project, or one we cannot find, is unknown: not plain.
        return target is not None and self.is_plain(target)

    def is_namespace(self, cls: ClassFacts) -> bool:
        """Neither the class nor any of its project bases needs an instance (`Glyphs.last`)."""
        known = self._namespace.get(cls.qualname)
        if known is not None:
            return known
        self._namespace[cls.qualname] = False
        bases = [self.index.lookup(b) for b in cls.bases if b is not None and b != OBJECT]
        namespace = not cls.needs_instances and all(b is not None and self.is_namespace(b) for b in bases)
        self._namespace[cls.qualname] = namespace
        return namespace


class MissingDataclass(ProjectRule[MissingDataclassOptions]):
    code = "SSOT201"
    name = "missing-dataclass"
    category = DATACLASSES
    severity = Severity.MEDIUM
    summary = "A plain class that only records annotated fields; make it a @dataclass."
    what = (
        "Reports a class whose body is a record — annotated instance fields, with or without defaults, "
        "maybe a docstring and methods — with no `__init__`, no decorator that makes it a data class, and "
        "no base that gives it one. Every base must be `object` (or absent) or a class of the same project "
        "that is itself plain, transitively: a base from outside the project, one the rule cannot resolve, "
        "or a project class derived from pydantic, `TypedDict`, `NamedTuple`, `Enum`, `Protocol`, an ORM "
        "model, attrs or msgspec means no finding.\n\n"
        "Left alone as not being records: `ClassVar`, `Final`, UPPER_CASE and dunder names (constants, not "
        "fields); classes with abstract methods (interfaces); classes other project classes derive from "
        "(their annotations declare what subclasses provide); `...Mixin` classes; pytest `Test...` classes; "
        "classes whose fields are all private (the state of a behaviour class); fields defaulting to a call such as a descriptor or "
        "an ORM column (a declarative model; `dataclasses.field()` excepted); namespaces of settings, where "
        "every field has a default and no method of the class or its bases takes `self`; classes declared "
        "only under `if TYPE_CHECKING:`; stubs (`.pyi`)."
    )
    why = (
        "Annotations alone do not make a constructor, equality or a repr, so every caller invents its own "
        "way to fill the fields (`obj = User(); obj.name = ...`), and the field list stops being the one "
        "place that defines the record. `@dataclass` turns the annotations into that single source: one "
        "generated `__init__`, `__eq__` and `__repr__` that follow the fields as they change."
    )
    example = (
        "```python\nclass User:\n    name: str\n    email: str\n    active: bool = True\n\n"
        "    def greeting(self) -> str:\n        return f\"Hello {self.name}\"\n```"
    )
    fix = (
        "Decorate the class with `@dataclass` (add `frozen=True` for a value object), or derive it from "
        "the data-model base your project uses (pydantic `BaseModel`, attrs `@define`). If the class is a "
        "model base of your own, list it in `exempt-bases`."
    )
    collectors = (ClassCollector, RecordCandidates)

    VALID = (
        Valid("from dataclasses import dataclass\n\n@dataclass\nclass User:\n    name: str\n    age: int = 0\n"),
        Valid("import dataclasses as dc\n\n@dc.dataclass(frozen=True)\nclass Point:\n    x: float\n    y: float\n"),
        Valid("import pydantic.dataclasses\n\n@pydantic.dataclasses.dataclass\nclass User:\n    name: str\n"),
        Valid("from pydantic import BaseModel\n\nclass User(BaseModel):\n    name: str\n    tags: list[str] = []\n"),
        Valid("from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    debug: bool = False\n"),
        Valid(
            "from typing import NamedTuple, TypedDict\n\nclass Movie(TypedDict, total=False):\n    title: str\n\n"
            "class Pair(NamedTuple):\n    left: int\n    right: int\n"
        ),
        Valid(
            "import enum\n\nclass Color(enum.Enum):\n    red: int = 1\n\nclass Level(enum.IntEnum):\n    low: int = 1\n\n"
            "class Mode(enum.StrEnum):\n    fast: str = 'fast'\n\nclass Perm(enum.Flag):\n    read: int = 1\n"
        ),
        Valid(
            "from typing import Protocol\n\nclass Named(Protocol):\n    name: str\n\n    def greet(self) -> str: ...\n"
        ),
        Valid("from typing import Generic, TypeVar\n\nT = TypeVar('T')\n\nclass Box(Generic[T]):\n    item: T\n"),
        Valid(
            "from typing import Generic, Protocol, TypedDict, TypeVar\n\nT = TypeVar('T')\n\n"
            "class SupportsValue(Protocol[T]):\n    value: T\n\nclass Page(TypedDict, Generic[T]):\n    items: list[T]\n"
        ),
        Valid(
            "from abc import ABC, abstractmethod\n\nclass Repository(ABC):\n    table: str\n\n"
            "    @abstractmethod\n    def get(self, key: str) -> object: ...\n"
        ),
        Valid(
            "class Storage:\n    root: str\n\n    def save(self, data: bytes) -> None:\n"
            "        raise NotImplementedError\n"
        ),
        Valid(
            "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n"
            "class Base(DeclarativeBase):\n    pass\n\n"
            "class User(Base):\n    __tablename__ = 'users'\n    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    name: Mapped[str]\n"
        ),
        Valid(
            "from django import forms\nfrom django.db import models\n\n"
            "class Post(models.Model):\n    title: str = models.CharField(max_length=80)\n\n"
            "class PostForm(forms.ModelForm):\n    title: str\n"
        ),
        Valid(
            "import attr\nfrom attrs import define, frozen\n\n@attr.s(auto_attribs=True)\nclass A:\n    x: int\n\n"
            "@define\nclass B:\n    y: int\n\n@frozen\nclass C:\n    z: int\n"
        ),
        Valid("import msgspec\n\nclass Event(msgspec.Struct):\n    name: str\n    at: float\n"),
        Valid(
            {
                "pkg/base.py": "from pydantic import BaseModel\n\nclass Model(BaseModel):\n    id: int\n",
                "pkg/models.py": "from pkg.base import Model\n\nclass User(Model):\n    name: str\n",
            }
        ),
        Valid(
            {
                "pkg/base.py": "import enum\n\nclass Choice(str, enum.Enum):\n    pass\n",
                "pkg/models.py": "from pkg.base import Choice\n\nclass Color(Choice):\n    red: str = 'red'\n",
            }
        ),
        Valid("class ApiError(Exception):\n    status: int = 500\n\nclass NotFound(ApiError):\n    status: int = 404\n"),
        Valid("from vendor.models import *\n\nclass User(Base):\n    name: str\n"),
        Valid(
            "def make() -> type:\n    from pydantic import BaseModel\n\n    class User(BaseModel):\n        name: str\n\n"
            "    return User\n"
        ),
        Valid("from vendor import make_base\n\nclass User(make_base()):\n    name: str\n"),
        Valid("from werkzeug.wrappers import Request\n\nclass AppRequest(Request):\n    user_id: int | None = None\n"),
        Valid("class User:\n    name: str\n\n    def __init__(self, name: str) -> None:\n        self.name = name\n"),
        Valid("class Limits:\n    MAX_SIZE: int = 10\n    TIMEOUT: float = 2.5\n"),
        Valid("from typing import ClassVar\n\nclass Registry:\n    items: ClassVar[dict[str, int]] = {}\n"),
        Valid("class Plain:\n    x = 1\n\n    def run(self) -> int:\n        return self.x\n"),
        Valid("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    class Row:\n        id: int\n"),
        Valid("class Model:\n    def __init__(self, **values: object) -> None:\n        vars(self).update(values)\n\nclass User(Model):\n    name: str\n"),
        Valid("class Meta(type):\n    pass\n\nclass Base(metaclass=Meta):\n    name: str\n"),
        Valid("from registry import register\n\n@register\nclass Handler:\n    name: str\n"),
        Valid(
            "from dataclasses import dataclass\n\n@dataclass\nclass Base:\n    id: int\n\nclass User(Base):\n    name: str = ''\n"
        ),
        Valid(
            {
                "pkg/db.py": "class Record:\n    def save(self) -> None: ...\n",
                "pkg/models.py": "from pkg.db import Record\n\nclass User(Record):\n    name: str\n",
            },
            options={"exempt-bases": ["pkg.db.Record"]},
        ),
        Valid("class Base:\n    def __init_subclass__(cls) -> None: ...\n\nclass User(Base):\n    name: str\n"),
        # Found on real code (pydantic v1 BaseConfig): settings read from the class itself.
        Valid(
            "class BaseConfig:\n    title: str | None = None\n    validate_all: bool = False\n\n"
            "    @classmethod\n    def get_field_info(cls, name: str) -> dict[str, str]:\n        return {}\n"
        ),
        # Found on real code (pytest's ErrorMaker, pytestPDB): private class-level state.
        Valid("class ErrorMaker:\n    _errno2class: dict[int, type] = {}\n\n    def get(self, n: int) -> type:\n        return self._errno2class[n]\n"),
        # Found on real code (werkzeug's ImmutableListMixin): annotations the host class provides.
        Valid("class HashCacheMixin:\n    hash_cache: int | None = None\n\n    def __hash__(self) -> int:\n        return 0\n"),
        # Found on real code (packaging's Metadata): descriptors make a declarative model.
        Valid(
            "class Validator:\n    def __get__(self, obj: object, owner: type) -> str:\n        return ''\n\n"
            "class Metadata:\n    name: str = Validator()\n    version: str = Validator()\n"
        ),
        Valid("class Representation:\n    __slots__: tuple[str, ...] = ()\n\n    def __repr__(self) -> str:\n        return 'R'\n"),
        # Found on real code (typeshed in mypy): a stub describes a class implemented elsewhere.
        Valid("class TaskGroup:\n    loop: object\n    tasks: set[object]\n", path="example.pyi"),
        # Found on real code (networkx's text glyphs): settings read from the class, never instantiated.
        Valid(
            "class BaseGlyphs:\n    @classmethod\n    def as_dict(cls) -> dict[str, str]:\n        return {}\n\n"
            "class AsciiGlyphs(BaseGlyphs):\n    last: str = 'L-> '\n    mid: str = '|-> '\n"
        ),
        Valid("class Limits:\n    size: int = 10\n    name: str = 'default'\n"),
        Valid(
            "class TestCheckout:\n    total: int = 0\n\n    def test_adds(self) -> None:\n        assert self.total == 0\n",
            path="tests/test_checkout.py",
        ),
        # Found on real code (samtranslator's BaseEditor, jedi's _BaseEnvironment): a base class
        # declaring the attributes its subclasses set.
        Valid(
            "class BaseEditor:\n    paths: dict[str, object]\n\n    def has_path(self, path: str) -> bool:\n"
            "        return path in self.paths\n\nclass SwaggerEditor(BaseEditor):\n"
            "    def __init__(self, doc: dict[str, object]) -> None:\n        self.paths = doc\n"
        ),
    )
    INVALID = (
        Invalid("class User:\n    name: str\n    email: str\n", line=1, count=1),
        Invalid("class Config:\n    host: str = 'localhost'\n    port: int\n", line=1),
        Invalid(
            'class Order:\n    """An order."""\n\n    id: int\n    total: float = 0.0\n\n'
            "    def describe(self) -> str:\n        return f'{self.id}: {self.total}'\n",
            line=1,
        ),
        Invalid("class Point(object):\n    x: float\n    y: float\n", line=1),
        Invalid(
            "class Base:\n    def describe(self) -> str:\n        return repr(self)\n\nclass User(Base):\n    name: str\n",
            line=5,
            count=1,
        ),
        Invalid(
            {
                "pkg/base.py": "class Base:\n    def describe(self) -> str:\n        return repr(self)\n",
                "pkg/models.py": "from pkg.base import Base\n\nclass User(Base):\n    name: str\n",
            },
            path="pkg/models.py",
            line=3,
        ),
        Invalid(
            {
                "pkg/__init__.py": "from pkg.base import Base\n",
                "pkg/base.py": "class Base:\n    pass\n",
                "pkg/models.py": "from pkg import Base\n\nclass User(Base):\n    name: str\n",
            },
            line=3,
        ),
        Invalid(
            {
                "pkg/base.py": "class Base:\n    pass\n",
                "pkg/models.py": "from .base import Base\n\nclass User(Base):\n    name: str\n",
            },
            line=3,
        ),
        Invalid("from typing import final\n\n@final\nclass Money:\n    amount: int\n    currency: str\n", line=4),
        Invalid(
            "import functools\n\n@functools.total_ordering\nclass Version:\n    major: int\n    minor: int\n\n"
            "    def __lt__(self, other: 'Version') -> bool:\n        return (self.major, self.minor) < (other.major, other.minor)\n",
            line=4,
        ),
        Invalid(
            "from typing import ClassVar\n\nclass Job:\n    registry: ClassVar[list[str]] = []\n    name: str\n", line=3
        ),
        Invalid("class Outer:\n    class Inner:\n        value: int\n", line=2, count=1),
        Invalid("def build() -> object:\n    class Row:\n        id: int\n    return Row\n", line=2),
        Invalid("class Node:\n    parent: 'Node | None' = None\n\n    @property\n    def root(self) -> 'Node':\n        return self.parent.root if self.parent else self\n", line=1),
        Invalid("class A:\n    x: int\n\nclass B:\n    y: int\n", count=2),
        Invalid(
            "class Plain:\n    pass\n\nclass Middle(Plain):\n    pass\n\nclass Leaf(Middle):\n    value: int\n", line=7, count=1
        ),
        Invalid(
            "from dataclasses import field\n\nclass Basket:\n    items: list[str] = field(default_factory=list)\n", line=3
        ),
        Invalid(
            "class User:\n    name: str\n\n    @classmethod\n    def parse(cls, text: str) -> 'User':\n"
            "        user = cls()\n        user.name = text\n        return user\n",
            line=1,
        ),
    )

    def check(self, project: Project) -> Iterable[Finding]:
        candidates = {(file.path, c.qualname): c for file, found in project.facts(RecordCandidates) for c in found}
        judge = RecordJudge(project.classes, self.options.exempt_bases)
        for path, cls in project.classes:
            candidate = candidates.get((path, cls.qualname))
            if candidate is None or not judge.is_record(cls):
                continue
            shown = ", ".join(candidate.fields[:4]) + (", ..." if len(candidate.fields) > 4 else "")
            name = cls.qualname.rpartition(".")[2]
            yield self.make_finding(
                path,
                candidate.span,
                f"class '{name}' only records fields ({shown}) but is not a dataclass; decorate it with @dataclass",
                suppress_lines=() if candidate.decorator_line is None else (candidate.decorator_line,),
                scope=candidate.scope,
                code=candidate.code,
            )
