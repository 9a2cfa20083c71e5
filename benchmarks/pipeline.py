"""How fast is an audit of real code, cold and warm?

    python -m benchmarks.pipeline [PACKAGE ...] [--jobs N]

Downloads each package's wheel from PyPI into a temporary folder (benchmarks/realcode.py),
then audits it three ways with every registered rule: cold with --jobs 1, cold with --jobs N
(default: all cores), and warm (a second run over the unchanged tree, which must parse
nothing). Prints files, lines, seconds and files parsed per run.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.realcode import fetch
from ssot_audit.analysis.plugins import Registry
from ssot_audit.config import load_config
from ssot_audit.pipeline.engine import Engine, default_jobs


def timed_audit(registry: Registry, folder: Path, jobs: int, cache_dir: Path | None) -> tuple[float, int, int, int]:
    config = load_config(registry, folder)
    if cache_dir is not None:  # keep the cache out of the unpacked package
        config = dataclasses.replace(config, settings=dataclasses.replace(config.settings, cache_dir=str(cache_dir)))
    engine = Engine(registry, config, jobs=jobs, use_cache=cache_dir is not None)
    start = time.perf_counter()
    result = engine.audit([folder], folder)
    return time.perf_counter() - start, result.files_scanned, result.lines_scanned, result.stats.files_parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("packages", nargs="*", default=["django"])
    parser.add_argument("--jobs", type=int, default=default_jobs())
    args = parser.parse_args()
    registry = Registry.load()
    print(f"rules: {', '.join(sorted(registry.rules))}")
    for package in args.packages:
        folder = fetch(package)
        cache = Path(tempfile.mkdtemp(prefix="ssot-bench-cache-"))
        try:
            runs = [
                ("cold, --jobs 1", timed_audit(registry, folder, 1, None)),
                (f"cold, --jobs {args.jobs}", timed_audit(registry, folder, args.jobs, cache)),
                (f"warm, --jobs {args.jobs}", timed_audit(registry, folder, args.jobs, cache)),
            ]
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        for label, (seconds, files, lines, parsed) in runs:
            print(f"{package}: {label:>16}: {seconds:6.2f} s  {files} files  {lines} lines  {parsed} parsed")


if __name__ == "__main__":
    main()
