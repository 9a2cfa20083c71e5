"""SSOT401 any-usage: `typing.Any` wherever a type is written."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

from ssot_audit.analysis import walk
from ssot_audit.analysis.names import TYPING_MODULES, ImportHeads, dotted_name, typing_names
from ssot_audit.analysis.places import VENDORED, Places
from ssot_audit.analysis.plugins import FileContext, FileRule, Invalid, Valid
from ssot_audit.model import TYPING, Severity

ANY = typing_names("Any")
TYPE_ALIAS = typing_names("TypeAlias")
OVERLOAD = typing_names("overload")
# `_ExecuteOptions = immutabledict[str, Any]`: a CapWords name is a type alias (PEP 8), where
# `TABLE = handlers[Any]` is a lookup.
ALIAS_NAME = re.compile(r"^_*[A-Z]\w*[a-z]\w*$")


@dataclass(frozen=True)
class TypeArguments:
    """Which arguments of a typing call are type expressions: the positional ones from
    `first` up to `stop` (None: all the rest), and these keywords."""

    first: int
    stop: int | None
    keywords: tuple[str, ...]


TYPE_ARGUMENTS = {
    "cast": TypeArguments(0, 1, ("typ",)),
    "NewType": TypeArguments(1, 2, ("tp",)),
    "TypeAliasType": TypeArguments(1, 2, ("value",)),
    "TypeVar": TypeArguments(1, None, ("bound", "default")),
}
# Subscripts whose arguments are values, not types: `Literal["Any"]`, the metadata of
# `Annotated[int, "Any"]`. Matched by their last name part, so a re-exported `Literal`
# from a compat module is still never read as a type.
LITERAL_LIKE = frozenset({"Literal"})
FIRST_ARGUMENT_ONLY = frozenset({"Annotated"})
# Generic bases that make `X = base[...]` an implicit type alias.
TYPE_MODULES = (*TYPING_MODULES, "collections.abc")
TYPE_MODULE_PREFIXES = tuple(f"{module}." for module in TYPE_MODULES)
BUILTIN_GENERICS = frozenset({"dict", "list", "tuple", "set", "frozenset", "type"})


@dataclass(frozen=True)
class AnyUsageOptions:
    allow: tuple[str, ...] = field(
        default=VENDORED,
        metadata={
            "doc": "Where `Any` is accepted: path globs relative to the audit root (`legacy/**`) "
            "or qualified names of modules, classes or functions (`pkg.plugins.Hook.call`). The default "
            "is vendored third-party code (`_vendor/`, `vendor/`, `_vendored/`, `vendored/`, `third_party/`, a bundled `typeshed/`); "
            "list it again when you set your own places."
        },
    )
    allow_star_args: bool = field(
        default=True,
        metadata={
            "doc": "Accept `*args: Any` and `**kwargs: Any`. Arguments passed through to another callable "
            "keep that callable's signature as the one source of truth for them; spelling them out, or an "
            "`Unpack[TypedDict]`, writes the signature a second time. Set false to report them, as ruff's "
            "ANN401 does by default."
        },
    )
    allow_idioms: bool = field(
        default=True,
        metadata={
            "doc": "Accept `Any` where typeshed itself spells an unused or unknowable type argument: the "
            "yield and send types of `Coroutine[Any, Any, T]`, the send type of `Generator[Y, Any, R]` and "
            "`AsyncGenerator[Y, Any]`, and the result of `Callable[..., Any]` (a callable whose parameters "
            "are already given up). Set false to report these too."
        },
    )


# Per generic (matched by its last name part), the positions where `Any` is the idiomatic
# spelling of a type argument nobody reads: see AnyUsageOptions.allow_idioms.
IDIOMATIC_ANY = {"Coroutine": (0, 1), "Generator": (1,), "AsyncGenerator": (1,)}


def _idiomatic(kind: str, position: int, arguments: Sequence[cst.BaseExpression]) -> bool:
    if position in IDIOMATIC_ANY.get(kind, ()):
        return True
    return kind == "Callable" and position == 1 and len(arguments) == 2 and isinstance(arguments[0], cst.Ellipsis)


def _subscript_arguments(node: cst.Subscript) -> Iterator[cst.BaseExpression]:
    for element in node.slice:
        if isinstance(element.slice, cst.Index):
            yield element.slice.value


def _string_value(node: cst.SimpleString | cst.ConcatenatedString) -> str | None:
    value = node.evaluated_value
    return value.strip() if isinstance(value, str) else None


def _parse_type(text: str) -> cst.BaseExpression | None:
    """A string annotation's expression; None for text that is not one (`"a user id"`)."""
    if not text:
        return None
    try:
        return cst.parse_expression(text)
    except (cst.ParserSyntaxError, ValueError):
        return None


class AnyUsage(FileRule[AnyUsageOptions]):
    code = "SSOT401"
    name = "any-usage"
    category = TYPING
    chunkable = True
    severity = Severity.LOW
    summary = "`typing.Any` in an annotation; name the real type."
    what = (
        "Reports each `typing.Any` written where a type is expected, once per occurrence at its own line and "
        "column: parameter (`*args: Any` and `**kwargs: Any` only with `allow-star-args` off), return, variable "
        "and class attribute annotations, inside "
        "generics (`Dict[str, Any]`, `Callable[[Any], int]`; not where typeshed spells an unused argument `Any`, "
        "as `Coroutine[Any, Any, T]` and `Callable[..., Any]`, unless `allow-idioms` is off), in string "
        'annotations (`"Dict[str, Any]"`, '
        "reported at the string), in `cast(Any, x)`, and in type aliases (`X: TypeAlias = ...`, "
        "`type X = ...`, `X = Dict[str, Any]` at module or class level, `TypeAliasType`, `NewType`, "
        "`TypeVar` bounds and defaults, string ones included, subscripted base classes, and a CapWords "
        "name given a generic of the project's own such as `_ExecuteOptions = immutabledict[str, Any]`). "
        "`TypeVar`, `cast`, `NewType` and `TypeAliasType` are read also through a re-export of the "
        "project's own (`from ..util.typing import TypeVar`). An overloaded function is reported once, "
        "at its first `Any`, not once per `@overload` stub.\n\n"
        "`Any` counts only when it is `typing.Any` or `typing_extensions.Any`, however imported "
        "(`import typing as t` -> `t.Any`, `from typing import Any as A`, a function-local import). "
        "A local class, function or assignment named `Any`, `typing.AnyStr`, the builtin `any()`, `Any` "
        "from another library, `Any` used as a value (`tp is Any`, `annotation = Any` in a function), "
        '`Literal["Any"]`, `Annotated` metadata, docstrings, comments (type comments included) and strings '
        "that are not annotations are left alone. `Any` re-exported by a project module and "
        "`from typing import *` are not followed: only names imported from `typing`/`typing_extensions` "
        "are known to be it."
    )
    why = (
        "`Any` switches the type checker off for everything it touches, so the real shape of the data is "
        "written nowhere: each caller rediscovers it and the copies drift apart. A named type (a dataclass, "
        "a `TypedDict`, a `Protocol`) is the single place where that shape is defined and checked."
    )
    example = "```python\nfrom typing import Any\n\ndef send(payload: dict[str, Any]) -> Any:\n    ...\n```"
    fix = (
        "Name the type: a dataclass or `TypedDict` for records, a `Protocol` for behaviour, a `TypeVar` for "
        '"whatever the caller passes", `object` for values only passed along. Where `Any` is the honest '
        "answer (a plugin boundary, a JSON decoder), list that place under the `allow` option or suppress "
        "the line with `# ssot: ignore[any-usage]`."
    )
    VALID = (
        Valid("""
            from typing import TypedDict


            class Payload(TypedDict):
                to: str
                body: str


            def send(payload: Payload) -> bool:
                ...
            """),
        Valid("""
            class Any:
                pass

            def load(x: Any) -> Any:
                return x
            """),
        Valid("""
            from typing import AnyStr

            def echo(x: AnyStr) -> AnyStr:
                return x
            """),
        Valid("""
            def ok(items: list[int]) -> bool:
                return any(i > 0 for i in items)
            """),
        Valid(
            '''
            def f(x: int) -> int:
                """Accepts Any value, like Dict[str, Any]."""
                # Any goes here: typing.Any
                return x
            '''
        ),
        Valid("""
            from typing import Any

            TEMPLATE = "Dict[str, Any]"
            print("Any", TEMPLATE)
            """),
        Valid(
            """
            from typing import Any, Literal

            Mode = Literal["Any", "All"]

            def pick(m: Literal["Any"]) -> None: ...
            """
        ),
        Valid("""
            from typing import Annotated, Any

            def f(x: Annotated[int, "Any", Any]) -> None: ...
            """),
        Valid("""
            from mylib.types import Any

            def f(x: Any) -> Any:
                return x
            """),
        Valid("""
            import mylib as t

            x: t.Any = 1
            """),
        Valid("""
            from typing import Any

            def is_any(tp: object) -> bool:
                return tp is Any or tp == Any
            """),
        Valid("""
            from typing import Any

            def f() -> None:
                Any = int
                x: Any = 1
            """),
        Valid("""
            from typing import Any

            class Row:
                Any = str
                name: Any
            """),
        Valid("""
            from typing import Any, List

            items = []  # type: List[Any]
            """),
        Valid("""
            from typing import Any
            from mylib import cast

            value = cast(Any, 1)
            """),
        Valid(
            """
            from typing import Any

            def f(x: Any) -> None: ...
            """,
            path="legacy/old.py",
            options={"allow": ["legacy/**"]},
        ),
        Valid(
            """
            from typing import Any

            class Hook:
                def call(self, *args: Any) -> Any: ...
            """,
            path="pkg/plugins.py",
            options={"allow": ["pkg.plugins.Hook"]},
        ),
        # urllib3 SOCKSConnection: arguments passed through keep HTTPConnection's signature the one source.
        Valid("""
            from typing import Any

            class SOCKSConnection(HTTPConnection):
                def __init__(self, *args: Any, proxy: str, **kwargs: Any) -> None:
                    self._proxy = proxy
                    super().__init__(*args, **kwargs)
            """),
        # mypy's bundled copy of typeshed: another project's stubs.
        Valid(
            """
            from typing import Any

            def loads(s: str) -> Any: ...
            """,
            path="mypy/typeshed/stdlib/json.pyi",
        ),
        Valid("""
            from typing import Any

            REGISTRY = {Any: 1}
            TABLE = handlers[Any]
            """),
        Valid("""
            from typing import Any

            def f(user: "a user id") -> "Any old thing": ...
            """),
        Valid(
            """
            from typing import Any, Dict

            def hint(p):
                if p.annotation is p.empty:
                    annotation = Any
                expected = Dict[str, Any]
                return annotation, expected
            """
        ),
        Valid(
            """
            from collections.abc import Callable, Coroutine, Generator
            from typing import Any, TypeVar

            F = TypeVar("F", bound=Callable[..., Any])

            def run(job: Coroutine[Any, Any, int]) -> Generator[int, Any, None]: ...
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            from typing import Any

            def f(x: Any) -> None: ...
            """,
            line=3,
            count=1,
            message="typing.Any in an annotation",
        ),
        Invalid(
            """
            import typing as t

            x: t.Any = 1
            """,
            line=3,
        ),
        Invalid(
            """
            from typing import Any as A

            def f() -> A: ...
            """,
            line=3,
        ),
        Invalid(
            """
            from typing import Any, Dict

            CONFIG: Dict[str, Any] = {}
            """,
            line=3,
        ),
        Invalid(
            """
            from typing import Any, Dict

            def f(x: "Dict[str, Any]") -> None: ...
            """,
            line=3,
            count=1,
        ),
        Invalid(
            """
            from typing import Any

            def f(*args: Any, **kwargs: Any) -> None: ...
            """,
            options={"allow-star-args": False},
            count=2,
        ),
        Invalid(
            """
            from typing import Any

            def f(*args: Any, **kwargs: dict[str, Any]) -> Any: ...
            """,
            count=2,
        ),
        Invalid(
            """
            from typing import Any

            class Row:
                data: Any
            """,
            line=4,
        ),
        Invalid(
            """
            from typing import Any, cast

            value = cast(Any, 1)
            other = cast('list[Any]', [])
            """,
            count=2,
        ),
        Invalid(
            """
            from typing import Any, TypeAlias

            JSON: TypeAlias = dict[str, Any]
            """,
            line=3,
            count=1,
        ),
        Invalid(
            """
            from typing_extensions import Any

            def f() -> Any: ...
            """,
            line=3,
        ),
        Invalid(
            """
            def f() -> None:
                from typing import Any
                x: Any = 1
            """,
            line=3,
        ),
        Invalid(
            """
            import typing

            def f() -> typing.Optional[typing.Any]: ...
            """,
            line=3,
        ),
        Invalid(
            """
            from typing import Any, Callable

            Handler = Callable[[Any], int]
            """,
            line=3,
        ),
        Invalid(
            """
            from collections.abc import Generator
            from typing import Any

            def items() -> Generator[Any, None, None]: ...
            """,
            line=4,
        ),
        Invalid(
            """
            from collections.abc import Coroutine
            from typing import Any

            def run(job: Coroutine[Any, Any, int]) -> None: ...
            """,
            options={"allow-idioms": False},
            count=2,
        ),
        Invalid(
            """
            from typing import Any

            type JSON = dict[str, Any]
            """,
            line=3,
        ),
        Invalid(
            """
            from typing import Any, Dict, List

            def f(a: Any, b: List[Any]) -> Dict[Any, Any]: ...
            """,
            count=4,
        ),
        Invalid(
            """
            try:
                from typing import Any
            except ImportError:
                Any = object

            x: Any = 1
            """,
            line=6,
        ),
        Invalid(
            """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from typing import Any

            def f(x: 'Any') -> None: ...
            """,
            line=5,
        ),
        Invalid(
            """
            from typing import Annotated, Any

            def f(x: Annotated[Any, 'meta']) -> None: ...
            """,
            count=1,
        ),
        Invalid(
            """
            from typing import Any, List

            rows: List['Any'] = []
            """,
            line=3,
        ),
        Invalid(
            """
            from typing import Any, TypeVar

            T = TypeVar('T', bound=Any)
            """,
            line=3,
        ),
        Invalid(
            """
            from typing import Any

            class Bag(dict[str, Any]):
                pass
            """,
            line=3,
        ),
        Invalid(
            """
            from typing import Any

            TypeVarType = Any

            class Row:
                Cell = list[Any]
            """,
            count=2,
        ),
        Invalid(
            """
            from typing import Any

            def first[T: Any](items: list[T]) -> T: ...
            """,
            line=3,
            count=1,
        ),
        Invalid(
            """
            from typing import Any

            def f(x: Any) -> None: ...
            """,
            path="app/new.py",
            options={"allow": ["legacy/**", "app.old"]},
        ),
    )

    def __init__(self, context: FileContext, options: AnyUsageOptions) -> None:
        super().__init__(context, options)
        self.allow = Places.of(options.allow)
        self.file_allowed = self.allow.has_path(context.path)
        # Only names an import binds to typing (or collections.abc) can be `Any`, `cast`,
        # `TypeAlias` or a generic; every other name is settled by one set lookup.
        self.heads = ImportHeads(TYPE_MODULES)
        # `from ..util.typing import TypeVar`: the project's own re-exports of typing helpers.
        self.own_package = context.module_name.split(".", 1)[0] + "."
        # Overloaded functions (`Class.method`) already reported once, and the group each
        # enclosing def belongs to (None for a plain function).
        self.overloads_reported: set[str] = set()
        self.overloaded_names: set[str] = set()
        self.overload_groups: list[str | None] = []
        # `*args: Any` / `**kwargs: Any` annotations accepted as pass-through (allow-star-args).
        self.pass_through: set[int] = set()

    def settle(self) -> None:
        super().settle()
        # Ids of nodes about to be freed, which later nodes may reuse.
        self.pass_through.clear()

    def resolved(self, node: cst.BaseExpression, at: cst.CSTNode) -> str | None:
        if not self.heads.may_reach(node, self.context.names):
            return None
        return self.qualified_name(node, at)

    def qualified_name(self, node: cst.BaseExpression, at: cst.CSTNode) -> str | None:
        """What node refers to; `at` is the node of the tree it stands for (the string it was
        parsed from), so a resolver keyed on tree nodes can find its scope."""
        return self.context.qualified_name(node)

    # -- where types are written ------------------------------------------------------

    def visit_Annotation(self, node: cst.Annotation) -> None:
        if id(node) not in self.pass_through:
            self.check_type(node.annotation)

    def visit_Parameters(self, node: cst.Parameters) -> None:
        if not self.options.allow_star_args:
            return
        for star in (node.star_arg, node.star_kwarg):
            if isinstance(star, cst.Param) and star.annotation is not None:
                annotation = star.annotation.annotation
                if isinstance(annotation, (cst.Name, cst.Attribute)) and self.resolved(annotation, annotation) in ANY:
                    self.count_checked()  # checked, and accepted
                    self.pass_through.add(id(star.annotation))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        annotation = node.annotation.annotation
        if node.value is not None and self.resolved(annotation, annotation) in TYPE_ALIAS:
            self.check_type(node.value)

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        self.check_type(node.value)

    def visit_TypeVar(self, node: cst.TypeVar) -> None:
        if node.bound is not None:
            self.check_type(node.bound)

    def visit_Assign(self, node: cst.Assign) -> None:
        # Implicit aliases live at module or class level; in a function, `annotation = Any`
        # or `expected = Dict[str, Any]` is a value handed to runtime introspection.
        if any(isinstance(scope, (cst.FunctionDef, cst.Lambda)) for scope in self.context.scopes):
            return
        target = node.targets[0].target if len(node.targets) == 1 else None
        if not isinstance(target, cst.Name):
            return
        if self.is_type_like(node.value) or (ALIAS_NAME.match(target.value) and self.subscripts_any(node.value)):
            self.check_type(node.value)

    def subscripts_any(self, value: cst.BaseExpression) -> bool:
        """`immutabledict[str, Any]`: a generic of the project's own, given `Any`."""
        return isinstance(value, cst.Subscript) and any(
            True for argument in _subscript_arguments(value) for _ in self.any_nodes(argument, None)
        )

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for base in node.bases:
            if isinstance(base.value, cst.Subscript):
                self.check_type(base.value)

    def visit_Import(self, node: cst.Import) -> None:
        self.heads.note(node, self.context.names)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.heads.note(node, self.context.names)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        # `context.scope` already names this def (the engine's own visitor runs first).
        key = ".".join(self.context.scope)
        decorators = [d.decorator for d in node.decorators]
        if any(self.resolved(d, d) in OVERLOAD for d in decorators):
            self.overloaded_names.add(key)
        self.overload_groups.append(key if key in self.overloaded_names else None)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.overload_groups.pop()

    def is_typing_helper(self, func: cst.BaseExpression, short: str) -> bool:
        """`TypeVar`, `cast`... from typing, or through a re-export of the project's own
        (SQLAlchemy's `from ..util.typing import TypeVar`); a third party's `cast` is its own."""
        if self.resolved(func, func) in typing_names(short):
            return True
        qualified = self.context.qualified_name(func)
        return qualified is not None and qualified.startswith(self.own_package) and qualified.endswith(f".{short}")

    def visit_Call(self, node: cst.Call) -> None:
        written = dotted_name(node.func)
        short = written.rpartition(".")[2] if written is not None else ""
        spec = TYPE_ARGUMENTS.get(short)
        if spec is None or not self.is_typing_helper(node.func, short):
            return
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        for arg in positional[spec.first : spec.stop]:
            self.check_type(arg.value)
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in spec.keywords:
                self.check_type(arg.value)

    # -- looking inside a type expression ---------------------------------------------

    def is_type_like(self, value: cst.BaseExpression) -> bool:
        """Whether `X = value` is an implicit type alias: a subscripted typing or builtin
        generic, a `|` union holding one, or `Any` itself."""
        if isinstance(value, cst.Subscript):
            base = self.resolved(value.value, value.value)
            if base is not None:
                return base.startswith(TYPE_MODULE_PREFIXES)
            return dotted_name(value.value) in BUILTIN_GENERICS
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.BitOr):
            return self.is_type_like(value.left) or self.is_type_like(value.right)
        if isinstance(value, (cst.Name, cst.Attribute)):
            return self.resolved(value, value) in ANY
        return False

    def check_type(self, expr: cst.BaseExpression) -> None:
        self.count_checked()
        for found, at in self.any_nodes(expr, None):
            self.report_any(found, at)

    def any_nodes(
        self, expr: cst.CSTNode, string: cst.CSTNode | None
    ) -> Iterator[tuple[cst.BaseExpression, cst.CSTNode]]:
        """Each `Any` in a type expression, with the tree node to report it at: itself, or
        the string annotation it was parsed from."""
        if isinstance(expr, (cst.Name, cst.Attribute)):
            if self.resolved(expr, string or expr) in ANY:
                yield expr, string or expr
            return
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            text = _string_value(expr)
            parsed = _parse_type(text) if text is not None else None
            if parsed is not None:
                yield from self.any_nodes(parsed, string or expr)
            return
        if isinstance(expr, cst.Subscript):
            yield from self.any_nodes(expr.value, string)
            kind = (dotted_name(expr.value) or "").rpartition(".")[2]
            if kind in LITERAL_LIKE:
                return
            arguments: Sequence[cst.BaseExpression] = list(_subscript_arguments(expr))
            if kind in FIRST_ARGUMENT_ONLY:
                arguments = arguments[:1]
            for position, argument in enumerate(arguments):
                bare = isinstance(argument, (cst.Name, cst.Attribute))
                if bare and self.options.allow_idioms and _idiomatic(kind, position, arguments):
                    continue
                yield from self.any_nodes(argument, string)
            return
        if isinstance(expr, (cst.Call, cst.Lambda)):
            return  # a call's arguments are values, not types
        for child in walk.children(expr):
            yield from self.any_nodes(child, string)

    def report_any(self, found: cst.BaseExpression, at: cst.CSTNode) -> None:
        if self.file_allowed or self.allow.has_name(".".join([self.context.module_name, *self.context.scope])):
            return
        group = self.overload_groups[-1] if self.overload_groups else None
        if group is not None:
            # One finding per overloaded function: its stubs repeat one signature's types.
            if group in self.overloads_reported:
                return
            self.overloads_reported.add(group)
        written = dotted_name(found) or "Any"
        what = "typing.Any" if written in ANY or written == "Any" else f"typing.Any (as '{written}')"
        where = "a string annotation" if at is not found else "an annotation"
        if group is not None:
            where += f" of the overloaded '{group}' (reported once for all its overloads)"
        self.report(at, f"{what} in {where}; name the real type (a dataclass, TypedDict, Protocol, TypeVar or object)")
