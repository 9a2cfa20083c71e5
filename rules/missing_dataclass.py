"""SSOT201 missing-dataclass: a plain class that is only a record of annotated fields."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import libcst as cst

from ssot_audit.analysis.class_facts import ClassCollector, ClassFacts, is_own_plain, resolved_bases
from ssot_audit.analysis.class_index import ClassIndex
from ssot_audit.analysis.class_state import changed_by_methods
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
    # One field with a class-level default, instantiated once at module level and nowhere
    # else in its module: a sentinel object (hypothesis's `Overrun = _Overrun()`), not a record.
    sentinel: bool = False


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
    column: a declarative model); only private fields, or only fields its own methods set (the
    state of a behaviour class); a
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
    # Every field set or filled by the class's own methods (an addon's `configure` setting
    # `self.filt`): the state of a behaviour class, declared up front, not a record's fields.
    if set(fields) <= changed_by_methods(node):
        return ()
    return tuple(fields)


def one_defaulted_field(node: cst.ClassDef, fields: Sequence[str]) -> bool:
    """The class's only field has a class-level default (`status: Status = Status.OVERRUN`)."""
    if len(fields) != 1:
        return False
    for stmt in body_statements(node):
        if isinstance(stmt, cst.AnnAssign) and isinstance(stmt.target, cst.Name) and stmt.target.value == fields[0]:
            return stmt.value is not None and not isinstance(stmt.value, cst.Call)
    return False


class RecordCandidates(Collector[tuple[RecordCandidate, ...]]):
    """Per file: the classes whose body is a record, positioned. Counts every class."""

    chunkable = True

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.candidates: list[tuple[str, str, tuple[str, ...], cst.ClassDef]] = []
        # Candidates already positioned (settle), each with its class's name.
        self.placed: list[tuple[RecordCandidate, str]] = []
        self.type_checking_depth = 0
        # A stub declares what is implemented elsewhere; its classes are not code to change.
        self.is_stub = context.path.endswith(".pyi")
        # Sentinel evidence: calls of each name anywhere in the file, and `x = Name()` at module level.
        self.calls: Counter[str] = Counter()
        self.module_instances: Counter[str] = Counter()
        self.one_default: set[int] = set()  # indexes of candidates whose only field has a default

    def visit_Module(self, node: cst.Module) -> None:
        for stmt in node.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    value = small.value if isinstance(small, cst.Assign) else None
                    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and not value.args:
                        self.module_instances[value.func.value] += 1

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            self.calls[node.func.value] += 1

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
            if scope == node.name.value and one_defaulted_field(node, fields):
                self.one_default.add(len(self.placed) + len(self.candidates))
            self.candidates.append((qualname, scope, fields, node))

    def settle(self) -> None:
        if not self.candidates:
            return
        spans = self.context.spans(n for *_, node in self.candidates for n in (node, node.name, *node.decorators[:1]))
        for qualname, scope, fields, node in self.candidates:
            header, name = spans[node], spans[node.name]
            candidate = RecordCandidate(
                qualname,
                fields,
                Span(header.line, header.column, name.end_line, name.end_column),
                spans[node.decorators[0]].line if node.decorators else None,
                scope,
                self.context.line_text(header.line),
            )
            self.placed.append((candidate, node.name.value))
        self.candidates = []

    def facts(self) -> tuple[RecordCandidate, ...]:
        self.settle()
        # Whether a candidate is a sentinel depends on calls anywhere in the file, so it is
        # decided once every chunk is read.
        return tuple(
            replace(candidate, sentinel=True)
            if index in self.one_default and self.module_instances[named] == 1 == self.calls[named]
            else candidate
            for index, (candidate, named) in enumerate(self.placed)
        )


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
        return cls.qualname not in self.extended and self.is_plain(cls) and not self.is_namespace(cls)

    def is_plain(self, cls: ClassFacts) -> bool:
        """Nothing in the class or its bases (transitively) can give it an __init__ or make
        it a data model: every base is `object` or a plain project class."""
        known = self._plain.get(cls.qualname)
        if known is not None:
            return known
        self._plain[cls.qualname] = False  # an inheritance cycle is not plain
        plain = cls.plain and not matches_any(cls.qualname, self.exempt) and all(self._plain_base(b) for b in cls.bases)
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


# Nested classes that frameworks read as option namespaces through the outer class's metaclass.
OPTION_CLASSES = frozenset({"Meta", "Config", "Options", "Params"})


def _nested_options(scope: str) -> bool:
    """`Schema.Meta`, `Model.Config`: options read by a metaclass, never instantiated."""
    outer, _, name = scope.rpartition(".")
    return bool(outer) and "<locals>" not in outer and name in OPTION_CLASSES


class MissingDataclass(ProjectRule[MissingDataclassOptions]):
    code = "SSOT201"
    name = "missing-dataclass"
    category = DATACLASSES
    severity = Severity.LOW
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
        "classes whose fields are all private, or all set or filled by the class's own methods (the state "
        "of a behaviour class: an addon whose `configure` sets `self.filt`); fields defaulting to a call such as a descriptor or "
        "an ORM column (a declarative model; `dataclasses.field()` excepted); namespaces of settings, where "
        "every field has a default and no method of the class or its bases takes `self`; classes declared "
        "only under `if TYPE_CHECKING:`; stubs (`.pyi`); and option classes nested in a class under the "
        "names frameworks read them by (`class Meta:` of a marshmallow schema or Django model, `class Config:`): "
        "a metaclass reads their attributes and nobody instantiates them."
    )
    why = (
        "Annotations alone do not make a constructor, equality or a repr, so every caller invents its own "
        "way to fill the fields (`obj = User(); obj.name = ...`), and the field list stops being the one "
        "place that defines the record. `@dataclass` turns the annotations into that single source: one "
        "generated `__init__`, `__eq__` and `__repr__` that follow the fields as they change."
    )
    example = (
        "```python\nclass User:\n    name: str\n    email: str\n    active: bool = True\n\n"
        '    def greeting(self) -> str:\n        return f"Hello {self.name}"\n```'
    )
    fix = (
        "Decorate the class with `@dataclass` (add `frozen=True` for a value object), or derive it from "
        "the data-model base your project uses (pydantic `BaseModel`, attrs `@define`). If the class is a "
        "model base of your own, list it in `exempt-bases`."
    )
    collectors = (ClassCollector, RecordCandidates)

    VALID = (
        Valid("""
            from dataclasses import dataclass

            @dataclass
            class User:
                name: str
                age: int = 0
            """),
        # marshmallow Schema.Meta: an options namespace the schema's metaclass reads.
        Valid("""
            import types

            class Schema:
                class Meta:
                    render_module: types.ModuleType
                    fields: tuple[str, ...] = ()
            """),
        Valid("""
            import dataclasses as dc

            @dc.dataclass(frozen=True)
            class Point:
                x: float
                y: float
            """),
        Valid("""
            import pydantic.dataclasses

            @pydantic.dataclasses.dataclass
            class User:
                name: str
            """),
        Valid("""
            from pydantic import BaseModel

            class User(BaseModel):
                name: str
                tags: list[str] = []
            """),
        Valid("""
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                debug: bool = False
            """),
        Valid(
            """
            from typing import NamedTuple, TypedDict

            class Movie(TypedDict, total=False):
                title: str

            class Pair(NamedTuple):
                left: int
                right: int
            """
        ),
        Valid(
            """
            import enum

            class Color(enum.Enum):
                red: int = 1

            class Level(enum.IntEnum):
                low: int = 1

            class Mode(enum.StrEnum):
                fast: str = 'fast'

            class Perm(enum.Flag):
                read: int = 1
            """
        ),
        Valid(
            """
            from typing import Protocol

            class Named(Protocol):
                name: str

                def greet(self) -> str: ...
            """
        ),
        Valid("""
            from typing import Generic, TypeVar

            T = TypeVar('T')

            class Box(Generic[T]):
                item: T
            """),
        Valid(
            """
            from typing import Generic, Protocol, TypedDict, TypeVar

            T = TypeVar('T')

            class SupportsValue(Protocol[T]):
                value: T

            class Page(TypedDict, Generic[T]):
                items: list[T]
            """
        ),
        Valid(
            """
            from abc import ABC, abstractmethod

            class Repository(ABC):
                table: str

                @abstractmethod
                def get(self, key: str) -> object: ...
            """
        ),
        Valid(
            """
            class Storage:
                root: str

                def save(self, data: bytes) -> None:
                    raise NotImplementedError
            """
        ),
        Valid(
            """
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            class Base(DeclarativeBase):
                pass

            class User(Base):
                __tablename__ = 'users'
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str]
            """
        ),
        Valid(
            """
            from django import forms
            from django.db import models

            class Post(models.Model):
                title: str = models.CharField(max_length=80)

            class PostForm(forms.ModelForm):
                title: str
            """
        ),
        Valid(
            """
            import attr
            from attrs import define, frozen

            @attr.s(auto_attribs=True)
            class A:
                x: int

            @define
            class B:
                y: int

            @frozen
            class C:
                z: int
            """
        ),
        Valid("""
            import msgspec

            class Event(msgspec.Struct):
                name: str
                at: float
            """),
        Valid(
            {
                "pkg/base.py": """
                    from pydantic import BaseModel

                    class Model(BaseModel):
                        id: int
                    """,
                "pkg/models.py": """
                    from pkg.base import Model

                    class User(Model):
                        name: str
                    """,
            }
        ),
        Valid(
            {
                "pkg/base.py": """
                    import enum

                    class Choice(str, enum.Enum):
                        pass
                    """,
                "pkg/models.py": """
                    from pkg.base import Choice

                    class Color(Choice):
                        red: str = 'red'
                    """,
            }
        ),
        Valid("""
            class ApiError(Exception):
                status: int = 500

            class NotFound(ApiError):
                status: int = 404
            """),
        Valid("""
            from vendor.models import *

            class User(Base):
                name: str
            """),
        Valid(
            """
            def make() -> type:
                from pydantic import BaseModel

                class User(BaseModel):
                    name: str

                return User
            """
        ),
        Valid("""
            from vendor import make_base

            class User(make_base()):
                name: str
            """),
        Valid("""
            from werkzeug.wrappers import Request

            class AppRequest(Request):
                user_id: int | None = None
            """),
        Valid("""
            class User:
                name: str

                def __init__(self, name: str) -> None:
                    self.name = name
            """),
        Valid("""
            class Limits:
                MAX_SIZE: int = 10
                TIMEOUT: float = 2.5
            """),
        Valid("""
            from typing import ClassVar

            class Registry:
                items: ClassVar[dict[str, int]] = {}
            """),
        Valid("""
            class Plain:
                x = 1

                def run(self) -> int:
                    return self.x
            """),
        Valid("""
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                class Row:
                    id: int
            """),
        Valid("""
            class Model:
                def __init__(self, **values: object) -> None:
                    vars(self).update(values)

            class User(Model):
                name: str
            """),
        Valid("""
            class Meta(type):
                pass

            class Base(metaclass=Meta):
                name: str
            """),
        Valid("""
            from registry import register

            @register
            class Handler:
                name: str
            """),
        Valid(
            """
            from dataclasses import dataclass

            @dataclass
            class Base:
                id: int

            class User(Base):
                name: str = ''
            """
        ),
        Valid(
            {
                "pkg/db.py": """
                    class Record:
                        def save(self) -> None: ...
                    """,
                "pkg/models.py": """
                    from pkg.db import Record

                    class User(Record):
                        name: str
                    """,
            },
            options={"exempt-bases": ["pkg.db.Record"]},
        ),
        Valid("""
            class Base:
                def __init_subclass__(cls) -> None: ...

            class User(Base):
                name: str
            """),
        Valid("""
            class Representation:
                __slots__: tuple[str, ...] = ()

                def __repr__(self) -> str:
                    return 'R'
            """),
        Valid("""
            class Limits:
                size: int = 10
                name: str = 'default'
            """),
        Valid(
            """
            class TestCheckout:
                total: int = 0

                def test_adds(self) -> None:
                    assert self.total == 0
            """,
            path="tests/test_checkout.py",
        ),
    )
    INVALID = (
        Invalid(
            """
            class User:
                name: str
                email: str
            """,
            line=1,
            count=1,
            message="class 'User' only records fields (name, email)",
        ),
        Invalid(
            """
            class Config:
                host: str = 'localhost'
                port: int
            """,
            line=1,
        ),
        Invalid(
            '''
            class Order:
                """An order."""

                id: int
                total: float = 0.0

                def describe(self) -> str:
                    return f'{self.id}: {self.total}'
            ''',
            line=1,
        ),
        Invalid(
            """
            class Point(object):
                x: float
                y: float
            """,
            line=1,
        ),
        Invalid(
            """
            class Base:
                def describe(self) -> str:
                    return repr(self)

            class User(Base):
                name: str
            """,
            line=5,
            count=1,
        ),
        Invalid(
            {
                "pkg/base.py": """
                    class Base:
                        def describe(self) -> str:
                            return repr(self)
                    """,
                "pkg/models.py": """
                    from pkg.base import Base

                    class User(Base):
                        name: str
                    """,
            },
            path="pkg/models.py",
            line=3,
        ),
        Invalid(
            {
                "pkg/__init__.py": """
                    from pkg.base import Base
                    """,
                "pkg/base.py": """
                    class Base:
                        pass
                    """,
                "pkg/models.py": """
                    from pkg import Base

                    class User(Base):
                        name: str
                    """,
            },
            line=3,
        ),
        Invalid(
            {
                "pkg/base.py": """
                    class Base:
                        pass
                    """,
                "pkg/models.py": """
                    from .base import Base

                    class User(Base):
                        name: str
                    """,
            },
            line=3,
        ),
        Invalid(
            """
            from typing import final

            @final
            class Money:
                amount: int
                currency: str
            """,
            line=4,
        ),
        Invalid(
            """
            import functools

            @functools.total_ordering
            class Version:
                major: int
                minor: int

                def __lt__(self, other: 'Version') -> bool:
                    return (self.major, self.minor) < (other.major, other.minor)
            """,
            line=4,
        ),
        Invalid(
            """
            from typing import ClassVar

            class Job:
                registry: ClassVar[list[str]] = []
                name: str
            """,
            line=3,
        ),
        Invalid(
            """
            class Outer:
                class Inner:
                    value: int
            """,
            line=2,
            count=1,
        ),
        Invalid(
            """
            def build() -> object:
                class Row:
                    id: int
                return Row
            """,
            line=2,
        ),
        Invalid(
            """
            class Node:
                parent: 'Node | None' = None

                @property
                def root(self) -> 'Node':
                    return self.parent.root if self.parent else self
            """,
            line=1,
        ),
        Invalid(
            """
            class A:
                x: int

            class B:
                y: int
            """,
            count=2,
        ),
        Invalid(
            """
            class Plain:
                pass

            class Middle(Plain):
                pass

            class Leaf(Middle):
                value: int
            """,
            line=7,
            count=1,
        ),
        Invalid(
            """
            from dataclasses import field

            class Basket:
                items: list[str] = field(default_factory=list)
            """,
            line=3,
        ),
        Invalid(
            """
            class User:
                name: str

                @classmethod
                def parse(cls, text: str) -> 'User':
                    user = cls()
                    user.name = text
                    return user
            """,
            line=1,
        ),
    )

    def check(self, project: Project) -> Iterable[Finding]:
        candidates = {(file.path, c.qualname): c for file, found in project.facts(RecordCandidates) for c in found}
        judge = RecordJudge(project.classes, self.options.exempt_bases)
        for path, cls in project.classes:
            candidate = candidates.get((path, cls.qualname))
            if candidate is None or candidate.sentinel or _nested_options(cls.scope):
                continue
            if not judge.is_record(cls):
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
