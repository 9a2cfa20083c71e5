"""How fast and how good is the clone engine on real code? (SSOT001/SSOT002 on Django)

    python -m benchmarks.duplicates_django [--version 5.2.19] [--jobs N] [--no-pylint]
                                           [--sample 20 --seed 1] [--positions]

Downloads Django's wheel from PyPI into a temporary folder (benchmarks/realcode.py), audits
it cold (no cache) with every registered rule and prints: the time of the per-file phase,
the time of the duplicate phase (SSOT001 and SSOT002 over the cached facts), peak memory of
this process and of the largest worker, and the cluster count by kind.

Then it runs `pylint --disable=all --enable=duplicate-code` on the same tree and prints its
time and how many of its reported blocks lie inside a function or class body, and how many
of those our SSOT001 findings cover, overall and for blocks of 6 statements or more (counted
with Python's `ast`), listing the big ones missed. Each block is first cut to the lines
pylint really found equal (its reported end runs into the next signature) and split into
pieces, one per definition its statements belong to. A block is covered wholly when every
piece, on every side, lies inside one finding (a whole copy or a copied run) of a group all
sides share; "but for small pieces" leaves out pieces of fewer than 3 statements (SSOT001's
default `min-statements`: a copy that small is reported by no rule), such as the
`return errors` that ends the method before a copied one. pylint is not a dependency of
ssot-audit: `pip install pylint` first, or pass --no-pylint.

--sample N prints N clusters drawn at random (with --seed), with the first lines of each
member, for reading by hand. --positions compares, file by file without worker processes,
the cost of the traversal alone, with the definition collector (which counts lines itself),
and with libcst's PositionProvider resolved instead.
"""

from __future__ import annotations

import argparse
import ast
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from benchmarks.realcode import fetch
from ssot_audit.analysis.plugins import FileContext, ProjectRule, Registry
from ssot_audit.analysis.project import Project
from ssot_audit.clones.collector import DefinitionCollector
from ssot_audit.clones.fingerprint import FileDefinitions
from ssot_audit.config import Overrides, load_config
from ssot_audit.model import AuditStats, FileFacts, Finding
from ssot_audit.pipeline.engine import Engine, default_jobs
from ssot_audit.pipeline.facts import CoreFacts

DUPLICATE_RULES = ("SSOT001", "SSOT002")
BIG_BLOCK = 6
# Pieces of one definition smaller than SSOT001's default min-statements are copies no rule reports.
MIN_PIECE = 3
_RUN_LINES = re.compile(r"^`[^`]+` lines (?P<first>\d+)-(?P<last>\d+): a run of")
_BLOCK_LINE = re.compile(r"^==(?P<module>[\w.]+):\[(?P<start>\d+):(?P<end>\d+)\]")


@dataclass(frozen=True)
class Block:
    """One place of a pylint duplicate-code report: module and 1-based inclusive lines."""

    module: str
    first: int
    last: int


def per_file_phase(engine: Engine, folder: Path) -> tuple[list[FileFacts], float]:
    files = engine.discover([folder], folder)
    start = time.perf_counter()
    facts = engine._per_file_phase(files, AuditStats(), None)  # the engine's own phase, timed alone, uncached
    return facts, time.perf_counter() - start


def duplicate_phase(
    registry: Registry, engine: Engine, folder: Path, facts: list[FileFacts]
) -> tuple[list[Finding], float]:
    start = time.perf_counter()
    project = Project(str(folder), facts)
    findings: list[Finding] = []
    for code in DUPLICATE_RULES:
        rule_class = registry.rules[code]
        assert issubclass(rule_class, ProjectRule)
        findings.extend(rule_class(engine.config.rule_options[code]).check(project))
    return findings, time.perf_counter() - start


def groups_of(findings: Sequence[Finding], runs: bool) -> dict[str, list[Finding]]:
    """SSOT001's clusters of whole copies, or (runs=True) its groups of copied statement runs."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule == "SSOT001" and finding.group and finding.group.startswith("SSOT001-run") == runs:
            groups.setdefault(finding.group, []).append(finding)
    return groups


def kind_of(members: Sequence[Finding]) -> str:
    copies = [f.message for f in members if "keep this one" not in f.message]
    if all(" is an exact copy " in m for m in copies):
        return "exact"
    if all(" is an exact copy " in m or "renamed identifiers" in m for m in copies):
        return "renamed"
    return "near-miss"


def run_pylint(folder: Path) -> tuple[list[list[Block]], float]:
    command = [
        sys.executable,
        "-m",
        "pylint",
        "--disable=all",
        "--enable=duplicate-code",
        "--jobs=1",
        folder.name,
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder.parent, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    return parse_pylint(done.stdout), elapsed


def parse_pylint(report: str) -> list[list[Block]]:
    """The places of each R0801 report: `==module:[start:end]` lines, 0-based, end-exclusive."""
    blocks: list[list[Block]] = []
    current: list[Block] = []
    for line in report.splitlines():
        match = _BLOCK_LINE.match(line)
        if match:
            module = match["module"].removesuffix(".__init__")  # pylint names a package by its __init__
            current.append(Block(module, int(match["start"]) + 1, int(match["end"])))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def matched(
    places: list[Block],
    folder: Path,
    facts: dict[str, FileFacts],
    trees: dict[str, list[tuple[int, int]]],
) -> list[Block]:
    """The lines pylint really found equal. Its reported end runs past the last equal line
    (to the next stripped line, often the following `def`), so each place is cut to the lines
    equal on every side, then to the statements wholly inside: a block of copied code, not
    of the signature that happens to follow it."""
    texts = [_stripped(place, folder, facts) for place in places]
    common = 0
    while all(common < len(t) for t in texts) and len({t[common][1] for t in texts}) == 1:
        common += 1
    if common == 0:
        return places
    trimmed = []
    for place, text in zip(places, texts, strict=True):
        last = text[common - 1][0]
        spans = [
            (first, end)
            for first, end in _statements(place.module, facts, folder, trees)
            if place.first <= first and end <= last
        ]
        if not spans:
            return places
        trimmed.append(Block(place.module, min(s for s, _ in spans), max(e for _, e in spans)))
    return trimmed


def _stripped(place: Block, folder: Path, facts: dict[str, FileFacts]) -> list[tuple[int, str]]:
    """(line, text) of the place's lines as pylint compares them: stripped, blank and comment lines left out."""
    file = facts.get(place.module)
    if file is None:
        return []
    lines = (folder / file.path).read_text(encoding="utf-8").splitlines()
    out = []
    for number in range(place.first, min(place.last, len(lines)) + 1):
        text = lines[number - 1].strip()
        if text and not text.startswith("#"):
            out.append((number, text))
    return out


def _statements(
    module: str,
    facts: dict[str, FileFacts],
    folder: Path,
    trees: dict[str, list[tuple[int, int]]],
) -> list[tuple[int, int]]:
    """Every statement's first and last line, from Python's own parser (used here only to
    count, never in the auditor)."""
    file = facts[module]
    if file.path not in trees:
        tree = ast.parse((folder / file.path).read_text(encoding="utf-8"))
        trees[file.path] = [
            (node.lineno, node.end_lineno or node.lineno) for node in ast.walk(tree) if isinstance(node, ast.stmt)
        ]
    return trees[file.path]


def statements_in(
    block: Block,
    folder: Path,
    facts: dict[str, FileFacts],
    trees: dict[str, list[tuple[int, int]]],
) -> int:
    """Statements wholly inside the block's lines (pylint counts lines; the issue counts statements)."""
    if block.module not in facts:
        return 0
    return sum(
        1
        for first, last in _statements(block.module, facts, folder, trees)
        if block.first <= first and last <= block.last
    )


def coverage(
    blocks: list[list[Block]],
    folder: Path,
    facts: list[FileFacts],
    groups: dict[str, list[Finding]],
) -> list[list[Block]]:
    """Prints how many pylint blocks inside a body our clusters cover; returns the big ones missed."""
    by_module = {f.module: f for f in facts}
    # Per file, the lines each group's members cover: a whole copy its definition, a copied
    # run its own lines. One definition can be in a cluster and in runs at once.
    ends = {
        (file.path, d.line): d.end_line
        for file in facts
        if isinstance(found := file.extras.get(DefinitionCollector.key()), FileDefinitions)
        for d in found.definitions
    }
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for group, members in groups.items():
        for f in members:
            run = _RUN_LINES.search(f.message)
            if run is not None:
                spans.setdefault(f.path, []).append((group, int(run["first"]), int(run["last"])))
            else:
                spans.setdefault(f.path, []).append((group, f.line, ends[(f.path, f.line)]))
    trees: dict[str, list[tuple[int, int]]] = {}
    blocks = [matched(block, folder, by_module, trees) for block in blocks]
    owners: dict[str, list[tuple[int, int, int]]] = {}

    def place_of(block: Block) -> Place | None:
        file = by_module.get(block.module)
        found = file.extras.get(DefinitionCollector.key()) if file else None
        if file is None or not isinstance(found, FileDefinitions):
            return None
        if file.path not in owners:
            owners[file.path] = _pieces_of((folder / file.path).read_text(encoding="utf-8"))
        pieces: dict[int, list[tuple[int, int]]] = {}
        for first, last, owner in owners[file.path]:
            if block.first <= first and last <= block.last:
                pieces.setdefault(owner, []).append((first, last))
        inside = any(d.line < block.first and block.last <= d.end_line for d in found.definitions)
        return Place(inside, spans.get(file.path, []), list(pieces.values()), block)

    missed: list[list[Block]] = []
    for label, wanted in (("all", 0), (f">= {BIG_BLOCK} statements", BIG_BLOCK)):
        chosen = [b for b in blocks if min(statements_in(p, folder, by_module, trees) for p in b) >= wanted]
        inside = wholly = but_small = 0
        for block in chosen:
            seen = [place_of(place) for place in block]
            if not all(p is not None and p.inside for p in seen):
                continue
            known = [p for p in seen if p is not None]
            inside += 1
            shared = set.intersection(*(p.groups() for p in known))
            if all(p.uncovered(shared, 1) == 0 for p in known):
                wholly += 1
            if all(p.uncovered(shared, MIN_PIECE) == 0 for p in known):
                but_small += 1
            elif wanted:
                missed.append(block)
        print(
            f"pylint blocks ({label}): {len(chosen)}; inside a function/class body: {inside}; covered by our "
            f"findings: {wholly} wholly, {but_small} but for pieces of fewer than {MIN_PIECE} statements "
            "of one definition"
        )
    return missed


@dataclass(frozen=True)
class Place:
    """One side of a pylint block: the spans our findings cover in its file, and the block's
    statements cut into pieces by the definition each belongs to."""

    inside: bool
    spans: list[tuple[str, int, int]]
    pieces: list[list[tuple[int, int]]]
    block: Block

    def groups(self) -> set[str]:
        return {g for g, first, last in self.spans if first <= self.block.last and self.block.first <= last}

    def uncovered(self, groups: set[str], smallest: int) -> int:
        """Pieces of `smallest` statements or more that no finding of these groups holds."""
        return sum(
            1
            for piece in self.pieces
            if len(piece) >= smallest
            and not any(
                g in groups and first <= min(a for a, _ in piece) and max(b for _, b in piece) <= last
                for g, first, last in self.spans
            )
        )


def _pieces_of(source: str) -> list[tuple[int, int, int]]:
    """Every statement's lines and the definition it belongs to (by its `def` line; a `def`
    statement belongs to itself; 0 at module level)."""
    out: list[tuple[int, int, int]] = []

    def walk(node: ast.AST, owner: int) -> None:
        for child in ast.iter_child_nodes(node):
            inner = owner
            if isinstance(child, ast.stmt):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    inner = child.lineno
                out.append((child.lineno, child.end_lineno or child.lineno, inner))
            walk(child, inner)

    walk(ast.parse(source), 0)
    return out


def sample(groups: dict[str, list[Finding]], folder: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    for group in rng.sample(sorted(groups), min(count, len(groups))):
        members = groups[group]
        print(f"\n=== {group} ({kind_of(members)}, {len(members)} members)")
        for finding in members[:3]:
            print(f"--- {finding.path}:{finding.line} {finding.scope}")
            lines = (folder / finding.path).read_text(encoding="utf-8").splitlines()
            print("\n".join(lines[finding.line - 1 : finding.line + 11]))


def positions(folder: Path) -> None:
    sources = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.py"))]

    def timed(mode: str) -> float:
        total = 0.0
        for source in sources:
            start = time.perf_counter()
            wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
            context = FileContext("m.py", "m", False, source, wrapper)
            collector = DefinitionCollector(context)
            wrapper.visit_batched([CoreFacts(context), collector] if mode == "collector" else [CoreFacts(context)])
            if mode == "collector":
                collector.facts()
            elif mode == "positions":
                wrapper.resolve(PositionProvider)
            total += time.perf_counter() - start
        return total

    for mode in ("traversal", "collector", "positions"):
        print(f"positions: {len(sources)} files, {mode:>10}: {timed(mode):6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", default=None)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--no-pylint", action="store_true")
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--positions", action="store_true")
    args = parser.parse_args()

    folder = fetch("django", args.version)
    registry = Registry.load()
    config = load_config(registry, folder, None, Overrides())
    engine = Engine(registry, config, jobs=args.jobs, use_cache=False)
    facts, per_file = per_file_phase(engine, folder)
    findings, duplicates = duplicate_phase(registry, engine, folder, facts)
    groups = groups_of(findings, runs=False)
    runs = groups_of(findings, runs=True)
    kinds: dict[str, int] = {}
    for members in groups.values():
        kinds[kind_of(members)] = kinds.get(kind_of(members), 0) + 1
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"django at {folder}: {len(facts)} files, {sum(f.lines for f in facts)} lines, --jobs {args.jobs}")
    print(f"per-file phase (cold, all rules): {per_file:.2f} s")
    print(
        f"duplicate phase (SSOT001 + SSOT002): {duplicates:.2f} s = {100 * duplicates / per_file:.1f}% of the per-file phase"
    )
    print(f"peak memory: {own:.0f} MiB this process, {worker:.0f} MiB the largest worker")
    print(
        f"SSOT001 clusters: {len(groups)} ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}), findings: {sum(map(len, groups.values()))}"
    )
    print(f"SSOT001 copied statement runs: {len(runs)} groups, findings: {sum(map(len, runs.values()))}")
    print(f"SSOT002 findings: {sum(1 for f in findings if f.rule == 'SSOT002')}")
    if not args.no_pylint:
        blocks, seconds = run_pylint(folder)
        print(f"pylint duplicate-code: {seconds:.2f} s, {len(blocks)} blocks")
        for block in coverage(blocks, folder, facts, {**groups, **runs}):
            print("  missed: " + "  ".join(f"{b.module}:{b.first}-{b.last}" for b in block))
    if args.sample:
        sample(groups, folder, args.sample, args.seed)
    if args.positions:
        positions(folder)


if __name__ == "__main__":
    main()
