"""SSOT301 singleton-manager: what its own VALID/INVALID examples cannot express."""

from __future__ import annotations

from pathlib import Path

from tests.support import EXAMPLE, audit_tree, of_rule, run_cli, write_config, write_tree

CODE = "SSOT301"

CACHED_GETTER = (
    "import functools\n"
    "\n"
    "\n"
    "@functools.lru_cache(maxsize=None){comment}\n"
    "def get_settings() -> 'Settings':\n"
    "    return Settings()\n"
)

SINGLETON_CLASS = (
    "from dataclasses import dataclass\n"
    "\n"
    "\n"
    "@dataclass{comment}\n"
    "class Clock:\n"
    "    _instance = None\n"
    "\n"
    "    def __new__(cls):\n"
    "        if cls._instance is None:\n"
    "            cls._instance = super().__new__(cls)\n"
    "        return cls._instance\n"
)

MODULE_INSTANCES = (
    "class ConnectionManager:\n"
    "    pass\n"
    "\n"
    "\n"
    "class ConnectionHandler:\n"
    "    pass\n"
    "\n"
    "\n"
    "manager = ConnectionManager()\n"
    "connections = ConnectionHandler()\n"
)


def test_suppression_on_the_decorator_line_silences_a_cached_getter(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/settings.py": CACHED_GETTER.format(comment="  # ssot: ignore[singleton-manager]")})
    found = of_rule(audit_tree(tmp_path), CODE, include_suppressed=True)
    assert [(f.line, f.suppressed) for f in found] == [(5, True)]


def test_suppression_on_the_first_decorator_of_a_class_counts(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/clock.py": SINGLETON_CLASS.format(comment="  # noqa: SSOT301")})
    found = of_rule(audit_tree(tmp_path), CODE, include_suppressed=True)
    assert [(f.line, f.suppressed) for f in found] == [(5, True)]


def test_a_definition_is_reported_at_its_class_or_def_header(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/settings.py": CACHED_GETTER.format(comment=""),
            "app/clock.py": SINGLETON_CLASS.format(comment=""),
        },
    )
    found = of_rule(audit_tree(tmp_path), CODE)
    assert sorted((f.path, f.line, f.span.column) for f in found) == [
        ("app/clock.py", 5, 1),
        ("app/settings.py", 5, 1),
    ]
    by_path = {f.path: f.message for f in found}
    assert "Clock" in by_path["app/clock.py"] and "cls._instance" in by_path["app/clock.py"]
    assert "get_settings" in by_path["app/settings.py"] and "Settings" in by_path["app/settings.py"]


def test_default_suffixes_report_a_manager_but_not_a_handler(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/db.py": MODULE_INSTANCES})
    found = of_rule(audit_tree(tmp_path), CODE)
    assert [(f.line, "ConnectionManager" in f.message) for f in found] == [(9, True)]


def test_the_suffixes_option_replaces_the_default_list(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/db.py": MODULE_INSTANCES})
    write_config(tmp_path, rules={"singleton-manager": {"suffixes": ["Handler"]}})
    found = of_rule(audit_tree(tmp_path), CODE)
    assert [(f.line, "ConnectionHandler" in f.message) for f in found] == [(10, True)]


def test_the_suffixes_option_is_read_from_pyproject_in_kebab_case(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/db.py": MODULE_INSTANCES})
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ssot-audit.rules.SSOT301]\nsuffixes = ["Handler", "Manager"]\n', encoding="utf-8"
    )
    found = of_rule(audit_tree(tmp_path), CODE)
    assert [f.line for f in found] == [9, 10]


def test_a_suffixes_option_of_the_wrong_type_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/db.py": MODULE_INSTANCES})
    write_config(tmp_path, rules={"singleton-manager": {"suffixes": "Manager"}})
    result = run_cli("audit", str(tmp_path), "--no-cache", "--quiet", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "suffixes" in result.stderr
    assert "Traceback" not in result.stderr


def test_checked_counts_classes_functions_and_module_level_calls(tmp_path: Path) -> None:
    source = (
        "import logging\n"
        "\n"
        "logger = logging.getLogger(__name__)\n"  # a module-level call: checked
        "LIMIT = 3\n"  # not a call: not checked
        "\n"
        "\n"
        "class Store:\n"  # a class: checked
        "    def get(self):\n"  # a function: checked
        "        return 1\n"
        "\n"
        "\n"
        "def make():\n"  # a function: checked
        "    return Store()\n"
    )
    write_tree(tmp_path, {"app/store.py": source})
    result = audit_tree(tmp_path, select=[CODE])
    singletons = next(c for c in result.categories if c.category.id == "singletons")
    assert (singletons.checked, singletons.findings) == (4, 0)


def test_rule_command_prints_the_full_documentation() -> None:
    result = run_cli("rule", "singleton-manager")
    assert result.returncode == 0, result.stderr
    for heading in (
        "SSOT301 singleton-manager",
        "## What it finds",
        "## Why it matters",
        "## Example",
        "## Fix",
        "## Options",
    ):
        assert heading in result.stdout
    assert "`suffixes`" in result.stdout and "Provider" in result.stdout


def planted(code: str) -> list[tuple[str, int]]:
    """The findings of one rule that the example project's VIOLATIONS.md says are planted."""
    rows = []
    for line in (EXAMPLE / "VIOLATIONS.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] == code and cells[2].isdigit():
            rows.append((cells[1], int(cells[2])))
    return sorted(rows)


def test_the_example_project_has_exactly_its_documented_singletons() -> None:
    expected = planted(CODE)
    assert expected, "VIOLATIONS.md lists no SSOT301 finding"
    result = audit_tree(EXAMPLE, select=[CODE])
    assert sorted((f.path, f.line) for f in of_rule(result, CODE)) == expected


# -- module-level instances judged with the project in view (issue 16) -------------------------

# Django's shapes: the state lives in a base defined in another module, the instance is
# imported by name, re-exported by a package, or reached as `package.name`.
DJANGO_MANAGERS = {
    "dj/utils/functional.py": (
        "empty = object()\n\n\n"
        "class LazyObject:\n"
        "    def __init__(self):\n        self._wrapped = empty\n\n"
        "    def __getattr__(self, name):\n"
        "        if self._wrapped is empty:\n            self._setup()\n"
        "        return getattr(self._wrapped, name)\n\n"
        "    def _setup(self):\n        raise NotImplementedError\n"
    ),
    "dj/conf/__init__.py": (
        "from dj.utils.functional import LazyObject, empty\n\n\n"
        "class LazySettings(LazyObject):\n"
        "    def _setup(self, name=None):\n        self._wrapped = Settings(name)\n\n\n"
        "settings = LazySettings()\n"
    ),
    "dj/utils/connection.py": (
        "from asgiref.local import Local\n\n\n"
        "class BaseConnectionHandler:\n"
        "    def __init__(self, settings=None):\n"
        "        self._settings = settings\n        self._connections = Local(False)\n\n"
        "    def __getitem__(self, alias):\n"
        "        conn = self.create_connection(alias)\n        setattr(self._connections, alias, conn)\n"
        "        return conn\n"
    ),
    "dj/db/__init__.py": (
        "from dj.db.utils import ConnectionHandler, ConnectionRouter\n\n"
        "connections = ConnectionHandler()\n"
        "router = ConnectionRouter()\n"
    ),
    "dj/db/utils.py": (
        "from functools import cached_property\n\n"
        "from dj.utils.connection import BaseConnectionHandler\n\n\n"
        "class ConnectionHandler(BaseConnectionHandler):\n"
        "    def create_connection(self, alias):\n        return object()\n\n\n"
        "class ConnectionRouter:\n"
        "    def __init__(self, routers=None):\n        self._routers = routers\n\n"
        "    @cached_property\n"
        "    def routers(self):\n        return list(self._routers or ())\n"
    ),
    "dj/apps/registry.py": (
        "from collections import defaultdict\n\n\n"
        "class Apps:\n"
        "    def __init__(self, installed_apps=()):\n"
        "        self.all_models = defaultdict(dict)\n        self.app_configs = {}\n\n"
        "    def register_model(self, app_label, model):\n        self.all_models[app_label][model.name] = model\n\n\n"
        "apps = Apps(installed_apps=None)\n"
    ),
    "dj/apps/__init__.py": "from .registry import apps\n\n__all__ = ['apps']\n",
    "dj/contrib/admin/sites.py": (
        "from dj.utils.functional import LazyObject\n\n\n"
        "class DefaultAdminSite(LazyObject):\n"
        "    def _setup(self):\n        self._wrapped = object()\n\n\n"
        "site = DefaultAdminSite()\n"
    ),
    "dj/contrib/admin/__init__.py": "from dj.contrib.admin.sites import site\n",
    "dj/views.py": (
        "from dj.apps import apps\n"
        "from dj.conf import settings\n"
        "from dj.contrib import admin\n"
        "from dj.db import connections, router\n\n\n"
        "def view():\n"
        "    admin.site.register(apps, settings, connections, router)\n"
    ),
}


def _flagged(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int]]:
    write_tree(tmp_path, files)
    return sorted((f.path, f.line) for f in of_rule(audit_tree(tmp_path, select=[CODE]), CODE))


def test_django_process_wide_managers_are_found_by_state_and_importers(tmp_path: Path) -> None:
    write_tree(tmp_path, DJANGO_MANAGERS)
    found = of_rule(audit_tree(tmp_path, select=[CODE]), CODE)
    assert sorted((f.path, f.line) for f in found) == [
        ("dj/apps/registry.py", 13),
        ("dj/conf/__init__.py", 9),
        ("dj/contrib/admin/sites.py", 9),
        ("dj/db/__init__.py", 3),
        ("dj/db/__init__.py", 4),
    ]
    by_line = {(f.path, f.line): f.message for f in found}
    assert "_setup() sets self._wrapped" in by_line[("dj/conf/__init__.py", 9)]
    assert "in its base BaseConnectionHandler" in by_line[("dj/db/__init__.py", 3)]
    assert "cached_property 'routers'" in by_line[("dj/db/__init__.py", 4)]


def test_a_public_global_of_a_top_level_package_is_the_librarys_api(tmp_path: Path) -> None:
    # nox re-exports `options` (`nox._options.noxfile_options`) in nox/__init__.py; pint defines
    # `application_registry` there. Both are documented globals users configure, by design.
    state = "    def set(self, key, value):\n        self._values[key] = value\n"
    files = {
        "nx/_options.py": f"class Options:\n{state}\n\nnoxfile_options = Options()\n",
        "nx/__init__.py": "from nx._options import noxfile_options as options\n",
        "nx/sessions.py": "from nx._options import noxfile_options\n",
        "pt/registry.py": f"class ApplicationRegistry:\n{state}",
        "pt/__init__.py": "from pt.registry import ApplicationRegistry\n\napplication_registry = ApplicationRegistry()\n",
        "pt/compat.py": "from pt import application_registry\n",
    }
    assert _flagged(tmp_path / "api", files) == []
    # The same instance kept out of the package's namespace is a hidden global, as is one a
    # sub-package defines (Django's `django.conf.settings`, above).
    files["nx/__init__.py"] = ""
    assert _flagged(tmp_path / "hidden", files) == [("nx/_options.py", 6)]


def test_a_stateful_instance_no_other_module_imports_is_left_alone(tmp_path: Path) -> None:
    files = {k: v for k, v in DJANGO_MANAGERS.items() if k != "dj/views.py" and k != "dj/contrib/admin/__init__.py"}
    files["dj/apps/__init__.py"] = ""
    assert _flagged(tmp_path, files) == []


def test_a_family_of_module_level_instances_is_declarations_not_a_singleton(tmp_path: Path) -> None:
    # Django's signals: many instances of one stateful class, each imported elsewhere.
    signal = "class Signal:\n    def __init__(self):\n        self.receivers = []\n\n    def connect(self, r):\n        self.receivers.append(r)\n"
    files = {
        "dj/dispatch.py": signal,
        "dj/signals.py": "from dj.dispatch import Signal\n\npre_save = Signal()\npost_save = Signal()\n",
        "dj/models.py": "from dj.signals import post_save, pre_save\n\n\ndef save():\n    pre_save.connect(save)\n    post_save.connect(save)\n",
    }
    assert _flagged(tmp_path, files) == []


def test_immutable_singleton_constants_are_not_reported(tmp_path: Path) -> None:
    # SQLAlchemy: `SingletonConstant` says Singleton by name, but its `__new__` returns a
    # prepared instance; `Null`, `False_`, `True_` are constants. `NULLTYPE = NullType()` is
    # named as a constant.
    files = {
        "sa/sql/base.py": (
            "class Immutable:\n    pass\n\n\n"
            "class SingletonConstant(Immutable):\n"
            "    def __new__(cls, *arg, **kw):\n        return cls._singleton\n\n"
            "    @classmethod\n"
            "    def _create_singleton(cls):\n        obj = object.__new__(cls)\n        cls._singleton = obj\n"
        ),
        "sa/sql/elements.py": (
            "from .base import SingletonConstant\n\n\n"
            "class Null(SingletonConstant):\n    pass\n\n\n"
            "class True_(SingletonConstant):\n    pass\n\n\n"
            "Null._create_singleton()\nTrue_._create_singleton()\n"
        ),
        "sa/sql/sqltypes.py": (
            "class NullType:\n    def _set_parent(self, column):\n        self.column = column\n\n\nNULLTYPE = NullType()\n"
        ),
        "sa/sql/compiler.py": "from sa.sql.sqltypes import NULLTYPE\n\nDEFAULT = NULLTYPE\n",
    }
    assert _flagged(tmp_path, files) == []


def test_an_atom_that_only_keeps_its_hash_is_a_constant_but_a_filled_table_is_state(tmp_path: Path) -> None:
    # SymPy: `true = BooleanTrue()` is imported by 20 modules; its base `Basic` keeps the hash it
    # worked out in `self._mhash`, which by the hash contract never changes. `TensorManager`'s
    # `set_comm` changes every tensor computation's rules: shared mutable state.
    files = {
        "sp/core/basic.py": (
            "class Basic:\n"
            "    def __init__(self, *args):\n        self._args = args\n        self._mhash = None\n\n"
            "    def __hash__(self):\n"
            "        h = self._mhash\n        if h is None:\n"
            "            h = hash((type(self).__name__,) + self._args)\n            self._mhash = h\n"
            "        return h\n"
        ),
        "sp/logic/boolalg.py": (
            "from sp.core.basic import Basic\n\n\n"
            "class BooleanTrue(Basic):\n    def __bool__(self):\n        return True\n\n\n"
            "true = BooleanTrue()\n"
        ),
        "sp/tensor/tensor.py": (
            "from sp.core.basic import Basic\n\n\n"
            "class _TensorManager(Basic):\n"
            "    def set_comm(self, i, j, c):\n        self._comm[i][j] = c\n\n\n"
            "TensorManager = _TensorManager()\n"
        ),
        "sp/solvers.py": "from sp.logic.boolalg import true\nfrom sp.tensor.tensor import TensorManager\n",
    }
    assert _flagged(tmp_path, files) == [("sp/tensor/tensor.py", 9)]


def test_private_memo_tables_and_lazy_lookups_are_not_reported(tmp_path: Path) -> None:
    files = {
        "sa/util.py": "class LRUCache(dict):\n    def __setitem__(self, k, v):\n        self._data[k] = v\n",
        "sa/dialects/mssql.py": "from sa import util\n\n_memoized_schema = util.LRUCache()\n",
        # hypothesis internal/lambda_sources.py: a memo table named as a constant.
        "hyp/lambda_sources.py": "from sa.util import LRUCache\n\nAST_LAMBDAS_CACHE = LRUCache(5000)\n",
        "sa/typing.py": (
            "class _TypingInstances:\n    def __getattr__(self, key):\n        types = (key,)\n"
            "        self.__dict__[key] = types\n        return types\n\n\n_type_tuples = _TypingInstances()\n"
        ),
        "sa/orm.py": "from sa.typing import _type_tuples\n\nX = _type_tuples.Union\n",
        # Django's default_token_generator: its only change is a property setter.
        "dj/tokens.py": (
            "class PasswordResetTokenGenerator:\n    _secret = None\n\n"
            "    def _get_secret(self):\n        return self._secret\n\n"
            "    def _set_secret(self, secret):\n        self._secret = secret\n\n"
            "    secret = property(_get_secret, _set_secret)\n\n\n"
            "default_token_generator = PasswordResetTokenGenerator()\n"
        ),
        "dj/views.py": "from dj.tokens import default_token_generator\n",
    }
    assert _flagged(tmp_path, files) == []


def test_a_private_instance_other_modules_reach_is_reported(tmp_path: Path) -> None:
    # SQLAlchemy: `_reg`'s bound methods are the module's API; ext installs its own factory
    # into the orm module.
    files = {
        "sa/util/preloaded.py": (
            "class _ModuleRegistry:\n    def __init__(self):\n        self.module_registry = set()\n\n"
            "    def preload_module(self, *deps):\n        self.module_registry.update(deps)\n\n\n"
            "_reg = _ModuleRegistry()\npreload_module = _reg.preload_module\n"
        ),
        "sa/util/__init__.py": "from .preloaded import preload_module\n",
        "sa/orm/instrumentation.py": (
            "class InstrumentationFactory:\n    pass\n\n\n_instrumentation_factory = InstrumentationFactory()\n"
        ),
        "sa/ext/instrumentation.py": (
            "from sa.orm import instrumentation as orm_instrumentation\n\n\n"
            "class ExtendedInstrumentationRegistry:\n"
            "    def __init__(self):\n        self._registries = {}\n\n\n"
            "orm_instrumentation._instrumentation_factory = _instrumentation_factory = ExtendedInstrumentationRegistry()\n"
        ),
    }
    # The orm's own `_instrumentation_factory` is reached from ext as an attribute: shared too.
    assert _flagged(tmp_path, files) == [
        ("sa/ext/instrumentation.py", 9),
        ("sa/orm/instrumentation.py", 5),
        ("sa/util/preloaded.py", 9),
    ]


def test_a_getter_caching_a_plain_record_is_not_reported(tmp_path: Path) -> None:
    # Rich: get_windows_console_features() caches a dataclass of two flags.
    files = {
        "rich/_windows.py": (
            "from dataclasses import dataclass\n\n\n@dataclass\nclass WindowsConsoleFeatures:\n"
            "    vt: bool = False\n    truecolor: bool = False\n"
        ),
        "rich/console.py": (
            "from typing import Optional\n\nfrom rich._windows import WindowsConsoleFeatures\n\n"
            "_features: Optional['WindowsConsoleFeatures'] = None\n\n\n"
            "def get_windows_console_features() -> 'WindowsConsoleFeatures':\n"
            "    global _features\n    if _features is not None:\n        return _features\n"
            "    _features = probe()\n    return _features\n"
        ),
    }
    assert _flagged(tmp_path, files) == []


def test_interning_roots_and_memoised_function_objects_are_not_managers(tmp_path: Path) -> None:
    files = {
        # pygments token.py: the root token only interns its children.
        "pyg/token.py": (
            "class _TokenType(tuple):\n"
            "    def __init__(self, *args):\n        self.subtypes = set()\n\n"
            "    def __getattr__(self, val):\n        new = _TokenType(self + (val,))\n"
            "        setattr(self, val, new)\n        self.subtypes.add(new)\n        return new\n\n\n"
            "Token = _TokenType()\n"
        ),
        "pyg/lexer.py": "from pyg.token import Token\n\nText = Token.Text\n",
        # docutils languages/__init__.py: a function object memoising imports by language code.
        "doc/languages.py": (
            "class LanguageImporter:\n"
            "    def __init__(self):\n        self.cache = {}\n\n"
            "    def __call__(self, code):\n        self.cache[code] = code\n        return self.cache[code]\n\n\n"
            "get_language = LanguageImporter()\n"
        ),
        "doc/reader.py": "from doc.languages import get_language\n\nEN = get_language('en')\n",
    }
    assert _flagged(tmp_path, files) == []


def test_a_cached_getter_of_a_plain_named_tuple_is_not_reported(tmp_path: Path) -> None:
    # packaging's _manylinux.py: `@functools.lru_cache() def _get_glibc_version() -> _GLibCVersion`.
    source = (
        "import functools\nfrom typing import NamedTuple\n\n\n"
        "class _GLibCVersion(NamedTuple):\n    major: int\n    minor: int\n\n\n"
        "@functools.lru_cache\ndef _get_glibc_version() -> _GLibCVersion:\n    return _GLibCVersion(2, 17)\n"
    )
    assert _flagged(tmp_path, {"pk/_manylinux.py": source}) == []


def test_a_class_cache_keyed_by_a_tuple_holding_an_argument_is_interning(tmp_path: Path) -> None:
    # sphinx pycode/__init__.py: ModuleAnalyzer.for_file caches one analyzer per file name.
    source = (
        "class ModuleAnalyzer:\n"
        "    cache = {}\n\n"
        "    @classmethod\n"
        "    def for_file(cls, filename, modname):\n"
        "        if ('file', filename) in cls.cache:\n"
        "            return cls.cache['file', filename]\n"
        "        obj = cls(filename, modname)\n"
        "        cls.cache['file', filename] = obj\n"
        "        return obj\n"
    )
    assert _flagged(tmp_path, {"sph/pycode.py": source}) == []


def test_a_private_service_behind_module_functions_is_still_reported(tmp_path: Path) -> None:
    # urllib3/__init__.py: `_DEFAULT_POOL = PoolManager()`, used by `urllib3.request()`.
    source = (
        "from .poolmanager import PoolManager\n\n"
        "_DEFAULT_POOL = PoolManager()\n\n\n"
        "def request(method, url):\n    return _DEFAULT_POOL.request(method, url)\n"
    )
    assert _flagged(tmp_path, {"u3/__init__.py": source, "u3/poolmanager.py": "class PoolManager:\n    pass\n"}) == [
        ("u3/__init__.py", 3)
    ]


def test_a_getter_caching_a_compiled_pattern_is_not_reported_but_one_caching_a_client_is(tmp_path: Path) -> None:
    # pydantic.v1 networks.py: url_regex() compiles one pattern on first use and keeps it.
    getter = (
        "import re\nfrom re import Pattern\n\n_url_regex_cache = None\n\n\n"
        "def url_regex() -> {returns}:\n"
        "    global _url_regex_cache\n"
        "    if _url_regex_cache is None:\n"
        "        _url_regex_cache = {value}\n"
        "    return _url_regex_cache\n"
    )
    pattern = {"pyd/networks.py": getter.format(returns="Pattern[str]", value="re.compile(r'^x$', re.I)")}
    assert _flagged(tmp_path / "pattern", pattern) == []
    client = {"pyd/networks.py": getter.format(returns="Client[str]", value="Client(pool=8)")}
    assert _flagged(tmp_path / "client", client) == [("pyd/networks.py", 7)]


def test_a_frozen_class_instance_is_a_value_however_many_modules_import_it(tmp_path: Path) -> None:
    # jsonschema: `draft3_type_checker = TypeChecker(...)` on an attrs @frozen class whose
    # `redefine` returns a new checker (`self._type_checkers.update()` on a persistent map).
    checker = (
        "from attrs import {decorator}\n\n\n@{decorator}\nclass TypeChecker:\n"
        "    _type_checkers: dict = {{}}\n\n"
        "    def redefine_many(self, definitions=()):\n"
        "        type_checkers = self._type_checkers.update(definitions)\n"
        "        return evolve(self, type_checkers=type_checkers)\n\n\n"
        "draft3_type_checker = TypeChecker()\n"
    )
    user = {"js/validators.py": "from js.types import draft3_type_checker\n\nCHECKER = draft3_type_checker\n"}
    frozen = {"js/types.py": checker.format(decorator="frozen"), **user}
    assert _flagged(tmp_path / "frozen", frozen) == []
    frozen_call = {"js/types.py": checker.format(decorator="define(frozen=True)"), **user}
    assert _flagged(tmp_path / "define", frozen_call) == []
    # The same class without `frozen` changes in place: a shared instance other modules use.
    mutable = {"js/types.py": checker.format(decorator="define"), **user}
    assert _flagged(tmp_path / "mutable", mutable) == [("js/types.py", 13)]


def test_a_stateless_callable_is_not_a_manager_by_its_name(tmp_path: Path) -> None:
    # ansible `Skippable = _SkippableContextManager()` (only __enter__/__exit__), pyramid's
    # pre-configured `append_slash_notfound_view = AppendSlashNotFoundViewFactory()`.
    files = {
        "app/handler.py": (
            "class _SkippableContextManager:\n    def __enter__(self):\n        pass\n\n"
            "    def __exit__(self, exc_type, exc, tb):\n        return exc_type is SkipError\n\n\n"
            "Skippable = _SkippableContextManager()\n"
        ),
        "app/view.py": (
            "class AppendSlashNotFoundViewFactory:\n    def __init__(self, view=None):\n        self.view = view\n\n"
            "    def __call__(self, context, request):\n        return self.view(context, request)\n\n\n"
            "append_slash_notfound_view = AppendSlashNotFoundViewFactory()\n"
        ),
        "app/main.py": "from app.handler import Skippable\nfrom app.view import append_slash_notfound_view\n",
    }
    assert _flagged(tmp_path / "stateless", files) == []
    # A registry with methods of its own is still a manager by name (matplotlib's
    # `writers = MovieWriterRegistry()`, whose `register` fills it through a closure).
    registry = {
        "app/writers.py": (
            "class MovieWriterRegistry:\n    def __init__(self):\n        self._registered = {}\n\n"
            "    def register(self, name):\n        def wrapper(cls):\n            self._registered[name] = cls\n"
            "            return cls\n        return wrapper\n\n\nwriters = MovieWriterRegistry()\n"
        )
    }
    assert _flagged(tmp_path / "registry", registry) == [("app/writers.py", 12)]


def test_a_class_cache_keyed_through_locals_by_the_arguments_is_interning(tmp_path: Path) -> None:
    # dask's SingletonExpr: one instance per token of its arguments, `_name = inst._name`.
    expr = (
        "import weakref\n\n\nclass SingletonExpr:\n"
        "    def __new__(cls, *args, **kwargs):\n"
        "        if not hasattr(cls, '_instances'):\n"
        "            cls._instances = weakref.WeakValueDictionary()\n"
        "        inst = super().__new__(cls, *args, **kwargs)\n"
        "        {key} = {source}\n"
        "        if {key} in cls._instances:\n"
        "            return cls._instances[{key}]\n"
        "        cls._instances[{key}] = inst\n"
        "        return inst\n\n\n"
        "class Binop(SingletonExpr):\n    pass\n"
    )
    # Its subclasses, through a base named `...Singleton...` in another module, are not singletons either.
    subclasses = "from dk import expr as core\n\n\nclass Expr(core.SingletonExpr):\n    pass\n\n\nclass Elemwise(Expr):\n    pass\n"
    interned = {"dk/expr.py": expr.format(key="_name", source="inst._name"), "dk/df/expr.py": subclasses}
    assert _flagged(tmp_path / "interned", interned) == []
    # Keyed by the class itself through a local, it is one instance per class: a singleton.
    per_class = {"dk/expr.py": expr.format(key="key", source="cls"), "dk/df/expr.py": subclasses}
    assert _flagged(tmp_path / "per-class", per_class) == [
        ("dk/df/expr.py", 4), ("dk/df/expr.py", 8), ("dk/expr.py", 4), ("dk/expr.py", 16)
    ]  # fmt: skip
