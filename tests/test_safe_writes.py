"""Writes that never destroy: the cache touches only its own files, the atomic writer keeps
devices, FIFOs and symlinks what they are, and `fix` never changes what an import means."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from ssot_audit.pipeline.cache import STALE_AFTER_SECONDS, Cache
from ssot_audit.workflows.atomic import write_bytes_atomic
from tests.support import audit_tree, run_cli, write_config, write_tree


def _age(path: Path, days: int) -> None:
    old = time.time() - days * 24 * 3600
    os.utime(path, (old, old))


def test_cache_dir_pointing_at_the_project_is_refused_and_nothing_is_deleted(tmp_path: Path) -> None:
    write_tree(tmp_path, {"v1/api/views.py": "x = 1\n", "v1/ab/" + "c" * 64: "not a cache entry\n"}, packages=False)
    for path in (tmp_path / "v1/api/views.py", tmp_path / "v1/ab" / ("c" * 64)):
        _age(path, 60)
    write_config(tmp_path, cache_dir=".")
    result = run_cli("audit", str(tmp_path))
    assert result.returncode == 2
    assert "cache-dir = '.': must be a folder inside the project" in result.stderr
    assert (tmp_path / "v1/api/views.py").read_text() == "x = 1\n"
    assert not (tmp_path / ".gitignore").exists() and not (tmp_path / "CACHEDIR.TAG").exists()


@pytest.mark.parametrize("cache_dir", ["/", "../outside", ".."])
def test_cache_dir_outside_the_project_is_refused(tmp_path: Path, cache_dir: str) -> None:
    project = tmp_path / "project"
    write_tree(project, {"app.py": "x = 1\n"}, packages=False)
    write_config(project, cache_dir=cache_dir)
    result = run_cli("audit", str(project))
    assert result.returncode == 2
    assert f"cache-dir = '{cache_dir}'" in result.stderr and result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


def test_a_folder_holding_other_files_is_never_swept_or_tagged(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write_tree(folder, {"v1/ab/" + "d" * 64: "precious\n", "notes.txt": "mine\n"}, packages=False)
    _age(folder / "v1/ab" / ("d" * 64), 60)
    cache = Cache(folder, "salt")
    assert cache.get(cache.key(b"x")) is None
    cache.put_memo({b"pair": True})
    assert cache.prune() == 0
    assert (folder / "v1/ab" / ("d" * 64)).read_text() == "precious\n"
    assert not (folder / "CACHEDIR.TAG").exists() and not (folder / ".gitignore").exists()
    assert cache.refused is not None and "holds files the cache did not create" in cache.refused


def test_the_sweep_deletes_only_stale_entries_it_wrote(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/a.py": "from . import b\n", "pkg/b.py": "x = 1\n"})
    audit_tree(tmp_path, use_cache=True)
    cache_root = tmp_path / ".ssot_audit_cache"
    entries = [p for p in cache_root.glob("v1/*/*") if p.is_file()]
    assert entries
    stray = cache_root / "v1" / "notes.py"
    stray.write_text("kept\n")
    oddly_named = entries[0].parent / "README"
    oddly_named.write_text("kept\n")
    for path in (*entries, stray, oddly_named):
        _age(path, 45)
    (cache_root / "v1" / "last-prune").unlink()  # the audit swept once today already
    removed = Cache(cache_root, "any").prune(now=time.time())
    assert removed == len(entries)
    assert stray.read_text() == "kept\n" and oddly_named.read_text() == "kept\n"
    assert STALE_AFTER_SECONDS < 45 * 24 * 3600


def test_a_cache_folder_with_foreign_files_warns_and_the_audit_goes_on(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/a.py": "from . import b\n"})
    write_tree(tmp_path, {"cachehere/keep.txt": "mine\n"}, packages=False)
    write_config(tmp_path, cache_dir="cachehere")
    result = run_cli("audit", str(tmp_path), "--select", "SSOT101")
    assert result.returncode == 0, result.stderr
    assert "SSOT101" in result.stdout
    assert "warning: cache-dir" in result.stderr and "running without a cache" in result.stderr
    assert sorted(p.name for p in (tmp_path / "cachehere").iterdir()) == ["keep.txt"]


# -- the atomic writer ---------------------------------------------------------------


def test_a_fifo_target_is_written_to_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_bytes_atomic(fifo, b"report\n")
    reader.join(timeout=10)
    assert received == [b"report\n"]
    assert fifo.is_fifo()


def test_a_symlinked_report_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "latest.md"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "report.md"
    link.symlink_to(real)
    write_bytes_atomic(link, b"new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["latest.md"]


def test_missing_parent_folders_of_an_output_are_created(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/a.py": "from . import b\n"})
    target = tmp_path / "out" / "deep" / "a.json"
    result = run_cli("audit", str(tmp_path / "pkg"), "-o", f"json:{target}")
    assert result.returncode == 0, result.stderr
    assert target.read_text().startswith("{")


def test_a_directory_target_is_refused_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(IsADirectoryError):
        write_bytes_atomic(tmp_path / "out", b"x")
    assert (tmp_path / "out").is_dir()


# -- fix never changes what an import resolves to -------------------------------------


def test_fix_leaves_imports_under_a_namespace_package_and_says_why(tmp_path: Path) -> None:
    write_config(tmp_path)
    write_tree(tmp_path, {"ns/widgets/helpers.py": "VALUE = 1\n", "ns/widgets/__init__.py": ""}, packages=False)
    (tmp_path / "ns/widgets/api.py").write_text("from .helpers import VALUE\n")
    result = run_cli("fix", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ns/widgets/api.py").read_text() == "from .helpers import VALUE\n"
    assert "ns/widgets/api.py:1: not fixed:" in result.stderr
    assert "namespace package (PEP 420)" in result.stderr


@pytest.mark.parametrize("folder", ["my.plugin", "my-plugin", "class"])
def test_fix_refuses_folders_that_are_not_package_names(tmp_path: Path, folder: str) -> None:
    write_config(tmp_path)
    write_tree(tmp_path, {f"{folder}/__init__.py": "", f"{folder}/a.py": "from .x import y\n"}, packages=False)
    result = run_cli("fix", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / folder / "a.py").read_text() == "from .x import y\n"
    assert f"folder '{folder}' is not a valid Python package name" in result.stderr


def test_fix_resolves_a_namespace_folder_inside_a_regular_package(tmp_path: Path) -> None:
    # flask/sansio/ has no __init__.py, yet it is imported as flask.sansio (PEP 420).
    write_config(tmp_path)
    write_tree(tmp_path, {"flaskish/__init__.py": "", "flaskish/globals.py": "g = 1\n"}, packages=False)
    write_tree(
        tmp_path, {"flaskish/sansio/app.py": "from ..globals import g\nfrom .scaffold import S\n"}, packages=False
    )
    result = run_cli("fix", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "flaskish/sansio/app.py").read_text() == (
        "from flaskish.globals import g\nfrom flaskish.sansio.scaffold import S\n"
    )


def test_fix_under_src_layout_and_project_root_is_certain(tmp_path: Path) -> None:
    write_config(tmp_path)
    write_tree(tmp_path, {"src/shop/__init__.py": "", "src/shop/a.py": "from .b import c\n"}, packages=False)
    result = run_cli("fix", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "src/shop/a.py").read_text() == "from shop.b import c\n"


@pytest.mark.parametrize("cookie", ["idna", "punycode"])
def test_fix_with_an_odd_coding_cookie_reports_and_goes_on(tmp_path: Path, cookie: str) -> None:
    write_config(tmp_path)
    write_tree(tmp_path, {"pkg/odd.py": f"# coding: {cookie}\nfrom .m import x\n", "pkg/good.py": "from .m import y\n"})
    result = run_cli("fix", str(tmp_path))
    assert "Traceback" not in result.stderr, result.stderr
    assert (tmp_path / "pkg/good.py").read_text() == "from pkg.m import y\n"


def test_fix_writes_through_a_symlinked_module(tmp_path: Path) -> None:
    write_config(tmp_path)
    write_tree(tmp_path, {"pkg/real.py": "from .m import x\n"})
    (tmp_path / "pkg/alias.py").symlink_to(tmp_path / "pkg/real.py")
    result = run_cli("fix", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pkg/alias.py").is_symlink()
    assert (tmp_path / "pkg/real.py").read_text() == "from pkg.m import x\n"


def test_fix_keeps_the_last_carriage_return_of_a_cr_only_file(tmp_path: Path) -> None:
    write_config(tmp_path)
    write_tree(tmp_path, {"pkg/mac.py": b"import os\rfrom .m import x\r"})
    result = run_cli("fix", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pkg/mac.py").read_bytes() == b"import os\rfrom pkg.m import x\r"


def test_json_says_why_an_unfixable_relative_import_is_not_fixed(tmp_path: Path) -> None:
    write_config(tmp_path)
    write_tree(
        tmp_path, {"ns/widgets/__init__.py": "", "ns/widgets/api.py": "from .helpers import VALUE\n"}, packages=False
    )
    write_tree(tmp_path, {"pkg/a.py": "from .b import c\n"})
    result = run_cli("audit", str(tmp_path), "--select", "SSOT101", "--format", "json", "--no-cache")
    findings = {f["path"]: f for f in json.loads(result.stdout)["findings"]}
    assert findings["ns/widgets/api.py"]["fixable"] is False
    assert "namespace package (PEP 420)" in findings["ns/widgets/api.py"]["not_fixed"]
    assert findings["pkg/a.py"]["fixable"] is True and "not_fixed" not in findings["pkg/a.py"]
