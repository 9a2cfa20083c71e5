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
# A duplicate's body is quoted beside its copies (or diffed against them): more of it helps.
MAX_DEFINITION_LINES = 10


def excerpt(lines: list[str], first: int, last: int, max_lines: int = MAX_LINES) -> Excerpt | None:
    """Lines first..last (1-based, inclusive) dedented, at most max_lines of them."""
    if not 0 < first <= len(lines):
        return None
    last = max(first, min(last, len(lines)))
    end = min(last, first + max_lines - 1)
    block = textwrap.dedent("\n".join(lines[first - 1 : end]))
    return Excerpt(start=first, lines=tuple(block.split("\n")), truncated=end < last)


_QUOTES = ('"""', "'''")


def without_docstring(lines: list[str]) -> list[str]:
    """A definition's lines without its docstring: copies are compared without docstrings
    (the clone engine ignores them), so the evidence shows the code that is copied."""
    header = next((i for i, line in enumerate(lines) if line.split("#")[0].rstrip().endswith(":")), None)
    if header is None or header + 1 >= len(lines):
        return lines
    start = header + 1
    opening = lines[start].strip().lstrip("rRbBuU")
    quote = next((q for q in _QUOTES if opening.startswith(q)), None)
    if quote is None:
        return lines
    end = start
    if opening.count(quote) < 2:  # the docstring goes on past its first line
        end = next((j for j in range(start + 1, len(lines)) if quote in lines[j]), len(lines) - 1)
    rest = lines[end + 1 :]
    while rest and not rest[0].strip():
        rest = rest[1:]
    return [*lines[: header + 1], *rest]


def definition_excerpt(lines: list[str], first: int, last: int, max_lines: int) -> Excerpt | None:
    """The definition at lines first..last without its docstring, at most max_lines of it."""
    if not 0 < first <= len(lines):
        return None
    body = without_docstring(lines[first - 1 : max(first, min(last, len(lines)))])
    block = textwrap.dedent("\n".join(body[:max_lines]))
    return Excerpt(start=first, lines=tuple(block.split("\n")), truncated=len(body) > max_lines)


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
                if f.definition_end > f.span.end_line:
                    found = definition_excerpt(
                        lines, f.span.line, f.definition_end, max(max_lines, MAX_DEFINITION_LINES)
                    )
                else:
                    found = excerpt(lines, f.span.line, f.span.end_line, max_lines)
                if found is not None:
                    out[key] = found
    return out
