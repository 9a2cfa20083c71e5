"""Targeted positions must equal libcst's PositionProvider for every node they are asked for."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from ssot_audit.analysis.positions import spans_of

SOURCES = [
    '''"""Module docstring."""
import os
from .models import (
    User,  # comment
    Order as O,
)


@decorator
@other.decorator(arg=1)
class Thing(Base, metaclass=Meta):
    """Doc."""

    field: dict[str, "Any"] = {}

    async def method(self, *args: int, **kwargs: str) -> list[int]:
        async with lock:
            return [x async for x in aiter() if x]

    def other(self) -> None: pass


def f(a, b=2, /, c=3, *, d):
    text = """multi
line""" + \\
        "continued"
    match a:
        case {"k": [1, *rest]} if rest:
            pass
        case _:
            lambda q: q
    try:
        x = cast(Any, a)
    except* ValueError:
        raise
    return {k: v for k, v in d.items()}
''',
    "x = 1\r\ndef g():\r\n\treturn x\r\n",
    "if True:\n    pass\nelif False:\n    y = (\n        1,\n    )\nelse:\n    z: 'Any'\n",
]


class _All(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        return True


@pytest.mark.parametrize("source", SOURCES)
def test_every_node_matches_position_provider(source: str) -> None:
    module = cst.parse_module(source)
    collector = _All()
    module.visit(collector)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    # Ask one node at a time, so no node's range leans on another target's bookkeeping.
    for node in collector.nodes:
        if node not in expected:
            continue
        rng = expected[node]
        span = spans_of(module, [node])[node]
        assert (span.line, span.column, span.end_line, span.end_column) == (
            rng.start.line,
            rng.start.column + 1,
            rng.end.line,
            rng.end.column + 1,
        ), type(node).__name__
    together = spans_of(module, collector.nodes)
    assert all(
        (together[n].line, together[n].column) == (expected[n].start.line, expected[n].start.column + 1)
        for n in collector.nodes
        if n in expected
    )
