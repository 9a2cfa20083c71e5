"""A copied run found twice in one method: the JSON is the same under every hash seed (the
shape that made Django's makemessages.py findings flip)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import write_tree

# The shape that showed it: one function holds the same six-statement block twice (equally
# long runs of one place), another function holds it once. Which of the two runs was
# reported depended on the iteration order of a set of members, hashed by their path.
_BLOCK = (
    "        text = path.read_text()\n"
    "        if not text:\n"
    "            continue\n"
    "        lines = text.splitlines()\n"
    "        header = lines[0].strip()\n"
    "        found.append((path.name, header, len(lines)))\n"
)
TREE = {
    "pkg/one.py": (
        "def build_catalog(paths, options):\n"
        "    found = []\n"
        "    for path in paths:\n" + _BLOCK + "    options.verbose and print(len(found))\n"
        "    seen = set()\n"
        "    for name in options.names:\n"
        "        seen.add(name.lower())\n"
        "    for path in options.extra:\n" + _BLOCK + "    return sorted(found), seen\n"
    ),
    "pkg/two.py": (
        "import logging\n\n\n"
        "def scan_sources(root, settings):\n"
        "    logger = logging.getLogger(__name__)\n"
        "    logger.info('scanning %s', root)\n"
        "    found = []\n"
        "    for path in root.iterdir():\n" + _BLOCK + "    settings.record(found)\n"
        "    if settings.strict and not found:\n"
        "        raise ValueError(root)\n"
        "    return found\n"
    ),
}
SEEDS = ("0", "1", "2", "3", "4", "5")


def _audit_json(root: Path, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-m", "ssot_audit", "audit", "pkg", "--format", "json", "--no-cache", "--jobs", "1", "-q"],
        check=False,  # the exit code is not what this test is about
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def test_json_is_identical_for_every_hash_seed(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    outputs = {seed: _audit_json(tmp_path, seed) for seed in SEEDS}
    assert '"rule": "SSOT001"' in outputs[SEEDS[0]]
    assert len(set(outputs.values())) == 1, {seed: len(out) for seed, out in outputs.items()}
    # Of the two equally long runs in build_catalog, the first in the file is the one kept.
    assert "`build_catalog` lines 4-9" in outputs[SEEDS[0]]
