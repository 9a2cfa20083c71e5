"""A huge module is parsed in top-level chunks (pipeline/chunks.py) to bound memory; what the
audit finds must be exactly what a whole-module parse finds. The chunk size is set tiny here,
so every trap below falls on or across a boundary."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import libcst as cst
import pytest

from ssot_audit.analysis.options import NoOptions
from ssot_audit.analysis.plugins import FileRule, Registry
from ssot_audit.clones.fingerprint import FileDefinitions
from ssot_audit.config import load_config
from ssot_audit.model import IMPORTS, FileFacts
from ssot_audit.pipeline import per_file
from ssot_audit.pipeline.chunks import ChunkReader, cut, top_level_statements
from ssot_audit.pipeline.engine import Engine
from ssot_audit.render.json_format import render
from tests.support import write_tree

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "chat_backend"

# Each one a way a cut could change what is found: names bound far from their use, a
# decorated def, a class longer than a chunk, clauses of one compound statement, a string
# with lines at column 0, and `__all__` at the very end.
HEAD = '''"""A generated module."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shop.models import Order
else:
    Order = object

try:
    import ujson as json_module
except ImportError:
    import json as json_module

TEMPLATE = """
def not_a_function():
class NotAClass:
"""
'''

FILLER = """

def handler_{i}(request, context):
    value = request.get("field_{i}")
    if value is None:
        return context.default("field_{i}", {i})
    return context.wrap(value, {i})
"""

TAIL = '''

@dataclass
class Settings:
    tags: list = field(default_factory=list)
    hooks: dict = {{}}


def registered(func):
    return func


@registered
@registered
def decorated(payload: Any) -> Order:
    return payload


class Spanning(Base):
    """Longer than a chunk, so no cut may fall inside it."""

{methods}

class Cache:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance


def current_limit():
    global _limit
    if not _limit:
        _limit = compute_limit()
    return _limit


JSON = dict[str, Any]
shared = Cache()
lock = threading.Lock()


class Base:
    pass


_limit = 0
__all__ = ["decorated", "Spanning", "Settings"]
'''

METHOD = """    def step_{i}(self, value: Any) -> Any:
        return json_module.dumps(value)

"""


def _trap_module(fillers: int) -> str:
    middle = "".join(FILLER.format(i=i) for i in range(fillers))
    methods = "".join(METHOD.format(i=i) for i in range(8))
    return HEAD + middle + TAIL.format(methods=methods)


def _example_module() -> str:
    """Every module of the example project in one file: each rule has something to find."""
    parts = [path.read_text(encoding="utf-8") for path in sorted(EXAMPLE.rglob("*.py"))]
    return "\n\n".join(part.rstrip("\n") for part in parts) + "\n"


def _analyze(tmp_path: Path, text: str, chunk_lines: int | None, *, in_chunks: bool = True) -> FileFacts:
    registry = Registry.load()
    config = load_config(registry, tmp_path)
    plan = Engine(registry, config, jobs=1, use_cache=False)._plan()
    if chunk_lines is not None:
        plan = dataclasses.replace(plan, chunk_threshold=0, chunk_lines=chunk_lines)
    task = per_file.FileTask(
        "shop/generated.py", "shop.generated", False, "", text.encode(), config.rules_for("shop/generated.py"), ""
    )
    # analyze() falls back to a whole read when a visitor cannot read chunks: count the chunks
    # read, so that a chunked read equal to a whole one is not a whole read twice.
    chunks_read: list[int] = []
    original = ChunkReader.next_module

    def counting(reader: ChunkReader, parse: Callable[[str], cst.Module]) -> cst.Module:
        chunks_read.append(reader.line_offset)
        return original(reader, parse)

    ChunkReader.next_module = counting  # type: ignore[method-assign]
    try:
        facts = per_file.analyze(task, plan)
    finally:
        ChunkReader.next_module = original  # type: ignore[method-assign]
    assert (len(chunks_read) > 1) == (chunk_lines is not None and in_chunks), chunks_read
    return facts


@pytest.mark.parametrize("chunk_lines", [1, 7, 40])
def test_a_module_read_in_chunks_gives_the_facts_of_a_whole_read(tmp_path: Path, chunk_lines: int) -> None:
    text = _trap_module(30)
    pieces = cut(text, chunk_lines)
    assert pieces is not None and len(pieces.chunks) > 3
    whole = _analyze(tmp_path, text, None)
    chunked = _analyze(tmp_path, text, chunk_lines)
    assert chunked == whole
    found = {(f.rule, f.span.line) for f in whole.findings}
    # `Any` in a signature far below the import, found at its own line either way.
    decorated_line = text.splitlines().index("def decorated(payload: Any) -> Order:") + 1
    assert ("SSOT401", decorated_line) in found


def test_every_rule_finds_the_same_in_chunks_on_the_example_project_as_one_module(tmp_path: Path) -> None:
    text = _example_module()
    whole = _analyze(tmp_path, text, None)
    assert len({f.rule for f in whole.findings}) >= 2
    assert all(whole.extras.values())
    for chunk_lines in (1, 25):
        assert _analyze(tmp_path, text, chunk_lines) == whole


def test_any_imported_at_the_top_is_resolved_ten_thousand_lines_below(tmp_path: Path) -> None:
    text = "from typing import Any\n" + "\n" * 10_000 + "def late(value: Any) -> None:\n    pass\n"
    chunked = _analyze(tmp_path, text, 1)
    assert chunked == _analyze(tmp_path, text, None)
    assert [(f.rule, f.span.line) for f in chunked.findings] == [("SSOT401", 10_002)]


def test_an_audit_in_chunks_writes_the_same_json_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"shop/generated.py": _trap_module(20), "shop/example.py": _example_module()})
    registry = Registry.load()
    config = load_config(registry, tmp_path)

    def report() -> str:
        result = Engine(registry, config, jobs=1, use_cache=False).audit([tmp_path], tmp_path)
        return render(result)

    whole = report()
    plan = Engine._plan
    monkeypatch.setattr(Engine, "_plan", lambda self: dataclasses.replace(plan(self), chunk_threshold=0, chunk_lines=5))
    assert report() == whole
    assert json.loads(whole)["findings"]


def test_a_syntax_error_in_a_later_chunk_is_reported_as_a_whole_read_reports_it(tmp_path: Path) -> None:
    text = _trap_module(10) + "\ndef broken(:\n    pass\n" + FILLER.format(i=99)
    # The tokenizer that finds the cuts stops at the error, so the file is read whole.
    chunked = _analyze(tmp_path, text, 3, in_chunks=False)
    assert chunked == _analyze(tmp_path, text, None)
    assert [f.rule for f in chunked.findings] == ["SSOT000"]


def test_cuts_fall_only_between_top_level_statements() -> None:
    text = (
        "@decorator\n"
        "@other(\n"
        "    1,\n"
        ")\n"
        "def f():\n"
        "    return '''\n"
        "x = 1\n"
        "'''\n"
        "if a:\n"
        "    pass\n"
        "elif b:\n"
        "    pass\n"
        "else:\n"
        "    pass\n"
        "try:\n"
        "    pass\n"
        "except E:\n"
        "    pass\n"
        "finally:\n"
        "    pass\n"
        "x = (\n"
        "1)\n"
        "async def g(): pass\n"
        "class C: pass; y = 2\n"
    )
    statements = top_level_statements(text)
    assert statements is not None
    assert [(s.line, s.kind, s.name) for s in statements] == [
        (1, "def", "f"),
        (9, "", ""),
        (15, "", ""),
        (21, "", ""),
        (23, "def", "g"),
        (24, "class", "C"),
    ]
    pieces = cut(text, 1)
    assert pieces is not None
    assert "".join(chunk.text for chunk in pieces.chunks) == text
    assert [chunk.line_offset for chunk in pieces.chunks] == [0, 8, 14, 20, 22, 23]
    assert pieces.outline.startswith("def f(): ...\nif a:\n")


@pytest.mark.parametrize("text", ["x = 1\r", "def f(:\n", "x = '''\n"])
def test_text_that_cannot_be_cut_safely_is_read_whole(text: str) -> None:
    assert cut(text, 1) is None


class CountsModules(FileRule[NoOptions]):
    """A plugin that has not said it may see a module in chunks."""

    code = "X901"
    name = "counts-modules"
    category = IMPORTS
    summary = what = why = example = fix = ""
    seen: ClassVar[list[int]] = []

    def visit_Module(self, node: object) -> None:
        CountsModules.seen.append(1)


def test_a_module_is_read_whole_when_a_visitor_has_not_said_it_may_be_chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = per_file.RulePlan(((CountsModules, NoOptions()),), (), None, chunk_threshold=0, chunk_lines=1)
    task = per_file.FileTask("m.py", "m", False, "", _trap_module(5).encode(), frozenset({"X901"}), "")
    CountsModules.seen.clear()
    per_file.analyze(task, plan)
    assert CountsModules.seen == [1]
    monkeypatch.setattr(CountsModules, "chunkable", True)
    CountsModules.seen.clear()
    per_file.analyze(task, plan)
    assert len(CountsModules.seen) > 1


def test_a_generated_header_and_closures_are_read_the_same_in_chunks(tmp_path: Path) -> None:
    text = (
        "# Code generated by a tool. DO NOT EDIT.\n"
        + _trap_module(6)
        + (
            "\n\ndef counter():\n    count = 0\n\n    def bump():\n        nonlocal count\n        count += 1\n"
            "        return count\n\n    return bump\n"
        )
    )
    whole = _analyze(tmp_path, text, None)
    assert _analyze(tmp_path, text, 1) == whole
    definitions = whole.extras["ssot_audit.clones.collector.DefinitionCollector"]
    assert isinstance(definitions, FileDefinitions)
    assert definitions.generated and definitions.closures == frozenset({"counter.bump"})
