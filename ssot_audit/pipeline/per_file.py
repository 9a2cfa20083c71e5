"""The per-file phase: one file's bytes in, its FileFacts out. Runs in worker processes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from libcst.metadata import MetadataWrapper

from ssot_audit.analysis.plugins import Collector, FileContext, FileRule, FileVisitor, Rule
from ssot_audit.model import FileFacts, Finding, Span
from ssot_audit.pipeline.chunks import CHUNK_LINES, CHUNK_THRESHOLD_LINES, ChunkReader, Pieces, cut
from ssot_audit.pipeline.facts import CoreFacts
from ssot_audit.pipeline.source import SourceError, count_lines, decode, find_suppressions, parse
from ssot_audit.pipeline.traversal import visit_batched

PARSE_ERROR = "SSOT000"


@dataclass(frozen=True)
class FileTask:
    relpath: str
    module: str
    is_package: bool
    module_doubt: str
    data: bytes
    enabled: frozenset[str]
    cache_key: str


@dataclass(frozen=True)
class RulePlan:
    """The rule classes and options of one audit, shipped to each worker with its tasks."""

    file_rules: tuple[tuple[type[FileRule[object]], object], ...]
    # Each project rule's code and the Collector classes it reads.
    collectors: tuple[tuple[str, tuple[type[Collector[object]], ...]], ...]
    parse_error: tuple[type[Rule[object]], object] | None
    # Modules of more lines are read in chunks (pipeline/chunks.py), when every visitor allows it.
    chunk_threshold: int = CHUNK_THRESHOLD_LINES
    chunk_lines: int = CHUNK_LINES

    def visitor_classes(self, enabled: frozenset[str]) -> list[type[FileVisitor]]:
        """The classes of the visitors a file with these rules enabled is read by."""
        found: list[type[FileVisitor]] = [CoreFacts]
        found.extend(rule for rule, _ in self.file_rules if rule.code in enabled)
        found.extend(c for code, classes in self.collectors if code in enabled for c in classes)
        return found


def _parse_error(task: FileTask, plan: RulePlan, error: SourceError, facts: FileFacts) -> FileFacts:
    facts.parse_ok = False
    if plan.parse_error is not None and PARSE_ERROR in task.enabled:
        rule_class, options = plan.parse_error
        rule = rule_class(options)
        span = Span(error.line, error.column, error.line, error.column)
        facts.findings.append(rule.make_finding(task.relpath, span, error.message))
    return facts


def failed(task: FileTask, plan: RulePlan, message: str) -> FileFacts:
    """The facts of a file whose analysis could not finish: an SSOT000 finding naming why."""
    facts = FileFacts(path=task.relpath, module=task.module, lines=task.data.count(b"\n"), is_package=task.is_package)
    return _parse_error(task, plan, SourceError(message), facts)


def analyze(task: FileTask, plan: RulePlan) -> FileFacts:
    facts = FileFacts(path=task.relpath, module=task.module, lines=0, is_package=task.is_package)
    try:
        text = decode(task.data)
    except SourceError as error:
        return _parse_error(task, plan, error, facts)
    facts.lines = count_lines(text)
    if facts.lines > plan.chunk_threshold and all(cls.chunkable for cls in plan.visitor_classes(task.enabled)):
        pieces = cut(text, plan.chunk_lines)
        in_chunks = _analyze_in_chunks(task, plan, text, pieces, facts) if pieces is not None else None
        if in_chunks is not None:
            return in_chunks
    try:
        module = parse(text)
    except SourceError as error:
        return _parse_error(task, plan, error, facts)
    # unsafe_skip_copy: the module was parsed for this traversal alone, and skipping the deep
    # copy keeps node identity, so positions resolved later match the nodes rules saw.
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    context = FileContext(task.relpath, task.module, task.is_package, text, wrapper, task.module_doubt)
    whole = _facts(task, plan, facts, context, iter([wrapper]))
    assert whole is not None  # only a chunk that does not parse gives None
    return whole


def _analyze_in_chunks(task: FileTask, plan: RulePlan, text: str, pieces: Pieces, facts: FileFacts) -> FileFacts | None:
    """The facts of a huge module read one top-level chunk at a time, the same as a
    whole-module read gives: each chunk is parsed, visited by the same visitors, settled and
    let go. None when a chunk or the outline does not parse: the whole-module read then says
    why, at the right place."""
    reader = ChunkReader(pieces)
    try:
        outline = parse(pieces.outline)
        first = MetadataWrapper(reader.next_module(parse), unsafe_skip_copy=True)
    except SourceError:
        return None
    context = FileContext(task.relpath, task.module, task.is_package, text, first, task.module_doubt, outline)
    return _facts(task, plan, facts, context, _chunk_trees(reader, context, first))


def _chunk_trees(reader: ChunkReader, context: FileContext, first: MetadataWrapper) -> Iterator[MetadataWrapper | None]:
    """Each chunk's tree, the context moved on to it; None for a chunk that does not parse."""
    yield first
    while not reader.done:
        try:
            module = reader.next_module(parse)
        except SourceError:
            yield None
            return
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        del module
        context.enter_chunk(wrapper, reader.line_offset)
        yield wrapper


def _facts(
    task: FileTask, plan: RulePlan, facts: FileFacts, context: FileContext, trees: Iterator[MetadataWrapper | None]
) -> FileFacts | None:
    """facts filled in by the file's visitors, which see each tree in turn (the module, or
    its chunks) and settle after each; None when a tree is missing."""
    visitors = _Visitors.start(context, task, plan)
    try:
        for wrapper in trees:
            if wrapper is None:
                return None
            visit_batched(wrapper, visitors.all)
            visitors.settle()
        visitors.finish(facts)
    except RecursionError:
        return _too_deep(task, plan, facts)
    facts.suppressions = find_suppressions(context.source)
    facts.findings.sort(key=Finding.sort_key)
    return facts


def _too_deep(task: FileTask, plan: RulePlan, facts: FileFacts) -> FileFacts:
    fresh = FileFacts(path=task.relpath, module=task.module, lines=facts.lines, is_package=task.is_package)
    return _parse_error(task, plan, SourceError("too deeply nested to analyse"), fresh)


@dataclass
class _Visitors:
    """One file's visitors: the core facts, the enabled rules, and the collectors the enabled
    project rules read."""

    context: FileContext
    rules: list[FileRule[object]]
    core: CoreFacts
    # Rules that list the same Collector class (SSOT001 and SSOT002, SSOT201 and SSOT202)
    # share one instance: one pass gathers the facts both read.
    shared: dict[type[Collector[object]], Collector[object]]
    counted: list[tuple[str, list[Collector[object]]]]
    all: list[FileVisitor]

    @classmethod
    def start(cls, context: FileContext, task: FileTask, plan: RulePlan) -> _Visitors:
        core = CoreFacts(context)
        rules = [rule(context, options) for rule, options in plan.file_rules if rule.code in task.enabled]
        shared: dict[type[Collector[object]], Collector[object]] = {}
        counted: list[tuple[str, list[Collector[object]]]] = []
        for code, classes in plan.collectors:
            if code in task.enabled:
                for collector in classes:
                    if collector not in shared:
                        shared[collector] = collector(context)
                counted.append((code, [shared[c] for c in classes]))
        return cls(context, rules, core, shared, counted, [core, *rules, *shared.values()])

    def settle(self) -> None:
        # One code generation pass positions every finding of every rule in the tree just visited.
        self.context.spans(node for rule in self.rules for node in rule.pending_nodes())
        for visitor in self.all:
            visitor.settle()

    def finish(self, facts: FileFacts) -> None:
        facts.imports = self.core.imports
        for rule in self.rules:
            facts.findings.extend(rule.findings)
            facts.checked[rule.code] = rule.checked
        for collector in self.shared.values():
            facts.extras[collector.key()] = collector.facts()
        for code, used in self.counted:
            facts.checked[code] = sum(collector.checked for collector in used)


def analyze_chunk(tasks: Sequence[FileTask], plan: RulePlan) -> list[FileFacts]:
    return [analyze(task, plan) for task in tasks]
