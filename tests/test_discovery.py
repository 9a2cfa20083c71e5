"""Which files an audit reads: default skips, .gitignore, include/exclude, symlink loops."""

from __future__ import annotations

import os
from pathlib import Path

from ssot_audit.analysis.plugins import Registry
from ssot_audit.config import load_config
from ssot_audit.pipeline.discovery import Discovery
from tests.support import write_config, write_tree


def discovered(root: Path, *paths: Path) -> list[str]:
    config = load_config(Registry.load(), root)
    return [f.relpath for f in Discovery(root, config).find(list(paths) or [root])]


def test_default_skips_vcs_caches_builds_and_virtualenvs(tmp_path: Path) -> None:
    skipped = [
        ".git/hooks/x.py",
        ".venv/lib/y.py",
        "venv/z.py",
        "build/lib/a.py",
        "dist/b.py",
        "node_modules/pkg/c.py",
        "src/__pycache__/d.py",
        ".tox/py/e.py",
        ".nox/f.py",
        ".mypy_cache/g.py",
        "lib/site-packages/h.py",
        "myenv/i.py",
    ]
    write_tree(
        tmp_path,
        {**{p: "x = 1\n" for p in skipped}, "src/app.py": "x = 1\n", "src/stub.pyi": "x: int\n"},
        packages=False,
    )
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "src" / "notes.txt").write_text("not python")
    assert discovered(tmp_path) == ["src/app.py", "src/stub.pyi"]


def test_gitignore_is_respected_unless_switched_off(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"keep.py": "", "generated/out.py": "", "sub/local.py": "", "sub/deep/secret_x.py": ""},
        packages=False,
    )
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "sub" / ".gitignore").write_text("secret_*.py\n")
    assert discovered(tmp_path) == ["keep.py", "sub/local.py"]
    write_config(tmp_path, respect_gitignore=False)
    assert discovered(tmp_path) == ["generated/out.py", "keep.py", "sub/deep/secret_x.py", "sub/local.py"]


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"app/a.py": "", "app/migrations/0001.py": "", "tests/test_a.py": "", "tools/run": ""}, packages=False
    )
    write_config(tmp_path, exclude=["migrations/", "tests/"], include=["*.py", "tools/run"])
    assert discovered(tmp_path) == ["app/a.py", "tools/run"]


def test_symlink_loops_are_not_followed_twice(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/a.py": "", "pkg/sub/b.py": ""}, packages=False)
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "sub" / "loop")
    os.symlink(tmp_path / "pkg" / "a.py", tmp_path / "pkg" / "alias.py")
    assert discovered(tmp_path) == ["pkg/a.py", "pkg/sub/b.py"]


def test_a_file_named_explicitly_is_audited_whatever_its_extension(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bin/tool": "import os\n", "a.py": ""}, packages=False)
    assert discovered(tmp_path, tmp_path / "bin" / "tool") == ["bin/tool"]


def test_module_names_follow_the_package_layout(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/shop/orders/service.py": "", "scripts/run.py": ""}, packages=False)
    for folder in ("src/shop", "src/shop/orders"):
        (tmp_path / folder / "__init__.py").write_text("")
    config = load_config(Registry.load(), tmp_path)
    found = {f.relpath: (f.module, f.is_package) for f in Discovery(tmp_path, config).find([tmp_path])}
    assert found["src/shop/orders/service.py"] == ("shop.orders.service", False)
    assert found["src/shop/orders/__init__.py"] == ("shop.orders", True)
    assert found["scripts/run.py"] == ("run", False)
