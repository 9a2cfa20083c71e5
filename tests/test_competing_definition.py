"""SSOT002 through the real engine: one public top-level name defined in several modules."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ssot_audit.model import Finding
from tests.support import audit_tree, of_rule, write_config, write_tree

AUTH_A = "class WebSocketAuthenticator:\n    def check(self, token):\n        return token in self.tokens\n"
AUTH_B = "class WebSocketAuthenticator:\n    def check(self, token, now):\n        return self.store.valid(token, now)\n"


def audit(tmp_path: Path, files: Mapping[str, str], options: Mapping[str, object] | None = None) -> list[Finding]:
    write_tree(tmp_path, dict(files))
    write_config(tmp_path, rules={"SSOT002": dict(options)} if options else None)
    return of_rule(audit_tree(tmp_path, select=["SSOT002"]), "SSOT002")


def test_two_modules_defining_one_class_differently(tmp_path: Path) -> None:
    files = {
        "chat/auth.py": AUTH_A,
        "chat/websocket/auth.py": "import os\n\n\n" + AUTH_B,
        "chat/app.py": "from chat.websocket.auth import WebSocketAuthenticator\n",
    }
    found = audit(tmp_path, files)
    assert {(f.path, f.line) for f in found} == {("chat/auth.py", 1), ("chat/websocket/auth.py", 4)}
    assert len({f.group for f in found}) == 1
    keep = next(f for f in found if f.path == "chat/websocket/auth.py")
    assert "keep this one" in keep.message and "imported by 1 project module" in keep.message
    other = next(f for f in found if f.path == "chat/auth.py")
    assert "chat/websocket/auth.py:4" in other.message
    assert [(r.path, r.line) for r in other.related] == [("chat/websocket/auth.py", 4)]


def test_reexports_tests_private_names_and_conventions_are_not_definitions(tmp_path: Path) -> None:
    files = {
        "chat/auth.py": AUTH_A,
        "chat/__init__.py": "from chat.auth import WebSocketAuthenticator\n",
        "chat/tests/test_auth.py": AUTH_B,
        "conftest.py": AUTH_B,
        "scripts/run.py": AUTH_B,
        "chat/migrations/0001_initial.py": "class Migration:\n    x = 1\n",
        "chat/other/migrations.py": "class Migration:\n    y = 2\n",
        "chat/a.py": "def _helper():\n    return 1\n\ndef main():\n    return 1\n",
        "chat/b.py": "def _helper():\n    return 2\n\ndef main():\n    return 2\n",
    }
    assert audit(tmp_path, files) == []


def test_options_bring_excluded_files_and_conventions_back(tmp_path: Path) -> None:
    files = {"chat/auth.py": AUTH_A, "chat/tests/test_auth.py": AUTH_B, "chat/a.py": "def main():\n    return 1\n", "chat/b.py": "def main():\n    return 2\n"}
    found = audit(tmp_path, files, {"exclude": [], "conventions": []})
    assert {f.path for f in found} == set(files)


def test_identical_copies_are_left_to_ssot001(tmp_path: Path) -> None:
    big = (
        "class WebSocketAuthenticator:\n    def check(self, token, now):\n        record = self.store.get(token)\n"
        "        if record is None or record.expires < now:\n            raise PermissionError(token)\n"
        "        self.audit.append((token, now))\n        return record.user\n"
    )
    assert audit(tmp_path, {"chat/a.py": big, "chat/b.py": big}) == []
    write_config(tmp_path, None)
    assert len(of_rule(audit_tree(tmp_path, select=["SSOT001"]), "SSOT001")) == 2


def test_one_modules_alternatives_count_once(tmp_path: Path) -> None:
    compat = "try:\n    from ujson import dumps\nexcept ImportError:\n    def dumps(x):\n        return str(x)\nelse:\n    def dumps(x):\n        return repr(x)\n"
    assert audit(tmp_path, {"chat/compat.py": compat}) == []
    found = audit(tmp_path / "two", {"chat/compat.py": compat, "chat/json.py": "def dumps(x):\n    return x\n"})
    assert {(f.path, f.line) for f in found} == {("chat/compat.py", 4), ("chat/json.py", 1)}


def test_a_name_in_many_modules_is_one_convention_question(tmp_path: Path) -> None:
    files = {f"chat/m{i}.py": f"def handler(event):\n    return {i}\n" for i in range(9)}
    files["chat/app.py"] = "from chat.m5 import handler\n"
    found = audit(tmp_path, files)
    assert len(found) == 1 and found[0].path == "chat/m5.py"
    assert "defined in 9 modules" in found[0].message and "convention" in found[0].message
    assert len(found[0].related) == 8
    below = audit(tmp_path / "few", {f"chat/m{i}.py": f"def handler(event):\n    return {i}\n" for i in range(3)})
    assert len(below) == 3
    assert len(audit(tmp_path / "opt", files, {"convention-threshold": 20})) == 9


def test_finding_is_on_the_def_line_and_decorator_suppresses(tmp_path: Path) -> None:
    files = {
        "chat/a.py": "import functools\n\n@functools.cache  # noqa: SSOT002\ndef settings():\n    return load()\n",
        "chat/b.py": "def settings():\n    return {}\n",
    }
    write_tree(tmp_path, files)
    found = of_rule(audit_tree(tmp_path, select=["SSOT002"]), "SSOT002", include_suppressed=True)
    decorated = next(f for f in found if f.path == "chat/a.py")
    assert decorated.line == 4 and decorated.suppressed


def test_small_identical_copies_are_reported_here(tmp_path: Path) -> None:
    error = "class ChatError(Exception):\n    pass\n"
    found = audit(tmp_path, {"chat/a.py": error, "chat/b.py": error})
    assert {(f.path, f.line) for f in found} == {("chat/a.py", 1), ("chat/b.py", 1)}
