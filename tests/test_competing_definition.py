"""SSOT002 through the real engine: a public name defined in several modules, when the code
says it is one concept written twice; and the shapes from real packages that share a name
without being one concept (each must be left alone)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ssot_audit.model import Finding
from tests.support import audit_tree, of_rule, write_config, write_tree

# Two authenticators of one WebSocket upgrade, written in two places (examples/chat_backend).
AUTH_A = """class WebSocketAuthenticator:
    def __init__(self, auth_service, required_scope="chat"):
        self._auth = auth_service
        self._required_scope = required_scope

    def authenticate(self, query_string):
        tokens = parse_qs(query_string).get("token")
        if not tokens:
            raise TokenError("missing token")
        claims = self._auth.validate_token(tokens[0])
        if not claims.allows(self._required_scope):
            raise PermissionDeniedError("token lacks the scope")
        return self._auth.get_user(claims.user_id)
"""
AUTH_B = """class WebSocketAuthenticator:
    def __init__(self, settings):
        self._secret = settings.secret_bytes
        self._origins = frozenset(settings.allowed_origins)

    def authenticate(self, headers, query_string):
        if headers.get("origin") not in self._origins:
            raise TokenError("origin not allowed")
        tokens = parse_qs(query_string).get("token")
        if not tokens:
            raise TokenError("missing token")
        claims = self.validate_token(tokens[0])
        if not claims.allows("chat"):
            raise PermissionDeniedError("token lacks the scope")
        return claims
"""
ERROR = "class ChatError(Exception):\n    status = 400\n"


def audit(tmp_path: Path, files: Mapping[str, str], options: Mapping[str, object] | None = None) -> list[Finding]:
    write_tree(tmp_path, dict(files))
    write_config(tmp_path, rules={"SSOT002": dict(options)} if options else None)
    return of_rule(audit_tree(tmp_path, select=["SSOT002"]), "SSOT002")


def test_one_concept_written_twice_in_two_packages(tmp_path: Path) -> None:
    files = {
        "chat/services/auth.py": AUTH_A,
        "chat/websocket/auth.py": "import os\n\n\n" + AUTH_B,
        "chat/app.py": "from chat.websocket.auth import WebSocketAuthenticator\n",
    }
    found = audit(tmp_path, files)
    assert {(f.path, f.line) for f in found} == {("chat/services/auth.py", 1), ("chat/websocket/auth.py", 4)}
    assert len({f.group for f in found}) == 1
    keep = next(f for f in found if f.path == "chat/websocket/auth.py")
    assert (
        "keep this one" in keep.message and "`WebSocketAuthenticator` is imported from its module by 1" in keep.message
    )
    other = next(f for f in found if f.path == "chat/services/auth.py")
    assert "duplicates the one in chat/websocket/auth.py:4" in other.message and "the same interface" in other.message
    assert [(r.path, r.line) for r in other.related] == [("chat/websocket/auth.py", 4)]


def test_small_identical_definitions_are_reported_and_say_so(tmp_path: Path) -> None:
    found = audit(tmp_path, {"chat/a.py": ERROR, "chat/b.py": ERROR})
    assert {(f.path, f.line) for f in found} == {("chat/a.py", 1), ("chat/b.py", 1)}
    assert all("identical" in f.message and "differently" not in f.message for f in found)


def test_empty_classes_of_one_name_are_two_names_nothing_more(tmp_path: Path) -> None:
    # twisted: defer.TimeoutError and the Jabber IQ TimeoutError, each a docstring only.
    files = {
        "app/defer.py": 'class TimeoutError(Exception):\n    """A Deferred timed out."""\n',
        "app/jabber.py": 'class TimeoutError(Exception):\n    """No IQ response in time."""\n',
    }
    assert audit(tmp_path, files) == []


def test_a_shared_name_alone_is_not_evidence(tmp_path: Path) -> None:
    # regex_helper.Group(list) against auth.models.Group; model fields against form fields.
    files = {
        "app/regex_helper.py": "class Group(list):\n    pass\n",
        "app/auth/models.py": "class Group(Model):\n    name = CharField(max_length=150)\n    permissions = ManyToMany(Permission)\n",
        "app/db/fields.py": "class URLField(CharField):\n    default_validators = [URLValidator()]\n    def formfield(self, **kw):\n        return super().formfield(form_class=forms.URLField, **kw)\n",
        "app/forms/fields.py": "class URLField(CharField):\n    widget = URLInput\n    def to_python(self, value):\n        value = super().to_python(value)\n        return value.strip()\n",
    }
    assert audit(tmp_path, files) == []


def test_a_subclass_of_a_same_named_class_is_a_layer(tmp_path: Path) -> None:
    # flask: class Blueprint(SansioBlueprint) in blueprints.py over sansio/blueprints.py;
    # SQLAlchemy dialects: class INTEGER(sqltypes.INTEGER).
    body = "    def register(self, app, options):\n        self.app = app\n        self.options = options\n        app.blueprints.append(self)\n        return self\n"
    files = {
        "web/sansio/blueprints.py": "class Blueprint:\n" + body,
        "web/blueprints.py": "from web.sansio.blueprints import Blueprint as SansioBlueprint\n\n\nclass Blueprint(SansioBlueprint):\n"
        + body,
        "db/sqltypes.py": "class INTEGER:\n    __visit_name__ = 'INTEGER'\n",
        "db/dialects/mysql.py": "from db import sqltypes\n\n\nclass INTEGER(sqltypes.INTEGER):\n    __visit_name__ = 'INTEGER'\n",
    }
    assert audit(tmp_path, files) == []


def test_a_facade_that_delegates_is_a_layer(tmp_path: Path) -> None:
    # django/utils/formats.py time_format() returns dateformat.time_format(...).
    real = "def time_format(value, format_string):\n    df = TimeFormat(value)\n    parts = df.split(format_string)\n    text = ''.join(parts)\n    return text.strip()\n"
    facade = "from app import dateformat\n\n\ndef time_format(value, format_string):\n    fmt = get_format(format_string)\n    value = localize(value)\n    return dateformat.time_format(value, fmt)\n"
    assert audit(tmp_path, {"app/dateformat.py": real, "app/formats.py": facade}) == []


def test_a_plug_in_family_on_one_base_is_left_alone(tmp_path: Path) -> None:
    # Each of Django's mail backends defines EmailBackend(BaseEmailBackend).
    backend = (
        "from app.base import BaseEmailBackend\n\n\nclass EmailBackend(BaseEmailBackend):\n"
        "    def __init__(self, **kwargs):\n        super().__init__(**kwargs)\n        self.{attr} = kwargs.get('{attr}')\n\n"
        "    def send_messages(self, messages):\n        count = 0\n        for message in messages:\n"
        "            self.{verb}(message)\n            count += 1\n        return count\n"
    )
    files = {
        "app/backends/console.py": backend.format(attr="stream", verb="write"),
        "app/backends/locmem.py": backend.format(attr="outbox", verb="append"),
        "app/backends/filebased.py": backend.format(attr="path", verb="save"),
    }
    assert audit(tmp_path, files) == []


def test_duck_typed_plug_ins_in_one_package_are_left_alone(tmp_path: Path) -> None:
    # django/template/backends/django.py and jinja2.py: each backend's own Template wrapper.
    template = (
        "class Template:\n    def __init__(self, template, backend):\n        self.template = template\n        self.backend = backend\n"
        "        self.origin = Origin(name=template.filename)\n\n"
        "    def render(self, context=None, request=None):\n        context = make_context(context, request)\n"
        "        with reraise_errors(self.backend):\n            return self.template.render(context)\n"
    )
    files = {"app/backends/django.py": template, "app/backends/jinja2.py": template.replace("make_context", "dict")}
    assert audit(tmp_path, files) == []


def test_the_same_text_naming_each_modules_own_things_is_not_a_copy(tmp_path: Path) -> None:
    # SQLAlchemy: `def insert(table): return Insert(table)` in every dialect's dml.py; Django:
    # timezone.deactivate and trans_real.deactivate each clear their own module's `_active`.
    files = {
        "db/postgresql/dml.py": "def insert(table):\n    return Insert(table)\n\n\nclass Insert:\n    pass\n",
        "db/sqlite/dml.py": "def insert(table):\n    return Insert(table)\n\n\nclass Insert:\n    x = 1\n",
        "app/timezone.py": "_active = Local()\n\n\ndef deactivate():\n    if hasattr(_active, 'value'):\n        del _active.value\n",
        "app/trans_real.py": "_active = Local()\n\n\ndef deactivate():\n    if hasattr(_active, 'value'):\n        del _active.value\n",
    }
    assert audit(tmp_path, files) == []


def test_an_implementation_registered_with_a_dispatcher_is_left_alone(tmp_path: Path) -> None:
    # SQLAlchemy: @generate_driver_url.for_db("mysql") def generate_driver_url(url, driver, query_str)
    impl = (
        "from app.provision import generate_driver_url\n\n\n@generate_driver_url.for_db('{db}')\n"
        "def generate_driver_url(url, driver, query_str):\n    backend = url.get_backend_name()\n"
        "    new_url = url.set(drivername='%s+%s' % (backend, driver))\n    new_url = new_url.update_query_string(query_str)\n"
        "    return new_url\n"
    )
    assert audit(tmp_path, {"app/mysql.py": impl.format(db="mysql"), "app/sqlite.py": impl.format(db="sqlite")}) == []


def test_definitions_under_a_main_guard_and_in_tests_are_not_the_modules_api(tmp_path: Path) -> None:
    files = {
        "chat/a.py": ERROR,
        "chat/b.py": "if __name__ == '__main__':\n" + "".join("    " + line + "\n" for line in ERROR.splitlines()),
        "chat/testing/errors.py": ERROR,
        "chat/tests/test_errors.py": ERROR,
        "conftest.py": ERROR,
    }
    assert audit(tmp_path, files) == []


def test_reexports_private_names_and_conventions_are_not_definitions(tmp_path: Path) -> None:
    files = {
        "chat/auth.py": AUTH_A,
        "chat/__init__.py": "from chat.auth import WebSocketAuthenticator\n",
        "chat/a.py": "def _helper():\n    return 1\n\ndef main():\n    return 1\n",
        "chat/b.py": "def _helper():\n    return 1\n\ndef main():\n    return 1\n",
    }
    assert audit(tmp_path, files) == []


def test_options_bring_excluded_files_and_conventions_back(tmp_path: Path) -> None:
    files = {
        "chat/errors.py": ERROR,
        "chat/tests/test_errors.py": ERROR,
        "chat/a.py": "def main():\n    return 1\n",
        "chat/b.py": "def main():\n    return 1\n",
    }
    found = audit(tmp_path, files, {"exclude": [], "conventions": []})
    assert {f.path for f in found} == set(files)


def test_big_identical_copies_are_left_to_ssot001(tmp_path: Path) -> None:
    big = (
        "class WebSocketAuthenticator:\n    def check(self, token, now):\n        record = self.store.get(token)\n"
        "        if record is None or record.expires < now:\n            raise PermissionError(token)\n"
        "        self.audit.append((token, now))\n        return record.user\n"
    )
    assert audit(tmp_path, {"chat/a.py": big, "chat/b.py": big}) == []
    write_config(tmp_path, None)
    assert len(of_rule(audit_tree(tmp_path, select=["SSOT001"]), "SSOT001")) == 2


def test_one_modules_alternatives_count_once(tmp_path: Path) -> None:
    compat = "try:\n    from ujson import dumps\nexcept ImportError:\n    def dumps(x):\n        return str(x)\nelse:\n    def dumps(x):\n        return repr(x)\n"
    assert audit(tmp_path, {"chat/compat.py": compat}) == []
    found = audit(tmp_path / "two", {"chat/compat.py": compat, "chat/json.py": "def dumps(x):\n    return str(x)\n"})
    assert {(f.path, f.line) for f in found} == {("chat/compat.py", 4), ("chat/json.py", 1)}


def test_a_name_defined_alike_in_many_modules_is_one_convention_question(tmp_path: Path) -> None:
    files = {f"chat/m{i}.py": "def handler(event):\n    return event.payload\n" for i in range(9)}
    files["chat/app.py"] = "from chat.m5 import handler\n"
    found = audit(tmp_path, files)
    assert len(found) == 1 and found[0].path == "chat/m5.py"
    assert "defined alike in 9 modules" in found[0].message and "convention" in found[0].message
    assert len(found[0].related) == 8
    below = audit(
        tmp_path / "few", {f"chat/m{i}.py": "def handler(event):\n    return event.payload\n" for i in range(3)}
    )
    assert len(below) == 3
    assert len(audit(tmp_path / "opt", files, {"convention-threshold": 20})) == 9


def test_finding_is_on_the_def_line_and_decorator_suppresses(tmp_path: Path) -> None:
    files = {
        "chat/a.py": "import functools\n\n@functools.cache  # noqa: SSOT002\ndef settings():\n    return {}\n",
        "chat/b.py": "def settings():\n    return {}\n",
    }
    write_tree(tmp_path, files)
    found = of_rule(audit_tree(tmp_path, select=["SSOT002"]), "SSOT002", include_suppressed=True)
    decorated = next(f for f in found if f.path == "chat/a.py")
    assert decorated.line == 4 and decorated.suppressed


def test_vendored_libraries_and_a_modules_stub_are_not_competitors(tmp_path: Path) -> None:
    # pip: distlib's and urllib3's own CertificateError; more_itertools' more.pyi beside more.py.
    files = {
        "tool/_vendor/distlib/compat.py": ERROR,
        "tool/_vendor/urllib3/util.py": ERROR,
        "tool/more.py": AUTH_A,
        "tool/more.pyi": AUTH_A,
    }
    assert audit(tmp_path, files) == []


def test_a_frozen_copy_in_a_versioned_api_folder_is_not_a_competitor(tmp_path: Path) -> None:
    # pydantic's v1/errors.py PydanticErrorMixin against errors.py's: the 1.x API is kept apart.
    files = {"chat/services/auth.py": AUTH_A, "chat/v1/auth.py": AUTH_B}
    assert audit(tmp_path / "v1", files) == []
    files = {"chat/services/auth.py": AUTH_A, "chat/legacy/auth.py": AUTH_B}
    assert len(audit(tmp_path / "other", files)) == 2


def test_sync_and_async_variants_of_one_concept_are_not_competitors(tmp_path: Path) -> None:
    # falcon util/reader.py BufferedReader (a sync read callable) against asgi/reader.py's (coroutines);
    # redis asyncio/client.py PubSub against client.py's.
    aio = AUTH_B.replace("    def authenticate(", "    async def authenticate(")
    assert audit(tmp_path / "async", {"chat/services/auth.py": AUTH_A, "chat/websocket/auth.py": aio}) == []
    variants = {"chat/asyncio/auth.py": AUTH_A, "chat/auth.py": AUTH_B}
    assert audit(tmp_path / "variants", variants) == []
    # Identical code in the two variants is still one definition written twice (pymongo ReturnDocument).
    enum = "class ReturnDocument:\n    BEFORE = False\n    AFTER = True\n"
    same = {"pm/asynchronous/collection.py": enum, "pm/synchronous/collection.py": enum}
    assert len(audit(tmp_path / "identical", same)) == 2
    # But unasync's `_sync/` twin of an `_async/` module is the tool's output (httpcore's
    # `HTTPConnectionState`): only the source counts, unless generated modules are asked for.
    unasync = {"hc/_async/http11.py": enum, "hc/_sync/http11.py": enum}
    assert audit(tmp_path / "unasync", unasync) == []
    assert len(audit(tmp_path / "asked", unasync, {"include-generated": True})) == 2


def test_modules_picked_by_platform_are_alternatives_not_competitors(tmp_path: Path) -> None:
    # asyncssh's agent.py imports agent_win32 on Windows and agent_unix elsewhere; here whole
    # packages are picked, and the alternatives are the modules inside them.
    files = {"chat/win32/auth.py": AUTH_A, "chat/unix/auth.py": AUTH_B}
    picks = (
        "import sys\n\nif sys.platform == 'win32':\n    from chat import win32 as platform\n"
        "else:\n    from chat import unix as platform\n"
    )
    assert audit(tmp_path / "picked", {**files, "chat/auth.py": picks}) == []
    assert len(audit(tmp_path / "unpicked", files)) == 2


def test_one_shape_naming_different_things_is_not_one_concept(tmp_path: Path) -> None:
    # sphinx: each command's own get_parser() shares argparse's shape, not its options.
    parser = (
        "def get_parser():\n    parser = argparse.ArgumentParser(prog='{prog}', description='{doc}')\n"
        "    parser.add_argument('{a}', help='{ha}')\n    parser.add_argument('{b}', action='store_true', help='{hb}')\n"
        "    parser.add_argument('{c}', default={d}, help='{hc}')\n    return parser\n"
    )
    files = {
        "tool/build/cli.py": parser.format(
            prog="build",
            doc="Build docs",
            a="sourcedir",
            ha="source",
            b="--fresh",
            hb="rebuild",
            c="--jobs",
            d=1,
            hc="workers",
        ),
        "tool/quickstart/cli.py": parser.format(
            prog="quickstart",
            doc="Start a project",
            a="path",
            ha="root",
            b="--quiet",
            hb="no prompts",
            c="--sep",
            d=0,
            hc="split",
        ),
    }
    assert audit(tmp_path, files) == []


INSTALL = """def install():
    reactor = {cls}Reactor()
    {extra}
    from twisted.internet.main import installReactor
    installReactor(reactor)
    return reactor
"""


def plugin_family(tmp_path: Path, paths: Sequence[str]) -> dict[str, str]:
    """One module of four per path, each installing its own reactor; checks that the four are a
    family, two of them are not yet, and identical copies stay reported."""
    extras = ("reactor.seen = 0", "reactor.useGtk = True", "reactor.registerWxApp(None)", "reactor.loop = None")
    family = {
        path: INSTALL.format(cls=f"Variant{n}", extra=extra) for n, (path, extra) in enumerate(zip(paths, extras))
    }
    assert audit(tmp_path / "family", family) == []
    assert len(audit(tmp_path / "pair", dict(list(family.items())[:2]))) == 2
    # Identical copies stay reported (django views/*.py builtin_template_path).
    assert audit(tmp_path / "same", {path: INSTALL.format(cls="Select", extra="reactor.seen = 0") for path in family})
    return family


def test_sibling_plugin_modules_each_defining_a_name_their_own_way_are_a_family(tmp_path: Path) -> None:
    # twisted internet/{select,gtk2,wx,asyncio}reactor.py: each install() installs its own reactor.
    family = plugin_family(tmp_path, [f"net/internet/{name}reactor.py" for name in ("select", "gtk2", "wx", "asyncio")])
    # Modules of different packages are not a family.
    spread = {path.replace("internet/", f"{n}/"): code for n, (path, code) in enumerate(family.items())}
    assert len(audit(tmp_path / "spread", spread)) == 4


def test_a_family_counts_every_module_defining_the_name_not_only_the_alike_ones(tmp_path: Path) -> None:
    # OctoPrint's softwareupdate/version_checks/*.py each define `get_latest`; only two of the
    # ten (github_commit and bitbucket_commit) look alike, and they are still two plug-ins.
    alike = {
        path: INSTALL.format(cls=f"Variant{n}", extra=extra)
        for n, (path, extra) in enumerate(
            [("net/checks/github.py", "reactor.seen = 0"), ("net/checks/bitbucket.py", "reactor.useGtk = True")]
        )
    }
    assert len(audit(tmp_path / "pair", alike)) == 2
    unlike = {
        "net/checks/always.py": "def install():\n    return {'local': None, 'remote': None}, True\n",
        "net/checks/never.py": "def install():\n    return {'local': None, 'remote': None}, False\n",
    }
    assert audit(tmp_path / "family", {**alike, **unlike}) == []
    # Modules of another package defining the name do not make the pair a family.
    elsewhere = {path.replace("net/checks/", "net/other/"): code for path, code in unlike.items()}
    assert len(audit(tmp_path / "elsewhere", {**alike, **elsewhere})) == 2


def test_one_same_named_module_per_sub_package_defining_a_name_their_own_way_is_a_family(tmp_path: Path) -> None:
    # tortoise-orm backends/{mysql,odbc,sqlite,base_postgres}/client.py: each translate_exceptions
    # maps its own driver's errors.
    drivers = ("mysql", "odbc", "sqlite", "postgres")
    family = plugin_family(tmp_path, [f"orm/backends/{driver}/client.py" for driver in drivers])
    # Nor are modules of other names, or sub-packages of different packages.
    named = {path.replace("client.py", f"{n}.py"): code for n, (path, code) in enumerate(family.items())}
    assert len(audit(tmp_path / "named", named)) == 4
    nested = {path.replace("backends/", f"{n}/"): code for n, (path, code) in enumerate(family.items())}
    assert len(audit(tmp_path / "nested", nested)) == 4


def test_a_module_importing_the_others_definition_under_an_alias_is_a_layer(tmp_path: Path) -> None:
    # networkx bipartite/covering.py: `from networkx.algorithms.covering import min_edge_cover as
    # _min_edge_cover`, then its own min_edge_cover returns _min_edge_cover(G, ...).
    files = {
        "chat/services/auth.py": AUTH_A,
        "chat/websocket/auth.py": "from chat.services.auth import WebSocketAuthenticator as _Base\n\n\n" + AUTH_B,
    }
    assert audit(tmp_path / "layer", files) == []
    files["chat/websocket/auth.py"] = "from chat.services.auth import TokenError\n\n\n" + AUTH_B
    assert len(audit(tmp_path / "other-name", files)) == 2


def test_definitions_registered_by_one_decorator_are_hook_implementations(tmp_path: Path) -> None:
    # tox: every command module defines `@impl def tox_add_option(parser)` for pluggy.
    def decorated(code: str, decorator: str) -> str:
        return f"from chat.plugins import {decorator.split('.')[0]}\n\n\n@{decorator}\n{code}"

    hooks = {"chat/services/auth.py": decorated(AUTH_A, "impl"), "chat/websocket/auth.py": decorated(AUTH_B, "impl")}
    assert audit(tmp_path / "hooks", hooks) == []
    # A decorator that only wraps or describes (functools.total_ordering) registers nothing.
    wrapped = {
        "chat/services/auth.py": decorated(AUTH_A, "functools.total_ordering"),
        "chat/websocket/auth.py": decorated(AUTH_B, "functools.total_ordering"),
    }
    assert len(audit(tmp_path / "wrapped", wrapped)) == 2
