"""Where a huge module may be cut into pieces that libcst parses one at a time.

libcst's tree takes about 8.5 KiB a line, so a 200,000-line generated module needs 1.8 GB
held at once. Such a module is cut at top-level statement boundaries, found with CPython's
tokenizer (never inside brackets, strings, a decorated definition or the `else`/`except`
clauses of a compound statement), and each piece is parsed, visited and let go in turn.

What a visitor reads ahead of where the traversal stands, the module-level bindings, comes
from the module's outline: every top-level statement, with the bodies of top-level functions
and classes elided (`def name(): ...`). It is small for generated code, which is mostly
definitions, and is all that ImportTable reads of those definitions: their names.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

# Modules of more lines than this are parsed in chunks (a 20,000-line tree is about 170 MiB);
# Django's longest module has 2,700 lines, so ordinary code is never cut.
CHUNK_THRESHOLD_LINES = 20_000
# About how many lines each chunk holds: a chunk ends at the first top-level statement after this many.
CHUNK_LINES = 4_000

_CLAUSES = frozenset({"else", "elif", "except", "finally"})
_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE})


@dataclass(frozen=True)
class TopStatement:
    """A statement of the module's body: its first line (1-based, decorators included), and
    for a function or class, `def` or `class` and the name it binds."""

    line: int
    kind: str = ""
    name: str = ""


@dataclass(frozen=True)
class Chunk:
    text: str
    line_offset: int  # lines of the module before the chunk's first


@dataclass(frozen=True)
class Pieces:
    chunks: tuple[Chunk, ...]
    outline: str


def top_level_statements(text: str) -> list[TopStatement] | None:
    """The module's top-level statements in order; None when the tokenizer cannot read the
    text (the whole-module parse then reports why)."""
    found: list[TopStatement] = []
    depth = 0  # INDENT levels
    line_start = True  # the next token starts a logical line
    after_decorator = False  # the last top-level logical line was a decorator
    definition = ""  # `def` or `class` was just read at the top level; the name comes next
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = token.type
            if kind in _SKIPPED:
                if kind == tokenize.INDENT:
                    depth += 1
                elif kind == tokenize.DEDENT:
                    depth -= 1
                elif kind == tokenize.NEWLINE:
                    line_start = True
                continue
            if kind == tokenize.ENDMARKER:
                break
            if definition and kind == tokenize.NAME:
                if token.string == "def" and definition == "async":
                    definition = "def"
                    continue
                if definition != "async":
                    found[-1] = TopStatement(found[-1].line, definition, token.string)
                definition = ""
            if not line_start:
                continue
            line_start = False
            if depth:
                continue
            word = token.string if kind == tokenize.NAME else ""
            if not after_decorator and word not in _CLAUSES:
                found.append(TopStatement(token.start[0]))
            after_decorator = kind == tokenize.OP and token.string == "@"
            if word in ("def", "class", "async"):
                definition = word
    except (tokenize.TokenError, SyntaxError):
        return None
    return found


def cut(text: str, chunk_lines: int = CHUNK_LINES) -> Pieces | None:
    """The module in chunks of about chunk_lines lines, and its outline; None when it cannot
    be cut safely (the tokenizer fails, or a lone CR ends a line: the tokenizer and libcst
    would count its lines differently)."""
    if "\r" in text.replace("\r\n", ""):
        return None
    statements = top_level_statements(text)
    if not statements:
        return None
    lines = text.split("\n")
    # Character offset where each line starts, so chunks are slices of the text itself.
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    chunks: list[Chunk] = []
    first = 1  # the current chunk's first line
    for statement in statements[1:]:
        if statement.line - first >= chunk_lines:
            chunks.append(Chunk(text[starts[first - 1] : starts[statement.line - 1]], first - 1))
            first = statement.line
    chunks.append(Chunk(text[starts[first - 1] :], first - 1))
    return Pieces(tuple(chunks), _outline(text, statements, starts))


def _outline(text: str, statements: list[TopStatement], starts: list[int]) -> str:
    parts: list[str] = []
    for index, statement in enumerate(statements):
        if statement.kind == "class":
            parts.append(f"class {statement.name}: ...\n")
        elif statement.kind == "def":
            parts.append(f"def {statement.name}(): ...\n")
        else:
            end = starts[statements[index + 1].line - 1] if index + 1 < len(statements) else len(text)
            source = text[starts[statement.line - 1] : end]
            parts.append(source if source.endswith("\n") else source + "\n")
    return "".join(parts)


@dataclass
class ChunkReader:
    """Each chunk's tree in turn, with the blank and comment lines between two chunks where a
    whole-module parse puts them: libcst gives the lines after a chunk's last statement to its
    module's footer, which is visited before the next chunk; a whole-module parse gives them
    to the next statement, visited after the statement itself is entered."""

    pieces: Pieces
    done: bool = False
    line_offset: int = 0  # lines of the file before the tree next_module returned
    _index: int = 0
    _carried: tuple[cst.EmptyLine, ...] = field(default=())

    def next_module(self, parse: Callable[[str], cst.Module]) -> cst.Module:
        chunk = self.pieces.chunks[self._index]
        module = parse(chunk.text)
        self._index += 1
        self.done = self._index == len(self.pieces.chunks)
        self.line_offset = chunk.line_offset - len(self._carried)
        if self._carried and module.body:
            first = module.body[0]
            moved = first.with_changes(leading_lines=(*self._carried, *first.leading_lines))
            module = module.with_changes(body=(moved, *module.body[1:]))
        self._carried = ()
        if not self.done:
            self._carried = tuple(module.footer)
            module = module.with_changes(footer=())
        return module
