"""The per-file phase: one file's bytes in, its FileFacts out. Runs in worker processes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from libcst.metadata import MetadataWrapper

from ssot_audit.analysis.plugins import Collector, FileContext, FileRule, FileVisitor, Rule
from ssot_audit.model import FileFacts, Finding, Span
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
    try:
        module = parse(text)
    except SourceError as error:
        return _parse_error(task, plan, error, facts)

    # unsafe_skip_copy: the module was parsed for this traversal alone, and skipping the deep
    # copy keeps node identity, so positions resolved later match the nodes rules saw.
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    context = FileContext(task.relpath, task.module, task.is_package, text, wrapper, task.module_doubt)
    core = CoreFacts(context)
    rules = [cls(context, options) for cls, options in plan.file_rules if cls.code in task.enabled]
    # Rules that list the same Collector class (SSOT001 and SSOT002, SSOT201 and SSOT202)
    # share one instance: one pass gathers the facts both read.
    shared: dict[type[Collector[object]], Collector[object]] = {}
    counted: list[tuple[str, list[Collector[object]]]] = []
    for code, classes in plan.collectors:
        if code in task.enabled:
            for cls in classes:
                if cls not in shared:
                    shared[cls] = cls(context)
            counted.append((code, [shared[cls] for cls in classes]))
    visitors: Sequence[FileVisitor] = [core, *rules, *shared.values()]
    try:
        visit_batched(wrapper, visitors)
        facts.imports = core.imports
        # One code generation pass positions every finding of every rule in this file.
        context.spans(node for rule in rules for node in rule.pending_nodes())
        for rule in rules:
            facts.findings.extend(rule.findings)
            facts.checked[rule.code] = rule.checked
        for collector in shared.values():
            facts.extras[collector.key()] = collector.facts()
        for code, used in counted:
            facts.checked[code] = sum(collector.checked for collector in used)
    except RecursionError:
        fresh = FileFacts(path=task.relpath, module=task.module, lines=facts.lines, is_package=task.is_package)
        return _parse_error(task, plan, SourceError("too deeply nested to analyse"), fresh)
    facts.suppressions = find_suppressions(text)
    facts.findings.sort(key=Finding.sort_key)
    return facts


def analyze_chunk(tasks: Sequence[FileTask], plan: RulePlan) -> list[FileFacts]:
    return [analyze(task, plan) for task in tasks]
