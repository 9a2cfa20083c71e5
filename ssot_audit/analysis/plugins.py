"""Rule base classes and the entry-point registry that finds built-in and third-party rules.

A per-file rule is a libcst BatchableCSTVisitor: the engine runs every enabled per-file rule
in ONE traversal of each module. Positions are resolved lazily, only for files where some
rule reports, in one code generation pass (ssot_audit/analysis/positions.py): libcst's
PositionProvider would double the cost of a traversal.

The contract is typed: a rule is generic over its options dataclass (`FileRule[XOptions]`),
which becomes its `Options` and the type of `self.options`; a Collector is generic over the
facts it hands the project phase, which `Project.facts(collector)` returns typed.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, get_args, get_origin

import libcst as cst
from libcst.metadata import MetadataWrapper

from ssot_audit.analysis.names import ImportTable, ScopeNode
from ssot_audit.analysis.options import NoOptions
from ssot_audit.analysis.positions import spans_of
from ssot_audit.model import RULES_ENTRY_POINT_GROUP, Category, Finding, Location, Severity, Span

if TYPE_CHECKING:
    from ssot_audit.analysis.project import Project

# Covariant, so that every rule is a Rule[object] (the engine's view, which never reads options)
# while each rule sees its own options class.
OptionsT_co = TypeVar("OptionsT_co", covariant=True)
FactsT_co = TypeVar("FactsT_co", covariant=True)

ENTRY_POINT_GROUP = RULES_ENTRY_POINT_GROUP
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*[0-9]+$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")


def dedented(code: str) -> str:
    """Example code as written in a triple-quoted string: common indentation removed, and the
    newline right after the opening quotes dropped."""
    text = textwrap.dedent(code)
    return text.removeprefix("\n")


@dataclass(frozen=True)
class Valid:
    """Code a rule must leave alone. `code` is one file, or {path: source} for several, each
    best written as a triple-quoted string indented with the rule's code (the opening quotes
    right after `Valid(`, the code on the lines below): it is dedented here, and the empty
    first line dropped."""

    code: str | Mapping[str, str]
    options: Mapping[str, object] = field(default_factory=dict)
    path: str = "example.py"

    def __post_init__(self) -> None:
        code = dedented(self.code) if isinstance(self.code, str) else {p: dedented(c) for p, c in self.code.items()}
        object.__setattr__(self, "code", code)

    def files(self) -> dict[str, str]:
        return {self.path: self.code} if isinstance(self.code, str) else dict(self.code)


@dataclass(frozen=True)
class Invalid(Valid):
    """Code a rule must flag. When given: `line` is the line of every finding (or a tuple of
    the findings' lines, one each); `count` how many findings; `message` a text every
    finding's message contains; `fixed` the code after `ssot-audit fix` (the one file, or
    {path: source} of the files it changes), dedented like `code`. With several files and an
    explicit `path`, every finding must be in that file."""

    line: int | tuple[int, ...] | None = None
    count: int | None = None
    message: str | None = None
    fixed: str | Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        fixed = self.fixed
        if fixed is not None:
            fixed = dedented(fixed) if isinstance(fixed, str) else {p: dedented(c) for p, c in fixed.items()}
        object.__setattr__(self, "fixed", fixed)

    def fixed_files(self) -> dict[str, str]:
        if self.fixed is None:
            return {}
        return {self.path: self.fixed} if isinstance(self.fixed, str) else dict(self.fixed)


class FileContext:
    """What a per-file rule may know about the file it is visiting."""

    def __init__(
        self,
        path: str,
        module_name: str,
        is_package: bool,
        source: str,
        wrapper: MetadataWrapper,
        module_doubt: str = "",
        outline: cst.Module | None = None,
    ) -> None:
        self.path = path
        self.module_name = module_name
        self.is_package = is_package
        # Why module_name may not be how the file is imported ("" when certain); see ModuleNamer.doubt.
        self.module_doubt = module_doubt
        self.source = source
        # The module, or in a huge file parsed in chunks (pipeline/chunks.py) the chunk being visited.
        self.wrapper = wrapper
        self._outline = outline
        # Lines of the file before the chunk being visited: positions are the file's.
        self.line_offset = 0
        self.scope: list[str] = []
        # The classes, functions and lambdas whose body is being visited, innermost last;
        # CoreFacts keeps it, so qualified_name() looks names up where Python would.
        self.scopes: list[ScopeNode] = []
        self._lines: list[str] | None = None
        self._spans: dict[cst.CSTNode, Span] = {}
        self._names: ImportTable | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.source.splitlines()
        return self._lines

    @property
    def outline(self) -> cst.Module:
        """The module's top-level statements, for what looks ahead at module-level bindings
        (`from typing import Any` below its use, a class defined after its subclass): the
        module itself, or in a file parsed in chunks a module of every top-level statement
        with the bodies of top-level functions and classes elided (`def name(): ...`)."""
        return self._outline if self._outline is not None else self.wrapper.module

    @property
    def names(self) -> ImportTable:
        if self._names is None:
            self._names = ImportTable.from_module(self.outline, self.module_name, self.is_package)
        return self._names

    def enter_chunk(self, wrapper: MetadataWrapper, line_offset: int) -> None:
        """Visit the next chunk of a file parsed in chunks: what was kept of the last chunk's
        nodes is let go, and positions count on from line_offset."""
        self.wrapper = wrapper
        self.line_offset = line_offset
        self._spans.clear()
        if self._names is not None:
            self._names.forget_scopes()

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        """What a Name or `a.b` chain refers to where the traversal stands (`typing.Any`),
        function-local imports and local shadowing included; None when no import binds it."""
        return self.names.in_scopes(self.scopes).qualified_name(node)

    def global_name(self, node: cst.BaseExpression) -> str | None:
        """Like qualified_name, and also names the module defines (`pkg.mod.Base`) and builtins
        (`builtins.print`, unless a star import may rebind them): ImportTable.global_name."""
        return self.names.in_scopes(self.scopes).global_name(node)

    def spans(self, nodes: Iterable[cst.CSTNode]) -> dict[cst.CSTNode, Span]:
        """Spans of nodes, all resolved in one code generation pass (a quarter of
        PositionProvider's cost on Django): call it once after the traversal with every node
        needed, e.g. in a collector's facts(); FileRule.report does so for findings."""
        missing = [n for n in nodes if n not in self._spans]
        if missing:
            self._spans.update(spans_of(self.wrapper.module, missing, self.line_offset))
        return self._spans

    def line_text(self, line: int) -> str:
        lines = self.lines
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""


class Rule(Generic[OptionsT_co]):
    """What every rule declares. Subclass FileRule, ProjectRule or EngineRule, not this,
    naming the options dataclass as the type argument: `class NoPrint(FileRule[NoPrintOptions])`.
    Options classes are named `<RuleClass>Options`; a rule without options says `NoOptions`."""

    code: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity] = Severity.MEDIUM
    # When the severity depends on the kind of finding: (kind, severity) pairs, which
    # `ssot-audit rule X` prints so users know why one finding of a rule outranks another.
    severities: ClassVar[tuple[tuple[str, Severity], ...]] = ()
    summary: ClassVar[str]
    # Documentation in ruff's shape, as Markdown.
    what: ClassVar[str]
    why: ClassVar[str]
    example: ClassVar[str]
    fix: ClassVar[str]
    # Set from the type argument by __init_subclass__: what config tables are parsed into.
    Options: ClassVar[type] = NoOptions
    fixable: ClassVar[bool] = False
    # What one item counted by count_checked() is ("dataclass fields"); the category's unit
    # when None. Reports print it beside the count.
    unit: ClassVar[str | None] = None
    VALID: ClassVar[Sequence[Valid]] = ()
    INVALID: ClassVar[Sequence[Invalid]] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        options = _options_argument(cls)
        if options is not None:
            cls.Options = options

    def __init__(self, options: OptionsT_co) -> None:
        self.options = options
        self.checked = 0

    @classmethod
    def default_options(cls) -> object:
        return cls.Options()

    @classmethod
    def fixer(
        cls, module_name: str, is_package: bool, lines: frozenset[int], module_doubt: str = ""
    ) -> cst.CSTTransformer | None:
        """A transformer that fixes this rule's findings starting on `lines`, for a rule that
        declares `fixable`; it may need PositionProvider metadata."""
        return None

    def make_finding(
        self,
        path: str,
        span: Span,
        message: str,
        *,
        severity: Severity | None = None,
        fixable: bool = False,
        group: str | None = None,
        related: Iterable[Location] = (),
        suppress_lines: Iterable[int] = (),
        scope: str = "",
        code: str = "",
        not_fixed: str = "",
    ) -> Finding:
        return Finding(
            rule=self.code,
            name=self.name,
            category=self.category.id,
            severity=severity or self.severity,
            path=path,
            span=span,
            message=message,
            fixable=fixable,
            group=group,
            related=tuple(related),
            suppress_lines=tuple(sorted(set(suppress_lines) - {span.line})),
            scope=scope,
            code=code,
            not_fixed=not_fixed,
        )


def _options_argument(cls: type) -> type | None:
    """The options class a rule names as the type argument of its Rule base, if it names one."""
    for base in cls.__dict__.get("__orig_bases__", ()):
        origin = get_origin(base)
        if isinstance(origin, type) and issubclass(origin, Rule):
            args = get_args(base)
            if args and isinstance(args[0], type):
                return args[0]
    return None


class FileVisitor(cst.BatchableCSTVisitor):
    """A visitor the engine batches into the single traversal of each file."""

    _ssot_visitor_names: ClassVar[tuple[str, ...]]  # set per subclass by _visitor_names()
    # Whether the visitor may see a huge module one top-level chunk at a time
    # (pipeline/chunks.py): it keeps no node past settle(), reads module-level bindings
    # through context.names or context.outline, and what it adds up comes out the same read
    # in pieces. A file is parsed in chunks only when every visitor of its audit says so.
    chunkable: ClassVar[bool] = False

    def __init__(self, context: FileContext) -> None:
        super().__init__()
        self.context = context
        self.checked = 0

    def settle(self) -> None:
        """Called after the traversal, or in a file parsed in chunks after each chunk's, with
        context.spans() still able to place the nodes just visited: turn the nodes kept into
        plain data, as the tree is let go next."""

    def count_checked(self, n: int = 1) -> None:
        """Count one item this rule inspected: the denominator of its category's score."""
        self.checked += n

    @classmethod
    def _visitor_names(cls) -> tuple[str, ...]:
        # libcst's get_visitors() runs inspect.getmembers on every instance, once per rule
        # per file (about 1 ms each: a second per rule on Django); the names depend only on
        # the class, so they are found once and kept on it.
        cached = cls.__dict__.get("_ssot_visitor_names")
        if cached is None:
            cached = tuple(
                name
                for name in dir(cls)
                if name.startswith(("visit_", "leave_"))
                and callable(getattr(cls, name))
                and not getattr(getattr(cls, name), "_is_no_op", False)
            )
            cls._ssot_visitor_names = cached
        return cached

    def get_visitors(self) -> Mapping[str, Callable[[cst.CSTNode], None]]:
        return {name: getattr(self, name) for name in self._visitor_names()}


class FileRule(Rule[OptionsT_co], FileVisitor):
    """A rule that looks at one module at a time."""

    def __init__(self, context: FileContext, options: OptionsT_co) -> None:
        Rule.__init__(self, options)
        FileVisitor.__init__(self, context)
        self._pending: list[_PendingFinding] = []
        self._findings: list[Finding] = []

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        severity: Severity | None = None,
        fixable: bool = False,
        definition: cst.FunctionDef | cst.ClassDef | None = None,
        not_fixed: str = "",
    ) -> None:
        """Record a finding at node. Pass `definition` for a finding about a whole def/class,
        so a suppression on its first decorator counts too. Positions are resolved after the
        traversal, for all of a file's findings at once."""
        decorator = definition.decorators[0] if definition is not None and definition.decorators else None
        self._pending.append(
            _PendingFinding(node, decorator, message, severity, fixable, ".".join(self.context.scope), not_fixed)
        )

    def pending_nodes(self) -> list[cst.CSTNode]:
        return [n for p in self._pending for n in (p.node, p.decorator) if n is not None]

    def settle(self) -> None:
        self._place_pending()

    @property
    def findings(self) -> list[Finding]:
        self._place_pending()
        return self._findings

    def _place_pending(self) -> None:
        if self._pending:
            spans = self.context.spans(self.pending_nodes())
            for p in self._pending:
                span = spans[p.node]
                extra = [spans[p.decorator].line] if p.decorator is not None else []
                self._findings.append(
                    self.make_finding(
                        self.context.path,
                        span,
                        p.message,
                        severity=p.severity,
                        fixable=p.fixable,
                        suppress_lines=extra,
                        scope=p.scope,
                        code=self.context.line_text(span.line),
                        not_fixed=p.not_fixed,
                    )
                )
            self._pending = []


@dataclass(frozen=True)
class _PendingFinding:
    node: cst.CSTNode
    decorator: cst.CSTNode | None
    message: str
    severity: Severity | None
    fixable: bool
    scope: str
    not_fixed: str


class Collector(FileVisitor, Generic[FactsT_co]):
    """Gathers what a project rule needs from one file, in the per-file traversal. What
    `facts()` returns (picklable, small) is cached with the file and read in the project
    phase through `Project.facts(TheCollector)`, typed.

    A collector takes no options: every rule that lists the same Collector class (SSOT001
    and SSOT002 share DefinitionCollector; SSOT201 and SSOT202 share ClassCollector) reads
    the facts of one instance per file. Thresholds belong in the project phase. What it
    counts with count_checked() is added to the checked count of each rule listing it."""

    def facts(self) -> FactsT_co:
        """What the project phase reads; called once, after the last settle(). A collector
        that settles calls settle() here too, for callers that ran the traversal themselves."""
        raise NotImplementedError

    @classmethod
    def key(cls) -> str:
        """Where its facts are kept in FileFacts.extras."""
        return f"{cls.__module__}.{cls.__qualname__}"


class ProjectRule(Rule[OptionsT_co]):
    """A rule over the facts of every file (clones, competing definitions, class hierarchies).

    `collectors` run in the per-file traversal; `check` reads their facts with
    `project.facts(SomeCollector)` (or `project.classes`, for ClassCollector's)."""

    collectors: ClassVar[tuple[type[Collector[object]], ...]] = ()

    @classmethod
    def prepare(cls) -> None:
        """What check() will need that reads no file, such as a slow import: the engine runs it
        while workers parse the changed files, so the project phase does not wait for it."""

    def check(self, project: Project) -> Iterable[Finding]:
        raise NotImplementedError


class EngineRule(Rule[OptionsT_co]):
    """A rule whose findings the engine itself produces (parse errors, unused suppressions);
    it exists so that it is documented, listed and selectable like any other."""


class RegistryError(Exception):
    pass


@dataclass
class Registry:
    """Every rule found through the `ssot_audit.rules` entry points, by code."""

    rules: dict[str, type[Rule[object]]] = dataclasses.field(default_factory=dict)
    warnings: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def load(cls) -> Registry:
        registry = cls()
        for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            try:
                rule = ep.load()
                registry.add(rule)
            except Exception as exc:  # noqa: BLE001 - a broken plugin must not take the audit down
                registry.warnings.append(f"rule plugin '{ep.name}' ({ep.value}) could not be loaded: {exc}")
        return registry

    def add(self, rule: object) -> None:
        if not (isinstance(rule, type) and issubclass(rule, Rule)):
            raise RegistryError(f"{rule!r} is not a Rule subclass")
        if not CODE_PATTERN.match(rule.code) or not NAME_PATTERN.match(rule.name):
            raise RegistryError(f"{rule.__name__}: bad code {rule.code!r} or name {rule.name!r}")
        for other in self.rules.values():
            if other.code == rule.code or other.name == rule.name:
                raise RegistryError(f"{rule.__name__} clashes with {other.__name__} ({other.code} {other.name})")
        self.rules[rule.code] = rule

    def by_code_or_name(self, key: str) -> type[Rule[object]] | None:
        wanted = key.strip()
        for rule in self.rules.values():
            if rule.code == wanted.upper() or rule.name == wanted.lower():
                return rule
        return None

    def matching(self, selector: str) -> list[type[Rule[object]]]:
        """Rules a selector names: a code, a name, or a code prefix such as `SSOT1`."""
        exact = self.by_code_or_name(selector)
        if exact is not None:
            return [exact]
        prefix = selector.strip().upper()
        return [r for code, r in sorted(self.rules.items()) if prefix and code.startswith(prefix)]

    def sorted(self) -> list[type[Rule[object]]]:
        return [self.rules[c] for c in sorted(self.rules)]

    def categories(self) -> list[Category]:
        seen: dict[str, Category] = {}
        for rule in self.sorted():
            seen.setdefault(rule.category.id, rule.category)
        return list(seen.values())


def _use_instead(rule: type[Rule[object]]) -> list[str]:
    """The rule's first VALID case, as ruff's docs show what to write instead (each file
    under a `# path` comment, unless it is the one unnamed file)."""
    if not rule.VALID:
        return []
    example = rule.VALID[0]
    files = example.files()
    if isinstance(example.code, str) and example.path == "example.py":
        code = example.code
    else:
        code = "\n".join(f"# {path}\n{source}" for path, source in files.items())
    return ["## Use instead", f"```python\n{code.rstrip()}\n```", ""]


def documentation(rule: type[Rule[object]]) -> str:
    """The rule's docs as Markdown, in ruff's shape: what, why, example, use instead, fix,
    options."""
    parts = [
        f"# {rule.code} {rule.name}",
        "",
        f"Category: {rule.category.title} ({rule.category.id}). Default severity: {rule.severity.value}."
        + (" Autofixable with `ssot-audit fix`." if rule.fixable else ""),
        *(["", "Severity by kind of finding:", ""] if rule.severities else []),
        *(f"- {kind}: {severity.value}" for kind, severity in rule.severities),
        "",
        "## What it finds",
        rule.what,
        "",
        "## Why it matters",
        rule.why,
        "",
        "## Example",
        rule.example,
        "",
        *_use_instead(rule),
        "## Fix",
        rule.fix,
    ]
    if dataclasses.is_dataclass(rule.Options) and dataclasses.fields(rule.Options):
        parts += ["", "## Options", f"Set under `[tool.ssot-audit.rules.{rule.name}]`:", ""]
        defaults = rule.Options()
        for f in dataclasses.fields(rule.Options):
            key = f.name.replace("_", "-")
            value = getattr(defaults, f.name)
            shown = list(value) if isinstance(value, tuple) else value
            parts.append(f"- `{key}` (default `{shown!r}`)" + (f": {f.metadata['doc']}" if "doc" in f.metadata else ""))
    return "\n".join(parts) + "\n"
