"""What one per-file rule adds to the shared traversal, in CPU seconds, on real code.

    python -m benchmarks.rule_cost SSOT301 [--package django] [--repeat 2]

Parses every file of the package once (benchmarks/realcode.py fetches it), then times the
batched traversal with the core facts visitor alone and with the core visitor plus the rule,
in one process, with process CPU time so that other work on a shared machine counts less.
The difference is what the rule costs: its visit methods, the nested scans they make, and
libcst's per-instance set-up of a batched visitor.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper

from benchmarks.realcode import fetch
from ssot_audit.analysis.plugins import FileContext, FileRule, FileVisitor, Registry
from ssot_audit.pipeline.facts import CoreFacts


@dataclass(frozen=True)
class ParsedFile:
    path: str
    source: str
    module: cst.Module


def parse_all(root: Path) -> list[ParsedFile]:
    parsed = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8", errors="replace")
        try:
            parsed.append(ParsedFile(str(path.relative_to(root)), source, cst.parse_module(source)))
        except cst.ParserSyntaxError:
            continue
    return parsed


def traverse(files: Sequence[ParsedFile], rule: type[FileRule] | None) -> tuple[float, int]:
    """CPU seconds of one traversal of every file, and the findings the rule made."""
    found = 0
    start = time.process_time()
    for item in files:
        wrapper = MetadataWrapper(item.module, unsafe_skip_copy=True)
        context = FileContext(item.path, "", False, item.source, wrapper)
        visitors: list[FileVisitor] = [CoreFacts(context)]
        checker = rule(context, rule.default_options()) if rule is not None else None
        if checker is not None:
            visitors.append(checker)
        wrapper.visit_batched(visitors)
        found += len(checker.findings) if checker is not None else 0
    return time.process_time() - start, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rule", help="a per-file rule's code or name")
    parser.add_argument("--package", default="django")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    rule = Registry.load().by_code_or_name(args.rule)
    if rule is None or not issubclass(rule, FileRule):
        parser.error(f"{args.rule} is not a registered per-file rule")
    files = parse_all(fetch(args.package))
    for _ in range(args.repeat):
        core, _ = traverse(files, None)
        both, found = traverse(files, rule)
        print(
            f"{args.package}: {len(files)} files; core traversal {core:.2f}s CPU, with {rule.code} {both:.2f}s: "
            f"+{both - core:.2f}s ({100 * (both - core) / core:.0f}%), {found} findings"
        )


if __name__ == "__main__":
    main()
