"""Positions of a few nodes, for a fraction of what libcst's PositionProvider costs.

PositionProvider records a range for every node of the module; measured on Django that is
about 2.3x the cost of parsing. Findings need the ranges of a handful of nodes, so this does
one code generation pass that tracks line and column and records only the nodes asked for,
with the same syntactic ranges PositionProvider gives (a `def` starts at `def`, not at its
decorators).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState

from ssot_audit.analysis import walk
from ssot_audit.model import Span

_NEWLINE = re.compile(r"\r\n?|\n")


class _TargetedPositionState(CodegenState):
    def __init__(self, module: cst.Module, targets: set[cst.CSTNode], line_offset: int) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = 1 + line_offset
        self.column = 0
        self.targets = targets
        # Children of targets: a syntactic range may be hoisted from them (start_node/end_node).
        self.watched: set[cst.CSTNode] = set(targets)
        for node in targets:
            self.watched.update(walk.children(node))
        self.starts: dict[cst.CSTNode, tuple[int, int]] = {}
        self.ranges: dict[cst.CSTNode, tuple[tuple[int, int], tuple[int, int]]] = {}
        self.syntactic: dict[cst.CSTNode, tuple[tuple[int, int], tuple[int, int]]] = {}

    def _advance(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self._advance(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self._advance(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if node in self.watched:
            self.starts[node] = (self.line, self.column)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if node in self.watched:
            self.ranges[node] = (self.starts[node], (self.line, self.column))

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> Iterator[None]:
        if node not in self.watched:
            yield
            return
        # The hoisted-from nodes are generated inside this block, so watching them now is
        # in time; PositionProvider takes their (possibly hoisted) ranges in turn.
        for hoisted in (start_node, end_node):
            if hoisted is not None:
                self.watched.add(hoisted)
        start = (self.line, self.column)
        try:
            yield
        finally:
            end = (self.line, self.column)
            if start_node is not None and (rng := self._computed(start_node)) is not None:
                start = rng[0]
            if end_node is not None and (rng := self._computed(end_node)) is not None:
                end = rng[1]
            self.syntactic[node] = (start, end)

    def _computed(self, node: cst.CSTNode) -> tuple[tuple[int, int], tuple[int, int]] | None:
        return self.syntactic.get(node) or self.ranges.get(node)


def spans_of(module: cst.Module, nodes: Iterable[cst.CSTNode], line_offset: int = 0) -> dict[cst.CSTNode, Span]:
    """1-based spans (end column exclusive) of nodes of module, as PositionProvider gives them;
    lines count on from line_offset, the lines before module when it is a chunk of a file."""
    targets = set(nodes)
    if not targets:
        return {}
    state = _TargetedPositionState(module, targets, line_offset)
    module._codegen(state)
    out: dict[cst.CSTNode, Span] = {}
    for node in targets:
        rng = state._computed(node)
        if rng is not None:
            (line, col), (end_line, end_col) = rng
            out[node] = Span(line, col + 1, end_line, end_col + 1)
    return out
