"""Copied runs of statements that are not copies of whole definitions.

Every definition at the top of a file is cut into windows of `size` consecutive statements
(its nested methods' `def` lines and bodies included, so a run may cross from one method
into the next); a window is keyed by its statements' hashes (each file's are worked out
with its facts, clones/segments.py), so equal windows meet in one bucket (never all pairs). Matching windows of two places that continue each other are
joined into maximal shared runs. A run is kept when it is not already reported (most of its
statements lie in definitions reported as whole copies of each other), is more than one
statement shape repeated (a table of `name = name` lines is not an implementation), and
shares its identifiers and literals as written. It is reported on the innermost definition that
holds it on each side: a function when it lies in one, else the class.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import TYPE_CHECKING

from ssot_audit.analysis.places import io_model_variants, versions_apart
from ssot_audit.clones.clusters import Member
from ssot_audit.clones.detect import CloneIndex, mirrored_names
from ssot_audit.clones.fingerprint import WRITTEN_TYPECODE, name_hash
from ssot_audit.clones.segments import STATEMENT_HASH_BYTES, Segment
from ssot_audit.clones.similarity import distinct_statements, similarity
from ssot_audit.clones.tokens import BLOCK_END

if TYPE_CHECKING:
    import networkx as nx

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
    paths = [path for path in sorted(index.files) for _ in index.files[path].segments]
    segments = [segment for path in sorted(index.files) for segment in index.files[path].segments]
    matches: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for entries in _shared_windows(segments, settings.size):
        for x, y in _pairs(entries):
            (a, ka), (b, kb) = sorted((x, y))
            if a != b or ka + settings.size <= kb:  # one segment's copies must not overlap
                matches.setdefault((a, b), set()).add((ka, kb))

    finder = _RunFinder(index, modules, paths, segments, settings, reported)
    found = [
        pair
        for (a, b), windows in matches.items()
        for i, j, length in _diagonals(windows)
        if (pair := finder.shared(a, i, b, j, length + settings.size - 1)) is not None
    ]
    return _fragments_of(found)


def _shared_windows(segments: Sequence[Segment], size: int) -> list[list[tuple[int, int]]]:
    """The places (segment, first statement) of each window of `size` statements found in two
    places or more, in the order each window is first met. Almost every window is found once
    (Django: 48,000 distinct of 49,500), so a place is listed only from a window's second."""
    first: dict[bytes, tuple[int, int]] = {}
    shared: dict[bytes, list[tuple[int, int]]] = {}
    width = STATEMENT_HASH_BYTES
    for s, segment in enumerate(segments):
        whole, tail = segment.whole, segment.tail
        for k in range(len(segment.starts) - size + 1):
            # All statements but the last by their whole hash, the last without its block ends.
            last = (k + size - 1) * width
            key = whole[k * width : last] + tail[last : last + width]
            place = (s, k)
            seen = first.setdefault(key, place)
            if seen is not place:
                places = shared.get(key)
                if places is None:
                    shared[key] = [seen, place]
                else:
                    places.append(place)
    # Each window's first place comes before those of the windows first met after it.
    return sorted(shared.values())


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


class _RunFinder:
    """Turns a chain of matching windows into the pair of runs to report, or None."""

    def __init__(
        self,
        index: CloneIndex,
        modules: Mapping[str, str],
        paths: Sequence[str],
        segments: Sequence[Segment],
        settings: RunSettings,
        reported: Callable[[Member, Member], bool],
    ) -> None:
        self.index = index
        self.modules = modules
        self.paths = paths  # per segment, its file
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
        path_a, path_b = self.paths[a], self.paths[b]
        counted = self._counted(path_a, seg_a, i, length)
        # A signature at either end, without its body, is not part of the run.
        lead = next((n for n, count in enumerate(counted) if count), length)
        trail = next((n for n, count in enumerate(reversed(counted)) if count), length)
        if lead + trail >= length:
            return None
        i, j, length = i + lead, j + lead, length - lead - trail
        counted = counted[lead : lead + length]
        owners_a, owners_b = seg_a.owners[i : i + length], seg_b.owners[j : j + length]
        holder_a = self.member(path_a, self._holder(path_a, owners_a))
        holder_b = self.member(path_b, self._holder(path_b, owners_b))
        if self._alternatives(holder_a, holder_b) or not (self._sized(holder_a) and self._sized(holder_b)):
            return None
        if holder_a.definition.is_async != holder_b.definition.is_async:
            return None  # a sync/async mirror (see CloneIndex.never_clones)
        if self.index.alternatives(holder_a.module, holder_b.module):
            return None  # one is loaded, the other may not even import (see CloneIndex.alternatives)
        if versions_apart(path_a, path_b) or io_model_variants(path_a, path_b):
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
            same = self._same_as_written(path_a, seg_a, i, path_b, seg_b, j, length)
            evidence = [count and equal for count, equal in zip(counted, same, strict=True)]
        unexplained = sum(
            1
            for x, y, count in zip(owners_a, owners_b, evidence, strict=True)
            if count and not self.reported(self.member(path_a, x), self.member(path_b, y))
        )
        if unexplained < self.settings.size:
            return None
        statements = sum(counted)
        run_a, run_b = self._run(path_a, seg_a, i, length, statements), self._run(path_b, seg_b, j, length, statements)
        tokens = self.index.files[path_a].tokens
        if distinct_statements(tokens[run_a.start : run_a.end]) < _SHAPES:
            return None
        names_a = self.index.files[path_a].names_in([(run_a.start, run_a.end)])
        names_b = self.index.files[path_b].names_in([(run_b.start, run_b.end)])
        if similarity(names_a, names_b, self.settings.written) < self.settings.written:
            return None
        own = {name_hash(holder_a.definition.name), name_hash(holder_b.definition.name)}
        if path_a != path_b and self.index.different_meanings(path_a, set(names_a), path_b, set(names_b), own):
            return None  # each calls its own module's version of a helper (see CloneIndex.name_different_things)
        return holder_a, run_a, holder_b, run_b

    def _same_as_written(
        self, path_a: str, seg_a: Segment, i: int, path_b: str, seg_b: Segment, j: int, length: int
    ) -> list[bool]:
        """Per statement of the two runs, whether its identifiers and literals are the same."""
        written_a, written_b = self.index.files[path_a].written, self.index.files[path_b].written
        width = array(WRITTEN_TYPECODE).itemsize
        out = []
        for k in range(length):
            start_a, end_a = seg_a.starts[i + k], self._end(seg_a, i + k, 1)
            start_b, end_b = seg_b.starts[j + k], self._end(seg_b, j + k, 1)
            out.append(written_a[start_a * width : end_a * width] == written_b[start_b * width : end_b * width])
        return out

    def _sized(self, member: Member) -> bool:
        return (member.path, member.index) in self._clone_sized

    def _holder(self, path: str, owners: Sequence[int]) -> int:
        """The innermost definition holding every statement of the run."""
        definitions = self.index.files[path].definitions

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

    def _counted(self, path: str, segment: Segment, first: int, length: int) -> list[bool]:
        """Which statements of the run count: all but the `def`/`class` lines of definitions
        the run does not hold whole (a shared signature is not shared code; a whole copied
        method is, signature included)."""
        end = self._end(segment, first, length)
        definitions = self.index.files[path].definitions
        return [i < 0 or definitions[i].end <= end for i in segment.opens[first : first + length]]

    @staticmethod
    def _end(segment: Segment, first: int, length: int) -> int:
        return segment.starts[first + length] if first + length < len(segment.starts) else segment.end

    def _run(self, path: str, segment: Segment, first: int, length: int, statements: int) -> Run:
        file = self.index.files[path]
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
