"""SSOT101 relative-import: `from . import x` and friends."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider

from ssot_audit.analysis.names import dotted_name, resolve_relative
from ssot_audit.analysis.options import NoOptions
from ssot_audit.analysis.plugins import FileRule, Invalid, Valid
from ssot_audit.model import IMPORTS, Severity


def absolute_module(node: cst.ImportFrom, module_name: str, is_package: bool, module_doubt: str) -> str | None:
    """The absolute module a relative import names, when the file's package is certain."""
    if module_doubt or ("." not in module_name and not is_package):
        return None  # a top-level script: its package is whatever sys.path makes it
    target = dotted_name(node.module) if node.module is not None else None
    absolute = resolve_relative(module_name, is_package, len(node.relative), target)
    if absolute is None or not all(part.isidentifier() for part in absolute.split(".")):
        return None
    return absolute


class RelativeImport(FileRule[NoOptions]):
    code = "SSOT101"
    name = "relative-import"
    category = IMPORTS
    chunkable = True
    severity = Severity.LOW
    fixable = True
    summary = "A relative import (`from . import x`); use the absolute module path."
    what = (
        "Reports every `from . import x`, `from .module import name` and `from ..package.module import name`, "
        "wherever it stands: at module level, inside functions, under `if TYPE_CHECKING:`, in `__init__.py`."
    )
    why = (
        "A relative import names a module by where the importing file happens to sit, so the same module "
        "is spelled differently from every folder. One absolute path per module is searchable, survives "
        "moving the importing file, and keeps every reference to a module in one recognisable form."
    )
    example = "```python\n# shop/orders/service.py\nfrom ..payments.gateway import charge\n```"
    fix = (
        "Write the absolute form: `from shop.payments.gateway import charge`. "
        "`ssot-audit fix` rewrites it when the file's package is known from its `__init__.py` files."
    )
    VALID = (
        Valid("from shop.models import User\n", path="shop/views.py"),
        Valid("""
            import os.path
            from os import path as p
            """),
        Valid('TEXT = "from . import x"\n', path="shop/text.py"),
        Valid(
            """
            # from .. import y
            x = 1
            """,
            path="shop/text.py",
        ),
        Valid(
            '''
            def f():
                """Do not write `from .m import a`."""
            ''',
            path="shop/doc.py",
        ),
        Valid("from __future__ import annotations\n"),
        Valid(
            """
            from shop import (
                models,
                views,
            )
            """,
            path="shop/api.py",
        ),
        Valid("""
            import importlib
            mod = importlib.import_module('.models', 'shop')
            """),
    )
    INVALID = (
        Invalid(
            "from . import views\n",
            path="shop/api.py",
            line=1,
            message="relative import of '.'; use 'from shop import ...'",
            fixed="from shop import views\n",
        ),
        Invalid(
            """
            import os
            from .models import User, Order
            """,
            path="shop/api.py",
            line=2,
            fixed="""
            import os
            from shop.models import User, Order
            """,
        ),
        Invalid(
            "from ..pkg.m import c as d\n",
            path="shop/sub/api.py",
            line=1,
            message="use 'from shop.pkg.m import ...'",
            fixed="from shop.pkg.m import c as d\n",
        ),
        Invalid(
            """
            from . import (
                models,
                views,
            )
            """,
            path="shop/api.py",
            line=1,
        ),
        Invalid(
            """
            def load():
                from .models import User
                return User
            """,
            path="shop/api.py",
            line=2,
        ),
        Invalid(
            """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from .models import User
            """,
            path="shop/api.py",
            line=3,
        ),
        Invalid("from .models import *\n", path="shop/__init__.py", line=1),
        Invalid(
            """
            from . import a
            from . import b
            """,
            path="shop/api.py",
            count=2,
        ),
        Invalid("x = 1; from . import a\n", path="shop/api.py", line=1, fixed="x = 1; from shop import a\n"),
    )

    def visit_Import(self, node: cst.Import) -> None:
        self.count_checked()

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.count_checked()
        if not node.relative:
            return
        context = self.context
        absolute = absolute_module(node, context.module_name, context.is_package, context.module_doubt)
        dots = "." * len(node.relative)
        written = f"{dots}{dotted_name(node.module) or '' if node.module is not None else ''}"
        not_fixed = ""
        if absolute is None:
            not_fixed = context.module_doubt or "it climbs above the top-level package, so no absolute path names it"
            message = (
                f"relative import of '{written}'; use the absolute module path (not fixed automatically: {not_fixed})"
            )
        else:
            message = f"relative import of '{written}'; use 'from {absolute} import ...'"
        self.report(node, message, fixable=absolute is not None, not_fixed=not_fixed)

    @classmethod
    def fixer(
        cls, module_name: str, is_package: bool, lines: frozenset[int], module_doubt: str = ""
    ) -> cst.CSTTransformer | None:
        if module_doubt:
            return None  # rewriting from an uncertain package would change what the import means
        return AbsoluteImportFixer(module_name, is_package, lines)


class AbsoluteImportFixer(cst.CSTTransformer):
    """Rewrites `from ..pkg import x` to `from top.pkg import x` on the given lines, keeping
    the names, aliases, parentheses and comments exactly as written."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, module_name: str, is_package: bool, lines: frozenset[int]) -> None:
        super().__init__()
        self.module_name = module_name
        self.is_package = is_package
        self.lines = lines

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        if not original_node.relative:
            return updated_node
        if self.get_metadata(PositionProvider, original_node).start.line not in self.lines:
            return updated_node
        absolute = absolute_module(original_node, self.module_name, self.is_package, "")
        if absolute is None:
            return updated_node
        module = cst.parse_expression(absolute)
        if not isinstance(module, (cst.Name, cst.Attribute)):
            return updated_node
        whitespace = updated_node.whitespace_after_from
        if not whitespace.value:
            whitespace = cst.SimpleWhitespace(" ")
        return updated_node.with_changes(relative=(), module=module, whitespace_after_from=whitespace)
