"""Targeted positions (ssot_audit/analysis/positions.py) against libcst's PositionProvider, on real code.

    python -m benchmarks.positions [PACKAGE] [--files N] [--nodes K]

For each of the first N files of the package (default Django, every file), samples K nodes
(seeded), resolves their spans both ways, counts mismatches and prints the time of each.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from benchmarks.realcode import fetch
from ssot_audit.analysis.positions import spans_of


class _Every(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("package", nargs="?", default="django")
    parser.add_argument("--files", type=int, default=0, help="0: every file")
    parser.add_argument("--nodes", type=int, default=40)
    args = parser.parse_args()
    files = sorted(Path(fetch(args.package)).rglob("*.py"))
    if args.files:
        files = files[: args.files]
    rnd = random.Random(1)
    checked = mismatches = 0
    provider_seconds = targeted_seconds = 0.0
    for path in files:
        module = cst.parse_module(path.read_bytes())
        every = _Every()
        module.visit(every)
        sample = rnd.sample(every.nodes, min(args.nodes, len(every.nodes)))
        start = time.perf_counter()
        expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        provider_seconds += time.perf_counter() - start
        start = time.perf_counter()
        spans = spans_of(module, sample)
        targeted_seconds += time.perf_counter() - start
        for node in sample:
            if node not in expected:
                continue
            rng, span = expected[node], spans.get(node)
            checked += 1
            got = None if span is None else (span.line, span.column, span.end_line, span.end_column)
            if got != (rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1):
                mismatches += 1
    print(f"{len(files)} files, {checked} nodes compared, {mismatches} mismatches")
    print(f"PositionProvider: {provider_seconds:.2f} s; targeted ({args.nodes} nodes a file): {targeted_seconds:.2f} s")


if __name__ == "__main__":
    main()
