"""Source excerpts of findings, the evidence a report quotes. Read after the audit, once
per file that has findings, so files without findings cost nothing."""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from ssot_audit.model import Excerpt, Finding, Location
from ssot_audit.pipeline.source import SourceError, decode, read_source

MAX_LINES = 8


def excerpt(lines: list[str], first: int, last: int, max_lines: int = MAX_LINES) -> Excerpt | None:
    """Lines first..last (1-based, inclusive) dedented, at most max_lines of them."""
    if not 0 < first <= len(lines):
        return None
    last = max(first, min(last, len(lines)))
    end = min(last, first + max_lines - 1)
    block = textwrap.dedent("\n".join(lines[first - 1 : end]))
    return Excerpt(start=first, lines=tuple(block.split("\n")), truncated=end < last)


def collect(
    root: Path, findings: Iterable[Finding], size_limit: int, max_lines: int = MAX_LINES
) -> dict[Location, Excerpt]:
    """The excerpt of every unsuppressed finding whose file can still be read (a regular file
    within the size limit: a FIFO or /dev/zero has its SSOT000 finding) and decoded."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if not f.suppressed:
            by_path[f.path].append(f)
    out: dict[Location, Excerpt] = {}
    for path in sorted(by_path):
        try:
            lines = decode(read_source(root / path, size_limit)).splitlines()
        except SourceError:
            continue  # a file that vanished or never decoded has its parse-error finding
        for f in by_path[path]:
            key = Location(path, f.span.line)
            if key not in out:
                found = excerpt(lines, f.span.line, f.span.end_line, max_lines)
                if found is not None:
                    out[key] = found
    return out
