"""SSOT002 competing-definition: one public top-level name defined in several modules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ssot_audit.analysis.places import VENDORED, compile_globs, versions_apart
from ssot_audit.analysis.plugins import Invalid, ProjectRule, Valid
from ssot_audit.analysis.project import Project
from ssot_audit.clones.clusters import Member, choose_canonical, components, group_id, match_graph
from ssot_audit.clones.collector import DefinitionCollector
from ssot_audit.clones.competitors import (
    ALIKE,
    IDENTICAL,
    RENAMED,
    Candidate,
    Evidence,
    Setting,
    describe,
    evidence,
    interface_pairs,
    method_names,
)
from ssot_audit.clones.eligibility import clone_sized
from ssot_audit.clones.fingerprint import name_hash
from ssot_audit.clones.report import definition_finding
from ssot_audit.model import DUPLICATES, Finding, Severity

DEFAULT_EXCLUDE = (
    "tests/", "test/", "testing/", "test_*.py", "*_test.py", "conftest.py", "scripts/", "migrations/", *VENDORED,
)  # fmt: skip
DEFAULT_CONVENTIONS = (
    "main", "setup", "teardown", "Migration", "Meta", "Config", "Command", "Media",
    "load_tests", "setUpModule", "tearDownModule", "register", "ready",
)  # fmt: skip


@dataclass(frozen=True)
class CompetingDefinitionOptions:
    exclude: tuple[str, ...] = field(
        default=DEFAULT_EXCLUDE,
        metadata={
            "doc": "Files left out, as .gitignore-style patterns: tests and testing support, conftest.py, scripts, "
            "migrations, and vendored third-party code (two vendored libraries each defining a name are not "
            "this project's duplication)."
        },
    )
    conventions: tuple[str, ...] = field(
        default=DEFAULT_CONVENTIONS,
        metadata={"doc": "Names that many modules define by convention (entry points, Django's Meta and Command)."},
    )
    convention_threshold: int = field(
        default=8,
        metadata={
            "doc": "A name defined alike in this many modules or more is reported once, as a convention question."
        },
    )
    similarity: float = field(
        default=0.8,
        metadata={
            "doc": "Same-named definitions whose syntax tokens match this much, in order (2 * longest common "
            "subsequence / both lengths, identifiers and literals normalised), are one concept written twice."
        },
    )


def _where(member: Member) -> str:
    return f"{member.path}:{member.definition.line}"


def _severity(group: list[tuple[Candidate, dict[int, Evidence]]]) -> Severity:
    """HIGH when the definitions are the same code (identical, or renamed names and literals):
    one implementation copied under one name. MEDIUM when they are alike or share an interface."""
    if all(e.kind in (IDENTICAL, RENAMED) for _, links in group for e in links.values()):
        return Severity.HIGH
    return Severity.MEDIUM


_ERROR = "class {name}(Exception):\n    '''{doc}'''\n    status = 400\n"
_AUTH = (
    "class WebSocketAuthenticator:\n"
    "    def __init__(self, {init}):\n        self._{init} = {init}\n        self._scope = 'chat'\n\n"
    "    def authenticate(self, {params}):\n        tokens = parse_qs(query_string).get('token')\n"
    "        if not tokens:\n            raise TokenError('missing token')\n"
    "        claims = {check}(tokens[0])\n        if not claims.allows(self._scope):\n"
    "            raise PermissionDeniedError('token lacks the scope')\n        return claims\n"
)
_AUTH_A = _AUTH.format(init="service", params="query_string", check="self._service.validate_token")
_AUTH_B = _AUTH.format(init="secret", params="headers, query_string", check="decode_token").replace(
    "        tokens =",
    "        if headers.get('origin') not in self._origins:\n            raise TokenError('origin not allowed')\n"
    "        log.debug('upgrade from %s', headers.get('origin'))\n        tokens =",
)


# Sibling modules of one package that each define a name alike, without all being identical,
# from this many on: plug-ins chosen by dotted path (each reactor module's `install()`).
FAMILY_SIZE = 3


def _plugin_family(group: list[tuple[Candidate, dict[int, Evidence]]]) -> bool:
    """Three or more modules of one package defining one name alike, each its own variant
    (twisted's `internet/*reactor.py` each `install()` their own reactor class): one plug-in per
    module, chosen by its dotted path, not a concept written several times. Identical copies
    are still reported: nothing varies between them."""
    if len(group) < FAMILY_SIZE:
        return False
    packages = {c.member.module.rpartition(".")[0] for c, _ in group}
    return len(packages) == 1 and any(e.kind != IDENTICAL for _, links in group for e in links.values())


class CompetingDefinition(ProjectRule[CompetingDefinitionOptions]):
    code = "SSOT002"
    name = "competing-definition"
    category = DUPLICATES
    # Same-code definitions are copies under one name (HIGH); alike ones are medium, and a name
    # defined alike so often it may be a convention is a question (low): see _severity.
    severity = Severity.HIGH
    severities = (
        ("definitions that are the same code: identical, or with other names and literals", Severity.HIGH),
        ("definitions alike in most of their syntax, or one interface with shared names", Severity.MEDIUM),
        ("a name defined alike in `convention-threshold` modules or more (a possible naming convention)", Severity.LOW),
    )
    summary = "One public top-level class or function defined again, alike, in another module."
    what = (
        "Reports a public (no leading underscore) top-level class or function name that two or more modules "
        "define when their code says they are one concept written twice: identical; the same code with "
        "other names or literals; most of their syntax alike (`similarity`); or the same interface (a "
        "function's parameters, a base-less class's methods) with most of the smaller one's names and "
        "literals found in the other. A shared name alone is not evidence, and a definition that derives "
        "from, delegates to, or is registered under the other is a layer, not a competitor: subclasses "
        "of a same-named class, facades calling the same name, plug-in families on one base or in one "
        "package (three or more sibling modules each defining the name their own way), a module that "
        "imports the other's definition under any alias, definitions sharing a decorator that registers them "
        "(pluggy's `@hookimpl`), implementations registered with a dispatcher (`@name.for_db(...)`), and the same text "
        "naming each module's own definitions are all left alone; so are definitions on two sides of a "
        "versioned API folder (`pydantic/v1/` against `pydantic/`, `api/v1/` against `api/v2/`), a frozen copy "
        "kept apart from its successor on purpose. Importing a name is not defining it; "
        "one module's alternatives under `if`/`try` count once; definitions under "
        "`if __name__ == \"__main__\":` are not the module's API. Copies big enough for SSOT001 are SSOT001's. "
        "A `.pyi` stub and its `.py` are one module. "
        "Files matching `exclude` (tests, testing support, `conftest.py`, scripts, migrations, vendored "
        "code under `_vendor/`) and names in "
        "`conventions` are left out, and a name defined alike in `convention-threshold` modules or more is "
        "reported once, as a question: is this a naming convention?"
    )
    why = (
        "Two `WebSocketAuthenticator` classes that both parse the token and check its scope mean two truths "
        "about one concept: callers import whichever their editor offered, the two drift, and a fix lands in "
        "one of them. One definition per concept keeps every import pointing at the same code."
    )
    example = (
        "```python\n# chat/services/auth.py\nclass WebSocketAuthenticator:\n    def authenticate(self, query_string):\n"
        "        tokens = parse_qs(query_string).get('token')\n        ...\n\n"
        "# chat/websocket/auth.py\nclass WebSocketAuthenticator:\n    def authenticate(self, headers, query_string):\n"
        "        tokens = parse_qs(query_string).get('token')\n        ...\n```"
    )
    fix = (
        "Keep the definition the message names (the one whose name the project imports most), merge what "
        "the others add, and import it everywhere; or rename the ones that are really different concepts."
    )
    collectors = (DefinitionCollector,)
    VALID = (
        Valid({"chat/auth.py": _AUTH_A, "chat/__init__.py": "from chat.auth import WebSocketAuthenticator\n"}),
        Valid({"chat/auth.py": _AUTH_A, "chat/tests/test_auth.py": _AUTH_B}),
        Valid(
            {
                "chat/a.py": "class Group(list):\n    pass\n",
                "chat/b.py": "class Group(Model):\n    name = CharField()\n",
            }
        ),
        Valid(
            {
                "chat/base.py": "class Handler:\n    def run(self, event):\n        return event\n",
                "chat/web.py": "from chat.base import Handler as BaseHandler\n\n\nclass Handler(BaseHandler):\n"
                "    def run(self, event):\n        return event\n",
            }
        ),
        Valid({"chat/a.py": "def main():\n    return 1\n", "chat/b.py": "def main():\n    return 1\n"}),
        Valid({"chat/a.py": "def _helper():\n    return 1\n", "chat/b.py": "def _helper():\n    return 1\n"}),
        Valid(
            {
                "chat/compat.py": """
                    try:
                        from ujson import dumps
                    except ImportError:
                        def dumps(x):
                            return str(x)
                    if False:
                        def dumps(x):
                            return repr(x)
                    """,
            }
        ),
        Valid(
            {
                "chat/a.py": _ERROR.format(name="ChatError", doc="x"),
                "chat/legacy.py": _ERROR.format(name="ChatError", doc="x"),
            },
            options={"exclude": ["chat/legacy.py"]},
        ),
    )
    INVALID = (
        Invalid(
            {"chat/services/auth.py": _AUTH_A, "chat/websocket/auth.py": _AUTH_B},
            count=2,
            line=1,
            message="class `WebSocketAuthenticator`",
        ),
        Invalid(
            {
                "chat/errors.py": _ERROR.format(name="ChatError", doc="A chat failure."),
                "chat/api.py": "import os\n\n\n" + _ERROR.format(name="ChatError", doc="Raised by the API."),
            },
            count=2,
        ),
        Invalid(
            {f"chat/m{i}.py": "def handler(event):\n    return event.payload\n" for i in range(9)},
            count=1,
        ),
        Invalid(
            {"chat/a.py": "def main():\n    return 1\n", "chat/b.py": "def main():\n    return 1\n"},
            options={"conventions": []},
            count=2,
        ),
        Invalid(
            {
                "chat/a.py": "import functools\n\n@functools.cache\ndef settings():\n    return {}\n",
                "chat/b.py": "def settings():\n    return {}\n",
            },
            line=(1, 4),
        ),
    )

    def check(self, project: Project) -> Iterable[Finding]:
        options = self.options
        excluded = compile_globs(options.exclude)
        conventions = set(options.conventions)
        by_name: dict[str, dict[str, list[Candidate]]] = {}
        public_names: dict[str, frozenset[str]] = {}
        local_names: dict[str, frozenset[int]] = {}
        for facts, found in project.facts(DefinitionCollector):
            if excluded.match_file(facts.path):
                continue
            names: set[str] = set()
            local_names[facts.module] = frozenset(
                name_hash(n) for n in (*(found.definitions[t.index].name for t in found.top_level), *found.assigned)
            )
            methods = method_names(found)
            for top in found.top_level:
                definition = found.definitions[top.index]
                if definition.name.startswith("_") or top.main_only:
                    continue
                self.checked += 1
                names.add(definition.name)
                if definition.name not in conventions:
                    candidate = Candidate(
                        Member(facts.path, facts.module, top.index, definition),
                        top,
                        found,
                        methods.get(top.index, frozenset()),
                    )
                    # Keyed by module: a `.pyi` stub beside its `.py` declares the same definitions.
                    by_name.setdefault(definition.name, {}).setdefault(facts.module, []).append(candidate)
            public_names[facts.module] = frozenset(names)
        findings: list[Finding] = []
        for name in sorted(by_name):
            modules = by_name[name]
            if len(modules) < 2:
                continue
            # One definition per module: its first (alternatives under if/try are one module's), from
            # the `.py` rather than its `.pyi` stub.
            candidates = [
                min(defs, key=lambda c: (c.member.path.endswith(".pyi"), c.member.path))
                for _, defs in sorted(modules.items())
            ]
            for group in self._competing(candidates, public_names, local_names, options, project):
                if not _plugin_family(group):
                    findings.extend(self._report(name, group, project, options))
        return findings

    def _competing(
        self,
        candidates: list[Candidate],
        public_names: dict[str, frozenset[str]],
        local_names: dict[str, frozenset[int]],
        options: CompetingDefinitionOptions,
        project: Project,
    ) -> list[list[tuple[Candidate, dict[int, Evidence]]]]:
        """Groups of candidates linked by evidence that they are one concept, each candidate with
        its evidence towards the others. Copies SSOT001 reports (both big enough, and identical,
        renamed or near-miss alike) are left to it."""
        interfaces = interface_pairs(public_names, [c.member.module for c in candidates])
        edges: dict[int, dict[int, Evidence]] = {}
        for i, a in enumerate(candidates):
            for j in range(i + 1, len(candidates)):
                b = candidates[j]
                ma, mb = a.member.module, b.member.module
                if versions_apart(a.member.path, b.member.path):
                    continue  # a frozen copy of an old API beside its successor, apart on purpose
                setting = Setting(
                    options.similarity,
                    frozenset((ma, mb)) in interfaces,
                    ma.rpartition(".")[0] == mb.rpartition(".")[0],
                    local_names[ma],
                    local_names[mb],
                    project.imports_name(ma, mb, a.name) or project.imports_name(mb, ma, a.name),
                )
                found = evidence(a, b, setting)
                if found is None or self._ssot001_reports(a, b, found):
                    continue
                edges.setdefault(i, {})[j] = found
                edges.setdefault(j, {})[i] = found
        groups = []
        for component in components(match_graph((i, j) for i in edges for j in edges[i])):
            order = sorted(component)
            at = {i: k for k, i in enumerate(order)}  # links are keyed by place in the group
            groups.append([(candidates[i], {at[j]: edges[i][j] for j in edges[i]}) for i in order])
        return groups

    @staticmethod
    def _ssot001_reports(a: Candidate, b: Candidate, found: Evidence) -> bool:
        da, db = a.member.definition, b.member.definition
        if not (clone_sized(da) and clone_sized(db)):
            return False
        # SSOT001's near-miss copies (default options): 5 statements each, names 80% alike as written.
        near_miss = found.kind == ALIKE and min(da.statements, db.statements) >= 5 and found.written >= 0.8
        return found.kind in (IDENTICAL, RENAMED) or near_miss

    def _report(
        self,
        name: str,
        group: list[tuple[Candidate, dict[int, Evidence]]],
        project: Project,
        options: CompetingDefinitionOptions,
    ) -> Iterable[Finding]:
        members = [c.member for c, _ in group]
        canonical = choose_canonical(members, project.importers, project.name_importers, project.imports)
        keep = canonical.member
        group_key = group_id(self.code, members)
        if len(members) >= options.convention_threshold:
            message = (
                f"`{name}` is defined alike in {len(members)} modules: if this is a naming convention, add it to "
                f"`conventions` in this rule's options; otherwise keep one definition (this one: {canonical.reason}) "
                "and import it in the others"
            )
            yield definition_finding(
                self, keep, message, group_key, [m for m in members if m is not keep], severity=Severity.LOW
            )
            return
        severity = _severity(group)
        position = {id(m): i for i, m in enumerate(members)}
        for candidate, links in group:
            member = candidate.member
            others = [m for m in members if m is not member]
            kind = "class" if member.definition.kind == "class" else "function"
            if member is keep:
                alike = "; ".join(f"{_where(members[j])} ({describe(e)})" for j, e in sorted(links.items()))
                message = (
                    f"{kind} `{name}` is defined again in {alike}; keep this one ({canonical.reason}), "
                    "merge what the others add and import it there"
                )
            else:
                toward = links.get(position[id(keep)]) or min(links.values(), key=lambda e: (e.strength, -e.score))
                more = f" (and {len(others) - 1} more)" if len(others) > 1 else ""
                message = (
                    f"{kind} `{name}` duplicates the one in {_where(keep)}{more}: {describe(toward)}; "
                    f"keep that one ({canonical.reason}) and import it here"
                )
            yield definition_finding(
                self, member, message, group_key, others, canonical=member is keep, severity=severity
            )
