"""Which `if` tests and `try` statements choose by the interpreter the code runs on."""

from __future__ import annotations

import libcst as cst
import pytest

from ssot_audit.analysis.interpreter import catches_import_error, reads_interpreter


@pytest.mark.parametrize(
    "test",
    [
        "sys.version_info >= (3, 11)",
        "py_version_info >= (3, 6)",  # pexpect's `from sys import version_info as py_version_info`
        "sys.hexversion < 0x030B0000",
        "sys.platform == 'win32'",
        "sys.platform.startswith('linux')",
        "os.name == 'nt'",
        "platform.system() == 'Darwin'",
        "sys.implementation.name == 'pypy'",
        "PY2",
        "not IS_WINDOWS",
        "WIN32 and x",
    ],
)
def test_a_choice_by_version_or_platform_is_read(test: str) -> None:
    assert reads_interpreter(cst.parse_expression(test))


@pytest.mark.parametrize(
    "test", ["TYPE_CHECKING", "settings.DEBUG", "platforms", "version >= 2", "IS_DEBUG", "sys.argv[1] == 'x'"]
)
def test_a_choice_by_anything_else_is_the_projects_own(test: str) -> None:
    assert not reads_interpreter(cst.parse_expression(test))


@pytest.mark.parametrize(
    ("handlers", "expected"),
    [
        ("except ImportError:\n    pass\n", True),
        ("except (AttributeError, ModuleNotFoundError):\n    pass\n", True),
        ("except builtins.ImportError as e:\n    pass\n", True),
        ("except ValueError:\n    pass\n", False),
        ("except:\n    pass\n", False),
    ],
)
def test_a_try_chooses_when_it_catches_a_failed_import(handlers: str, expected: bool) -> None:
    node = cst.parse_statement("try:\n    import x\n" + handlers)
    assert isinstance(node, cst.Try)
    assert catches_import_error(node) is expected
