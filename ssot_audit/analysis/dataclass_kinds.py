"""What makes a class a data class or a data model: the decorators, bases and field shapes
that the dataclass rules (SSOT201 missing-dataclass, SSOT202 mutable-dataclass-default) both
recognise, kept in one place so the two rules never disagree about what a dataclass is.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterable

import libcst as cst

from ssot_audit.analysis.names import ImportTable, dotted_name
from ssot_audit.analysis.plugins import FileContext
from ssot_audit.analysis.syntax import body_statements, callee

# Decorators that turn a class into a stdlib-style dataclass, whose field defaults are
# evaluated once at class creation: the ones SSOT202 inspects.
DATACLASS_MAKERS = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass"})

# Decorators that generate `__init__` from annotated fields in some other way.
DATA_MODEL_DECORATORS = DATACLASS_MAKERS | frozenset(
    {
        "attr.s",
        "attr.attrs",
        "attr.attributes",
        "attr.dataclass",
        "attr.define",
        "attr.mutable",
        "attr.frozen",
        "attrs.define",
        "attrs.mutable",
        "attrs.frozen",
    }
)

# Decorators whose classes are frozen without saying `frozen=True`.
FROZEN_MAKERS = frozenset({"attr.frozen", "attrs.frozen"})

# Class decorators known to leave the class body's meaning alone; every other decorator may
# generate an `__init__` we cannot see, so it makes the class "not plain".
HARMLESS_CLASS_DECORATORS = frozenset(
    {
        "typing.final",
        "typing_extensions.final",
        "typing.runtime_checkable",
        "typing_extensions.runtime_checkable",
        "typing.type_check_only",
        "functools.total_ordering",
        "enum.unique",
    }
)

# Bases whose subclasses are data models of their own kind. A class with any base outside
# the project is already left alone (its base may generate `__init__`); this list names the
# well-known ones so that a project vendoring one of them, or naming its own, is covered too.
DATA_MODEL_BASES: tuple[str, ...] = (
    "pydantic.BaseModel",
    "pydantic_settings.BaseSettings",
    "pydantic.BaseSettings",
    "typing.TypedDict",
    "typing_extensions.TypedDict",
    "typing.NamedTuple",
    "typing_extensions.NamedTuple",
    "typing.Protocol",
    "typing_extensions.Protocol",
    "typing.Generic",
    "enum.Enum",
    "enum.IntEnum",
    "enum.StrEnum",
    "enum.Flag",
    "enum.IntFlag",
    "abc.ABC",
    "sqlalchemy.orm.DeclarativeBase",
    "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "django.db.models.Model",
    "django.forms.Form",
    "django.forms.ModelForm",
    "msgspec.Struct",
    "builtins.BaseException",
    "builtins.Exception",
)

# Special methods that mean the class builds its instances (or its subclasses) itself.
CONSTRUCTOR_METHODS = frozenset({"__init__", "__new__", "__init_subclass__", "__class_getitem__"})

OBJECT = "builtins.object"
_CLASS_LEVEL_QUALIFIERS = frozenset({"ClassVar", "Final"})


class DecoratorKind(enum.Enum):
    DATACLASS = "dataclass"  # dataclasses.dataclass, pydantic.dataclasses.dataclass
    DATA_MODEL = "data-model"  # attrs and friends: an __init__ from fields, not a dataclass
    HARMLESS = "harmless"  # @final, @total_ordering: no effect on fields
    UNKNOWN = "unknown"  # anything else: it may generate __init__


def decorator_kind(decorator: cst.Decorator, names: ImportTable) -> DecoratorKind:
    qualified = names.global_name(callee(decorator.decorator))
    if qualified in DATACLASS_MAKERS:
        return DecoratorKind.DATACLASS
    if qualified in DATA_MODEL_DECORATORS:
        return DecoratorKind.DATA_MODEL
    if qualified in HARMLESS_CLASS_DECORATORS:
        return DecoratorKind.HARMLESS
    return DecoratorKind.UNKNOWN


def is_dataclass(node: cst.ClassDef, names: ImportTable) -> bool:
    """Decorated with `dataclass` from `dataclasses` or `pydantic.dataclasses`."""
    return any(decorator_kind(d, names) is DecoratorKind.DATACLASS for d in node.decorators)


def base_names(node: cst.ClassDef, names: ImportTable) -> tuple[str | None, ...]:
    """Each base's qualified name, None where it cannot be resolved."""
    return tuple(names.global_name(callee(arg.value)) for arg in node.bases)


def is_outside_any_project(qualified: str) -> bool:
    """A builtin or a name from the standard library: never a class of the audited project."""
    top = qualified.partition(".")[0]
    return top == "builtins" or top in sys.stdlib_module_names


def matches_any(qualified: str, entries: Iterable[str]) -> bool:
    """`pkg.db.Model` matches the entry `pkg.db.Model`, `db.Model` or `Model`."""
    return any(qualified == e or qualified.endswith("." + e) for e in entries)


def annotated_assignments(node: cst.ClassDef) -> list[cst.AnnAssign]:
    """`name: T` and `name: T = value` directly in the class body (not in methods)."""
    return [s for s in body_statements(node) if isinstance(s, cst.AnnAssign) and isinstance(s.target, cst.Name)]


def is_class_level(annotation: cst.BaseExpression) -> bool:
    """`ClassVar[...]` or `Final[...]`, however spelt (also as a string): not an instance field.

    Matched by name rather than resolved, because nobody names anything else ClassVar, and
    string annotations often use names imported only under TYPE_CHECKING."""
    if isinstance(annotation, cst.SimpleString):
        text = annotation.evaluated_value
        if not isinstance(text, str):
            return False
        try:
            annotation = cst.parse_expression(text.strip())
        except cst.ParserSyntaxError:
            return False
    dotted = dotted_name(callee(annotation))
    return dotted is not None and dotted.rpartition(".")[2] in _CLASS_LEVEL_QUALIFIERS


def is_type_checking_test(test: cst.BaseExpression) -> bool:
    dotted = dotted_name(test)
    return dotted is not None and dotted.rpartition(".")[2] == "TYPE_CHECKING"


def is_frozen(node: cst.ClassDef, names: ImportTable) -> bool:
    """`@dataclass(frozen=True)`, `@attr.s(frozen=True)`, `@define(frozen=True)`, `@frozen`:
    instances that cannot change after construction."""
    for decorator in node.decorators:
        qualified = names.global_name(callee(decorator.decorator))
        if qualified in FROZEN_MAKERS:
            return True
        call = decorator.decorator
        if qualified in DATA_MODEL_DECORATORS and isinstance(call, cst.Call):
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "frozen":
                    return isinstance(arg.value, cst.Name) and arg.value.value == "True"
    return False


def visited_class(context: FileContext) -> tuple[str, str, ImportTable]:
    """For a visit_ClassDef: the class's scope path in its module (`Outer.Inner`), its
    qualified name, and the names table its header (bases, decorators) is evaluated in.

    CoreFacts runs first in the traversal, so `context.scope` already ends with the class,
    while `context.scopes` enters its body only after this visit: the enclosing scope."""
    scope = ".".join(context.scope)
    qualname = f"{context.module_name}.{scope}" if context.module_name else scope
    return scope, qualname, context.names.in_scopes(context.scopes)
