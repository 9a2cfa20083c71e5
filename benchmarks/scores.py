"""The calibration table of docs/scoring.md, and the report lengths, measured on real code.

    python -m benchmarks.scores [PACKAGE ...]     # default: the table's packages

Audits the example project, ssot-audit itself and real packages from PyPI (unpacked by
benchmarks/realcode.py; nothing is written into them: the cache is off), then prints one
Markdown row per project: the overall score and each category's (`-` with no score), and
the length of its Markdown report in lines and KB.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.realcode import fetch
from ssot_audit.analysis.plugins import Registry
from ssot_audit.config import Overrides, load_config
from ssot_audit.model import AuditResult
from ssot_audit.pipeline.engine import Engine
from ssot_audit.render.markdown import MarkdownRenderer

HERE = Path(__file__).resolve().parent.parent
LOCAL = {"example": HERE / "examples" / "chat_backend", "ssot-audit": HERE / "ssot_audit"}
DEFAULT = ["example", "ssot-audit", "requests", "flask", "rich", "hypothesis", "sqlalchemy", "django"]
CATEGORIES = ("duplicates", "canonical", "singletons", "dataclasses", "typing", "imports")


# Versions already unpacked under the benchmark folder, where realcode.py's defaults differ.
VERSIONS = {"sqlalchemy": "2.1.9"}


def folder(name: str) -> Path:
    return LOCAL.get(name) or fetch(name, VERSIONS.get(name))


def audit(root: Path) -> AuditResult:
    registry = Registry.load()
    config = load_config(registry, root, None, Overrides())
    return Engine(registry, config, use_cache=False).audit([root], root)


def row(name: str, result: AuditResult) -> str:
    scores = {c.category.id: c.score for c in result.categories}
    cells = ["-" if scores.get(c) is None else f"{scores[c]:.1f}" for c in CATEGORIES]
    report = MarkdownRenderer(date="2000-01-01")(result)
    size = f"{report.count(chr(10))} / {len(report.encode()) / 1024:.0f}"
    findings = len(result.active_findings)
    return (
        f"| {name} | {result.lines_scanned:,} | {findings:,} | **{result.score:.1f}** {result.rating} | "
        + " | ".join(cells)
        + f" | {size} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("packages", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    print("| project | lines | findings | overall | " + " | ".join(CATEGORIES) + " | report lines / KB |")
    print("|---|---:|---:|---|" + "---:|" * len(CATEGORIES) + "---:|")
    for name in args.packages:
        print(row(name, audit(folder(name))), flush=True)


if __name__ == "__main__":
    main()
