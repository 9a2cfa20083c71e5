"""Safe autofixes: each rule's transformer applied to the lines of its unsuppressed findings.
A fix that would leave a file that does not parse is dropped, never written."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper

from ssot_audit.analysis.plugins import Rule
from ssot_audit.model import Finding
from ssot_audit.pipeline.discovery import ModuleNamer
from ssot_audit.workflows.atomic import write_bytes_atomic


@dataclass(frozen=True)
class FileFix:
    path: Path
    relpath: str
    original: bytes
    fixed: bytes
    encoding: str
    findings: int

    def diff(self) -> str:
        before = self.original.decode(self.encoding).splitlines(keepends=True)
        after = self.fixed.decode(self.encoding).splitlines(keepends=True)
        return "".join(difflib.unified_diff(before, after, f"a/{self.relpath}", f"b/{self.relpath}"))

    def apply(self) -> None:
        write_bytes_atomic(self.path, self.fixed)


@dataclass(frozen=True)
class FixProblem:
    relpath: str
    message: str


def _still_valid(code: bytes) -> bool:
    try:
        cst.parse_module(code)
        compile(code, "<fixed>", "exec", dont_inherit=True, flags=0x400)  # PyCF_ONLY_AST
    except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
        return False
    return True


def plan_fixes(
    root: Path, findings: Iterable[Finding], rules: Mapping[str, type[Rule[object]]]
) -> tuple[list[FileFix], list[FixProblem]]:
    wanted: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for f in findings:
        if f.fixable and not f.suppressed and f.rule in rules:
            wanted[f.path][f.rule].add(f.line)
    namer = ModuleNamer(root)
    fixes: list[FileFix] = []
    problems: list[FixProblem] = []
    for relpath in sorted(wanted):
        path = root / relpath
        module_name, is_package = namer.module_of(path)
        doubt = namer.doubt(path)
        try:
            original = path.read_bytes()
            module = cst.parse_module(original)
        except (OSError, cst.ParserSyntaxError) as exc:
            problems.append(FixProblem(relpath, f"not fixed: {exc}"))
            continue
        except (UnicodeError, LookupError, SyntaxError, ValueError, RecursionError) as exc:
            # An odd coding cookie (idna, punycode) or a file libcst cannot take.
            problems.append(FixProblem(relpath, f"not fixed: cannot read the source: {exc}"))
            continue
        count = 0
        try:
            for code, lines in sorted(wanted[relpath].items()):
                transformer = rules[code].fixer(module_name, is_package, frozenset(lines), doubt)
                if transformer is None:
                    continue
                module = MetadataWrapper(module).visit(transformer)
                count += len(lines)
            fixed = module.bytes
            if original.endswith(b"\r") and not fixed.endswith(b"\r"):
                fixed += b"\r"  # libcst drops the last newline of a file that ends lines with CR alone
        except (UnicodeError, LookupError, ValueError, RecursionError) as exc:
            problems.append(FixProblem(relpath, f"not fixed: {exc}"))
            continue
        if fixed == original:
            continue
        if not _still_valid(fixed):
            problems.append(FixProblem(relpath, "not fixed: the fix would not parse"))
            continue
        fixes.append(FileFix(path, relpath, original, fixed, module.encoding, count))
    return fixes, problems
