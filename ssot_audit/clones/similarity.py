"""How alike two token streams are, asked only of candidate pairs: the share of tokens in
their longest common subsequence, 2 * LCS / (len(a) + len(b)), the ratio difflib reports.

The LCS length is computed bit-parallel (Hyyrö 2004): one pass over one stream with a few
big-integer operations per token, each over a bitmask as long as the other stream, so Python
integers do the quadratic work in C. A size bound and a multiset bound go first and turn
away most candidates that are not copies without it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

import libcst as cst

from ssot_audit.clones.tokens import line_starts, node_tables


def lcs_length(a: Sequence[int], b: Sequence[int]) -> int:
    if len(a) < len(b):
        a, b = b, a
    masks: dict[int, int] = {}
    for i, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for token in b:
        u = v & masks.get(token, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def similarity(
    a: Sequence[int], b: Sequence[int], at_least: float = 0.0, counts: tuple[Counter[int], Counter[int]] | None = None
) -> float:
    """2 * LCS / (len(a) + len(b)); below `at_least`, a cheaper upper bound may be returned
    instead, since that is enough to tell the pair falls short. `counts` are the streams'
    token counts, when the caller keeps them."""
    total = len(a) + len(b)
    if not total:
        return 1.0
    bound = 2 * min(len(a), len(b)) / total
    if bound < at_least:
        return bound
    count_a, count_b = counts if counts is not None else (Counter(a), Counter(b))
    common = count_a & count_b
    bound = 2 * sum(common.values()) / total
    if bound < at_least:
        return bound
    return 2 * lcs_length(a, b) / total


@cache
def _splitter() -> re.Pattern[bytes]:
    return re.compile(b"(?=[" + re.escape(line_starts()) + b"])")


def lines(stream: bytes) -> list[bytes]:
    """A stream cut before every statement and clause token."""
    return [part for part in _splitter().split(stream) if part]


@cache
def _statement_codes() -> frozenset[int]:
    code_of, is_statement = node_tables()
    containers = (cst.FunctionDef, cst.ClassDef)
    return frozenset(code for t, code in code_of.items() if is_statement[t] and t not in containers)


def distinct_statements(stream: bytes) -> int:
    """How many different statements a stream holds. Clauses, block ends and the `def`/`class`
    lines of nested definitions are structure, not statements of their own."""
    statements = _statement_codes()
    return len({line for line in lines(stream) if line[0] in statements})
