"""Copied runs of statements that are not copies of whole definitions.

Every definition at the top of a file is cut into windows of `size` consecutive statements
(its nested methods' `def` lines and bodies included, so a run may cross from one method
into the next); a window is keyed by its normalised tokens, so equal windows meet in one
bucket (never all pairs). Matching windows of two places that continue each other are
joined into maximal shared runs. A run is kept when it is not already reported (most of its
statements lie in definitions reported as whole copies of each other), is more than one
statement shape repeated (a table of `name = name` lines is not an implementation), and
shares its identifiers and literals as written. It is reported on the innermost definition that
holds it on each side: a function when it lies in one, else the class.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import TYPE_CHECKING

from ssot_audit.analysis.places import io_model_variants, versions_apart
from ssot_audit.clones.clusters import Member
from ssot_audit.clones.detect import CloneIndex, mirrored_names
from ssot_audit.clones.fingerprint import WRITTEN_TYPECODE, FileDefinitions, name_hash
from ssot_audit.clones.similarity import distinct_statements, similarity
from ssot_audit.clones.tokens import BLOCK_END, statement_codes

if TYPE_CHECKING:
    import networkx as nx

_BLOCK_END = bytes([BLOCK_END])
# A run of one statement shape repeated (`client_class = DatabaseClient`, ...) is a table
# of settings, each module binding its own names: there is nothing to share.
_SHAPES = 2
_ALL_PAIRS = 12  # the biggest bucket whose entries are all paired: 66 pairs


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


@dataclass(frozen=True)
class Segment:
    """Statements of one top-level definition, between placeholders (abstract methods and
    stubs are never part of a run): their first tokens and the definition holding each."""

    path: str
    starts: tuple[int, ...]
    owners: tuple[int, ...]  # per statement, the innermost definition whose body holds it
    opens: tuple[int, ...]  # per statement, the definition a `def`/`class` line opens, else -1
    end: int  # token after the last statement


@dataclass(frozen=True)
class RunSettings:
    size: int  # the fewest statements a run may have
    written: float  # how alike its names and literals as written must be


def find_runs(
    index: CloneIndex,
    modules: Mapping[str, str],
    settings: RunSettings,
    reported: Callable[[Member, Member], bool],
) -> list[Fragment]:
    """Runs of `settings.size` statements or more shared by two places of the project.
    `reported(a, b)` tells whether definitions a and b are already reported as copies."""
    if settings.size < 1:
        return []
    segments = [segment for path in sorted(index.files) for segment in _segments(path, index.files[path])]
    buckets: dict[bytes, list[tuple[int, int]]] = {}
    for s, segment in enumerate(segments):
        tokens = index.files[segment.path].tokens
        starts = segment.starts
        for k in range(len(starts) - settings.size + 1):
            stop = starts[k + settings.size] if k + settings.size < len(starts) else segment.end
            buckets.setdefault(tokens[starts[k] : stop].rstrip(_BLOCK_END), []).append((s, k))

    matches: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for entries in buckets.values():
        for x, y in _pairs(entries):
            (a, ka), (b, kb) = sorted((x, y))
            if a != b or ka + settings.size <= kb:  # one segment's copies must not overlap
                matches.setdefault((a, b), set()).add((ka, kb))

    finder = _RunFinder(index, modules, segments, settings, reported)
    found = [
        pair
        for (a, b), windows in matches.items()
        for i, j, length in _diagonals(windows)
        if (pair := finder.shared(a, i, b, j, length + settings.size - 1)) is not None
    ]
    return _fragments_of(found)


def _pairs(entries: list[tuple[int, int]]) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """Every pair of a small bucket, so each pair of places sees all the windows they share
    (a chain broken by a window a third place also has would report a shorter run). A big
    bucket is boilerplate repeated across the project: each entry is paired with the first
    only, which keeps the cost linear."""
    if len(entries) <= _ALL_PAIRS:
        yield from combinations(entries, 2)
    else:
        for y in entries[1:]:
            yield entries[0], y


def _segments(path: str, file: FileDefinitions) -> Iterator[Segment]:
    definitions = file.definitions
    pattern = re.compile(b"[" + re.escape(statement_codes()) + b"]")
    statements = [found.start() for found in pattern.finditer(file.tokens)]
    root: list[int] = []  # per definition, the top-level definition holding it
    inner: dict[int, list[tuple[int, int, int]]] = {}
    opened_at: dict[int, int] = {}  # a nested definition's `def` token: the last statement before its body
    for i, d in enumerate(definitions):
        root.append(root[d.parent] if d.parent >= 0 else i)  # parents come first
        if d.parent >= 0:
            inner.setdefault(root[i], []).append((d.start, d.end, i))
            opened_at[statements[bisect_left(statements, d.start) - 1]] = i
    for top, d in enumerate(definitions):
        if d.parent >= 0 or d.stub:
            continue
        bounds = [d.start, *(x for a, b in sorted(d.holes) for x in (a, b)), d.end]
        for start, end in zip(bounds[::2], bounds[1::2]):
            starts = statements[bisect_left(statements, start) : bisect_left(statements, end)]
            if starts:
                owners = tuple(_owners(starts, sorted(inner.get(top, [])), top))
                yield Segment(path, tuple(starts), owners, tuple(opened_at.get(t, -1) for t in starts), end)


def _owners(starts: Sequence[int], inner: Sequence[tuple[int, int, int]], top: int) -> Iterator[int]:
    """Per statement token, the innermost definition around it: one sweep, as both are sorted."""
    stack: list[tuple[int, int]] = [(1 << 62, top)]
    following = 0
    for token in starts:
        while stack[-1][0] <= token:
            stack.pop()
        while following < len(inner) and inner[following][0] <= token:
            start, end, i = inner[following]
            following += 1
            while stack[-1][0] <= start:
                stack.pop()
            if token < end:
                stack.append((end, i))
        yield stack[-1][1]


class _RunFinder:
    """Turns a chain of matching windows into the pair of runs to report, or None."""

    def __init__(
        self,
        index: CloneIndex,
        modules: Mapping[str, str],
        segments: Sequence[Segment],
        settings: RunSettings,
        reported: Callable[[Member, Member], bool],
    ) -> None:
        self.index = index
        self.modules = modules
        self.segments = segments
        self.settings = settings
        self.reported = reported
        self._members: dict[tuple[str, int], Member] = {(m.path, m.index): m for m in index.members}
        self._clone_sized = set(self._members)  # a run's holder must be big enough to be a clone

    def member(self, path: str, i: int) -> Member:
        key = (path, i)
        if key not in self._members:
            self._members[key] = Member(path, self.modules.get(path, ""), i, self.index.files[path].definitions[i])
        return self._members[key]

    def shared(self, a: int, i: int, b: int, j: int, length: int) -> tuple[Member, Run, Member, Run] | None:
        """The runs of `length` statements from statement i of segment a and j of segment b."""
        seg_a, seg_b = self.segments[a], self.segments[b]
        counted = self._counted(seg_a, i, length)
        # A signature at either end, without its body, is not part of the run.
        lead = next((n for n, count in enumerate(counted) if count), length)
        trail = next((n for n, count in enumerate(reversed(counted)) if count), length)
        if lead + trail >= length:
            return None
        i, j, length = i + lead, j + lead, length - lead - trail
        counted = counted[lead : lead + length]
        owners_a, owners_b = seg_a.owners[i : i + length], seg_b.owners[j : j + length]
        holder_a = self.member(seg_a.path, self._holder(seg_a, owners_a))
        holder_b = self.member(seg_b.path, self._holder(seg_b, owners_b))
        if self._alternatives(holder_a, holder_b) or not (self._sized(holder_a) and self._sized(holder_b)):
            return None
        if holder_a.definition.is_async != holder_b.definition.is_async:
            return None  # a sync/async mirror (see CloneIndex.never_clones)
        if versions_apart(seg_a.path, seg_b.path) or io_model_variants(seg_a.path, seg_b.path):
            # A frozen copy of an old API beside its successor (see CloneIndex.never_clones), or
            # one module's sync and async variants sharing the scaffold around their I/O.
            return None
        if mirrored_names(holder_a.definition.name, holder_b.definition.name):
            return None  # `readable`/`writable`, `_add_class`/`_remove_class`: each one's point is its difference
        evidence = counted
        if holder_a.definition.kind == "class" or holder_b.definition.kind == "class":
            # A stretch across a class body's attributes and methods is made of small things
            # every such class has (its own `widget = ...`, `get_internal_type()` returning
            # its name): only statements copied as written are evidence of one copy.
            same = self._same_as_written(seg_a, i, seg_b, j, length)
            evidence = [count and equal for count, equal in zip(counted, same, strict=True)]
        unexplained = sum(
            1
            for x, y, count in zip(owners_a, owners_b, evidence, strict=True)
            if count and not self.reported(self.member(seg_a.path, x), self.member(seg_b.path, y))
        )
        if unexplained < self.settings.size:
            return None
        statements = sum(counted)
        run_a, run_b = self._run(seg_a, i, length, statements), self._run(seg_b, j, length, statements)
        tokens = self.index.files[seg_a.path].tokens
        if distinct_statements(tokens[run_a.start : run_a.end]) < _SHAPES:
            return None
        names_a = self.index.files[seg_a.path].names_in([(run_a.start, run_a.end)])
        names_b = self.index.files[seg_b.path].names_in([(run_b.start, run_b.end)])
        if similarity(names_a, names_b, self.settings.written) < self.settings.written:
            return None
        own = {name_hash(holder_a.definition.name), name_hash(holder_b.definition.name)}
        if seg_a.path != seg_b.path and self.index.different_meanings(
            seg_a.path, set(names_a), seg_b.path, set(names_b), own
        ):
            return None  # each calls its own module's version of a helper (see CloneIndex.name_different_things)
        return holder_a, run_a, holder_b, run_b

    def _same_as_written(self, seg_a: Segment, i: int, seg_b: Segment, j: int, length: int) -> list[bool]:
        """Per statement of the two runs, whether its identifiers and literals are the same."""
        written_a, written_b = self.index.files[seg_a.path].written, self.index.files[seg_b.path].written
        width = array(WRITTEN_TYPECODE).itemsize
        out = []
        for k in range(length):
            start_a, end_a = seg_a.starts[i + k], self._end(seg_a, i + k, 1)
            start_b, end_b = seg_b.starts[j + k], self._end(seg_b, j + k, 1)
            out.append(written_a[start_a * width : end_a * width] == written_b[start_b * width : end_b * width])
        return out

    def _sized(self, member: Member) -> bool:
        return (member.path, member.index) in self._clone_sized

    def _holder(self, segment: Segment, owners: Sequence[int]) -> int:
        """The innermost definition holding every statement of the run."""
        definitions = self.index.files[segment.path].definitions

        def chain(i: int) -> list[int]:
            out = []
            while i >= 0:
                out.append(i)
                i = definitions[i].parent
            return out[::-1]

        common = chain(owners[0])
        for owner in set(owners[1:]):
            other = chain(owner)
            depth = 0
            while depth < min(len(common), len(other)) and common[depth] == other[depth]:
                depth += 1
            common = common[:depth]
        return common[-1]

    def _alternatives(self, a: Member, b: Member) -> bool:
        """One definition, one holding the other, or one module's alternative definitions of a
        name (`try:`/`except ImportError:`): never copies of each other."""
        if a.path != b.path:
            return False
        if a.index == b.index or a.definition.qualname == b.definition.qualname:
            return True
        return self.index.encloses(a, b) or self.index.encloses(b, a)

    def _counted(self, segment: Segment, first: int, length: int) -> list[bool]:
        """Which statements of the run count: all but the `def`/`class` lines of definitions
        the run does not hold whole (a shared signature is not shared code; a whole copied
        method is, signature included)."""
        end = self._end(segment, first, length)
        definitions = self.index.files[segment.path].definitions
        return [i < 0 or definitions[i].end <= end for i in segment.opens[first : first + length]]

    @staticmethod
    def _end(segment: Segment, first: int, length: int) -> int:
        return segment.starts[first + length] if first + length < len(segment.starts) else segment.end

    def _run(self, segment: Segment, first: int, length: int, statements: int) -> Run:
        file = self.index.files[segment.path]
        start = segment.starts[first]
        end = self._end(segment, first, length)
        last = end
        while last > start + 1 and file.tokens[last - 1] == BLOCK_END:
            last -= 1
        return Run(start, end, file.line_of_statement(start), file.last_line(start, last), statements)


def _diagonals(windows: set[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
    """Every maximal chain (i, j), (i+1, j+1), ...: where it starts and how many windows."""
    for i, j in windows:
        if (i - 1, j - 1) in windows:
            continue
        length = 1
        while (i + length, j + length) in windows:
            length += 1
        yield i, j, length


def _fragments_of(found: Sequence[tuple[Member, Run, Member, Run]]) -> list[Fragment]:
    """One fragment per group of places linked by shared runs. A definition's runs that
    overlap are one place; each place keeps its longest run."""
    import networkx as nx  # 0.25 s to import: paid only when a project rule runs

    graph: nx.Graph[tuple[Member, Run]] = nx.Graph()
    for holder_a, run_a, holder_b, run_b in found:
        graph.add_edge((holder_a, run_a), (holder_b, run_b))
    by_holder: dict[Member, list[tuple[Member, Run]]] = {}
    for node in graph.nodes:
        by_holder.setdefault(node[0], []).append(node)
    for nodes in by_holder.values():
        nodes.sort(key=lambda node: node[1].start)
        for left, right in pairwise(nodes):
            if right[1].start < left[1].end:
                graph.add_edge(left, right)
    fragments = []
    for component in nx.connected_components(graph):
        longest: dict[Member, Run] = {}
        # A set of records hashed by their strings: its order follows PYTHONHASHSEED, so ties
        # of length are broken by place (the earliest run), never by iteration order.
        for holder, run in sorted(
            component, key=lambda node: (node[0].path, node[0].index, node[1].start, node[1].end)
        ):
            if holder not in longest or run.statements > longest[holder].statements:
                longest[holder] = run
        if len(longest) > 1:
            chosen = sorted(longest, key=lambda m: (m.path, m.definition.line))
            fragments.append(Fragment(tuple(chosen), tuple(longest[m] for m in chosen)))
    return sorted(fragments, key=lambda f: (f.members[0].path, f.runs[0].start))
