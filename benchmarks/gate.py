"""How long the gates take on real code: `ssot-audit check` of one file in a large project,
cold and with the cache warm, and `audit --diff-against HEAD~1` after a one-file change.

    python -m benchmarks.gate [django]

Copies the package into a temporary git repository (two commits: the code, then one edited
file), runs the real command line, and prints wall-clock seconds per step.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.realcode import fetch

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def run(cwd: Path, *command: str) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("package", nargs="?", default="django")
    source = fetch(parser.parse_args().package)
    cli = (sys.executable, "-m", "ssot_audit")
    with tempfile.TemporaryDirectory(prefix="ssot-gate-bench-") as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(source, repo / source.name)
        (repo / "pyproject.toml").write_text("[project]\nname = 'bench'\n", encoding="utf-8")
        files = sorted((repo / source.name).rglob("*.py"))
        target = files[len(files) // 2]
        relative = str(target.relative_to(repo))
        run(repo, "git", "init", "-q")
        run(repo, "git", "add", "-A")
        run(repo, "git", "commit", "-q", "-m", "code")
        with target.open("a", encoding="utf-8") as fh:
            fh.write("\nfrom . import __name__ as _bench_added\n")
        run(repo, "git", "commit", "-q", "-am", "one edited file")
        print(f"{len(files)} files; checking {relative}")
        print(f"check, cold cache:            {run(repo, *cli, 'check', relative):6.2f} s")
        print(f"check, warm cache:            {run(repo, *cli, 'check', relative):6.2f} s")
        print(f"audit, warm cache:            {run(repo, *cli, 'audit', '.', '-q'):6.2f} s")
        print(f"audit --diff-against HEAD~1:  {run(repo, *cli, 'audit', '.', '-q', '--diff-against', 'HEAD~1'):6.2f} s")


if __name__ == "__main__":
    main()
