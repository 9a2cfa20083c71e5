"""SSOT002 competing-definition: one public top-level name defined in several modules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ssot_audit.analysis.places import compile_globs
from ssot_audit.analysis.plugins import Invalid, ProjectRule, Valid
from ssot_audit.analysis.project import Project
from ssot_audit.clones.clusters import Member, choose_canonical, group_id
from ssot_audit.clones.collector import DefinitionCollector
from ssot_audit.clones.eligibility import clone_sized
from ssot_audit.clones.report import definition_finding
from ssot_audit.model import DUPLICATES, Finding, Severity

DEFAULT_EXCLUDE = ("tests/", "test/", "test_*.py", "*_test.py", "conftest.py", "scripts/", "migrations/")
DEFAULT_CONVENTIONS = (
    "main", "setup", "teardown", "Migration", "Meta", "Config", "Command", "Media",
    "load_tests", "setUpModule", "tearDownModule", "register", "ready",
)  # fmt: skip


@dataclass(frozen=True)
class CompetingDefinitionOptions:
    exclude: tuple[str, ...] = field(
        default=DEFAULT_EXCLUDE,
        metadata={"doc": "Files left out, as .gitignore-style patterns: tests, conftest.py, scripts, migrations."},
    )
    conventions: tuple[str, ...] = field(
        default=DEFAULT_CONVENTIONS,
        metadata={"doc": "Names that many modules define by convention (entry points, Django's Meta and Command)."},
    )
    convention_threshold: int = field(
        default=8,
        metadata={"doc": "A name defined in this many modules or more is reported once, as a convention question."},
    )


def _where(member: Member) -> str:
    return f"{member.path}:{member.definition.line}"


_ERROR = "class {name}(Exception):\n    '''{doc}'''\n\n    def __init__(self, reason):\n        super().__init__(reason)\n        self.reason = reason\n"
_AUTH_A = "class WebSocketAuthenticator:\n    def check(self, token):\n        return token in self.tokens\n"
_AUTH_B = "class WebSocketAuthenticator:\n    def check(self, token, now):\n        return self.store.valid(token, now)\n"


class CompetingDefinition(ProjectRule[CompetingDefinitionOptions]):
    code = "SSOT002"
    name = "competing-definition"
    category = DUPLICATES
    severity = Severity.MEDIUM
    summary = "One public top-level class or function name defined, differently, in several modules."
    what = (
        "Reports a public (no leading underscore) top-level class or function name that two or more modules "
        "define, once per definition, all sharing one `group`. Importing a name is not "
        "defining it, so re-exports never count; nor do one module's alternative definitions under "
        "`if`/`try` (they are one module). Identical copies big enough for SSOT001 (at its default sizes) "
        "are SSOT001's to report; small ones, such as two `class ChatError(Exception): pass`, are reported "
        "here. Files matching `exclude` "
        "(tests, `conftest.py`, scripts, migrations) and names in `conventions` are left out, and a name "
        "defined in `convention-threshold` modules or more is reported once, on its canonical definition, "
        "as a question: is this a naming convention?"
    )
    why = (
        "Two `WebSocketAuthenticator` classes mean two truths about one concept: callers import whichever "
        "their editor offered, the two drift, and a fix lands in one of them. One definition per name keeps "
        "every import pointing at the same code."
    )
    example = (
        "```python\n# chat/auth.py\nclass WebSocketAuthenticator:\n    def check(self, token): ...\n\n"
        "# chat/websocket/auth.py\nclass WebSocketAuthenticator:\n    def check(self, token, now): ...\n```"
    )
    fix = (
        "Keep the definition the message names (the one the project imports most), merge what the others "
        "add, and import it everywhere; or rename the ones that are really different concepts."
    )
    collectors = (DefinitionCollector,)
    VALID = (
        Valid({"chat/auth.py": _AUTH_A, "chat/other.py": "class Authenticator:\n    pass\n"}),
        Valid({"chat/auth.py": _AUTH_A, "chat/__init__.py": "from chat.auth import WebSocketAuthenticator\n"}),
        Valid({"chat/auth.py": _AUTH_A, "chat/tests/test_auth.py": _AUTH_B}),
        Valid({"chat/auth.py": _AUTH_A, "conftest.py": _AUTH_B}),
        Valid({
                "chat/a.py": """
                    def main():
                        return 1
                    """,
                "chat/b.py": """
                    def main():
                        return 2
                    """,
            }),
        Valid({
                "chat/a.py": """
                    def _helper():
                        return 1
                    """,
                "chat/b.py": """
                    def _helper():
                        return 2
                    """,
            }),
        Valid({
                "chat/a.py": """
                    class A:
                        def check(self):
                            return 1
                    """,
                "chat/b.py": """
                    class B:
                        def check(self):
                            return 2
                    """,
            }),
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
        Valid({"chat/auth.py": _AUTH_A, "chat/legacy.py": _AUTH_B}, options={"exclude": ["chat/legacy.py"]}),
    )
    INVALID = (
        Invalid({"chat/auth.py": _AUTH_A, "chat/websocket/auth.py": _AUTH_B}, count=2, line=1, message='class `WebSocketAuthenticator`'),
        Invalid(
            {
                "chat/errors.py": _ERROR.format(name="ChatError", doc="A chat failure."),
                "chat/api.py": "import os\n\n\n" + _ERROR.format(name="ChatError", doc="Raised by the API.") + "    x = 1\n",
            },
            count=2,
        ),
        Invalid({
                "chat/a.py": """
                    def connect(url):
                        return url
                    """,
                "chat/b.py": """
                    async def connect(url, retries=3):
                        return await dial(url, retries)
                    """,
            }, count=2),
        Invalid(
            {f"chat/m{i}.py": f"def handler(event):\n    return {i}\n" for i in range(9)},
            count=1,
        ),
        Invalid({
                "chat/a.py": """
                    def main():
                        return 1
                    """,
                "chat/b.py": """
                    def main():
                        return 2
                    """,
            }, options={"conventions": []}, count=2),
        Invalid({"chat/auth.py": _AUTH_A, "chat/tests/test_auth.py": _AUTH_B}, options={"exclude": []}, count=2),
        Invalid(
            {
                "chat/a.py": """
                    import functools

                    @functools.cache
                    def settings():
                        return load()
                    """,
                "chat/b.py": """
                    def settings():
                        return {}
                    """,
            },
            line=(1, 4),
        ),
        Invalid({"chat/a.py": _AUTH_A, "chat/b.py": _AUTH_B, "chat/c.py": "WebSocketAuthenticator = None\n\n" + _AUTH_A.replace("in self", "not in self")}, count=3),
    )

    def check(self, project: Project) -> Iterable[Finding]:
        options = self.options
        excluded = compile_globs(options.exclude)
        conventions = set(options.conventions)
        by_name: dict[str, dict[str, list[Member]]] = {}
        for facts, found in project.facts(DefinitionCollector):
            if excluded.match_file(facts.path):
                continue
            for i, definition in enumerate(found.definitions):
                if definition.top_level and not definition.name.startswith("_"):
                    self.checked += 1
                    if definition.name not in conventions:
                        member = Member(facts.path, facts.module, i, definition)
                        by_name.setdefault(definition.name, {}).setdefault(facts.path, []).append(member)
        findings: list[Finding] = []
        for name in sorted(by_name):
            modules = by_name[name]
            if len(modules) < 2:
                continue
            # One definition per module: its first (alternatives under if/try are one module's).
            members = [defs[0] for _, defs in sorted(modules.items())]
            if len({m.definition.exact for m in members}) == 1 and clone_sized(members[0].definition):
                continue  # identical copies that SSOT001 reports (with its default sizes)
            findings.extend(self._report(name, members, project, options))
        return findings

    def _report(self, name: str, members: list[Member], project: Project, options: CompetingDefinitionOptions) -> Iterable[Finding]:
        canonical = choose_canonical(members, project.importers)
        keep = canonical.member
        group = group_id(self.code, members)
        if len(members) >= options.convention_threshold:
            message = (
                f"`{name}` is defined in {len(members)} modules: if this is a naming convention, add it to "
                f"`conventions` in this rule's options; otherwise keep one definition (this one: {canonical.reason}) "
                "and rename or import the others"
            )
            yield definition_finding(self, keep, message, group, [m for m in members if m is not keep])
            return
        for member in members:
            others = [m for m in members if m is not member]
            kind = "class" if member.definition.kind == "class" else "function"
            if member is keep:
                message = (
                    f"{kind} `{name}` is also defined, differently, in {', '.join(_where(m) for m in others)}; "
                    f"keep this one ({canonical.reason}) and import it there, or rename the others"
                )
            else:
                more = f" (and {len(others) - 1} more)" if len(others) > 1 else ""
                message = (
                    f"{kind} `{name}` competes with the one in {_where(keep)}{more}; "
                    f"keep that one ({canonical.reason}) and import it here, or rename this one"
                )
            yield definition_finding(self, member, message, group, others, canonical=member is keep)
