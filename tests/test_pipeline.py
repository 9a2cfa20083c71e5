"""The audit goes on through bad input: undecodable, unparsable, unreadable files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import audit_tree, of_rule, run_cli, write_tree

GOOD = "import os\n\n\ndef size(path: str) -> int:\n    return os.path.getsize(path)\n"


def test_bad_files_become_parse_errors_and_the_rest_is_audited(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {f"pkg/good_{i}.py": GOOD for i in range(10)}
    files["pkg/good_3.py"] = "from . import good_4\n"
    files["pkg/broken.py"] = "def broken(:\n    pass\n"
    files["pkg/legacy.py"] = "name = 'caf\xe9'\n".encode("latin-1")
    write_tree(tmp_path / "proj", files)
    result = run_cli("audit", str(tmp_path / "proj"), "--format", "json", "--no-cache")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    errors = {f["path"]: f for f in report["findings"] if f["rule"] == "SSOT000"}
    assert set(errors) == {"pkg/broken.py", "pkg/legacy.py"}
    assert errors["pkg/broken.py"]["line"] == 1
    assert "syntax error" in errors["pkg/broken.py"]["message"]
    assert "cannot decode as utf-8" in errors["pkg/legacy.py"]["message"]
    relative = [f for f in report["findings"] if f["rule"] == "SSOT101"]
    assert [(f["path"], f["line"]) for f in relative] == [("pkg/good_3.py", 1)]
    assert report["files_scanned"] == 13  # ten good files, two bad, and the package __init__


def test_encodings_that_python_accepts_are_read(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pkg/cookie.py": "# -*- coding: latin-1 -*-\nfrom . import x  # caf\xe9\n".encode("latin-1"),
            "pkg/bom.py": b"\xef\xbb\xbffrom . import y\n",
        },
    )
    result = audit_tree(tmp_path)
    assert not of_rule(result, "SSOT000")
    assert sorted((f.path, f.line) for f in of_rule(result, "SSOT101")) == [("pkg/bom.py", 1), ("pkg/cookie.py", 2)]


def test_nul_byte_deep_nesting_and_unreadable_files_are_reported(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "nul.py": b"x = 1\ny = 2\x00\n",
            "deep.py": "x = " + "1 + " * 6000 + "1\nfrom . import z\n",
            "ok.py": GOOD,
        },
        packages=False,
    )
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing-target.py")
    result = audit_tree(tmp_path)
    errors = {f.path: f for f in of_rule(result, "SSOT000")}
    assert set(errors) == {"nul.py", "deep.py", "gone.py"}
    assert errors["nul.py"].line == 2 and "NUL" in errors["nul.py"].message
    assert "nested" in errors["deep.py"].message
    assert "cannot read" in errors["gone.py"].message
    assert result.files_scanned == 4


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("audit", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "nowhere: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr
