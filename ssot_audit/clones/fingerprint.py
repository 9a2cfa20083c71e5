"""What the per-file phase records about each definition: small, picklable facts (they are
cached on disk) from which the project phase finds clones without re-reading any file."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

HASH_BYTES = 8


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
    statements: int
    # Statements that differ once names and literals are normalised: ten `X = "x"` lines
    # count once, so a table of constants is not mistaken for an implementation.
    distinct_statements: int
    exact: bytes  # hash of the tokens with identifiers and literals as written (Type-1)
    normalised: bytes  # hash of the normalised tokens (Type-2)
    signature: bytes  # MinHash of the token shingles (Type-3); empty when too short
    stub: str  # why this can never be a clone ("overload", "abstract", "stub body"), or ""
    text: str  # the def/class line, stripped, for baselines

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]

    @property
    def tokens(self) -> int:
        return self.end - self.start

    @property
    def top_level(self) -> bool:
        return self.parent < 0


@dataclass(frozen=True)
class FileDefinitions:
    """A file's normalised token stream (one byte per token) and its definitions."""

    tokens: bytes
    definitions: tuple[Definition, ...]

    def stream(self, definition: Definition) -> bytes:
        return self.tokens[definition.start : definition.end]


def exact_hash(parts: Sequence[str]) -> bytes:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=HASH_BYTES).digest()


def normalised_hash(tokens: bytes) -> bytes:
    return hashlib.blake2b(tokens, digest_size=HASH_BYTES).digest()
