"""SSOT001 duplicate-implementation: functions, methods and classes that are copies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ssot_audit.analysis.plugins import Invalid, ProjectRule, Valid
from ssot_audit.analysis.project import Project
from ssot_audit.clones.clusters import Member, choose_canonical, group_id
from ssot_audit.clones.collector import DefinitionCollector
from ssot_audit.clones.detect import EXACT, CloneIndex, Cluster, Thresholds, find_clusters
from ssot_audit.clones.eligibility import DEFAULT_MIN_STATEMENTS, DEFAULT_MIN_TOKENS, clone_sized
from ssot_audit.clones.fingerprint import FileDefinitions
from ssot_audit.clones.fragments import RunSettings, find_runs
from ssot_audit.clones.report import definition_finding, listing, others_of
from ssot_audit.model import DUPLICATES, Finding, Severity


@dataclass(frozen=True)
class DuplicateImplementationOptions:
    min_statements: int = field(
        default=DEFAULT_MIN_STATEMENTS,
        metadata={
            "doc": "Definitions with fewer statements (nested ones included) are never clones; statements "
            "that are alike once names and literals are normalised count once, so a class of ten "
            "`X = 'x'` constants or an `__init__` of `self.a = a` lines is not an implementation."
        },
    )
    min_tokens: int = field(
        default=DEFAULT_MIN_TOKENS,
        metadata={"doc": "Definitions with fewer syntax tokens (parameters and body) are never clones."},
    )
    similarity: float = field(
        default=0.8,
        metadata={
            "doc": "Near-miss copies: how much of two definitions' syntax tokens must match in order, "
            "identifiers and literals normalised: 2 * (longest common subsequence) / (both lengths), "
            "from 0 to 1."
        },
    )
    min_fragment_statements: int = field(
        default=6,
        metadata={
            "doc": "Also report runs of this many statements or more copied between functions or classes "
            "that are not copies as a whole (the same run of normalised statements, sharing names as "
            "written like near-miss copies, and more than one statement shape repeated). A run may cross "
            "from one method into the next; the `def` line of a method it holds whole counts as a "
            "statement. 0 turns this off."
        },
    )
    near_miss_min_statements: int = field(
        default=5,
        metadata={
            "doc": "Near-miss copies must both have at least this many statements: in a body of three, "
            "one edited statement is a third of it, and `join`/`leave` or two `get`-or-raise "
            "accessors look alike without being one implementation. Exact and renamed copies only "
            "need `min-statements`."
        },
    )
    written_similarity: float = field(
        default=0.8,
        metadata={
            "doc": "Near-miss copies must also share this much of their identifiers and literals as "
            "written, in order (same ratio), so two definitions that merely share a shape, such as "
            "two `__eq__` methods, are not copies; 0 turns this check off. Exact and renamed copies "
            "do not need it."
        },
    )


def _relation(index: CloneIndex, member: Member, canonical: Member) -> str:
    a, b = member.definition, canonical.definition
    if a.exact == b.exact:
        return "an exact copy"
    if a.normalised == b.normalised:
        return "a copy with renamed identifiers or changed literals"
    return f"a near-miss copy ({index.similarity(member, canonical):.0%} similar)"


def _where(member: Member) -> str:
    return f"`{member.definition.qualname}` ({member.path}:{member.definition.line})"


_A = "```python\n"
_EXAMPLE = (
    _A + "# shop/orders.py\n"
    "def order_total(items):\n"
    "    total = 0\n"
    "    for item in items:\n"
    "        total += item.price * item.quantity\n"
    "    return round(total, 2)\n\n"
    "# shop/invoices.py\n"
    "def invoice_total(lines):\n"
    "    amount = 0\n"
    "    for line in lines:\n"
    "        amount += line.price * line.quantity\n"
    "    return round(amount, 2)\n```"
)

_SUM = (
    "def {name}(items):\n"
    "    total = 0\n"
    "    for item in items:\n"
    "        if item.active:\n"
    "            total += item.price * item.quantity\n"
    "    return round(total, 2)\n"
)
_SUM_RENAMED = (
    "def {name}(lines):\n"
    "    amount = 1\n"
    "    for line in lines:\n"
    "        if line.enabled:\n"
    "            amount += line.cost * line.count\n"
    "    return round(amount, 3)\n"
)
_PARSE = (
    "def {name}(text):\n"
    "    result = {{}}\n"
    "    for raw in text.splitlines():\n"
    "        raw = raw.strip()\n"
    "        if not raw or raw.startswith('#'):\n"
    "            continue\n"
    "        key, _, value = raw.partition('=')\n"
    "        result[key.strip()] = value.strip()\n"
    "    return result\n"
)
_PARSE_EDITED = (
    "def {name}(text):\n"
    "    result = {{}}\n"
    "    for raw in text.splitlines():\n"
    "        raw = raw.strip()\n"
    "        if not raw or raw.startswith(';'):\n"
    "            continue\n"
    "        key, _, value = raw.partition(':')\n"
    "        result[key.strip()] = value.strip()\n"
    "    log(len(result))\n"
    "    return result\n"
)
_OTHER = (
    "def {name}(path):\n"
    "    with open(path) as handle:\n"
    "        data = handle.read()\n"
    "    if not data:\n"
    "        raise ValueError(path)\n"
    "    return data.split(',')\n"
)


_MEMBERSHIP = (
    "class Rooms:\n"
    "    def join(self, connection_id, room_id):\n"
    "        connection = self._connections[connection_id]\n"
    "        connection.rooms.add(room_id)\n"
    "        self._room_members[room_id].add(connection_id)\n"
    "\n"
    "    def leave(self, connection_id, room_id):\n"
    "        connection = self._connections.get(connection_id)\n"
    "        if connection is not None:\n"
    "            connection.rooms.discard(room_id)\n"
    "        self._room_members[room_id].discard(connection_id)\n"
)


_SETTINGS_METHODS = (
    "    @property\n"
    "    def base_location(self):\n"
    "        return self._value_or_setting(self._location, settings.MEDIA_ROOT)\n"
    "\n"
    "    @property\n"
    "    def base_url(self):\n"
    "        if self._base_url is not None and not self._base_url.endswith('/'):\n"
    "            self._base_url += '/'\n"
    "        return self._value_or_setting(self._base_url, settings.MEDIA_URL)\n"
    "\n"
    "    @property\n"
    "    def file_permissions_mode(self):\n"
    "        return self._value_or_setting(self._file_permissions_mode, settings.FILE_UPLOAD_PERMISSIONS)\n"
    "\n"
    "    @property\n"
    "    def directory_permissions_mode(self):\n"
    "        return self._value_or_setting(self._directory_permissions_mode, settings.DIRECTORY_PERMISSIONS)\n"
)
_DISK = "from conf import settings\n\n\nclass DiskStorage:\n    def open(self, name):\n        return open(name)\n\n" + _SETTINGS_METHODS
_MEMORY = "from conf import settings\n\n\nclass MemoryStorage:\n    def open(self, name):\n        return self._files[name]\n\n" + _SETTINGS_METHODS


class DuplicateImplementation(ProjectRule):
    code = "SSOT001"
    name = "duplicate-implementation"
    category = DUPLICATES
    severity = Severity.MEDIUM
    summary = "Functions, methods or classes whose bodies are the same code; keep one and import it."
    what = (
        "Reports every member of a cluster of copies across the project: exact copies (Type-1, only layout, "
        "comments and docstrings differ), copies with renamed identifiers or changed literals (Type-2), and "
        "near-miss copies where statements were added, removed or edited (Type-3) above the `similarity` "
        "threshold. All members of a cluster share a `group` id and list each other as related locations; "
        "the message names the member to keep: the one whose module the rest of the project imports most, "
        "then the oldest path by name.\n\n"
        "Never reported: `@overload` stubs, abstract methods, bodies that are only `...`, `pass`, a docstring "
        "or `raise NotImplementedError`, definitions under `min-statements`/`min-tokens` (trivial `__init__`, "
        "`__repr__`, property getters), and one module's alternative definitions of one name (under "
        "`if TYPE_CHECKING:`/`else:` or `try:`/`except ImportError:`, a property's getter and setter). "
        "Methods of two copied classes are reported with their classes, not again on their own.\n\n"
        "It also reports runs of `min-fragment-statements` statements or more copied between functions or "
        "classes that are not copies as a whole (the message gives the lines of each copy of the run). A run "
        "may cross from the end of one method, through whole methods, into the start of the next; it is "
        "reported on the innermost definition holding it, unless most of it lies in definitions already reported "
        "as copies of each other. The `def` line of a method the run holds whole "
        "counts as a statement. Across a class body only statements copied as written count, and a run of "
        "one statement shape repeated (a table of `client_class = DatabaseClient` settings) is never reported."
    )
    why = (
        "Two copies of one implementation drift apart: a bug is fixed in one and lives on in the other, and "
        "a reader cannot tell which copy is the truth. One implementation, imported wherever it is needed, "
        "is the single source of truth."
    )
    example = _EXAMPLE
    fix = (
        "Keep the canonical member the message names, delete the others and import the canonical one in "
        "their place (or call it from a thin wrapper when the names must stay). For near-miss copies, "
        "move the difference into a parameter."
    )
    Options = DuplicateImplementationOptions
    Collector = DefinitionCollector
    VALID = (
        # One small method in common is not a run; neither is a run too short to matter.
        Valid(
            {
                "files/disk.py": _DISK.split("    @property\n    def base_url")[0],
                "files/memory.py": _MEMORY.split("    @property\n    def base_url")[0],
            }
        ),
        # Each backend binds the same names to its own module's classes: a table, not code to share.
        Valid(
            {
                f"db/{name}.py": f"from db.{name}_parts import Client, Creation, Features, Operations, Schema, Validation\n\n\n"
                "class Wrapper:\n"
                + "".join(f"    {part.lower()}_class = {part}\n" for part in ("Client", "Creation", "Features", "Operations", "Schema", "Validation"))
                for name in ("mysql", "oracle")
            }
        ),
        # Opposite operations of three statements look alike without being one implementation.
        Valid({"chat/rooms.py": _MEMBERSHIP}),
        Valid({"shop/orders.py": _SUM.format(name="order_total"), "shop/files.py": _OTHER.format(name="load")}),
        Valid({"shop/a.py": _PARSE.format(name="parse"), "shop/b.py": _SUM.format(name="parse")}),
        Valid(
            {
                "shop/api.py": "from typing import overload\n\n@overload\ndef get(x: int) -> int: ...\n"
                "@overload\ndef get(x: str) -> str: ...\n",
                "shop/other.py": "from typing import overload\n\n@overload\ndef get(x: int) -> int: ...\n"
                "@overload\ndef get(x: str) -> str: ...\n",
            }
        ),
        Valid(
            {
                "shop/base.py": "import abc\n\nclass Store(abc.ABC):\n    @abc.abstractmethod\n"
                "    def load(self, key, default=None, *, strict=False, retries=3, timeout=1.0):\n"
                "        x = key\n        y = default\n        return x or y\n",
                "shop/cache.py": "import abc\n\nclass Cache(abc.ABC):\n    @abc.abstractmethod\n"
                "    def load(self, key, default=None, *, strict=False, retries=3, timeout=1.0):\n"
                "        x = key\n        y = default\n        return x or y\n",
            }
        ),
        Valid(
            {
                "shop/a.py": "def hook(request, response, *args, **kwargs):\n    '''Subclasses do this.'''\n"
                "    raise NotImplementedError('subclasses must implement hook()')\n",
                "shop/b.py": "def hook(request, response, *args, **kwargs):\n    '''Subclasses do this.'''\n"
                "    raise NotImplementedError('subclasses must implement hook()')\n",
            }
        ),
        Valid(
            {
                "shop/a.py": "class Point:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n",
                "shop/b.py": "class Pair:\n    def __init__(self, a, b):\n        self.a = a\n        self.b = b\n",
            }
        ),
        Valid(
            {
                "shop/compat.py": "try:\n    from fastjson import dumps\nexcept ImportError:\n"
                + "".join("    " + line + "\n" for line in _PARSE.format(name="dumps").splitlines())
                + "else:\n"
                + "".join("    " + line + "\n" for line in _PARSE.format(name="dumps").splitlines()),
            }
        ),
        Valid(
            {
                "shop/__init__.py": "from shop.orders import order_total\n\n__all__ = ['order_total']\n",
                "shop/orders.py": _SUM.format(name="order_total"),
                "shop/sub/__init__.py": "from shop.orders import order_total\n\n__all__ = ['order_total']\n",
            }
        ),
        Valid(
            {"shop/a.py": _SUM.format(name="total"), "shop/b.py": _SUM.format(name="total")},
            options={"min-statements": 8},
        ),
    )
    INVALID = (
        # Four small properties copied in a row between two classes: each too small to be a
        # clone on its own, together a copied implementation of the settings lookups.
        Invalid({"files/disk.py": _DISK, "files/memory.py": _MEMORY}, line=4, count=2),
        Invalid({"chat/rooms.py": _MEMBERSHIP}, options={"near-miss-min-statements": 3}, line=2),
        Invalid({"shop/a.py": _SUM.format(name="total"), "shop/b.py": _SUM.format(name="total")}, count=2, line=1),
        Invalid(
            {"shop/a.py": _SUM.format(name="order_total"), "shop/b.py": _SUM_RENAMED.format(name="invoice_total")},
            count=2,
        ),
        Invalid(
            {"shop/a.py": _PARSE.format(name="parse_ini"), "shop/b.py": _PARSE_EDITED.format(name="parse_conf")},
            count=2,
        ),
        Invalid(
            {
                "shop/a.py": "class Cart:\n    def total(self, items):\n"
                + "".join("    " + line + "\n" for line in _SUM.splitlines()[1:]),
                "shop/b.py": "class Basket:\n    def total(self, items):\n"
                + "".join("    " + line + "\n" for line in _SUM.splitlines()[1:]),
            },
            line=1,
            count=2,
        ),
        Invalid(
            {"shop/a.py": "import functools\n\n\n@functools.cache\n" + _PARSE.format(name="parse"), "shop/b.py": _PARSE.format(name="parse")},
            line=5,
        ),
        Invalid({"shop/a.py": _SUM.format(name="total") + "\n\n" + _SUM.format(name="total_again")}, count=2),
        Invalid(
            {
                "shop/a.py": _OTHER.format(name="load"),
                "shop/b.py": _OTHER.format(name="read"),
                "shop/c.py": _OTHER.format(name="fetch"),
            },
            count=3,
        ),
        Invalid(
            {"shop/a.py": _SUM.format(name="total"), "shop/b.py": _SUM.format(name="total")},
            options={"min-statements": 2, "min-tokens": 10, "similarity": 0.95},
            count=2,
        ),
    )

    def check(self, project: Project) -> Iterable[Finding]:
        options = self.options if isinstance(self.options, DuplicateImplementationOptions) else DuplicateImplementationOptions()
        files: dict[str, FileDefinitions] = {}
        members: list[Member] = []
        for facts in project.files:
            found = facts.extras.get(self.code)
            if not isinstance(found, FileDefinitions):
                continue
            files[facts.path] = found
            for i, definition in enumerate(found.definitions):
                if clone_sized(definition, options.min_statements, options.min_tokens):
                    members.append(Member(facts.path, facts.module, i, definition))
        self.checked = len(members)
        index = CloneIndex(files, members, memo=project.memo)

        def canonical(members: Sequence[Member]) -> Member:
            return choose_canonical(members, project.importers).member

        findings: list[Finding] = []
        thresholds = Thresholds(options.similarity, options.written_similarity, options.near_miss_min_statements)
        clusters = find_clusters(index, thresholds, canonical)
        for cluster in clusters:
            findings.extend(self._report(index, cluster, project))
        findings.extend(self._fragments(index, clusters, project, options))
        return findings

    def _fragments(
        self, index: CloneIndex, clusters: list[Cluster], project: Project, options: DuplicateImplementationOptions
    ) -> Iterable[Finding]:
        """Runs of statements copied between functions or classes that are not copies as a whole."""
        cluster_of = {(m.path, m.index): i for i, c in enumerate(clusters) for m in c.members}

        def clusters_around(m: Member) -> set[int]:
            """The clusters of the definition and of those enclosing it (copied classes' methods)."""
            definitions = index.files[m.path].definitions
            found, position = set(), m.index
            while position >= 0:
                if (m.path, position) in cluster_of:
                    found.add(cluster_of[(m.path, position)])
                position = definitions[position].parent
            return found

        def reported(a: Member, b: Member) -> bool:
            return bool(clusters_around(a) & clusters_around(b))

        settings = RunSettings(options.min_fragment_statements, options.written_similarity)
        modules = {facts.path: facts.module for facts in project.files}
        fragments = find_runs(index, modules, settings, reported)
        for fragment in fragments:
            keep = choose_canonical(fragment.members, project.importers)
            runs = {id(m): run for m, run in zip(fragment.members, fragment.runs)}
            shared_tokens = index.files[fragment.members[0].path].tokens[fragment.runs[0].start : fragment.runs[0].end]
            group = group_id(f"{self.code}-run", fragment.members, shared_tokens)
            for member in fragment.members:
                run = runs[id(member)]
                others = others_of(member, fragment.members, keep.member)
                where = listing(
                    [f"{_where(m)} lines {runs[id(m)].first_line}-{runs[id(m)].last_line}" for m in others],
                    len(fragment.members) - 1,
                )
                head = (
                    f"`{member.definition.qualname}` lines {run.first_line}-{run.last_line}: a run of "
                    f"{run.statements} statements copied in {where}; "
                )
                # Copied methods move into a class the others inherit; copied statements, a function.
                if member.definition.kind == "class":
                    shared, others_do, here = "a base class or mixin", "inherit", "inherit from it here"
                else:
                    shared, others_do, here = "a function", "call", "call it here"
                if member is keep.member:
                    tail = f"keep this copy ({keep.reason}) as {shared} the others {others_do}"
                else:
                    tail = f"keep the one in {_where(keep.member)} ({keep.reason}) as {shared} and {here}"
                yield definition_finding(self, member, head + tail, group, others, canonical=member is keep.member)

    def _report(self, index: CloneIndex, cluster: Cluster, project: Project) -> Iterable[Finding]:
        canonical = choose_canonical(cluster.members, project.importers)
        group = group_id(self.code, cluster.members)
        keep = canonical.member
        count = len(cluster.members) - 1
        for member in cluster.members:
            others = others_of(member, cluster.members, keep)
            if member is keep:
                copies = ("exact " if cluster.kind == EXACT else "") + ("copy" if count == 1 else "copies")
                message = (
                    f"`{member.definition.qualname}` has {count} {copies} elsewhere "
                    f"({listing([_where(m) for m in others], count)}); keep this one as the canonical "
                    f"implementation ({canonical.reason}) and make the copies use it"
                )
            else:
                message = (
                    f"`{member.definition.qualname}` is {_relation(index, member, keep)} of {_where(keep)}; "
                    f"keep that one as the canonical implementation ({canonical.reason}) and use it here"
                )
            yield definition_finding(self, member, message, group, others, canonical=member is keep)
