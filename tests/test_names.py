"""The light name resolver: what a name refers to where it stands."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from ssot_audit.analysis.names import ImportHeads, ImportTable, ScopeNode
from tests.support import audit_tree, write_config, write_tree


def resolve(source: str, expression: str, *path: str, module: str = "pkg.mod", is_package: bool = False) -> str | None:
    """The qualified name of `expression` seen from inside the definitions named by `path`
    (`"f"`, then `"Inner"` inside it, ...), or from module level when path is empty."""
    tree = cst.parse_module(source)
    scopes: list[ScopeNode] = []
    body: object = tree.body
    for name in path:
        node = next(s for s in body if isinstance(s, (cst.FunctionDef, cst.ClassDef)) and s.name.value == name)  # type: ignore[attr-defined]
        scopes.append(node)
        body = node.body.body
    table = ImportTable.from_module(tree, module, is_package)
    return table.in_scopes(scopes).qualified_name(cst.parse_expression(expression))


@pytest.mark.parametrize(
    ("source", "expression", "expected"),
    [
        ("import typing as t\n", "t.Any", "typing.Any"),
        ("from typing import Any as A\n", "A", "typing.Any"),
        ("from typing_extensions import Any\n", "Any", "typing_extensions.Any"),
        ("import typing\n", "typing.AnyStr", "typing.AnyStr"),
        ("from os import environ as env\n", "env.get", "os.environ.get"),
        ("import os as _os\n", "_os.getenv", "os.getenv"),
        ("import os.path\n", "os.environ", "os.environ"),
        ("from . import sibling\n", "sibling.x", "pkg.sibling.x"),
        ("from .. import up\n", "up", None),
        ("", "any", None),
        ("from typing import *\n", "Any", None),
        ("from dataclasses import dataclass as dc\n", "dc", "dataclasses.dataclass"),
        ("import pydantic.dataclasses\n", "pydantic.dataclasses.dataclass", "pydantic.dataclasses.dataclass"),
        ("from functools import lru_cache as memo, cache\n", "memo", "functools.lru_cache"),
        ("import functools as ft\n", "ft.cache", "functools.cache"),
    ],
)
def test_module_level_imports(source: str, expression: str, expected: str | None) -> None:
    assert resolve(source, expression) == expected


@pytest.mark.parametrize(
    "source",
    [
        "from typing import Any\nclass Any:\n    pass\n",
        "from typing import Any\ndef Any():\n    pass\n",
        "from typing import Any\nAny = object\n",
        "from typing import Any\nAny, other = object, 1\n",
        "from typing import Any\nfor Any in []:\n    pass\n",
        "from typing import Any\nwith open('f') as Any:\n    pass\n",
    ],
)
def test_a_later_local_binding_shadows_the_import(source: str) -> None:
    assert resolve(source, "Any") is None


@pytest.mark.parametrize(
    "source",
    [
        "try:\n    from typing import Any\nexcept ImportError:\n    Any = object\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from typing import Any\nelse:\n    Any = object\n",
    ],
)
def test_a_fallback_binding_does_not_hide_the_import_it_stands_in_for(source: str) -> None:
    assert resolve(source, "Any") == "typing.Any"


def test_function_local_imports_count_for_their_function_only() -> None:
    source = "def f():\n    from os import environ as env\n\ndef g():\n    pass\n"
    assert resolve(source, "env", "f") == "os.environ"
    assert resolve(source, "env", "g") is None
    assert resolve(source, "env") is None


def test_enclosing_function_imports_are_seen_by_nested_functions() -> None:
    source = "def outer():\n    import typing as t\n    def inner():\n        pass\n"
    assert resolve(source, "t.Any", "outer", "inner") == "typing.Any"


def test_parameters_and_local_assignments_shadow_module_imports() -> None:
    source = "import os\nfrom typing import Any\ndef f(os):\n    Any = int\n"
    assert resolve(source, "os.environ", "f") is None
    assert resolve(source, "Any", "f") is None
    assert resolve(source, "Any") == "typing.Any"


def test_class_body_names_are_not_seen_by_its_methods() -> None:
    source = "from typing import Any\nclass C:\n    Any = str\n    def m(self):\n        pass\n"
    assert resolve(source, "Any", "C") is None
    assert resolve(source, "Any", "C", "m") == "typing.Any"


def test_a_global_declaration_looks_the_name_up_at_module_level() -> None:
    source = "import os\ndef f():\n    global os\n    os = None\n"
    assert resolve(source, "os.environ", "f") == "os.environ"


def import_node(source: str) -> cst.Import | cst.ImportFrom:
    line = cst.parse_statement(source)
    assert isinstance(line, cst.SimpleStatementLine) and isinstance(line.body[0], (cst.Import, cst.ImportFrom))
    return line.body[0]


def test_import_heads_are_the_names_an_import_makes_relevant() -> None:
    tree = cst.parse_module("import os\nimport typing as t\nfrom os import path, environ as env\n")
    table = ImportTable.from_module(tree)
    heads = ImportHeads(["os.environ"])
    reaches = [
        heads.may_reach(cst.parse_expression(e), table)
        for e in ("os.environ", "env.get", "path.join", "t.Any", "f().x")
    ]
    assert reaches == [True, True, False, False, False]
    heads.note(import_node("from os import getenv as environ_of"), table)
    assert not heads.may_reach(cst.Name("environ_of"), table)
    heads.note(import_node("from os import environ as e2"), table)
    assert heads.may_reach(cst.Name("e2"), table)


def test_a_builtin_is_one_only_where_nothing_binds_its_name() -> None:
    tree = cst.parse_module("def f(print):\n    pass\n\ndef g():\n    pass\n")
    table = ImportTable.from_module(tree)
    f, g = tree.body
    assert isinstance(f, cst.FunctionDef) and isinstance(g, cst.FunctionDef)
    assert table.builtin_name("print") == "builtins.print"
    assert table.in_scopes([g]).builtin_name("print") == "builtins.print"
    assert table.in_scopes([f]).builtin_name("print") is None
    assert table.builtin_name("not_a_builtin") is None
    starred = ImportTable.from_module(cst.parse_module("from rich import *\n"))
    assert starred.builtin_name("print") is None


STAR_IMPORT_USES = (
    "{star}from dataclasses import dataclass\n"
    "\n"
    "\n"
    "@dataclass\n"
    "class Job:\n"
    "    tags: list[str] = list()\n"
    "\n"
    "\n"
    "def load() -> str:\n"
    "    return open('data.csv').read()\n"
)


@pytest.mark.parametrize("star", ["", "from helpers import *\n"])
def test_a_star_import_hides_builtins_from_every_rule_alike(tmp_path: Path, star: str) -> None:
    # `from helpers import *` may rebind `list` and `open`: SSOT202 and SSOT501 read the same
    # resolver, so both report the builtins without it and neither guesses with it.
    write_tree(tmp_path, {"app/jobs.py": STAR_IMPORT_USES.format(star=star)})
    write_config(tmp_path, rules={"SSOT501": {"apis": {"open": ["app/storage.py"]}}})
    result = audit_tree(tmp_path, select=["SSOT202", "SSOT501"])
    reported = sorted((f.rule, f.line) for f in result.findings)
    assert reported == ([] if star else [("SSOT202", 6), ("SSOT501", 10)])


def test_global_name_sees_module_definitions_and_builtins_unless_a_star_import_may_rebind() -> None:
    plain = ImportTable.from_module(cst.parse_module("class Base: ...\n"), "pkg.mod")
    star = ImportTable.from_module(cst.parse_module("from helpers import *\nclass Base: ...\n"), "pkg.mod")
    for table in (plain, star):
        assert table.global_name(cst.parse_expression("Base")) == "pkg.mod.Base"
    assert plain.global_name(cst.parse_expression("dict")) == "builtins.dict"
    assert star.global_name(cst.parse_expression("dict")) is None
