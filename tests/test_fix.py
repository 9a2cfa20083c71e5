"""`ssot-audit fix`: relative imports become absolute; nothing else changes."""

from __future__ import annotations

from pathlib import Path

from tests.support import run_cli, write_tree

API = (
    "import os\n"
    "from . import views  # ssot: ignore[SSOT101]\n"
    "from .models import (\n"
    "    User,  # the account\n"
    "    Order as O,\n"
    ")\n"
    "\n"
    "\n"
    "def load():\n"
    "    from ..payments.gateway import charge\n"
    "    return charge\n"
)
FIXED = (
    "import os\n"
    "from . import views  # ssot: ignore[SSOT101]\n"
    "from shop.orders.models import (\n"
    "    User,  # the account\n"
    "    Order as O,\n"
    ")\n"
    "\n"
    "\n"
    "def load():\n"
    "    from shop.payments.gateway import charge\n"
    "    return charge\n"
)


def test_fix_rewrites_unsuppressed_relative_imports(tmp_path: Path) -> None:
    write_tree(tmp_path, {"shop/orders/api.py": API, "shop/orders/__init__.py": "from .api import load\n"})
    result = run_cli("fix", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "fixed 3 findings in 2 files" in result.stderr
    assert (tmp_path / "shop/orders/api.py").read_text() == FIXED
    assert (tmp_path / "shop/orders/__init__.py").read_text() == "from shop.orders.api import load\n"
    after = run_cli("audit", str(tmp_path), "--select", "SSOT101", "--format", "json")
    assert '"suppressed": false' not in after.stdout  # only the suppressed finding is left


def test_diff_prints_and_writes_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, {"shop/orders/api.py": API})
    result = run_cli("fix", str(tmp_path), "--diff")
    assert result.returncode == 1  # as `ruff check --diff`: fixes pending fail
    assert "-from .models import (\n+from shop.orders.models import (\n" in result.stdout
    assert "+    from shop.payments.gateway import charge\n" in result.stdout
    assert (tmp_path / "shop/orders/api.py").read_text() == API


def test_a_script_outside_any_package_and_its_encoding_are_left_as_they_are(tmp_path: Path) -> None:
    write_tree(tmp_path, {"script.py": "from .helpers import run\n"}, packages=False)
    latin = "# -*- coding: latin-1 -*-\nfrom .m import x  # caf\xe9\n".encode("latin-1")
    write_tree(tmp_path, {"pkg/legacy.py": latin})
    (tmp_path / "pkg/legacy.py").chmod(0o640)
    result = run_cli("fix", str(tmp_path))
    assert result.returncode == 0
    assert (tmp_path / "script.py").read_text() == "from .helpers import run\n"
    assert (tmp_path / "pkg/legacy.py").read_bytes() == latin.replace(b"from .m", b"from pkg.m")
    assert (tmp_path / "pkg/legacy.py").stat().st_mode & 0o777 == 0o640
