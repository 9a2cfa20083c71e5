"""When two module-level definitions that share a name are the same thing (SSOT002).

A shared name alone is not evidence: model fields and form fields, `Node` in a parser and in a
tree, each backend's `DatabaseOperations` are different concepts that happen to be named alike.
Two definitions compete when their code says they are one concept written twice:

1. **identical**: the same tokens as written;
2. **renamed**: the same code once identifiers and literals are normalised;
3. **alike**: most of their syntax in the same order (2 * LCS / both lengths, as for SSOT001's
   near-miss copies), and most of their names and literals as written (each tool's own argparse
   `get_parser()` shares the shape, not the options);
4. **overlapping**: the same signature (a function's parameters; a class's bases and several
   method names) and most of the smaller one's identifiers and literals found in the other.

What is a layer, not a competitor, is left alone whatever its code:
- a definition on the other side of a versioned API folder (`pydantic/v1/`): a frozen copy of
  the old API, kept apart from the new one on purpose;
- a class deriving from the other (`class Blueprint(SansioBlueprint)`, `INTEGER(sqltypes.INTEGER)`);
- a function naming itself in its body (a facade delegating: `return dateformat.time_format(...)`)
  or in its decorator (an implementation registered with a dispatcher of that name:
  `@generate_driver_url.for_db("mysql")`);
- a module importing the other's definition, under any alias (it wraps or re-exports it);
- a coroutine function (or a class of async methods) and a plain one: sync/async variants;
- anything but identical code between one module's variants for two I/O models (redis
  `asyncio/client.py` and `client.py`): the lock, transport or header access is each one's point;
- two definitions sharing a decorator that registers them (pluggy's `@hookimpl`): implementations
  of one hook, each called by that name;
- classes on different bases (a model field and a form field): parallel hierarchies;
- the same text naming each module's own definitions (`return Insert(table)` in every dialect's
  `dml.py`): the words match, what they refer to does not;
- small bodies (under MIN_STATEMENTS statements) that are only renamed or alike: when the tokens
  that differ are most of the content, they are the whole point (`TagDateTime`/`TagTuple`);
- two modules that define several of the same public names are parallel implementations of one
  interface chosen by dotted path (`trans_real`/`trans_null`, database backends), the plug-in
  pattern: only substantial identical code counts between them;
- for "overlapping": classes with bases (siblings on one base are a plug-in family, each
  backend's `EmailBackend`), and definitions in modules of one package (duck-typed plug-ins
  such as each template backend's `Template`). Only base-less classes and functions in
  different packages overlap as one concept written twice would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from ssot_audit.clones.clusters import Member
from ssot_audit.clones.fingerprint import FileDefinitions, TopLevel, name_hash
from ssot_audit.clones.similarity import similarity

IDENTICAL, RENAMED, ALIKE, OVERLAPPING = "identical", "renamed", "alike", "overlapping"
STRENGTH = {IDENTICAL: 0, RENAMED: 1, ALIKE: 2, OVERLAPPING: 3}
# Anything but identical asks for real content: a body of `return message` overlaps everything
# that uses `message`, and `list_.append(x)` is "renamed" from `list_.appendleft(x)`.
MIN_OVERLAP_NAMES = 8
MIN_STATEMENTS = 3
OVERLAP = 0.5
# ALIKE: how much of their identifiers and literals, as written and in order, must match too.
ALIKE_WRITTEN = 0.6
# Modules sharing this many public names are parallel implementations of one interface.
INTERFACE_NAMES = 3
# Streams longer than this are compared by their MinHash-free bounds only (see similarity()).
MAX_COMPARED_TOKENS = 4000


@dataclass(frozen=True)
class Candidate:
    """One module's definition of a name, with what the evidence needs."""

    member: Member
    top: TopLevel
    file: FileDefinitions
    method_names: frozenset[str]

    @cached_property
    def stream(self) -> list[int]:
        return list(self.file.stream(self.member.definition))

    @cached_property
    def written(self) -> list[int]:
        return list(self.file.names(self.member.definition))

    @cached_property
    def names(self) -> frozenset[int]:
        return frozenset(self.written)

    @property
    def name(self) -> str:
        return self.member.definition.name

    @cached_property
    def is_async(self) -> bool:
        """An `async def`, or a class with an `async def` method (falcon's ASGI `BufferedReader`)."""
        definition = self.member.definition
        if definition.kind != "class":
            return definition.is_async
        return any(d.is_async for d in self.file.definitions if d.parent == self.member.index)

    def derives_from(self, other: Candidate) -> bool:
        own = f"{other.member.module}.{other.name}"
        return any(base == own or base.rpartition(".")[2] == other.name for base in self.top.bases)

    def names_itself(self) -> bool:
        """A function whose body mentions its own name (it delegates, or recurses), or one
        registered through a decorator of its own name."""
        if any(d.partition(".")[0] == self.name for d in self.top.decorators if "." in d):
            return True
        return self.member.definition.kind != "class" and name_hash(self.name) in self.names

    def names_module_locals(self, local_names: frozenset[int]) -> bool:
        """Whether the body uses a name its module defines at top level (other than its own)."""
        return bool((self.names & local_names) - {name_hash(self.name)})


@dataclass(frozen=True)
class Evidence:
    kind: str
    score: float  # how alike, 0-1, for the message
    written: float = 1.0  # ALIKE: how alike their names and literals are, as written

    @property
    def strength(self) -> int:
        return STRENGTH[self.kind]


@dataclass(frozen=True)
class Setting:
    """What evidence() knows about a pair beyond the two definitions."""

    threshold: float  # ALIKE: the similarity that makes two bodies one
    interface: bool  # their modules are parallel implementations of one interface
    siblings: bool  # their modules are in one package
    locals_a: frozenset[int]  # names each module defines at top level, as hashes
    locals_b: frozenset[int]
    # One module imports the other's definition (under any alias): it wraps, delegates to or
    # re-exports it (networkx's bipartite `min_edge_cover` calls the general one as `_min_edge_cover`).
    layered: bool = False
    # Their files sit on two sides of a versioned API folder (analysis/places.versions_apart).
    versions_apart: bool = False
    # Their files are one module's variants for two I/O models (analysis/places.io_model_variants).
    io_variants: bool = False
    # The project picks one of their modules by Python version or platform (Project.alternatives).
    alternatives: bool = False


# Decorators that wrap or describe a definition. Any other decorator that two same-named
# definitions share registers them with something that calls them by that name (pluggy's
# `@hookimpl`, a signal's `@receiver`): implementations of one hook, not one concept twice.
WRAPPERS = frozenset({
    "property", "setter", "getter", "deleter", "staticmethod", "classmethod", "cache", "lru_cache",
    "cached_property", "wraps", "abstractmethod", "overload", "override", "final", "contextmanager",
    "asynccontextmanager", "dataclass", "total_ordering", "deprecated", "singledispatch", "runtime_checkable",
})  # fmt: skip


def registered_alike(a: Candidate, b: Candidate) -> bool:
    shared = set(a.top.decorators) & set(b.top.decorators)
    return any(d and d.rpartition(".")[2] not in WRAPPERS for d in shared)


def evidence(a: Candidate, b: Candidate, setting: Setting) -> Evidence | None:
    """Why a and b are one concept written twice, or None."""
    da, db = a.member.definition, b.member.definition
    if setting.versions_apart or setting.alternatives:
        return None
    if a.derives_from(b) or b.derives_from(a) or a.names_itself() or b.names_itself():
        return None
    if setting.layered or registered_alike(a, b):
        return None
    if a.is_async != b.is_async:
        return None  # a sync/async pair: neither can call, or stand in for, the other
    if da.kind == "class" and set(a.top.bases) != set(b.top.bases):
        return None
    substantial = min(da.statements, db.statements) >= MIN_STATEMENTS
    same_text = da.exact == db.exact or da.normalised == db.normalised
    if same_text and (a.names_module_locals(setting.locals_a) or b.names_module_locals(setting.locals_b)):
        return None
    if da.exact == db.exact:
        if da.stub or db.stub:
            return None  # `class TimeoutError(Exception): """..."""` twice is two names, nothing more
        return Evidence(IDENTICAL, 1.0) if substantial or not setting.interface else None
    if not substantial or setting.interface or setting.io_variants:
        return None
    if da.normalised == db.normalised:
        return Evidence(RENAMED, 1.0)
    if len(a.stream) <= MAX_COMPARED_TOKENS and len(b.stream) <= MAX_COMPARED_TOKENS:
        alike = similarity(a.stream, b.stream, setting.threshold)
        written = similarity(a.written, b.written) if alike >= setting.threshold else 0.0
        # The shape alone is every argparse parser's or record's; what they name must match too.
        if alike >= setting.threshold and written >= ALIKE_WRITTEN:
            return Evidence(ALIKE, alike, written)
    return None if setting.siblings else _overlap(a, b)


def _overlap(a: Candidate, b: Candidate) -> Evidence | None:
    small, large = (a, b) if len(a.names) <= len(b.names) else (b, a)
    if len(small.names) < MIN_OVERLAP_NAMES:
        return None
    if a.member.definition.kind == "class":
        if a.top.bases or b.top.bases:
            return None
        shared = a.method_names & b.method_names
        # Two methods at least: a stand-in that only mimics another's attributes in `__init__`
        # (the cache's fake model `Options`) is not a second implementation.
        if len(shared) < 2 or 2 * len(shared) < min(len(a.method_names), len(b.method_names)):
            return None
    elif a.top.params != b.top.params or not a.top.params:
        return None
    share = len(small.names & large.names) / len(small.names)
    return Evidence(OVERLAPPING, share) if share >= OVERLAP else None


def describe(found: Evidence) -> str:
    if found.kind == IDENTICAL:
        return "identical"
    if found.kind == RENAMED:
        return "the same code with other names or literals"
    if found.kind == ALIKE:
        return f"{found.score:.0%} alike"
    return f"the same interface, and {found.score:.0%} of the smaller one's names and literals in the other"


def method_names(file: FileDefinitions) -> dict[int, frozenset[str]]:
    """Per class (by its index in the file), the names of its methods: one pass over the file."""
    found: dict[int, set[str]] = {}
    for d in file.definitions:
        if d.kind == "method":
            found.setdefault(d.parent, set()).add(d.name)
    return {index: frozenset(names) for index, names in found.items()}


def interface_pairs(public_names: dict[str, frozenset[str]], modules: Sequence[str]) -> set[frozenset[str]]:
    """Pairs of these modules that define at least INTERFACE_NAMES of the same public names."""
    found: set[frozenset[str]] = set()
    ordered = sorted(set(modules))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if len(public_names.get(a, frozenset()) & public_names.get(b, frozenset())) >= INTERFACE_NAMES:
                found.add(frozenset((a, b)))
    return found
