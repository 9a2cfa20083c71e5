"""How alike two token streams are, asked only of candidate pairs.

Streams are compared line by line, as NiCad compares pretty-printed lines: each logical
line (a statement or a clause such as `else:`) is one unit, the units are matched in order
(difflib), and the score is the share of tokens in matched lines, 2*M/T. Comparing a few
dozen lines instead of a few hundred tokens keeps difflib's quadratic matching cheap, and a
multiset bound turns most pairs that are not copies away before it runs.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher
from functools import cache

import libcst as cst

from ssot_audit.clones.tokens import line_starts, node_tables


@cache
def _splitter() -> re.Pattern[bytes]:
    return re.compile(b"(?=[" + re.escape(line_starts()) + b"])")


def lines(stream: bytes) -> list[bytes]:
    """A stream cut before every statement and clause token."""
    return [part for part in _splitter().split(stream) if part]


def distinct_statements(stream: bytes) -> int:
    """How many different statements a stream holds. Clauses, block ends and the `def`/`class`
    lines of nested definitions are structure, not statements of their own."""
    statements = _statement_codes()
    return len({line for line in lines(stream) if line[0] in statements})


@cache
def _statement_codes() -> frozenset[int]:
    code_of, is_statement = node_tables()
    containers = (cst.FunctionDef, cst.ClassDef)
    return frozenset(code for t, code in code_of.items() if is_statement[t] and t not in containers)


def similarity(a: list[bytes], b: list[bytes], at_least: float = 0.0) -> float:
    """2 * (tokens in lines matched in order) / (all tokens); below `at_least`, a cheaper
    upper bound may be returned instead, since it is enough to tell the pair falls short."""
    size_a, size_b = sum(map(len, a)), sum(map(len, b))
    total = size_a + size_b
    if not total:
        return 1.0
    if 2 * min(size_a, size_b) / total < at_least:
        return 2 * min(size_a, size_b) / total
    common = Counter(a) & Counter(b)
    bound = 2 * sum(len(line) * n for line, n in common.items()) / total
    if bound < at_least:
        return bound
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(sum(len(line) for line in a[m.a : m.a + m.size]) for m in matcher.get_matching_blocks())
    return 2 * matched / total
