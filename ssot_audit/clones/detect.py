"""Finds clone clusters among the definitions of a project, never comparing all pairs:
identical normalised streams meet in a hash bucket, near-miss copies in an LSH band, and
only those candidate pairs are verified."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Container, Mapping, Sequence
from dataclasses import dataclass, field

from ssot_audit.analysis.places import io_model_variants, versions_apart
from ssot_audit.analysis.project import Memo
from ssot_audit.clones.clusters import Member, components, match_graph
from ssot_audit.clones.fingerprint import Definition, FileDefinitions, name_hash
from ssot_audit.clones.lsh import candidate_pairs
from ssot_audit.clones.similarity import similarity

EXACT = "exact"
RENAMED = "renamed"
NEAR_MISS = "near-miss"


# How alike (normalised tokens, as for near-miss copies) two modules' own versions of a helper
# must be for code calling each to mean one thing: setuptools' and its distutils' versions of
# `_find_all_simple` (one adds a filter) are about 0.8 alike, dask's two `_wrap_func`s (one
# builds a graph, the other an expression) about 0.15; below the near-miss threshold, since a
# helper that drifted a little is still the same helper.
HELPERS_ALIKE = 0.6
# `globals()`: code calling it reads whatever module it sits in.
_GLOBALS = name_hash("globals")


@dataclass(frozen=True)
class Cluster:
    members: tuple[Member, ...]
    kind: str  # EXACT, RENAMED or NEAR_MISS


@dataclass
class Children:
    """The definitions directly inside one definition, summed up."""

    tokens: int = 0
    any_async: bool = False
    longest: int = 0  # the most statements any of them has


_NO_CHILDREN = Children()


@dataclass(frozen=True)
class Thresholds:
    similarity: float  # normalised tokens
    written: float  # tokens as written, for near-miss copies only
    statements: int = 0  # the fewest statements a near-miss copy may have
    # Within one module: the fewest statements a renamed copy may have, and whether near-miss
    # copies count at all (see DuplicateImplementationOptions).
    module_statements: int = 0
    module_near_miss: bool = True


@dataclass
class CloneIndex:
    """Every eligible definition of the project, with the file facts it came from."""

    files: dict[str, FileDefinitions]
    members: list[Member]
    _streams: dict[tuple[str, int], tuple[bytes, Counter[int]]] = field(default_factory=dict)
    _written: dict[tuple[str, int], tuple[array[int], Counter[int]]] = field(default_factory=dict)
    _children: dict[str, dict[int, Children]] = field(default_factory=dict)  # per file, per parent
    _own: dict[str, dict[int, Definition]] = field(default_factory=dict)  # per file, see own_definitions
    _bound: dict[str, dict[int, int]] = field(default_factory=dict)  # per file, see bound_names
    # Pair verdicts kept between audits (Project.memo): the LCS comparisons are most of the
    # duplicate phase, and a warm `check` of one file should not redo them.
    memo: Memo = field(default_factory=Memo)
    # Each file's cache key (Project.file_keys): a whole verdict about two definitions is kept
    # under their files' keys and positions, which fix everything it reads, so a `check` of
    # one changed file recomputes only the pairs that involve it.
    keys: Mapping[str, str] = field(default_factory=dict)
    # Whether two modules are alternatives the project picks between by Python version or
    # platform (Project.alternatives). It reads the file that picks, so it is asked outside
    # the memo, whose verdicts may read only the pair's own files.
    alternatives: Callable[[str, str], bool] = field(default=lambda a, b: False)
    modules: Collection[str] = frozenset()  # every module of the project
    _ids: dict[tuple[str, int], bytes | None] = field(default_factory=dict)
    _tags: dict[int, tuple[Thresholds, dict[bytes, bytes]]] = field(default_factory=dict)

    def stream(self, member: Member) -> tuple[bytes, Counter[int]]:
        """The normalised stream and its token counts, kept for the next pair."""
        key = (member.path, member.index)
        if key not in self._streams:
            stream = self.files[member.path].stream(member.definition)
            self._streams[key] = (stream, Counter(stream))
        return self._streams[key]

    def written(self, member: Member) -> tuple[array[int], Counter[int]]:
        key = (member.path, member.index)
        if key not in self._written:
            names = self.files[member.path].names(member.definition)
            self._written[key] = (names, Counter(names))
        return self._written[key]

    def similarity(self, a: Member, b: Member, at_least: float = 0.0) -> float:
        (x, count_x), (y, count_y) = self.stream(a), self.stream(b)
        return similarity(x, y, at_least, (count_x, count_y))

    def written_similarity(self, a: Member, b: Member, at_least: float = 0.0) -> float:
        """The same ratio over the identifiers and literals as written."""
        (x, count_x), (y, count_y) = self.written(a), self.written(b)
        return similarity(x, y, at_least, (count_x, count_y))

    def pair_key(self, test: bytes, a: Member, b: Member, thresholds: Thresholds) -> bytes | None:
        """Where a pair test's verdict is kept: None unless both files have a cache key. Built
        from parts kept per member and per thresholds, as it is asked for every candidate pair
        (hashing the thresholds dataclass each time was most of a check's pair phase)."""
        id_a, id_b = self._member_id(a), self._member_id(b)
        if id_a is None or id_b is None:
            return None
        tags = self._tags.get(id(thresholds))
        if tags is None or tags[0] is not thresholds:
            tags = self._tags[id(thresholds)] = (thresholds, {})
        tag = tags[1].get(test)
        if tag is None:
            tag = tags[1][test] = b"pair" + hashlib.blake2b(repr((test, thresholds)).encode(), digest_size=8).digest()
        return tag + id_a + id_b

    def _member_id(self, member: Member) -> bytes | None:
        """Its file's key (128 bits of it) and its position in the file."""
        place = (member.path, member.index)
        found = self._ids.get(place, b"")
        if found == b"":
            key = self.keys.get(member.path)
            found = self._ids[place] = bytes.fromhex(key)[:16] + member.index.to_bytes(4, "little") if key else None
        return found

    def remembered(
        self, test: bytes, a: Member, b: Member, thresholds: Thresholds, verdict: Callable[[], bool]
    ) -> bool:
        """verdict(), or what it said for this pair in an earlier audit (see pair_key)."""
        if a.module != b.module and self.alternatives(a.module, b.module) and self.shared_base((a, b)) is None:
            # One is loaded, the other may not even import: neither can use the other. A method
            # both classes inherit from a project base can still move there (textual's drivers).
            return False
        key = self.pair_key(test, a, b, thresholds)
        known = self.memo.get(key) if key is not None else None
        if known is None:
            known = verdict()
            if key is not None:
                self.memo.put(key, known)
        return known

    def near_miss(self, a: Member, b: Member, thresholds: Thresholds) -> bool:
        if min(a.definition.statements, b.definition.statements) < thresholds.statements:
            return False  # as alike_enough says, answered before the memo: cheaper than a lookup
        return self.remembered(b"near-miss", a, b, thresholds, lambda: self._near_miss(a, b, thresholds))

    def _near_miss(self, a: Member, b: Member, thresholds: Thresholds) -> bool:
        if a.path == b.path and not thresholds.module_near_miss:
            return False
        if not self.alike_enough(a, b, thresholds):
            return False  # first: the cheapest test, and it settles most LSH candidates
        size_a, size_b = a.definition.tokens, b.definition.tokens
        if 2 * min(size_a, size_b) < thresholds.similarity * (size_a + size_b):
            return False  # too different in length to reach the ratio, before any stream is built
        if self.never_clones(a, b):
            return False
        first, second = sorted((a.definition.exact, b.definition.exact))
        key = b"near:%r:%r:" % (thresholds.similarity, thresholds.written) + first + second
        known = self.memo.get(key)
        if known is None:
            # Names first: their streams are shorter, and most candidates that share a shape
            # (every `__eq__`, every `get_queryset`) differ in them.
            known = (
                self.written_similarity(a, b, thresholds.written) >= thresholds.written
                and self.similarity(a, b, thresholds.similarity) >= thresholds.similarity
            )
            self.memo.put(key, known)
        return known

    def never_clones(self, a: Member, b: Member) -> bool:
        """One module defining one name twice (`if TYPE_CHECKING:`/`else:`, `try:`/`except
        ImportError:`, a property's getter and setter) holds alternatives, not copies; and a
        definition is never a copy of one it contains, nor a class of a function, nor a
        function that mostly wraps nested definitions (a factory) of one that does not, nor
        an `async def` of a `def` (or a class of async methods of one of plain ones): sync/async
        mirrors (`logout`/`alogout`) cannot call each other, so "make the copies use it" could
        not be followed; nor could it across a versioned API folder (`pydantic/v1/` is a frozen
        copy of the old API, kept apart from the new one on purpose)."""
        if (a.definition.kind == "class") != (b.definition.kind == "class"):
            return True
        if self._is_async(a) != self._is_async(b):
            return True
        if a.definition.kind != "class" and self._wrapper(a) != self._wrapper(b):
            return True
        if a.path != b.path:
            return versions_apart(a.path, b.path) or self.name_different_things(a, b)
        return a.definition.qualname == b.definition.qualname or self.encloses(a, b) or self.encloses(b, a)

    def shared_base(self, members: Sequence[Member]) -> str | None:
        """The project class every member's class derives from directly, when the members are
        methods of one name in module-level classes (apscheduler's job stores, each with its own
        `_reconstitute_job`, all on `BaseJobStore`): where one copy belongs, so that none of the
        classes has to reach into a sibling's."""
        shared: set[str] | None = None
        for member in members:
            d = member.definition
            if d.kind != "method" or d.name != members[0].definition.name or d.parent < 0:
                return None
            file = self.files[member.path]
            top = next((t for t in file.top_level if t.index == d.parent), None)
            if top is None:
                return None  # a method of a nested class
            tops = [file.definitions[t.index] for t in file.top_level]
            classes = {c.name for c in tops if c.kind == "class"}
            bases = {f"{member.module}.{b}" if b in classes else b for b in top.bases}
            shared = bases if shared is None else shared & bases
        found = sorted(b for b in shared or () if b.rpartition(".")[0] in self.modules)
        return found[0] if found else None

    def own_definitions(self, path: str) -> dict[int, Definition]:
        """A file's module-level functions and classes, by the hash of each one's name."""
        if path not in self._own:
            file = self.files[path]
            tops = (file.definitions[t.index] for t in file.top_level)
            self._own[path] = {name_hash(d.name): d for d in tops}
        return self._own[path]

    def bound_names(self, path: str) -> dict[int, int]:
        """The values of a file's module-level constants (hashed), by name hash."""
        if path not in self._bound:
            self._bound[path] = {name_hash(name): meaning for name, meaning in self.files[path].bound}
        return self._bound[path]

    def _alike(self, path_a: str, a: Definition, path_b: str, b: Definition) -> bool:
        """Two module-level definitions that are copies of each other (setuptools' and its
        bundled distutils' `_find_all_simple`), so code calling them means one thing."""
        if a.exact == b.exact or a.normalised == b.normalised:
            return True
        x, y = self.files[path_a].stream(a), self.files[path_b].stream(b)
        return similarity(x, y, HELPERS_ALIKE) >= HELPERS_ALIKE

    def name_different_things(self, a: Member, b: Member) -> bool:
        """Copies in two modules that call a module-level function or class each module defines
        its own way (dask's `_array_expr` copy of `RandomState` calls that module's own
        `_wrap_func`): the same words, two meanings; neither copy could stand in for the other."""
        own = {name_hash(a.definition.name), name_hash(b.definition.name)}
        return self.different_meanings(a.path, self.written(a)[1], b.path, self.written(b)[1], own)

    def different_meanings(
        self, path_a: str, names_a: Container[int], path_b: str, names_b: Container[int], own: set[int]
    ) -> bool:
        """Whether code of two files (their names as written, as hashes) uses a name both files
        define at module level, differently (a function or class, or a constant's value), or
        reads its own module's namespace through `globals()`; `own` are the names of the
        definitions compared."""
        if _GLOBALS in names_a and _GLOBALS in names_b:
            return True  # each reads its own module's namespace (pyasn1's module `__getattr__`)
        bound_a, bound_b = self.bound_names(path_a), self.bound_names(path_b)
        # pre-commit's `in_env` in each language module reads that module's `ENVIRONMENT_DIR`.
        if any(bound_a[h] != bound_b[h] for h in bound_a.keys() & bound_b.keys() if h in names_a and h in names_b):
            return True
        own_a, own_b = self.own_definitions(path_a), self.own_definitions(path_b)
        # Asked of every candidate pair across files: most share no module-level name at all.
        shared = own_a.keys() & own_b.keys()
        if not shared:
            return False
        used = sorted(h for h in shared - own if h in names_a or h in names_b)
        return any(not self._alike(path_a, own_a[h], path_b, own_b[h]) for h in used)

    def alike_enough(self, a: Member, b: Member, thresholds: Thresholds) -> bool:
        """Whether two definitions that are not exact copies have enough of their own to be
        one implementation rather than one shape: in a small body (a `get`-or-raise accessor,
        `list_.append(x)` against `list_.appendleft(x)`) the tokens that differ are the whole
        content; a class whose methods are all one or two statements (each JSON tag's
        `check`/`to_json`, each range field's `db_type`) is an interface filled in, not an
        implementation copied. Within one module, where the variants sit side by side and each is
        read beside the others, a renamed body must be larger still (`parse_or`/`parse_and`,
        `list_domains`/`list_paths` differ in the one token that is each one's point). One module
        written for two I/O models (redis `asyncio/client.py` and `client.py`, pymongo
        `asynchronous/` and `synchronous/`) differs in the lock, the transport or the header
        access that is each one's model: only its exact copies are one implementation."""
        fewest = min(a.definition.statements, b.definition.statements)
        if fewest < thresholds.statements or (a.path == b.path and fewest < thresholds.module_statements):
            return False
        if io_model_variants(a.path, b.path):
            return False
        if mirrored_names(a.definition.name, b.definition.name):
            return False
        if a.definition.normalised == b.definition.normalised and self._only_own_names_differ(a, b):
            return False
        return a.definition.kind != "class" or (self._longest_method(a) >= 3 and self._longest_method(b) >= 3)

    def _only_own_names_differ(self, a: Member, b: Member) -> bool:
        """Renamed copies whose only differences are their own names (`readable()` returning
        `self.file.readable()`, `seekable()` returning `self.file.seekable()`): one delegation
        pattern applied to each name, not an implementation written twice."""

        def spellings(name: str) -> set[int]:
            return {name_hash(name), name_hash(f"'{name}'"), name_hash(f'"{name}"')}

        own_a, own_b = spellings(a.definition.name), spellings(b.definition.name)
        (names_a, _), (names_b, _) = self.written(a), self.written(b)
        differ = [(x, y) for x, y in zip(names_a, names_b, strict=False) if x != y]
        return bool(differ) and all(x in own_a and y in own_b for x, y in differ)

    def _is_async(self, member: Member) -> bool:
        """An `async def`, or a class with an `async def` method (httpx's AsyncHTTPTransport
        mirrors HTTPTransport)."""
        if member.definition.kind != "class":
            return member.definition.is_async
        return self.children(member).any_async

    def _longest_method(self, member: Member) -> int:
        return self.children(member).longest

    def _wrapper(self, member: Member) -> bool:
        """Whether nested definitions hold most of the definition's tokens."""
        return 2 * self.children(member).tokens > member.definition.tokens

    def children(self, member: Member) -> Children:
        """What the definitions directly inside `member` add up to: one pass per file, kept,
        since pairs ask again and again (a generated module holds thousands of definitions)."""
        if member.path not in self._children:
            per_parent: dict[int, Children] = {}
            for d in self.files[member.path].definitions:
                c = per_parent.setdefault(d.parent, Children())
                c.tokens += d.end - d.start
                c.any_async = c.any_async or d.is_async
                c.longest = max(c.longest, d.statements)
            self._children[member.path] = per_parent
        return self._children[member.path].get(member.index, _NO_CHILDREN)

    def encloses(self, outer: Member, inner: Member) -> bool:
        """Whether `inner` is defined inside `outer` (both of one file)."""
        definitions = self.files[inner.path].definitions
        parent = inner.definition.parent
        while parent >= 0:
            if parent == outer.index:
                return True
            parent = definitions[parent].parent
        return False


# Words whose definitions come in opposite pairs or positional sets: `readable`/`writable`,
# `add_class`/`remove_class`, `align_top`/`align_bottom`, `move_cursor_backward`/`forward`.
_OPPOSITES = (
    ("read", "write"), ("readable", "writable"), ("reader", "writer"), ("add", "remove"), ("create", "drop"),
    ("get", "set"), ("push", "pop"), ("open", "close"), ("start", "stop"), ("begin", "end"), ("encode", "decode"),
    ("enable", "disable"), ("show", "hide"), ("lock", "unlock"), ("load", "dump"), ("before", "after"),
    ("min", "max"), ("first", "last"), ("head", "tail"), ("up", "down"), ("left", "right"), ("top", "bottom"),
    ("forward", "backward"), ("forwards", "backwards"), ("next", "previous"), ("next", "prev"), ("inc", "dec"),
    ("increment", "decrement"), ("import", "export"), ("upper", "lower"), ("request", "response"),
    ("serialize", "deserialize"), ("pack", "unpack"), ("lstrip", "rstrip"), ("ljust", "rjust"),
    ("top", "middle"), ("middle", "bottom"), ("left", "center"), ("center", "right"), ("header", "body"),
    ("on", "off"), ("in", "out"), ("input", "output"), ("send", "receive"), ("send", "recv"),
    ("pause", "resume"), ("prepend", "append"), ("and", "or"), ("all", "any"), ("unary", "binary"), ("acquire", "release"),
    ("include", "exclude"), ("attach", "detach"), ("connect", "disconnect"), ("grant", "revoke"),
    ("allow", "deny"), ("accept", "reject"), ("expand", "collapse"), ("compress", "decompress"),
    ("encrypt", "decrypt"), ("push", "pull"), ("install", "uninstall"), ("mount", "unmount"),
    # Axes and directions of one geometry (matplotlib `_label_outer_xaxis`/`_label_outer_yaxis`,
    # `XTick`/`YTick`, TeX's `hlist_out`/`vlist_out`), the two ends of a protocol exchange
    # (paramiko `_parse_kexecdh_init`/`_parse_kexecdh_reply`) and of a text conversion
    # (urllib3 `to_str`/`to_bytes`).
    ("x", "y"), ("y", "z"), ("x", "z"), ("h", "v"), ("horizontal", "vertical"), ("row", "column"),
    ("rows", "columns"), ("row", "col"), ("rows", "cols"), ("width", "height"), ("init", "reply"),
    ("client", "server"), ("str", "bytes"), ("text", "bytes"),
)  # fmt: skip
# A trailing word that names the reverse of what the name without it does (networkx
# `_directed_neighbor_switch`/`_directed_neighbor_switch_rev`).
_REVERSE_WORDS = frozenset({"rev", "reverse", "reversed", "inverse", "inv"})
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(name)]


def mirrored_names(a: str, b: str) -> bool:
    """Definitions named as mirrors of each other: two operator methods of one protocol
    (`__eq__`/`__lt__`, `__mul__`/`__truediv__`), a check and its negation
    (`assertXMLEqual`/`assertXMLNotEqual`), the two directions of a conversion
    (`uri_to_iri`/`iri_to_uri`), or names one opposite word apart (`readable`/`writable`,
    `add_class`/`remove_class`). Each must differ in the one operator, direction or
    negation that is its point, so their likeness is the protocol's, not a copy's; likewise a
    name and its reverse (`switch`/`switch_rev`) and names one axis apart (`xaxis`/`yaxis`)."""
    if a == b:
        return False
    if a.startswith("__") and a.endswith("__") and b.startswith("__") and b.endswith("__"):
        return True
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    if any(longer.replace(word, "", 1) == shorter for word in ("Not", "not_", "_not", "Un", "un")):
        return True
    words_a, words_b = _words(a), _words(b)
    if "to" in words_a and words_a[::-1] == words_b:
        return True  # uri_to_iri / iri_to_uri
    longer_words, shorter_words = (words_a, words_b) if len(words_a) > len(words_b) else (words_b, words_a)
    if longer_words[:-1] == shorter_words and longer_words[-1] in _REVERSE_WORDS:
        return True
    if len(words_a) != len(words_b):
        return False
    differ = [(x, y) for x, y in zip(words_a, words_b) if x != y]
    return len(differ) == 1 and _opposite(*differ[0])


# Inflections a word of an opposite pair may carry: `encoder`/`decoder`, `encoding`/`decoding`,
# `readers`/`writers` are the pair `encode`/`decode`, `read`/`write`.
_INFLECTIONS = ("ing", "ers", "ors", "er", "or", "ed", "es", "s", "e", "r", "d")


def _stems(word: str) -> set[str]:
    """The word, and the word without each inflection it may carry (`sender`: `send`, `sende`)."""
    return {word} | {word[: -len(e)] for e in _INFLECTIONS if word.endswith(e) and len(word) - len(e) >= 3}


_STEMMED_OPPOSITES = frozenset(
    pair for a, b in _OPPOSITES for x in _stems(a) for y in _stems(b) if x != y for pair in ((x, y), (y, x))
)


def _opposite(x: str, y: str) -> bool:
    """Two words that are opposites (also inflected: `encoder`/`decoder`), or compound words
    whose differing cores are (`addslash`/`removeslash`)."""
    # Each word is among its own stems, so the opposites as listed are in the set too.
    if any((a, b) in _STEMMED_OPPOSITES for a in _stems(x) for b in _stems(y)):
        return True
    prefix = len(os.path.commonprefix([x, y]))
    suffix = len(os.path.commonprefix([x[prefix:][::-1], y[prefix:][::-1]]))
    core_x, core_y = x[prefix : len(x) - suffix], y[prefix : len(y) - suffix]
    return (core_x, core_y) != (x, y) and ((core_x, core_y) in _OPPOSITES or (core_y, core_x) in _OPPOSITES)


def find_clusters(
    index: CloneIndex, thresholds: Thresholds, canonical: Callable[[Sequence[Member]], Member]
) -> list[Cluster]:
    """Clusters of copies; every member is a copy of its cluster's canonical member (chosen by
    `canonical`), not merely of some other member: A~B and B~C with A and C unlike are split."""
    members = index.members
    edges: list[tuple[int, int]] = []

    by_stream: dict[bytes, list[int]] = {}
    for i, m in enumerate(members):
        by_stream.setdefault(m.definition.normalised, []).append(i)
    for group in by_stream.values():
        partners = _partners(index, members, group, thresholds)
        for i in group[1:]:
            partner = partners(i)
            if partner is not None:
                edges.append((partner, i))

    # One representative per normalised stream: its copies have the same tokens.
    representatives = [group[0] for group in by_stream.values()]
    heads = [members[i] for i in representatives]
    # A body under near-miss-min-statements is no near-miss copy (near_miss answers so first):
    # most LSH candidates have one, and are passed over here without a call.
    sized = [m.definition.statements >= thresholds.statements for m in heads]
    for x, y in candidate_pairs([m.definition.signature for m in heads]):
        if sized[x] and sized[y] and index.near_miss(heads[x], heads[y], thresholds):
            edges.append((representatives[x], representatives[y]))

    clusters = []
    graph = match_graph(edges)
    pending = components(graph)
    while pending:
        component = pending.pop()
        center = canonical([members[i] for i in sorted(component)])
        kept = {i for i in component if _copy_of(index, members[i], center, thresholds)}
        if len(kept) > 1:
            chosen = tuple(members[i] for i in sorted(kept))
            clusters.append(Cluster(chosen, _kind(chosen)))
        rest = component - kept
        pending.extend(components(graph, rest))
    return _outermost(index, sorted(clusters, key=lambda c: (c.members[0].path, c.members[0].definition.line)))


# A normalised stream shared by more members than this (generated code: thousands of
# handlers alike) is searched for each member's partner in a bounded number of tries.
MAX_PARTNER_TRIES = 64


def _partners(
    index: CloneIndex, members: Sequence[Member], group: list[int], thresholds: Thresholds
) -> Callable[[int], int | None]:
    """For each member of one normalised stream, the first other member it is a copy of. A
    small group is scanned in order; in a large one a member may be a copy of none of the
    others (one module's variants under `within-module-min-statements`), and a scan per member
    would be quadratic, so exact twins come first, then members of other files, then of its
    own, at most MAX_PARTNER_TRIES tried."""

    by_exact: dict[bytes, list[int]] = {}
    for j in group:
        by_exact.setdefault(members[j].definition.exact, []).append(j)

    def scan(i: int) -> int | None:
        # A body under min-statements is never alike enough for a renamed copy, so only its
        # exact copies can be its partner: searching those alone (in the same order) finds the
        # same one, where scanning 20,000 generated look-alikes each was quadratic.
        small = members[i].definition.statements < thresholds.statements
        candidates = by_exact[members[i].definition.exact] if small else group
        return next(
            (j for j in candidates if j != i and _renamed_copy(index, members[i], members[j], thresholds)), None
        )

    if len(group) <= MAX_PARTNER_TRIES:
        return scan
    by_path: dict[str, list[int]] = {}
    for j in group:
        by_path.setdefault(members[j].path, []).append(j)

    def bounded(i: int) -> int | None:
        me = members[i]
        if me.definition.statements < thresholds.statements:
            return scan(i)
        others = (j for path, js in by_path.items() if path != me.path for j in js)
        order = itertools.chain(by_exact[me.definition.exact], others, by_path[me.path])
        tried = 0
        for j in order:
            if j == i:
                continue
            if _renamed_copy(index, me, members[j], thresholds):
                return j
            tried += 1
            if tried >= MAX_PARTNER_TRIES:
                return None
        return None

    return bounded


def _renamed_copy(index: CloneIndex, a: Member, b: Member, thresholds: Thresholds) -> bool:
    """Two members of one normalised stream: exact copies, or renamed ones big enough."""

    def verdict() -> bool:
        if index.never_clones(a, b):
            return False
        return a.definition.exact == b.definition.exact or index.alike_enough(a, b, thresholds)

    return index.remembered(b"renamed-copy", a, b, thresholds, verdict)


def _copy_of(index: CloneIndex, member: Member, center: Member, thresholds: Thresholds) -> bool:
    if member is center:
        return True
    if member.definition.normalised == center.definition.normalised:
        return _renamed_copy(index, member, center, thresholds)
    return index.near_miss(member, center, thresholds)


def _kind(members: Sequence[Member]) -> str:
    if len({m.definition.exact for m in members}) == 1:
        return EXACT
    if len({m.definition.normalised for m in members}) == 1:
        return RENAMED
    return NEAR_MISS


def _outermost(index: CloneIndex, clusters: list[Cluster]) -> list[Cluster]:
    """Drop a cluster when each of its members sits inside a member of another cluster: the
    methods of two copied classes are already reported with their classes."""
    clustered = {(m.path, m.index) for c in clusters for m in c.members}

    def inside_clustered(m: Member) -> bool:
        definitions = index.files[m.path].definitions
        parent = m.definition.parent
        while parent >= 0:
            if (m.path, parent) in clustered:
                return True
            parent = definitions[parent].parent
        return False

    return [c for c in clusters if not all(inside_clustered(m) for m in c.members)]
