"""What the per-file phase records about each definition: small, picklable facts (they are
cached on disk) from which the project phase finds clones without re-reading any file."""

from __future__ import annotations

import hashlib
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from ssot_audit.clones.segments import Segment, segments_of
from ssot_audit.clones.tokens import NAME, NUMBER, STRING, compound_codes

HASH_BYTES = 8
VALUE_CODES = frozenset({NAME, NUMBER, STRING})
WRITTEN_TYPECODE: Final = "I"  # unsigned 32-bit on every platform CPython supports


@dataclass(frozen=True)
class Definition:
    """One function, method or class of a file."""

    qualname: str  # "Class.method", "outer.inner"
    kind: str  # "function", "method" or "class"
    line: int  # the def/class line, not a decorator
    column: int
    end_column: int
    end_line: int
    decorator_line: int  # the first decorator's line; 0 without decorators
    parent: int  # index of the enclosing definition in the file's list; -1 at module level
    # The definition's slice of the file's token stream: parameters/bases and body, not the
    # decorators or its own name, so a renamed copy is still a copy.
    start: int
    end: int
    # Ranges inside start..end left out: nested placeholders (abstract methods, `...` stubs),
    # so an interface's stubs never make two classes look alike.
    holes: tuple[tuple[int, int], ...]
    statements: int
    # Statements that differ once names and literals are normalised: ten `X = "x"` lines
    # count once, so a table of constants is not mistaken for an implementation.
    distinct_statements: int
    exact: bytes  # hash of the tokens with identifiers and literals as written (Type-1)
    normalised: bytes  # hash of the normalised tokens (Type-2)
    signature: bytes  # MinHash of the token shingles (Type-3); empty when too short
    stub: str  # why this can never be a clone ("overload", "abstract", "stub body"), or ""
    text: str  # the def/class line, stripped, for baselines
    is_async: bool = False  # `async def`: its sync mirror is not a copy it could call

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]

    @property
    def tokens(self) -> int:
        return self.end - self.start - sum(b - a for a, b in self.holes)

    @property
    def top_level(self) -> bool:
        return self.parent < 0


@dataclass(frozen=True)
class TopLevel:
    """What SSOT002 asks of a module-level class or function beyond its tokens: what it derives
    from, what it takes, and whether it is part of the module's API at all."""

    index: int  # its position in the file's definitions
    # Base classes as qualified names where an import binds them (`flask.sansio.blueprints.Blueprint`
    # for `SansioBlueprint`), else as written.
    bases: tuple[str, ...]
    params: tuple[str, ...]  # parameter names, in order; () for a class
    decorators: tuple[str, ...]  # each decorator's callee as written (`generate_driver_url.for_db`)
    # Defined under `if __name__ == "__main__":`: a script's code, not the module's API.
    main_only: bool


@dataclass(frozen=True)
class FileDefinitions:
    """A file's token stream twice: normalised (one byte per token) and as written (per token
    a 32-bit hash of the identifier or literal it spells, 0 for the others), and its
    definitions."""

    tokens: bytes
    written: bytes
    definitions: tuple[Definition, ...]
    # The line each token was read on (32-bit each): compound statements are visited before
    # their leading comment lines, so a statement's line is its next token's.
    token_lines: bytes = b""
    # Where lines of statements end (32-bit each): the tokens read before each one's newline,
    # and its line. A statement's own tokens stop before its closing brackets.
    end_tokens: bytes = b""
    end_lines: bytes = b""
    top_level: tuple[TopLevel, ...] = ()
    # Names the module binds at top level by assignment (`_active = Local()`): with its
    # definitions' names, what the same text means differently in two modules.
    assigned: tuple[str, ...] = ()
    # Names the module binds once, unconditionally, at top level by assignment, with a hash of
    # the value as written (`ENVIRONMENT_DIR = 'node_env'`): code reading one means what its
    # module binds. A hash, not the text: a module's constant may be a table of thousands of lines.
    bound: tuple[tuple[str, int], ...] = ()
    # The module says a tool wrote it (ssot_audit.analysis.generated): its copies are the
    # tool's output, kept in step by the tool, not a second source written by hand.
    generated: bool = False
    # Qualified names of nested functions that declare `nonlocal`: closures writing their
    # enclosing function's variables, part of that function rather than code to share.
    closures: frozenset[str] = frozenset()

    @cached_property
    def segments(self) -> tuple[Segment, ...]:
        """Its statements as SSOT001's copied runs are looked for in them (clones/segments.py).
        The collector reads them in the worker, so they are pickled with the facts and
        cached: a `check` of one changed file works out only that file's."""
        return segments_of(self.tokens, self.definitions)

    def line_of_statement(self, token: int) -> int:
        lines: array[int] = array(WRITTEN_TYPECODE)
        lines.frombytes(self.token_lines[token * lines.itemsize : (token + 2) * lines.itemsize])
        if not lines:
            return 0
        return lines[-1] if len(lines) > 1 and self.tokens[token] in compound_codes() else lines[0]

    def last_line(self, start: int, end: int) -> int:
        """The last line of the statements in tokens start..end."""
        ends = memoryview(self.end_tokens).cast(WRITTEN_TYPECODE)
        at = bisect_right(ends, end) - 1
        lines = memoryview(self.token_lines).cast(WRITTEN_TYPECODE)
        own = lines[end - 1] if start < end <= len(lines) else 0
        return max(own, memoryview(self.end_lines).cast(WRITTEN_TYPECODE)[at] if at >= 0 and ends[at] > start else 0)

    def stream(self, definition: Definition) -> bytes:
        return b"".join(self.tokens[a:b] for a, b in pieces(definition.start, definition.end, definition.holes))

    def names(self, definition: Definition) -> array[int]:
        """The identifiers and literals of a definition as written, in order (as hashes)."""
        return self.names_in(pieces(definition.start, definition.end, definition.holes))

    def names_in(self, ranges: Sequence[tuple[int, int]]) -> array[int]:
        """The identifiers and literals as written (as hashes) of these token ranges, in order."""
        every: array[int] = array(WRITTEN_TYPECODE)
        for a, b in ranges:
            every.frombytes(self.written[a * every.itemsize : b * every.itemsize])
        return array(WRITTEN_TYPECODE, [h for h in every if h])


def name_hash(part: str) -> int:
    """The 32-bit hash of an identifier or literal as written (crc32, stable across processes;
    never 0)."""
    return zlib.crc32(part.encode("utf-8", "surrogatepass")) | 1


def written_tokens(parts: Sequence[str], codes: Sequence[int]) -> bytes:
    """Per token, name_hash() of the identifier or literal it spells, or 0 for a token that is
    only syntax."""
    hashes = [name_hash(p) if c in VALUE_CODES else 0 for p, c in zip(parts, codes)]
    return array(WRITTEN_TYPECODE, hashes).tobytes()


def pieces(start: int, end: int, holes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges of start..end outside the holes (which lie inside it and never overlap)."""
    out = []
    for a, b in sorted(holes):
        if a > start:
            out.append((start, a))
        start = max(start, b)
    if end > start:
        out.append((start, end))
    return out


def exact_hash(parts: Sequence[str]) -> bytes:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=HASH_BYTES).digest()


def normalised_hash(tokens: bytes) -> bytes:
    return hashlib.blake2b(tokens, digest_size=HASH_BYTES).digest()
