"""SIGKILL at any moment leaves every report, baseline, cache entry and fixed file either
whole-old or whole-new: the run is killed at random points, again and again."""

from __future__ import annotations

import json
import pickle
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.support import EXAMPLE

ROUNDS = 6


def _copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".ssot_audit_cache"))
    return root


def _run(root: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "ssot_audit", *args], cwd=root, capture_output=True, timeout=300, check=False)


def _killed(root: Path, delay: float, *args: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ssot_audit", *args], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(delay)
    process.kill()
    process.wait(timeout=60)


def _sources(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*.py"))
        if ".ssot_audit_cache" not in p.parts
    }


def test_killed_audits_and_baselines_leave_whole_files_and_cache_entries(tmp_path: Path) -> None:
    root = _copy(tmp_path, "audited")
    _run(root, "audit", ".", "--jobs", "1", "-o", "json:report.json")
    whole = json.loads((root / "report.json").read_text(encoding="utf-8"))
    rng = random.Random(15)
    for _ in range(ROUNDS):
        (root / "report.json").write_text("OLD", encoding="utf-8")
        shutil.rmtree(root / ".ssot_audit_cache", ignore_errors=True)
        _killed(root, rng.uniform(0.3, 2.0), "audit", ".", "--jobs", "2", "-o", "json:report.json")
        _killed(root, rng.uniform(0.3, 2.0), "baseline", ".", "--jobs", "1", "-o", "baseline.json")
        text = (root / "report.json").read_text(encoding="utf-8")
        assert text == "OLD" or json.loads(text)["findings"] == whole["findings"]
        if (root / "baseline.json").exists():
            json.loads((root / "baseline.json").read_text(encoding="utf-8"))
        for entry in (root / ".ssot_audit_cache").glob("[0-9a-f][0-9a-f]/[0-9a-f]*"):
            with entry.open("rb") as fh:
                pickle.load(fh)  # a torn entry would raise


def test_a_killed_fix_leaves_each_file_as_it_was_or_fully_fixed(tmp_path: Path) -> None:
    done = _copy(tmp_path, "done")
    before = _sources(done)
    _run(done, "fix", ".")
    after = _sources(done)
    changed = [name for name in before if before[name] != after[name]]
    assert changed  # the example has relative imports to fix
    rng = random.Random(15)
    for i in range(ROUNDS):
        root = _copy(tmp_path, f"killed{i}")
        _killed(root, rng.uniform(0.3, 2.5), "fix", ".")
        now = _sources(root)
        assert set(now) == set(before)
        assert all(now[name] in (before[name], after[name]) for name in now)
