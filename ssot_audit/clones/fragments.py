"""Copied runs of statements inside definitions that are not copies as a whole.

Each function's statements are cut into windows of `size` consecutive statements; a window
is keyed by its normalised tokens, so equal windows meet in one bucket (never all pairs).
Matching windows of two definitions that continue each other are joined into the longest
shared run, which must also share its identifiers and literals as written.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ssot_audit.clones.clusters import Member, components, match_graph
from ssot_audit.clones.detect import CloneIndex
from ssot_audit.clones.fingerprint import WRITTEN_TYPECODE
from ssot_audit.clones.similarity import similarity
from ssot_audit.clones.tokens import statement_codes


@dataclass(frozen=True)
class Run:
    """A run of statements of one definition: token range and its first and last lines."""

    start: int
    end: int
    first_line: int
    last_line: int
    statements: int


@dataclass(frozen=True)
class Fragment:
    members: tuple[Member, ...]
    runs: tuple[Run, ...]  # per member, the run it shares


def _statement_starts(index: CloneIndex, member: Member) -> list[int]:
    """Absolute token positions where the definition's own statements begin: those of nested
    definitions belong to them, so a run is reported where it is written."""
    d = member.definition
    file = index.files[member.path]
    starts = statement_codes()
    nested = sorted((c.start, c.end) for c in file.definitions if c.parent == member.index)
    out: list[int] = []
    position = d.start
    for start, end in [*nested, (d.end, d.end)]:
        out.extend(i for i in range(position, start) if file.tokens[i] in starts)
        position = max(position, end)
    return out


def _names(index: CloneIndex, member: Member, start: int, end: int) -> array[int]:
    written = index.files[member.path].written
    every: array[int] = array(WRITTEN_TYPECODE)
    every.frombytes(written[start * every.itemsize : end * every.itemsize])
    return array(WRITTEN_TYPECODE, [h for h in every if h])


def find_fragments(
    index: CloneIndex,
    members: Sequence[Member],
    size: int,
    written: float,
    related: Callable[[Member, Member], bool],
) -> list[Fragment]:
    """Runs of `size` statements or more shared by definitions for which `related` is false
    (the caller's way to leave out pairs already reported as whole copies)."""
    if size < 1:
        return []
    starts_of: list[list[int]] = []
    buckets: dict[bytes, list[tuple[int, int]]] = {}
    for m, member in enumerate(members):
        starts = _statement_starts(index, member) if not member.definition.holes else []
        starts_of.append(starts)
        tokens = index.files[member.path].tokens
        end = member.definition.end
        for k in range(len(starts) - size + 1):
            stop = starts[k + size] if k + size < len(starts) else end
            buckets.setdefault(tokens[starts[k] : stop], []).append((m, k))

    def runs_of(a: int, ka: int, b: int, kb: int, length: int) -> tuple[Run, Run]:
        statements = length + size - 1
        return _run(index, members[a], starts_of[a], ka, statements), _run(index, members[b], starts_of[b], kb, statements)

    return _shared_runs(index, members, buckets.values(), related, written, runs_of)


def _shared_runs(
    index: CloneIndex,
    members: Sequence[Member],
    buckets: Iterable[list[tuple[int, int]]],
    related: Callable[[Member, Member], bool],
    written: float,
    runs_of: Callable[[int, int, int, int, int], tuple[Run, Run] | None],
) -> list[Fragment]:
    """From the buckets of equal windows, each a list of (member, window) entries: for each pair of unrelated
    members the longest chain of consecutive shared windows, made into runs by `runs_of`
    (None drops it) and kept when the runs share their names as written."""
    matches: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for entries in buckets:
        first_m, first_k = entries[0]
        for m, k in entries[1:]:
            if m == first_m or related(members[first_m], members[m]):
                continue
            pair = (first_m, m) if first_m < m else (m, first_m)
            matches.setdefault(pair, set()).add((first_k, k) if first_m < m else (k, first_k))

    edges: list[tuple[int, int]] = []
    runs: dict[tuple[int, int], tuple[Run, Run]] = {}
    for (a, b), windows in matches.items():
        best = _longest_diagonal(windows)
        if best is None:
            continue
        found = runs_of(a, best[0], b, best[1], best[2])
        if found is None:
            continue
        run_a, run_b = found
        names_a = _names(index, members[a], run_a.start, run_a.end)
        names_b = _names(index, members[b], run_b.start, run_b.end)
        if similarity(names_a, names_b, written) < written:
            continue
        edges.append((a, b))
        runs[(a, b)] = (run_a, run_b)
    return _fragments_of(members, edges, runs)


def _fragments_of(
    members: Sequence[Member], edges: list[tuple[int, int]], runs: dict[tuple[int, int], tuple[Run, Run]]
) -> list[Fragment]:
    """One fragment per connected group of matched definitions, each with the run it shares."""
    fragments = []
    for component in components(match_graph(edges)):
        chosen = sorted(component)
        own: dict[int, Run] = {}
        for (a, b), (run_a, run_b) in runs.items():
            if a in component and b in component:
                own.setdefault(a, run_a)
                own.setdefault(b, run_b)
        fragments.append(Fragment(tuple(members[i] for i in chosen), tuple(own[i] for i in chosen)))
    return fragments


def _longest_diagonal(windows: Iterable[tuple[int, int]]) -> tuple[int, int, int] | None:
    """The longest chain (i, j), (i+1, j+1), ...: where it starts and how many windows."""
    found = set(windows)
    best: tuple[int, int, int] | None = None
    for i, j in found:
        if (i - 1, j - 1) in found:
            continue
        length = 1
        while (i + length, j + length) in found:
            length += 1
        if best is None or length > best[2]:
            best = (i, j, length)
    return best


def _run(index: CloneIndex, member: Member, starts: list[int], first: int, statements: int) -> Run:
    file = index.files[member.path]
    start = starts[first]
    last = starts[first + statements - 1]
    end = starts[first + statements] if first + statements < len(starts) else member.definition.end
    return Run(start, end, file.line_of_statement(start), file.line_of_statement(last), statements)


def find_method_runs(
    index: CloneIndex,
    classes: Sequence[Member],
    size: int,
    written: float,
    related: Callable[[Member, Member], bool],
) -> list[Fragment]:
    """Runs of two or more consecutive methods copied between classes, `size` statements or
    more together, for which `related` is false. Each method may be too small to be a clone
    (three cached properties of two storage backends); the run of them is one.

    Consecutive pairs of method streams are the hash keys, as statement windows are above."""
    if size < 1:
        return []
    methods_of: list[list[int]] = []
    buckets: dict[tuple[bytes, bytes], list[tuple[int, int]]] = {}
    for c, member in enumerate(classes):
        definitions = index.files[member.path].definitions
        methods = [
            i for i, d in enumerate(definitions) if d.parent == member.index and d.kind != "class" and not d.stub
        ]
        methods_of.append(methods)
        for k in range(len(methods) - 1):
            key = (definitions[methods[k]].normalised, definitions[methods[k + 1]].normalised)
            buckets.setdefault(key, []).append((c, k))

    def runs_of(a: int, ka: int, b: int, kb: int, length: int) -> tuple[Run, Run] | None:
        run_a = _method_run(index, classes[a], methods_of[a][ka : ka + length + 1])
        run_b = _method_run(index, classes[b], methods_of[b][kb : kb + length + 1])
        return (run_a, run_b) if min(run_a.statements, run_b.statements) >= size else None

    return _shared_runs(index, classes, buckets.values(), related, written, runs_of)


def _method_run(index: CloneIndex, member: Member, methods: Sequence[int]) -> Run:
    definitions = index.files[member.path].definitions
    first, last = definitions[methods[0]], definitions[methods[-1]]
    return Run(
        first.start,
        last.end,
        first.decorator_line or first.line,
        last.end_line,
        sum(definitions[i].statements for i in methods),
    )
