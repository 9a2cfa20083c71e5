"""Same bytes at any --jobs and any hash seed: string hashing is randomised per process, so any
set or dict of strings the audit iterates in a way that reaches its output would show here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import write_tree

# A run of statements copied twice into one method, both copies as long: which one the
# finding names must not depend on the order of a set of hash-seeded records.
TIED_RUNS = """\
import os


class Command:
    def build(self, root, name, result):
        count = 0
        path = os.path.join(root, name)
        with open(path) as fh:
            data = fh.read()
        lines = data.splitlines()
        kept = [line for line in lines if line.strip()]
        total = len(kept)
        print(path, total)
        result.append((path, total))
        self.done = name
        return len(result)

    def write(self, root, name, result, other):
        print("writing")
        path = os.path.join(root, name)
        with open(path) as fh:
            data = fh.read()
        lines = data.splitlines()
        kept = [line for line in lines if line.strip()]
        total = len(kept)
        print(path, total)
        result.append((path, total))
        if other:
            raise ValueError(other)
        path = os.path.join(root, name)
        with open(path) as fh:
            data = fh.read()
        lines = data.splitlines()
        kept = [line for line in lines if line.strip()]
        total = len(kept)
        print(path, total)
        result.append((path, total))
        del other
        return {}
"""


def _audit_json(root: Path, seed: int, jobs: int) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    args = [sys.executable, "-m", "ssot_audit", "audit", ".", "--format", "json", "--no-cache", "--jobs", str(jobs)]
    return subprocess.run(args, cwd=root, env=env, capture_output=True, check=False, timeout=300).stdout


def test_same_bytes_at_any_hash_seed_and_jobs(tmp_path: Path) -> None:
    files = {"pkg/jobs.py": TIED_RUNS}
    # Enough files for the engine to use worker processes (it stays in-process under 8).
    files.update({f"pkg/mod_{i}.py": f"from . import jobs\nVALUE_{i} = {i}\n" for i in range(10)})
    write_tree(tmp_path, files)
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    outputs = {_audit_json(tmp_path, seed, jobs) for seed, jobs in ((0, 1), (1, 2), (2, 1), (3, 2), (4, 2))}
    assert len(outputs) == 1
    (output,) = outputs
    assert b"a run of 8 statements" in output and b"lines 20-27" in output
