"""SSOT201 missing-dataclass and SSOT202 mutable-dataclass-default: what their own
VALID/INVALID examples cannot express (suppressions, spans, messages, counts, the cache and
worker processes, the docs)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import audit_tree, of_rule, run_cli, write_config, write_tree

RECORD = "from typing import final\n\n\n@final{comment}\nclass Money:\n    amount: int\n    currency: str\n"

MUTABLE = (
    "from collections import defaultdict\n"
    "from dataclasses import dataclass\n"
    "from typing import ClassVar\n"
    "\n"
    "\n"
    "@dataclass\n"
    "class Room:\n"
    "    registry: ClassVar[list[str]] = []\n"
    "    name: str\n"
    "    members: list[str] = []\n"
    "    counts: dict[str, int] = defaultdict(int)\n"
)


def test_a_record_is_reported_at_its_class_line_not_its_decorator(tmp_path: Path) -> None:
    write_tree(tmp_path, {"shop/money.py": RECORD.format(comment="")})
    (finding,) = of_rule(audit_tree(tmp_path), "SSOT201")
    assert (finding.path, finding.line, finding.span.column) == ("shop/money.py", 5, 1)
    # The span covers `class Money`, not the whole body.
    assert (finding.span.end_line, finding.span.end_column) == (5, 12)
    assert "'Money'" in finding.message and "amount, currency" in finding.message
    assert finding.code == "class Money:"


def test_a_suppression_on_the_first_decorator_silences_a_record(tmp_path: Path) -> None:
    write_tree(tmp_path, {"shop/money.py": RECORD.format(comment="  # ssot: ignore[missing-dataclass]")})
    result = audit_tree(tmp_path)
    assert [(f.line, f.suppressed) for f in of_rule(result, "SSOT201", include_suppressed=True)] == [(5, True)]
    assert not of_rule(result, "SSOT900"), "the decorator-line suppression was used"


def test_a_noqa_on_the_class_line_silences_a_record(tmp_path: Path) -> None:
    source = "class Point:  # noqa: SSOT201\n    x: float\n    y: float\n"
    write_tree(tmp_path, {"geo/point.py": source})
    assert [f.suppressed for f in of_rule(audit_tree(tmp_path), "SSOT201", include_suppressed=True)] == [True]


def test_classes_inspected_are_the_categorys_count(tmp_path: Path) -> None:
    source = "class A:\n    x: int\n\nclass B:\n    def run(self) -> None: ...\n\nclass C(Exception):\n    pass\n"
    write_tree(tmp_path, {"pkg/mod.py": source})
    result = audit_tree(tmp_path, select=["SSOT201"])
    (category,) = [c for c in result.categories if c.category.id == "dataclasses"]
    assert (category.findings, category.checked) == (1, 3)


def test_a_base_in_another_file_is_judged_when_that_file_comes_from_the_cache(tmp_path: Path) -> None:
    files = {
        "pkg/base.py": "class Base:\n    def describe(self) -> str:\n        return repr(self)\n",
        "pkg/models.py": "from pkg.base import Base\n\nclass User(Base):\n    name: str\n",
    }
    write_tree(tmp_path, files)
    first = of_rule(audit_tree(tmp_path, use_cache=True), "SSOT201")
    (tmp_path / "pkg/models.py").write_text(files["pkg/models.py"] + "\nclass Admin(User):\n    level: int\n")
    # base.py is served from the cache; its class facts must still be there.
    again = of_rule(audit_tree(tmp_path, use_cache=True), "SSOT201")
    assert [(f.path, f.line) for f in first] == [("pkg/models.py", 3)]
    # User is now extended by Admin, so only the leaf is a record.
    assert [(f.path, f.line) for f in again] == [("pkg/models.py", 6)]
    # Turning the base into a pydantic model makes both leaves data models.
    (tmp_path / "pkg/base.py").write_text("from pydantic import BaseModel\n\nclass Base(BaseModel):\n    pass\n")
    assert of_rule(audit_tree(tmp_path, use_cache=True), "SSOT201") == []


def test_worker_processes_give_the_same_findings(tmp_path: Path) -> None:
    files = {f"pkg/m{i}.py": f"from pkg.base import Base\n\nclass Row{i}(Base):\n    value: int\n" for i in range(12)}
    files["pkg/base.py"] = "class Base:\n    pass\n"
    files["pkg/data.py"] = MUTABLE
    write_tree(tmp_path, files)
    serial = audit_tree(tmp_path, select=["SSOT201", "SSOT202"], jobs=1)
    parallel = audit_tree(tmp_path, select=["SSOT201", "SSOT202"], jobs=2)
    assert [(f.rule, f.path, f.line) for f in parallel.findings] == [(f.rule, f.path, f.line) for f in serial.findings]
    assert len(of_rule(serial, "SSOT201")) == 12 and len(of_rule(serial, "SSOT202")) == 2


def test_exempt_bases_name_a_project_model_base_by_its_last_parts(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pkg/db.py": "class Record:\n    def save(self) -> None: ...\n",
            "pkg/models.py": "from pkg.db import Record\n\nclass User(Record):\n    name: str\n",
        },
    )
    assert len(of_rule(audit_tree(tmp_path), "SSOT201")) == 1
    write_config(tmp_path, rules={"missing-dataclass": {"exempt-bases": ["db.Record"]}})
    assert of_rule(audit_tree(tmp_path), "SSOT201") == []


def test_mutable_defaults_are_reported_at_the_field_with_the_factory_to_use(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chat/room.py": MUTABLE})
    found = of_rule(audit_tree(tmp_path), "SSOT202")
    assert [(f.line, f.span.column) for f in found] == [(10, 5), (11, 5)]
    assert "'members'" in found[0].message and "`field(default_factory=list)`" in found[0].message
    assert "`field(default_factory=lambda: defaultdict(int))`" in found[1].message


def test_dataclass_fields_inspected_are_counted_without_class_variables(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chat/room.py": MUTABLE, "chat/plain.py": "class Plain:\n    items: list[int] = []\n"})
    result = audit_tree(tmp_path, select=["SSOT202"])
    (category,) = [c for c in result.categories if c.category.id == "dataclasses"]
    assert (category.findings, category.checked) == (2, 3)


def test_a_mutable_default_is_suppressed_on_its_own_line(tmp_path: Path) -> None:
    source = MUTABLE.replace("= []\n", "= []  # ssot: ignore[SSOT202]\n")
    write_tree(tmp_path, {"chat/room.py": source})
    found = of_rule(audit_tree(tmp_path), "SSOT202", include_suppressed=True)
    assert [(f.line, f.suppressed) for f in found] == [(10, True), (11, False)]


def test_a_default_built_by_a_project_class_follows_that_class_when_it_changes(tmp_path: Path) -> None:
    client = (
        "from dataclasses import dataclass\nfrom pkg.retry import Retry\n\n"
        "@dataclass\nclass Client:\n    retry: Retry = Retry()\n"
    )
    write_tree(tmp_path, {"pkg/retry.py": "class Retry:\n    attempts: int = 3\n", "pkg/client.py": client})
    assert [f.line for f in of_rule(audit_tree(tmp_path, use_cache=True), "SSOT202")] == [6]
    frozen = "from dataclasses import dataclass\n\n@dataclass(frozen=True)\nclass Retry:\n    attempts: int = 3\n"
    (tmp_path / "pkg/retry.py").write_text(frozen)
    assert of_rule(audit_tree(tmp_path, use_cache=True), "SSOT202") == []


def test_rule_docs_explain_each_rule_and_its_option() -> None:
    for key, title, expected in (
        ("SSOT201", "# SSOT201 missing-dataclass", "`exempt-bases`"),
        ("mutable-dataclass-default", "# SSOT202 mutable-dataclass-default", "field(default_factory=set)"),
    ):
        shown = run_cli("rule", key)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.startswith(title)
        for section in ("## What it finds", "## Why it matters", "## Example", "## Fix"):
            assert section in shown.stdout
        assert expected in shown.stdout


def test_exempt_bases_is_read_from_pyproject_and_checked(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pkg/db.py": "class Record:\n    def save(self) -> None: ...\n",
            "pkg/models.py": "from pkg.db import Record\n\nclass User(Record):\n    name: str\n",
        },
    )
    table = "[tool.ssot-audit.rules.missing-dataclass]\nexempt-bases = {value}\n"
    (tmp_path / "pyproject.toml").write_text(table.format(value='["pkg.db.Record"]'))
    passed = run_cli("audit", ".", "--select", "SSOT201", "--format", "json", "--no-cache", cwd=tmp_path)
    assert passed.returncode == 0, passed.stderr
    assert json.loads(passed.stdout)["findings"] == []
    (tmp_path / "pyproject.toml").write_text(table.format(value='"pkg.db.Record"'))
    wrong = run_cli("audit", ".", "--select", "SSOT201", "--no-cache", cwd=tmp_path)
    assert wrong.returncode == 2
    assert "exempt-bases" in wrong.stderr and "Traceback" not in wrong.stderr


# -- SSOT201: sentinels are not records (issue 16) ----------------------------------------------

OVERRUN = (
    "import enum\n\n\n"
    "class Status(enum.IntEnum):\n    OVERRUN = 0\n\n\n"
    "class _Overrun:\n"
    "    status: Status = Status.OVERRUN\n\n"
    "    def __repr__(self) -> str:\n        return 'Overrun'\n\n\n"
    "Overrun = _Overrun()\n"
)


def _records(tmp_path: Path, source: str) -> list[int]:
    write_tree(tmp_path, {"pkg/data.py": source})
    return [f.line for f in of_rule(audit_tree(tmp_path, select=["SSOT201"]), "SSOT201")]


def test_a_sentinel_instantiated_once_at_module_level_is_not_a_record(tmp_path: Path) -> None:
    # hypothesis internal/conjecture/data.py: `Overrun = _Overrun()`.
    assert _records(tmp_path, OVERRUN) == []


def test_the_same_class_instantiated_again_is_a_record(tmp_path: Path) -> None:
    assert _records(tmp_path, OVERRUN + "\n\ndef fresh() -> _Overrun:\n    return _Overrun()\n") == [8]


def test_a_record_whose_fields_all_have_defaults_is_still_a_record(tmp_path: Path) -> None:
    source = (
        "class RetryPolicy:\n    attempts: int = 3\n    backoff: float = 0.5\n\n"
        "    def delay(self, attempt: int) -> float:\n        return self.backoff * attempt\n\n\n"
        "DEFAULT_POLICY = RetryPolicy()\n"
    )
    assert _records(tmp_path, source) == [1]


def test_a_behaviour_class_declaring_the_state_its_methods_keep_is_not_a_record(tmp_path: Path) -> None:
    # mitmproxy's addons: `Intercept.filt` is set in `configure`, `Browser.browser` filled in `start`.
    addon = (
        "class Intercept:\n    filt: object | None = None\n    enabled: bool = False\n\n"
        "    def configure(self, updated):\n        self.filt = parse(updated)\n        self.enabled = True\n\n\n"
        "class Browser:\n    browser: list = []\n\n"
        "    def start(self, cmd):\n        self.browser.append(cmd)\n"
    )
    assert _records(tmp_path / "addons", addon) == []
    # A record whose methods change only some of its fields is still a record (dulwich's
    # `Bundle.close()` drops `pack_data`); so is one filled by a classmethod factory.
    bundle = (
        "class Bundle:\n    version: int\n    pack_data: object | None\n\n"
        "    def close(self) -> None:\n        self.pack_data = None\n\n\n"
        "class Metadata:\n    name: str = ''\n\n    @classmethod\n    def build(cls, name):\n"
        "        meta = cls()\n        meta.name = name\n        return meta\n\n"
        "    def __str__(self) -> str:\n        return self.name\n"
    )
    assert _records(tmp_path / "records", bundle) == [1, 9]


def test_a_one_field_record_built_with_arguments_is_still_a_record(tmp_path: Path) -> None:
    source = (
        "class Token:\n    value: str = ''\n\n    def __str__(self) -> str:\n        return self.value\n\n\n"
        "EMPTY = Token()\n\n\ndef parse(text: str) -> Token:\n    return Token(text)\n"
    )
    assert _records(tmp_path, source) == [1]


# -- SSOT202: per-instance values frozen at import (issue 16) -----------------------------------

TOKENS = (
    "import time\n"
    "import uuid\n"
    "from dataclasses import dataclass, field\n"
    "from datetime import datetime, timedelta\n"
    "import os\n\n\n"
    "@dataclass\n"
    "class Token:\n"
    "    issued_at: float = time.time()\n"  # 10: frozen at import
    "    id: str = str(uuid.uuid4())\n"  # 11: frozen inside an immutable wrapper
    "    created: datetime = field(default=datetime.now())\n"  # 12
    "    ttl: timedelta = timedelta(minutes=5)\n"  # the same for every instance by design
    "    host: str = os.getenv('HOST', 'localhost')\n"  # a settings default: one per process
    "    fresh: float = field(default_factory=time.time)\n"
)


def test_a_clock_or_random_default_frozen_at_import_is_reported(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/tokens.py": TOKENS})
    found = of_rule(audit_tree(tmp_path, select=["SSOT202"]), "SSOT202")
    assert [f.line for f in found] == [10, 11, 12]
    assert "evaluated once at import" in found[0].message
    assert "field(default_factory=time.time)" in found[0].message
    assert "field(default_factory=lambda: str(uuid.uuid4()))" in found[1].message
