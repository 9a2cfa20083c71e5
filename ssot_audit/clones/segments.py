"""A file's statements cut into segments, the units in which copied runs are looked for.

Each top-level definition of a file, between its placeholders (abstract methods and stubs
are never part of a run), is one segment: its statements' first tokens, the definition
holding each, and per statement a hash of its tokens. They depend on the file alone, so
they are worked out in the per-file phase and cached with its facts; the project phase then
only joins the hashes of consecutive statements into windows (clones/fragments.py).
"""

from __future__ import annotations

import functools
import hashlib
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ssot_audit.clones.tokens import BLOCK_END, statement_codes

if TYPE_CHECKING:
    from ssot_audit.clones.fingerprint import Definition

# Per statement, 8 bytes of blake2b: a window of six statements is told from another by 48
# bytes, as the definitions' exact and normalised hashes are by 8 (fingerprint.HASH_BYTES).
STATEMENT_HASH_BYTES = 8
_BLOCK_END = bytes([BLOCK_END])
# Token positions and definition numbers (-1 for none) as signed 32-bit values packed in bytes:
# every file's segments are unpickled on each `check`, and also sent from a worker for each
# file parsed, so they are plain bytes (one copy each) rather than a tuple (an object per
# number) or an array (a constructor call each: on 20,000 small files, 0.6 s of unpickling).
INDEX_TYPECODE: Final = "i"


@dataclass(frozen=True)
class Segment:
    """Statements of one top-level definition, between placeholders."""

    packed_starts: bytes  # each statement's first token
    packed_owners: bytes  # per statement, the innermost definition whose body holds it
    packed_opens: bytes  # per statement, the definition a `def`/`class` line opens, else -1
    end: int  # token after the last statement
    # Per statement (its tokens up to the next one's first, or `end`), STATEMENT_HASH_BYTES of
    # a hash of those tokens (`whole`) and of them without their trailing block ends (`tail`).
    # Statements start with a statement code and hold no other, so two windows of statements
    # have the same tokens exactly when all but their last have the same `whole` hash and
    # their last the same `tail` hash (the windows' tokens are compared without the block
    # ends that close them).
    whole: bytes
    tail: bytes

    @property
    def starts(self) -> memoryview[int]:
        return memoryview(self.packed_starts).cast(INDEX_TYPECODE)

    @property
    def owners(self) -> memoryview[int]:
        return memoryview(self.packed_owners).cast(INDEX_TYPECODE)

    @property
    def opens(self) -> memoryview[int]:
        return memoryview(self.packed_opens).cast(INDEX_TYPECODE)


def segments_of(tokens: bytes, definitions: Sequence[Definition]) -> tuple[Segment, ...]:
    """The segments of a file, in the order of its top-level definitions."""
    outline = tuple((d.start, d.end, d.parent, bool(d.stub), d.holes) for d in definitions)
    if len(tokens) > _REMEMBERED_TOKENS:
        return _segments(tokens, outline)
    return _remembered_segments(tokens, outline)


# Generated code repeats whole small files token for token (a tree of 20,000 files from one
# template): their segments are worked out once. Segments are immutable, so files share them.
_REMEMBERED_TOKENS = 2048

# Per definition, what its segments depend on: its token range, its parent, whether it is a
# placeholder, and its holes.
_Outline = tuple[tuple[int, int, int, bool, tuple[tuple[int, int], ...]], ...]


@functools.lru_cache(maxsize=1024)
def _remembered_segments(tokens: bytes, outline: _Outline) -> tuple[Segment, ...]:
    return _segments(tokens, outline)


def _segments(tokens: bytes, outline: _Outline) -> tuple[Segment, ...]:
    statements = [found.start() for found in _statement_pattern().finditer(tokens)]
    root: list[int] = []  # per definition, the top-level definition holding it
    inner: dict[int, list[tuple[int, int, int]]] = {}
    opened_at: dict[int, int] = {}  # a nested definition's `def` token: the last statement before its body
    for i, (start, end, parent, _, _) in enumerate(outline):
        root.append(root[parent] if parent >= 0 else i)  # parents come first
        if parent >= 0:
            inner.setdefault(root[i], []).append((start, end, i))
            opened_at[statements[bisect_left(statements, start) - 1]] = i
    found = []
    for top, (first, last, parent, stub, holes) in enumerate(outline):
        if parent >= 0 or stub:
            continue
        bounds = [first, *(x for a, b in sorted(holes) for x in (a, b)), last]
        for start, end in zip(bounds[::2], bounds[1::2]):
            starts = statements[bisect_left(statements, start) : bisect_left(statements, end)]
            if starts:
                owners = array(INDEX_TYPECODE, _owners(starts, sorted(inner.get(top, [])), top)).tobytes()
                opens = array(INDEX_TYPECODE, [opened_at.get(t, -1) for t in starts]).tobytes()
                whole, tail = _hashes(tokens, starts, end)
                found.append(Segment(array(INDEX_TYPECODE, starts).tobytes(), owners, opens, end, whole, tail))
    return tuple(found)


@functools.cache
def _statement_pattern() -> re.Pattern[bytes]:
    # Built once per process: every file of an audit asks for it in the worker.
    return re.compile(b"[" + re.escape(statement_codes()) + b"]")


def _hashes(tokens: bytes, starts: Sequence[int], end: int) -> tuple[bytes, bytes]:
    whole, tail = [], []
    for first, stop in zip(starts, [*starts[1:], end]):
        statement = tokens[first:stop]
        hashed = hashlib.blake2b(statement, digest_size=STATEMENT_HASH_BYTES).digest()
        whole.append(hashed)
        stripped = statement.rstrip(_BLOCK_END)
        # Most statements close no block: their tail is their whole.
        tail.append(
            hashed if stripped is statement else hashlib.blake2b(stripped, digest_size=STATEMENT_HASH_BYTES).digest()
        )
    return b"".join(whole), b"".join(tail)


def _owners(starts: Sequence[int], inner: Sequence[tuple[int, int, int]], top: int) -> Iterator[int]:
    """Per statement token, the innermost definition around it: one sweep, as both are sorted."""
    stack: list[tuple[int, int]] = [(1 << 62, top)]
    following = 0
    for token in starts:
        while stack[-1][0] <= token:
            stack.pop()
        while following < len(inner) and inner[following][0] <= token:
            start, end, i = inner[following]
            following += 1
            while stack[-1][0] <= start:
                stack.pop()
            if token < end:
                stack.append((end, i))
        yield stack[-1][1]
