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
    for heading in ("SSOT301 singleton-manager", "## What it finds", "## Why it matters", "## Example", "## Fix", "## Options"):
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
