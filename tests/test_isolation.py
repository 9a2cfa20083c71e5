"""One bad file never sinks the audit: the real inputs that crash, hang or exhaust libcst become
SSOT000 findings naming the cause, valid deep code is audited, and signals stop a run cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ssot_audit.pipeline import source
from tests.support import audit_tree, of_rule, write_config, write_tree

GOOD_MODULE = """import json


def load_settings(path, defaults):
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    merged = dict(defaults)
    for key, value in raw.items():
        if key in merged and value is not None:
            merged[key] = value
    return merged
"""


def _nested_mapping_pattern(depth: int) -> str:
    return "1" if depth == 0 else "{'k': " + _nested_mapping_pattern(depth - 1) + "}"


# Inputs measured on libcst 1.9 (issue 15): segfault, minutes of parsing, or a false SSOT000.
PARENS_5000 = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
PLUS_12000 = "x = " + "+".join(["1"] * 12000) + "\n"
MATCH_14 = "match x:\n    case " + _nested_mapping_pattern(14) + ":\n        pass\n"
VALID_DEEP = {
    "plus.py": "x = " + " + ".join(["a"] * 350) + "\n",
    "and_or.py": "x = " + " and ".join(["a"] * 350) + " or b\n",
    "attr.py": "x = a" + ".b" * 350 + "\n",
    "index.py": "x = a" + "[0]" * 350 + "\n",
    "elif.py": "if a:\n    pass\n" + "".join(f"elif a{i}:\n    pass\n" for i in range(350)),
    "ternary.py": "x = " + "a if b else " * 350 + "c\n",
    "ors.py": "x = " + " or ".join(["a"] * 7100) + "\n",
}


def _errors(root: Path, jobs: int) -> dict[str, str]:
    result = audit_tree(root, jobs=jobs)
    return {f.path: f.message for f in of_rule(result, "SSOT000")}


@pytest.mark.parametrize("jobs", [1, 2])
def test_inputs_that_crash_or_hang_libcst_become_findings_and_the_rest_is_audited(tmp_path: Path, jobs: int) -> None:
    write_tree(
        tmp_path,
        {
            "parens.py": PARENS_5000,
            "plus.py": PLUS_12000,
            "match.py": MATCH_14,
            "ok.py": GOOD_MODULE,
            "dup.py": GOOD_MODULE,
        },
        packages=False,
    )
    write_config(tmp_path, file_time_limit=3)
    result = audit_tree(tmp_path, jobs=jobs)
    errors = {f.path: f.message for f in of_rule(result, "SSOT000")}
    assert set(errors) == {"parens.py", "plus.py", "match.py"}
    assert "too many nested parentheses" in errors["parens.py"]
    assert "CPython" in errors["plus.py"]
    assert "time limit of 3 s" in errors["match.py"] and "3 s per MiB" in errors["match.py"]
    assert result.files_scanned == 5
    # The good files were audited: their copies are found.
    assert {f.path for f in of_rule(result, "SSOT001")} >= {"ok.py", "dup.py"}


def test_valid_deep_chains_are_audited_not_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, VALID_DEEP, packages=False)
    assert _errors(tmp_path, jobs=2) == {}


def test_many_concatenated_strings_are_named_a_libcst_limit_not_a_syntax_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"strings.py": "x = (" + " ".join(["'a'"] * 3001) + ")\n"}, packages=False)
    message = _errors(tmp_path, jobs=1)["strings.py"]
    assert message.startswith("valid Python that libcst cannot parse")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_that_segfaults_takes_only_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    # Without the CPython pre-check the 5,000 parentheses reach libcst's native parser, which
    # crashes the worker (workers are forked, so they see the patch).
    monkeypatch.setattr(source, "check_limits", lambda text: None)
    files = {f"m{i}.py": f"VALUE_{i} = {i}\n" for i in range(20)}
    write_tree(tmp_path, {**files, "parens.py": "x = " + "(" * 100_000 + "1" + ")" * 100_000 + "\n"}, packages=False)
    result = audit_tree(tmp_path, jobs=jobs)
    errors = {f.path: f.message for f in of_rule(result, "SSOT000")}
    assert list(errors) == ["parens.py"]
    assert "crashed the worker process" in errors["parens.py"] and "SIGSEGV" in errors["parens.py"]
    assert result.files_scanned == 21


def test_a_file_over_the_memory_limit_becomes_a_finding(tmp_path: Path) -> None:
    big = "".join(f"def f{i}(a, b):\n    return [a, b, {i}]\n" for i in range(20_000))
    write_tree(tmp_path, {"big.py": big, "ok.py": GOOD_MODULE}, packages=False)
    write_config(tmp_path, file_memory_limit=64)
    errors = _errors(tmp_path, jobs=1)
    assert list(errors) == ["big.py"]
    assert "memory limit of 64 MiB" in errors["big.py"]


def test_fifos_devices_and_files_over_the_size_limit_are_not_read(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ok.py": GOOD_MODULE, "big.py": "x = 1\n" * 200_000}, packages=False)
    os.mkfifo(tmp_path / "fifo.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    write_config(tmp_path, file_size_limit=1)
    errors = _errors(tmp_path, jobs=1)
    assert errors == {
        "fifo.py": "not a regular file (a FIFO); not read",
        "zero.py": "not a regular file (a character device); not read",
        "big.py": "larger than the per-file size limit of 1 MiB (file-size-limit); not read",
    }


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except OSError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_audit_at_once_with_no_worker_left_and_no_report(tmp_path: Path, signum: int) -> None:
    # Nested match patterns keep libcst busy for minutes: the workers are mid-file.
    write_tree(tmp_path, {"a.py": MATCH_14, "b.py": MATCH_14.replace("x", "y"), "ok.py": GOOD_MODULE}, packages=False)
    report = tmp_path / "report.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ssot_audit",
            "audit",
            str(tmp_path),
            "--no-cache",
            "--jobs",
            "2",
            "-o",
            f"json:{report}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = _children(process.pid)
        assert len(workers) == 2
        time.sleep(0.5)
        process.send_signal(signum)
        out, _ = process.communicate(timeout=10)
    finally:
        process.kill()
        process.wait()
    assert process.returncode != 0
    assert out == b"" and not report.exists()
    deadline = time.monotonic() + 5
    while not all(_gone(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(w) for w in workers)


def test_the_json_report_of_hostile_inputs_is_complete(tmp_path: Path) -> None:
    write_tree(tmp_path, {"parens.py": PARENS_5000, "ok.py": GOOD_MODULE}, packages=False)
    out = subprocess.run(
        [sys.executable, "-m", "ssot_audit", "audit", str(tmp_path), "--no-cache", "--jobs", "1", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    data = json.loads(out.stdout)
    assert data["files_scanned"] == 2
    assert [f["path"] for f in data["findings"] if f["rule"] == "SSOT000"] == ["parens.py"]


def test_a_rule_that_raises_costs_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ssot_audit.pipeline.facts import CoreFacts

    original = CoreFacts.visit_ClassDef

    def fragile(self: CoreFacts, node: object) -> None:
        if getattr(getattr(node, "name", None), "value", "") == "Boom":
            raise ValueError("a bug in a rule")
        original(self, node)  # type: ignore[arg-type]

    monkeypatch.setattr(CoreFacts, "visit_ClassDef", fragile)
    write_tree(tmp_path, {"boom.py": "class Boom:\n    pass\n", "ok.py": GOOD_MODULE}, packages=False)
    errors = _errors(tmp_path, jobs=1)
    assert list(errors) == ["boom.py"]
    assert "ValueError: a bug in a rule (in test_isolation.py:" in errors["boom.py"]


def test_the_pre_scan_sends_every_deep_or_long_file_to_cpython(tmp_path: Path) -> None:
    """Files are compiled by CPython before libcst only when a cheap scan cannot tell they are
    well inside its limits: the same refusals as compiling every file, over one line or many,
    in f-strings too, while brackets inside ordinary strings are only text."""
    write_tree(
        tmp_path,
        {
            "plus_lines.py": "x = (" + "\n+ ".join(["1"] * 12000) + ")\n",
            "fstring.py": "x = f'{" + "(" * 250 + "1" + ")" * 250 + "}'\n",
            "text.py": "PATTERN = '" + "(" * 300 + "'\nVALUE = 1\n",
            "ok.py": GOOD_MODULE,
        },
        packages=False,
    )
    errors = _errors(tmp_path, jobs=1)
    assert set(errors) == {"plus_lines.py", "fstring.py"}
    assert all("past CPython's limits" in message for message in errors.values())
    assert not source.within_cpython_limits(PARENS_5000) and not source.within_cpython_limits(PLUS_12000)
    assert source.within_cpython_limits(GOOD_MODULE)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_files_whose_facts_fill_the_pipe_are_all_audited(tmp_path: Path, jobs: str) -> None:
    """Facts of a batch larger than the pipes hold: neither process may wait for the other
    to read while both wait (a batch sent to a worker still writing results did)."""
    module = "".join(f"def f{i}(a, b):\n    return [a, b, {i}, a * b]\n\n\n" for i in range(300))
    write_tree(tmp_path, {f"m{i}.py": module.replace("def f", f"def m{i}_f") for i in range(40)}, packages=False)
    out = subprocess.run(
        [sys.executable, "-m", "ssot_audit", "audit", str(tmp_path), "--no-cache", "--jobs", jobs, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert json.loads(out.stdout)["files_scanned"] == 40
