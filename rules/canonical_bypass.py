"""SSOT501 canonical-bypass: a reserved API used outside the modules allowed to use it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import libcst as cst

from ssot_audit.analysis.names import BUILTIN_NAMES, ImportHeads, dotted_name
from ssot_audit.analysis.places import Places
from ssot_audit.analysis.plugins import FileContext, FileRule, Invalid, Valid
from ssot_audit.analysis.syntax import bound_names
from ssot_audit.model import CANONICAL, Severity

ENVIRONMENT = {"apis": {"os.environ": ["shared/config/environment.py"], "os.getenv": ["shared/config/environment.py"]}}
PRINT = {"apis": {"print": ["app/cli.py"]}}
HTTP = {"apis": {"requests.get": ["app.http", "tools/*.py"]}}


@dataclass(frozen=True)
class CanonicalBypassOptions:
    apis: dict[str, tuple[str, ...]] = field(
        default_factory=dict,
        metadata={
            "doc": "Each canonical API's qualified name (`os.environ`, `os.getenv`, `requests.get`) mapped to "
            "the modules allowed to use it: path globs relative to the audit root "
            "(`shared/config/environment.py`) or dotted module names (`shared.config`). "
            'Empty: the rule checks nothing and its category reports "not configured".'
        },
    )


def qualified_api(api: str) -> str:
    """A configured API's qualified name: a bare builtin (`print`, `open`) is `builtins.print`."""
    return f"builtins.{api}" if api in BUILTIN_NAMES else api


class CanonicalBypass(FileRule[CanonicalBypassOptions]):
    code = "SSOT501"
    name = "canonical-bypass"
    category = CANONICAL
    chunkable = True
    severity = Severity.HIGH
    summary = "An API reserved for one canonical module, used somewhere else."
    what = (
        "With the `apis` option mapping an API to the modules allowed to use it (for example `os.environ` "
        "and `os.getenv` -> `shared/config/environment.py`), reports every use of that API anywhere else, "
        "and names the module to go through instead. A use is any reference to the API or to something "
        'under it (`os.environ["X"]`, `os.environ.get(...)`, `"X" in os.environ`, passing it along), '
        "however it was imported: `import os as _os`, `from os import environ as env`, a function-local "
        "import. A builtin (`print`, `open`, or `builtins.print`) counts where no local name hides it. "
        "An import alone is not a use; neither are attributes of other objects with the same name "
        "(`request.environ`), keyword arguments, parameters or local variables that shadow the import, "
        "strings, comments and docstrings.\n\n"
        'Without an `apis` mapping the rule checks nothing and its category reports "not configured".'
    )
    why = (
        "A canonical module is the single place that knows how a concern is handled: which environment "
        "variables exist, their defaults and types, how HTTP calls are retried and logged. Every direct use "
        "elsewhere is a second source of truth that silently disagrees with the first when it changes."
    )
    example = (
        "```toml\n[tool.ssot-audit.rules.canonical-bypass.apis]\n"
        '"os.environ" = ["shared/config/environment.py"]\n```\n\n'
        '```python\n# billing/service.py\nimport os\n\nAPI_KEY = os.environ["BILLING_API_KEY"]\n```'
    )
    fix = (
        "Go through the canonical module (`from shared.config.environment import settings; "
        "settings.billing_api_key`), adding what it lacks there. If a module legitimately needs the API, "
        "add it to the API's list of allowed modules."
    )
    VALID = (
        Valid(
            {
                "shared/config/environment.py": """
                    import os

                    BILLING_API_KEY = os.environ["BILLING_API_KEY"]
                    """,
                "billing/service.py": """
                    from shared.config.environment import BILLING_API_KEY

                    API_KEY = BILLING_API_KEY
                    """,
            },
            options=ENVIRONMENT,
        ),
        Valid("""
            import os

            DEBUG = os.environ.get('DEBUG')
            """),
        Valid(
            """
            import os

            DEBUG = os.environ.get('DEBUG')
            """,
            path="shared/config/environment.py",
            options=ENVIRONMENT,
        ),
        Valid(
            """
            import os

            DEBUG = os.getenv('DEBUG')
            """,
            path="shared/config/environment.py",
            options={"apis": {"os.getenv": ["shared.config.environment"]}},
        ),
        Valid(
            """
            from os import environ

            HOME = environ['HOME']
            """,
            path="shared/config/paths.py",
            options={"apis": {"os.environ": ["shared.config"]}},
        ),
        Valid(
            """
            environ = {'X': '1'}
            value = environ['X']
            """,
            options=ENVIRONMENT,
        ),
        Valid(
            """
            def app(request):
                return request.environ['PATH_INFO']
            """,
            options=ENVIRONMENT,
        ),
        Valid(
            """
            from os import environ

            def serve(app):
                return app(environ=None)
            """,
            options=ENVIRONMENT,
        ),
        Valid(
            """
            import os

            def read(os):
                return os.environ['X']
            """,
            options=ENVIRONMENT,
        ),
        Valid(
            """
            import os

            HERE = os.path.join(os.getcwd(), 'x')
            """,
            options=ENVIRONMENT,
        ),
        Valid(
            '''
            import os

            # os.environ is off limits here
            TEXT = "os.environ['X']"

            def f():
                """Never call os.getenv."""
            ''',
            options=ENVIRONMENT,
        ),
        Valid("from os import environ, getenv\n", options=ENVIRONMENT),
        Valid(
            """
            class Config:
                def getenv(self, key):
                    return self.getenv(key)
            """,
            options=ENVIRONMENT,
        ),
        Valid(
            """
            from myproject.config import getenv

            DEBUG = getenv('DEBUG')
            """,
            options=ENVIRONMENT,
        ),
        Valid(
            """
            import os

            def f():
                os = object()
                return os.environ
            """,
            options=ENVIRONMENT,
        ),
        Valid(
            """
            import requests

            def fetch(url):
                return requests.get(url)
            """,
            path="app/http.py",
            options=HTTP,
        ),
        Valid(
            """
            import requests

            requests.get('https://example.com')
            """,
            path="tools/smoke.py",
            options=HTTP,
        ),
        Valid("print('usage: jobs run')\n", path="app/cli.py", options=PRINT),
        Valid(
            """
            from rich import print

            def print_all(console, log):
                console.print('x')
                log(print=True)
            """,
            path="app/jobs.py",
            options=PRINT,
        ),
        Valid(
            """
            def report(print):
                print('x')

            PRINTER = {'print': 1}
            """,
            path="app/jobs.py",
            options=PRINT,
        ),
        Valid(
            """
            import requests

            session = requests.Session()
            session.get('x')
            """,
            path="app/views.py",
            options=HTTP,
        ),
    )
    INVALID = (
        Invalid(
            """
            import os

            DEBUG = os.environ.get('DEBUG')
            """,
            path="app/settings.py",
            options=ENVIRONMENT,
            line=3,
            count=1,
            message="os.environ is reserved for its canonical module",
        ),
        Invalid(
            """
            import os

            DEBUG = os.getenv('DEBUG')
            """,
            options=ENVIRONMENT,
            line=3,
            count=1,
        ),
        Invalid(
            """
            from os import environ

            HOME = environ['HOME']
            """,
            options=ENVIRONMENT,
            line=3,
            count=1,
        ),
        Invalid(
            """
            from os import environ as env

            HOME = env.get('HOME')
            """,
            options=ENVIRONMENT,
            line=3,
        ),
        Invalid(
            """
            import os as _os

            HOME = _os.environ['HOME']
            """,
            options=ENVIRONMENT,
            line=3,
        ),
        Invalid(
            """
            def home():
                from os import getenv
                return getenv('HOME')
            """,
            options=ENVIRONMENT,
            line=3,
        ),
        Invalid(
            """
            import os

            os.environ['MODE'] = 'test'
            """,
            options=ENVIRONMENT,
            line=3,
        ),
        Invalid(
            """
            import os

            X = os.environ['X']
            """,
            path="shared/config/other.py",
            options=ENVIRONMENT,
            line=3,
        ),
        Invalid(
            """
            import requests

            requests.get('https://example.com')
            """,
            path="app/views.py",
            options=HTTP,
            line=3,
        ),
        Invalid(
            """
            from requests import get as fetch

            fetch('https://example.com')
            """,
            path="app/views.py",
            options=HTTP,
            line=3,
        ),
        Invalid(
            """
            import os

            DEBUG = 'DEBUG' in os.environ
            """,
            options=ENVIRONMENT,
            line=3,
        ),
        Invalid(
            """
            import os

            SNAPSHOT = dict(os.environ)
            """,
            options=ENVIRONMENT,
            line=3,
        ),
        Invalid(
            """
            import os

            A = os.environ['A']
            B = os.getenv('B')
            C = os.environ.get('C', os.getenv('D'))
            """,
            options=ENVIRONMENT,
            count=4,
        ),
        Invalid(
            """
            import os.path

            X = os.environ['X']
            """,
            options=ENVIRONMENT,
            line=3,
        ),
        Invalid(
            """
            import os

            get = lambda key: os.environ[key]
            """,
            options=ENVIRONMENT,
            line=3,
        ),
        Invalid(
            """
            def home():
                return environ['HOME']

            from os import environ
            """,
            options=ENVIRONMENT,
            line=2,
        ),
        Invalid(
            """
            import os

            class Settings:
                def debug(self):
                    return os.getenv('DEBUG')
            """,
            options=ENVIRONMENT,
            line=5,
        ),
        Invalid("print('starting')\n", path="app/jobs.py", options=PRINT, line=1),
        Invalid(
            """
            import builtins

            builtins.print('starting')
            """,
            path="app/jobs.py",
            options=PRINT,
            line=3,
        ),
        Invalid("open('data.csv')\n", path="app/jobs.py", options={"apis": {"builtins.open": ["app/storage.py"]}}),
    )

    @classmethod
    def is_configured(cls, options: CanonicalBypassOptions) -> bool:
        return bool(options.apis)

    def __init__(self, context: FileContext, options: CanonicalBypassOptions) -> None:
        super().__init__(context, options)
        self.apis = {api.strip(): tuple(modules) for api, modules in options.apis.items() if api.strip()}
        # What each configured key names, qualified: `print` is `builtins.print`.
        self.qualified_apis = {qualified_api(api): api for api in self.apis}
        self.builtin_apis = {
            name: api
            for q, api in self.qualified_apis.items()
            if (name := q.removeprefix("builtins.")) != q and name in BUILTIN_NAMES
        }
        self.allowed_here: dict[str, bool] = {}
        # Names that bind or label rather than load (keywords, parameters, attribute names
        # of other objects); visited after their parent, so their parent marks them.
        self.not_uses: set[cst.CSTNode] = set()
        self.in_import = 0
        # Only a name an import binds to an API (or to what holds it) can be a use.
        self.heads = ImportHeads(self.qualified_apis)

    def get_visitors(self) -> Mapping[str, Callable[[cst.CSTNode], None]]:
        # Without a configured API nothing is a use, and every handler only prepares for
        # one: the traversal need not call them (a sixth of a small file's handler calls).
        return super().get_visitors() if self.apis else {}

    def settle(self) -> None:
        super().settle()
        self.not_uses.clear()  # marked by a parent for its children, which are visited now

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        """What node refers to where it stands; the name-resolution benchmark swaps this."""
        return self.context.qualified_name(node)

    def note_import(self, node: cst.Import | cst.ImportFrom) -> None:
        self.in_import += 1
        if self.apis:
            self.heads.note(node, self.context.names)

    def api_of(self, node: cst.BaseExpression) -> str | None:
        """The configured API that node is, or is under (`os.environ.get` -> `os.environ`)."""
        qualified = self.qualified_name(node)
        if qualified is None:
            return None
        for target, api in self.qualified_apis.items():
            if qualified == target or qualified.startswith(target + "."):
                return api
        return None

    # -- uses -----------------------------------------------------------------------------

    def visit_Name(self, node: cst.Name) -> None:
        if not self.apis or self.in_import or node in self.not_uses:
            return
        builtin = self.builtin_apis.get(node.value)
        if builtin is not None:
            if self.context.names.in_scopes(self.context.scopes).builtin_name(node.value) is not None:
                self.use(node, builtin)
            return
        if not self.heads.may_reach(node, self.context.names):
            return
        api = self.api_of(node)
        if api is not None:
            self.use(node, api)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.apis or self.in_import:
            return
        self.not_uses.add(node.attr)
        if not self.heads.may_reach(node, self.context.names):
            return
        # Report the shortest chain that is the API: `os.environ` in `os.environ.get`, once.
        api = self.api_of(node)
        if api is not None and self.api_of(node.value) is None:
            self.use(node, api)

    def use(self, node: cst.BaseExpression, api: str) -> None:
        self.count_checked()
        allowed = self.allowed_here.get(api)
        if allowed is None:
            allowed = Places.of(self.apis[api]).contains(self.context.path, self.context.module_name)
            self.allowed_here[api] = allowed
        if allowed:
            return
        modules = self.apis[api]
        written = dotted_name(node) or api
        via = "" if written == api else f" ('{written}')"
        if not modules:
            advice = "no module may use it directly"
        elif len(modules) == 1:
            advice = f"use {modules[0]} instead"
        else:
            advice = f"use one of {', '.join(modules)} instead"
        self.report(node, f"{api}{via} is reserved for its canonical module; {advice}")

    # -- names that are not uses ------------------------------------------------------------

    def visit_Import(self, node: cst.Import) -> None:
        self.note_import(node)

    def leave_Import(self, original_node: cst.Import) -> None:
        self.in_import -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.note_import(node)

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        self.in_import -= 1

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.not_uses.add(node.keyword)

    def visit_Param(self, node: cst.Param) -> None:
        self.not_uses.add(node.name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.not_uses.add(node.name)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.not_uses.add(node.name)

    def visit_AsName(self, node: cst.AsName) -> None:
        self.not_uses.update(bound_names(node.name))

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.not_uses.update(bound_names(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.not_uses.update(bound_names(node.target))

    def visit_For(self, node: cst.For) -> None:
        self.not_uses.update(bound_names(node.target))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.not_uses.update(bound_names(node.target))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.not_uses.update(bound_names(node.target))

    def visit_NameItem(self, node: cst.NameItem) -> None:
        self.not_uses.add(node.name)
