"""How long the report facts and the renderers take on real code (not a test: numbers vary).

    python -m benchmarks.reports [package ...]     # default: django

Audits the package once (cache off), then times what the renderers add on top of the audit:
collecting source excerpts of the findings, reading the git state, and each output format.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.realcode import fetch
from ssot_audit.analysis.plugins import Registry
from ssot_audit.config import Overrides, load_config
from ssot_audit.pipeline.engine import Engine
from ssot_audit.pipeline.excerpts import collect
from ssot_audit.pipeline.git import read_repository
from ssot_audit.render import renderers


def timed(label: str, action: Callable[[], object], repeat: int = 3) -> object:
    best = float("inf")
    value: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        value = action()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<28} {best * 1000:9.1f} ms")
    return value


def bench(root: Path) -> None:
    registry = Registry.load()
    config = load_config(registry, root, None, Overrides())
    engine = Engine(registry, config, use_cache=False)
    start = time.perf_counter()
    result = engine.audit([root], root)
    audit_seconds = time.perf_counter() - start
    print(f"{root}: {result.files_scanned} files, {result.lines_scanned:,} lines, {len(result.findings):,} findings")
    print(f"  {'audit (jobs=' + str(engine.jobs) + ', no cache)':<28} {audit_seconds * 1000:9.1f} ms")
    timed("excerpts of all findings", lambda: collect(root, result.findings, 10 * 1024 * 1024))
    timed("git state", lambda: read_repository(root))
    for name, render in renderers().items():
        text = timed(f"render {name}", functools.partial(render, result, False))
        assert isinstance(text, str)
        print(f"  {'':<28} {len(text.encode()):9,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("packages", nargs="*", default=["django"])
    for package in parser.parse_args().packages:
        bench(fetch(package))


if __name__ == "__main__":
    main()
