"""SSOT401 any-usage: what the rule's own examples cannot pin down (columns, counts of
annotations checked, suppressions, option validation, docs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssot_audit.analysis.options import ConfigError
from ssot_audit.analysis.plugins import Registry
from ssot_audit.config import load_config
from tests.support import audit_tree, of_rule, run_cli, write_config, write_tree


def positions(tmp_path: Path, source: str, **options: object) -> list[tuple[int, int]]:
    write_tree(tmp_path, {"mod.py": source})
    write_config(tmp_path, rules={"any-usage": options} if options else None)
    return [(f.line, f.span.column) for f in of_rule(audit_tree(tmp_path, select=["SSOT401"]), "SSOT401")]


def test_each_occurrence_is_reported_at_its_own_line_and_column(tmp_path: Path) -> None:
    source = "from typing import Any, Dict\n\ndef f(a: Any,\n      b: Dict[str, Any]) -> Dict[Any, Any]: ...\n"
    assert positions(tmp_path, source) == [(3, 10), (4, 20), (4, 34), (4, 39)]


def test_string_annotations_are_reported_at_the_string_once_per_occurrence(tmp_path: Path) -> None:
    source = 'from typing import Any\n\nx: "dict[Any, list[Any]]" = {}\n'
    assert positions(tmp_path, source) == [(3, 4), (3, 4)]


def test_every_annotation_is_counted_as_checked(tmp_path: Path) -> None:
    source = (
        "from typing import Any, cast\n"
        "\n"
        "def f(a: int, *args: str, **kwargs: Any) -> None:\n"  # 4 annotations
        "    x: int = 1\n"  # 1
        "    y = cast(int, a)\n"  # 1
        "    z = [a]\n"  # not an annotation
    )
    write_tree(tmp_path, {"mod.py": source})
    result = audit_tree(tmp_path, select=["SSOT401"])
    typing = next(c for c in result.categories if c.category.id == "typing")
    assert (typing.checked, typing.findings) == (6, 0)  # `**kwargs: Any` passes arguments through
    write_config(tmp_path, rules={"SSOT401": {"allow-star-args": False}})
    result = audit_tree(tmp_path, select=["SSOT401"])
    typing = next(c for c in result.categories if c.category.id == "typing")
    assert (typing.checked, typing.findings) == (6, 1)


def test_allow_by_qualified_name_covers_what_is_nested_in_it_only(tmp_path: Path) -> None:
    source = (
        "from typing import Any\n"
        "\n"
        "class Hook:\n"
        "    def call(self, x: Any) -> Any: ...\n"
        "\n"
        "class Hooked:\n"
        "    def call(self, x: Any) -> None: ...\n"
    )
    assert positions(tmp_path, source, allow=["mod.Hook"]) == [(7, 23)]


def test_a_suppression_comment_silences_one_line(tmp_path: Path) -> None:
    source = (
        "from typing import Any\n\nA: Any = 1  # ssot: ignore[any-usage]\nB: Any = 2  # noqa: SSOT401\nC: Any = 3\n"
    )
    assert positions(tmp_path, source) == [(5, 4)]


def test_allow_must_be_a_list_of_strings(tmp_path: Path) -> None:
    write_config(tmp_path, rules={"any-usage": {"allow": "legacy/**"}})
    with pytest.raises(ConfigError, match="allow"):
        load_config(Registry.load(), tmp_path)


def test_rule_command_prints_the_docs_and_the_allow_option() -> None:
    result = run_cli("rule", "SSOT401")
    assert result.returncode == 0, result.stderr
    for text in ("any-usage", "What it finds", "Why it matters", "Fix", "`allow`"):
        assert text in result.stdout


# -- real shapes from issue 16 ------------------------------------------------------------------


def _found(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int]]:
    write_tree(tmp_path, files)
    return sorted((f.path, f.line) for f in of_rule(audit_tree(tmp_path, select=["SSOT401"]), "SSOT401"))


def test_typevar_through_the_projects_own_reexport_is_read(tmp_path: Path) -> None:
    # SQLAlchemy sql/sqltypes.py: `from ..util.typing import TypeVar`, then `bound=Any` and
    # a string bound.
    files = {
        "sa/util/typing.py": "from typing_extensions import TypeVar as TypeVar\n",
        "sa/sql/sqltypes.py": (
            "from typing import Any\n\nfrom ..util.typing import TypeVar\n\n"
            "_T = TypeVar('_T', bound=Any)\n"
            "_TE = TypeVar('_TE', bound='TypeEngine[Any]')\n"
            "_D = TypeVar('_D', default='Any')\n"
        ),
    }
    assert _found(tmp_path, files) == [("sa/sql/sqltypes.py", 5), ("sa/sql/sqltypes.py", 6), ("sa/sql/sqltypes.py", 7)]


def test_a_third_partys_typevar_lookalike_is_not_read(tmp_path: Path) -> None:
    files = {"app/mod.py": "from typing import Any\n\nfrom mylib import TypeVar\n\n_T = TypeVar('_T', bound=Any)\n"}
    assert _found(tmp_path, files) == []


def test_an_alias_of_the_projects_own_generic_is_read(tmp_path: Path) -> None:
    # SQLAlchemy engine/interfaces.py: `_ExecuteOptions = immutabledict[str, Any]`.
    files = {
        "sa/engine/interfaces.py": (
            "from typing import Any\n\nfrom ..util import immutabledict\n\n"
            "_ExecuteOptions = immutabledict[str, Any]\n"
            "TABLE = handlers[Any]\n"  # a lookup in a table, named as a constant: not a type
        ),
    }
    assert _found(tmp_path, files) == [("sa/engine/interfaces.py", 5)]


def test_an_overloaded_function_is_reported_once_not_per_stub(tmp_path: Path) -> None:
    source = (
        "from typing import Any, overload\n\n\n"
        "class Session:\n"
        "    @overload\n"
        "    def get(self, key: int) -> Any: ...\n"
        "    @overload\n"
        "    def get(self, key: str, default: Any) -> Any: ...\n"
        "    def get(self, key: Any, default: Any = None) -> Any:\n"
        "        return key\n\n"
        "    def other(self, x: Any) -> None: ...\n\n\n"
        "@overload\n"
        "def scalar(x: int) -> Any: ...\n"
        "@overload\n"
        "def scalar(x: str) -> Any: ...\n"
        "def scalar(x: Any) -> Any:\n"
        "    return x\n"
    )
    assert _found(tmp_path, {"app/session.py": source}) == [
        ("app/session.py", 6),
        ("app/session.py", 12),
        ("app/session.py", 16),
    ]
