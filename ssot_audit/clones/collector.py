"""The per-file half of the clone engine: records every definition's token stream, lines and
fingerprints during the one batched traversal of each file.

Cost matters here, because every file of every audit pays it. The collector's visit
"methods" are the bound `append` of one list, so visiting a node runs no Python code at all;
`facts()` then walks that flat list once. Lines come from the same walk by counting the
newlines seen before each definition (the ends of lines, multi-line strings, backslash
continuations): exact, and measured several times cheaper than libcst's PositionProvider,
which would cost every file a second traversal.
"""

from __future__ import annotations

import dataclasses
import functools
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence

import libcst as cst

from ssot_audit.analysis.generated import says_generated
from ssot_audit.analysis.names import ImportTable, dotted_name
from ssot_audit.analysis.plugins import Collector, FileContext
from ssot_audit.analysis.syntax import last_part
from ssot_audit.clones.fingerprint import (
    WRITTEN_TYPECODE,
    Definition,
    FileDefinitions,
    TopLevel,
    exact_hash,
    name_hash,
    normalised_hash,
    pieces,
    written_tokens,
)
from ssot_audit.clones.minhash import SHINGLE, signature
from ssot_audit.clones.placeholders import docstring_of, stub_reason
from ssot_audit.clones.similarity import distinct_statements
from ssot_audit.clones.tokens import BLOCK_END, CODES, NAME, NUMBER, STRING, node_tables

_CHARS = tuple(chr(code) for code in range(256))


def _newlines(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


class _Open:
    """A definition whose tokens are still being read."""

    __slots__ = (
        "decorator_line",
        "docstring",
        "hole_statements",
        "holes",
        "index",
        "kind",
        "line",
        "node",
        "parent",
        "qualname",
        "start",
        "statements",
        "stub",
    )  # fmt: skip

    def __init__(self, node: cst.FunctionDef | cst.ClassDef, index: int, qualname: str, kind: str, parent: int) -> None:
        self.node = node
        self.index = index
        self.qualname = qualname
        self.kind = kind
        self.parent = parent
        self.line = 0
        self.decorator_line = 0
        self.start = 0
        self.statements = 0
        self.stub = stub_reason(node)
        self.docstring = docstring_of(node)
        self.holes: list[tuple[int, int]] = []
        self.hole_statements = 0


class DefinitionCollector(Collector[FileDefinitions]):
    """Collects FileDefinitions for one file. Takes no options: SSOT001 and SSOT002 share one
    instance per file, and size thresholds are applied in the project phase."""

    chunkable = True

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.nodes: list[cst.CSTNode] = []
        self._reader = _Reader(context)
        # Per module-level definition, what TopLevel holds but its index.
        self._top_level: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]] = []
        self._assigned: set[str] = set()
        self._bound: dict[str, int | None] = {}  # None: bound more than once
        # Whether the module says a tool wrote it: read in the first chunk, which holds its header.
        self._generated: bool | None = None

    def get_visitors(self) -> Mapping[str, Callable[[cst.CSTNode], None]]:
        # Every node is appended as it is entered; definitions and indented blocks again as
        # they are left, which is how facts() tells where they end. Lines of statements are
        # appended only as they are left, after their newline: where a statement ends.
        continued = "\\\n" in self.context.source or "\\\r" in self.context.source
        return dict.fromkeys(_handler_names(continued), self.nodes.append)

    def settle(self) -> None:
        if self._generated is None:
            self._generated = says_generated(self.context.wrapper.module)
        if not self.nodes:
            return
        self._reader.read(self.nodes)
        self.nodes.clear()  # in place: the next chunk's traversal appends to the same list
        body = self.context.wrapper.module.body
        names = self.context.names
        self._top_level.extend(
            (
                tuple(_base_name(names, arg.value, self.context.module_name) for arg in node.bases)
                if isinstance(node, cst.ClassDef)
                else (),
                tuple(p.name.value for p in _parameters(node.params)) if isinstance(node, cst.FunctionDef) else (),
                tuple(dotted_name(_callee(d.decorator)) or "" for d in node.decorators),
                main_only,
            )
            for node, main_only in _top_level_nodes(body, main_only=False)
        )
        self._assigned |= _assigned_names(body)
        for name, meaning in _bindings(body):
            self._bound[name] = meaning if name not in self._bound else None

    def facts(self) -> FileDefinitions:
        self.settle()
        found = self._reader.result()
        top = [i for i, d in enumerate(found.definitions) if d.top_level]
        if len(self._top_level) != len(top):
            return found  # never expected: both walks see the same module-level definitions
        facts = tuple(TopLevel(index, *parts) for index, parts in zip(top, self._top_level))
        found = dataclasses.replace(
            found,
            top_level=facts,
            assigned=tuple(sorted(self._assigned)),
            bound=tuple(sorted((name, meaning) for name, meaning in self._bound.items() if meaning is not None)),
            generated=bool(self._generated),
            closures=frozenset(self._reader.closures),
        )
        found.segments  # noqa: B018 - worked out here, in the worker, to be pickled and cached with the facts
        return found


_LINE_ENDS = ("TrailingWhitespace", "EmptyLine")


@functools.cache
def _handler_names(continued: bool) -> tuple[str, ...]:
    """The collector's handler names; with `continued`, for a file with backslash
    continuations, whose whitespace holds newlines. Worked out once: formatting them for
    every file was a tenth of a small file's set-up."""
    # A line ends in a TrailingWhitespace or an EmptyLine, each holding one Newline and no
    # token: counted there, the Newline nodes below them need no walk of their own.
    names = [*CODES, "Name", "Integer", "Float", "Imaginary", "SimpleString", "FormattedStringText", *_LINE_ENDS]
    if continued:
        names.append("SimpleWhitespace")
    leaving = ("FunctionDef", "ClassDef", "IndentedBlock", "SimpleStatementLine", "SimpleStatementSuite")
    return (*(f"visit_{name}" for name in names), *(f"leave_{name}" for name in leaving))


def _bindings(body: Sequence[cst.CSTNode]) -> Iterator[tuple[str, int]]:
    """The value as written, hashed, of each name a module binds at top level, unconditionally,
    by a single-target assignment (`ENVIRONMENT_DIR = 'node_env'`). A logger is left out: its
    name labels where messages go (`getLogger("httpcore.socks")`), not what the code does."""
    module = cst.Module([])
    for statement in body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            target: cst.BaseAssignTargetExpression | None = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                target = small.target
            value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
            if isinstance(target, cst.Name) and value is not None and not _is_logger(value):
                yield target.value, name_hash(module.code_for_node(value))


def _is_logger(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Call) and last_part(dotted_name(value.func)) in ("getLogger", "get_logger", "getChild")


# Decorators that make a generator function a coroutine: tornado's `gen.coroutine`, asyncio's
# and `types.coroutine`, twisted's `inlineCallbacks`. Such a function is async as much as an
# `async def` is: its sync mirror could not call it.
_COROUTINE_DECORATORS = frozenset({"coroutine", "inlineCallbacks"})


def _is_coroutine(function: cst.FunctionDef) -> bool:
    if function.asynchronous is not None:
        return True
    for decorator in function.decorators:
        if last_part(dotted_name(_callee(decorator.decorator))) in _COROUTINE_DECORATORS:
            return True
    return False


def _assigned_names(body: Sequence[cst.CSTNode]) -> set[str]:
    """Names bound by module-level assignments, in if/try/with blocks too."""
    found: set[str] = set()
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets: list[cst.BaseExpression] = []
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                    targets = [small.target]
                found.update(t.value for t in targets if isinstance(t, cst.Name))
        for block in _blocks(statement):
            found |= _assigned_names(block)
    return found


def _top_level_nodes(
    body: Sequence[cst.CSTNode], *, main_only: bool
) -> Iterator[tuple[cst.FunctionDef | cst.ClassDef, bool]]:
    """Module-level definitions in source order, looking into if/try/with/for/while blocks
    (not into definitions), each with whether it sits under `if __name__ == "__main__":`."""
    for statement in body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            yield statement, main_only
            continue
        guarded = main_only or (isinstance(statement, cst.If) and _is_main_guard(statement.test))
        for block in _blocks(statement):
            yield from _top_level_nodes(block, main_only=guarded if block is _body_of(statement) else main_only)


def _body_of(statement: cst.CSTNode) -> Sequence[cst.CSTNode] | None:
    body = getattr(statement, "body", None)
    return body.body if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else None


def _blocks(statement: cst.CSTNode) -> Iterator[Sequence[cst.CSTNode]]:
    """The statement lists of a compound statement's own clauses, in source order."""
    if not isinstance(statement, (cst.If, cst.Try, cst.TryStar, cst.With, cst.For, cst.While, cst.Else, cst.Finally)):
        return
    own = _body_of(statement)
    if own is not None:
        yield own
    if isinstance(statement, (cst.Try, cst.TryStar)):
        for handler in statement.handlers:
            handler_body = _body_of(handler)
            if handler_body is not None:
                yield handler_body
    orelse = getattr(statement, "orelse", None)
    if orelse is not None:
        yield from _blocks(orelse)
    final = getattr(statement, "finalbody", None)
    if final is not None:
        yield from _blocks(final)


def _is_main_guard(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = (test.left, test.comparisons[0].comparator)
    names = {s.value for s in sides if isinstance(s, cst.Name)}
    strings = {s.evaluated_value for s in sides if isinstance(s, cst.SimpleString)}
    return isinstance(test.comparisons[0].operator, cst.Equal) and names == {"__name__"} and strings == {"__main__"}


def _base_name(names: ImportTable, node: cst.BaseExpression, module: str) -> str:
    """A base class as a qualified name: imported names resolved, the module's own classes
    prefixed with it (two modules' own `HasKeys` are different bases), builtins as written."""
    imported = names.qualified_name(node)
    if imported is not None:
        return imported
    written = dotted_name(node) or ""
    head = written.partition(".")[0]
    if not written or not module or names.builtin_name(head) is not None:
        return written
    return f"{module}.{written}"


def _callee(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.func if isinstance(node, cst.Call) else node


def _parameters(params: cst.Parameters) -> list[cst.Param]:
    star = [params.star_arg] if isinstance(params.star_arg, cst.Param) else []
    extra = [params.star_kwarg] if params.star_kwarg is not None else []
    return [*params.posonly_params, *params.params, *star, *params.kwonly_params, *extra]


class _Reader:
    """Reads the nodes the traversal recorded into token streams and definitions; a file read
    in chunks is read on where the last chunk stopped, so the result is the same."""

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.codes = bytearray()
        self.exact: list[str] = []
        self.token_lines = array(WRITTEN_TYPECODE)  # the line each token was read on
        self.end_tokens = array(WRITTEN_TYPECODE)  # where each line of statements ends: tokens read so far
        self.end_lines = array(WRITTEN_TYPECODE)  # and its last line
        self.stack: list[_Open] = []
        self.blocks: list[cst.CSTNode] = []
        self.expect_name: cst.CSTNode | None = None
        self.expect_decorator: cst.CSTNode | None = None
        self.skip: cst.CSTNode | None = None  # the docstring being passed over
        self.line = 1
        self.statements = 0
        self.slots: list[Definition | None] = []
        # Qualified names of the nested functions that declare `nonlocal` in their own body.
        self.closures: set[str] = set()

    def read(self, nodes: list[cst.CSTNode]) -> None:
        # The loop runs once per node of every file: its state lives in locals while it runs.
        context = self.context
        codes, exact, token_lines = self.codes, self.exact, self.token_lines
        end_tokens, end_lines = self.end_tokens, self.end_lines
        stack, blocks, slots = self.stack, self.blocks, self.slots
        expect_name, expect_decorator, skip = self.expect_name, self.expect_decorator, self.skip
        line, statements = self.line, self.statements
        code_of, is_statement = node_tables()
        chars = _CHARS
        for node in nodes:
            kind = type(node)
            if kind is cst.TrailingWhitespace or kind is cst.EmptyLine:
                line += 1
                continue
            if kind is cst.SimpleWhitespace:
                line += _newlines(node.value)  # type: ignore[attr-defined]
                continue
            if kind is cst.SimpleStatementLine or kind is cst.SimpleStatementSuite:
                end_tokens.append(len(codes))
                end_lines.append(line - 1)
                continue
            if node is expect_decorator:
                stack[-1].decorator_line = line
                expect_decorator = None
            if kind is cst.Name:
                if node is expect_name:
                    stack[-1].line = line
                    stack[-1].start = len(codes)
                    stack[-1].statements = statements
                    expect_name = None
                    continue
                codes.append(NAME)
                exact.append(node.value)  # type: ignore[attr-defined]
                token_lines.append(line)
                continue
            if kind is cst.SimpleString or kind is cst.FormattedStringText:
                value: str = node.value  # type: ignore[attr-defined]
                line += _newlines(value)
                if skip is None:
                    codes.append(STRING)
                    exact.append(value)
                    token_lines.append(line)
                continue
            if kind is cst.Integer or kind is cst.Float or kind is cst.Imaginary:
                codes.append(NUMBER)
                exact.append(node.value)  # type: ignore[attr-defined]
                token_lines.append(line)
                continue
            if kind is cst.IndentedBlock:
                if blocks and blocks[-1] is node:
                    blocks.pop()
                    codes.append(BLOCK_END)
                    exact.append(chars[BLOCK_END])
                    token_lines.append(line)
                    continue
                blocks.append(node)
            elif kind is cst.FunctionDef or kind is cst.ClassDef:
                if stack and stack[-1].node is node:
                    closed = stack.pop()
                    _close(closed, codes, exact, statements, line, context, slots)
                    if stack:
                        _pass_holes_up(closed, stack[-1], len(codes), statements)
                    continue
                assert isinstance(node, (cst.FunctionDef, cst.ClassDef))
                parent = stack[-1] if stack else None
                qualname = f"{parent.qualname}.{node.name.value}" if parent else node.name.value
                def_kind = (
                    "class" if kind is cst.ClassDef else ("method" if parent and parent.kind == "class" else "function")
                )
                opened = _Open(node, len(slots), qualname, def_kind, parent.index if parent else -1)
                slots.append(None)
                stack.append(opened)
                expect_name = node.name
                expect_decorator = node.decorators[0].decorator if node.decorators else None
            elif kind is cst.Expr and stack and node is stack[-1].docstring:
                skip = node
                continue
            if skip is not None:
                if kind is cst.ConcatenatedString:
                    continue
                skip = None
            if kind is cst.Nonlocal and stack and stack[-1].kind == "function" and stack[-1].parent >= 0:
                self.closures.add(stack[-1].qualname)  # a nested function writing its enclosing one's names
            code = code_of[kind]
            codes.append(code)
            exact.append(chars[code])
            token_lines.append(line)
            if is_statement[kind]:
                statements += 1
        self.expect_name, self.expect_decorator, self.skip = expect_name, expect_decorator, skip
        self.line, self.statements = line, statements

    def result(self) -> FileDefinitions:
        return FileDefinitions(
            bytes(self.codes),
            written_tokens(self.exact, self.codes),
            tuple(d for d in self.slots if d is not None),
            self.token_lines.tobytes(),
            self.end_tokens.tobytes(),
            self.end_lines.tobytes(),
        )


def _pass_holes_up(closed: _Open, parent: _Open, end: int, statements: int) -> None:
    if closed.stub:
        parent.holes.append((closed.start, end))
        parent.hole_statements += statements - closed.statements
    else:
        parent.holes.extend(closed.holes)
        parent.hole_statements += closed.hole_statements


def _close(
    opened: _Open,
    codes: bytearray,
    exact: list[str],
    statements: int,
    line: int,
    context: FileContext,
    slots: list[Definition | None],
) -> None:
    start, end = opened.start, len(codes)
    kept = pieces(start, end, opened.holes)
    stream = b"".join(codes[a:b] for a, b in kept)
    written = [part for a, b in kept for part in exact[a:b]]
    text = context.lines[opened.line - 1] if 0 < opened.line <= len(context.lines) else ""
    indent = len(text) - len(text.lstrip())
    distinct, normalised, minhash = _stream_facts(stream, bool(opened.stub))
    slots[opened.index] = Definition(
        qualname=opened.qualname,
        kind=opened.kind,
        line=opened.line,
        column=indent + 1,
        end_column=len(text.rstrip()) + 1,
        end_line=max(opened.line, line - 1),
        decorator_line=opened.decorator_line,
        parent=opened.parent,
        start=start,
        end=end,
        holes=tuple(opened.holes),
        statements=statements - opened.statements - opened.hole_statements,
        distinct_statements=distinct,
        exact=exact_hash(written),
        normalised=normalised,
        signature=minhash,
        stub=opened.stub,
        text=text.strip(),
        is_async=isinstance(opened.node, cst.FunctionDef) and _is_coroutine(opened.node),
    )


@functools.lru_cache(maxsize=4096)
def _stream_facts(stream: bytes, stub: bool) -> tuple[int, bytes, bytes]:
    """What a definition's facts take from its normalised token stream alone: its distinct
    statements, the stream's hash and (for one that may be a near-miss copy) its MinHash
    signature. Generated code repeats one stream in thousands of definitions, and small
    methods (properties, getters) repeat across any project: the MinHash was a twentieth of
    the per-file phase on a tree of small generated files."""
    minhash = signature(stream) if not stub and len(stream) >= SHINGLE else b""
    return distinct_statements(stream), normalised_hash(stream), minhash
