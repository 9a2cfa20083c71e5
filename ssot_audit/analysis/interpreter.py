"""Choices code makes by the interpreter it runs on: its Python version or its platform.

What such a choice imports (`if sys.version_info >= (3, 6): from pexpect._async_w_await import
...` / `else: from pexpect._async_pre_await import ...`, or `try: from ._speedups import ...` /
`except ImportError: from ._pure import ...`) are alternatives: one is loaded, the other may not
even import where the first runs, so neither can be made to use the other's code."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ssot_audit.analysis.names import dotted_name

# Parts of a dotted name that say which interpreter runs: `sys.version_info`, `sys.hexversion`,
# `sys.platform`, `platform.system()`, `sys.implementation`, pexpect's `py_version_info` alias.
_INTERPRETER_PARTS = re.compile(r"(?:\w+_)?(?:version_info|hexversion|platform|implementation)")
_INTERPRETER_NAMES = frozenset({"sys.version", "os.name"})
# Flags projects set once from those: `PY2`, `PY311`, `PYPY`, `IS_WINDOWS`, `WIN32`, `MACOS`.
_FLAGS = re.compile(r"_?(?:PY\d*K?|PYPY|CPYTHON|(?:IS_|ON_)?(?:WIN\d*|WINDOWS|MAC\w*|DARWIN|LINUX|POSIX|PYPY|PY\d+))")
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


def reads_interpreter(test: cst.BaseExpression) -> bool:
    """Whether an `if` test depends on the Python version or the platform."""
    for name in _dotted_names(test):
        if name in _INTERPRETER_NAMES or _FLAGS.fullmatch(name):
            return True
        if any(_INTERPRETER_PARTS.fullmatch(part) for part in name.split(".")):
            return True
    return False


def catches_import_error(node: cst.Try) -> bool:
    """`try:` ... `except ImportError:` (or ModuleNotFoundError, alone or in a tuple)."""
    for handler in node.handlers:
        caught = handler.type
        types = [e.value for e in caught.elements] if isinstance(caught, cst.Tuple) else [caught]
        if any(t is not None and (dotted_name(t) or "").rpartition(".")[2] in _IMPORT_ERRORS for t in types):
            return True
    return False


def _dotted_names(node: cst.CSTNode) -> Iterator[str]:
    if isinstance(node, (cst.Name, cst.Attribute)):
        name = dotted_name(node)
        if name:
            yield name
            return
    for child in node.children:
        yield from _dotted_names(child)
