"""`--format text`: one line per finding, then a summary table of the categories."""

from __future__ import annotations

import io
import os

from rich.console import Console
from rich.table import Table

from ssot_audit.model import AuditResult

RATING_STYLE = {"EXCELLENT": "green", "VERY GOOD": "green", "GOOD": "yellow", "FAIR": "yellow", "POOR": "red"}


def display_path(root: str, path: str) -> str:
    """Paths relative to where the user stands, so terminals and editors can open them."""
    full = os.path.join(root, path)
    rel = os.path.relpath(full)
    return rel if not rel.startswith("../../") else full


def render(result: AuditResult, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=110, highlight=False, soft_wrap=True)
    for f in result.active_findings:
        location = f"{display_path(result.root, f.path)}:{f.line}:{f.span.column}:"
        console.print(f"[bold]{location}[/bold] [red]{f.rule}[/red] [dim]\\[{f.name}][/dim] {f.message}", markup=True)
    if result.active_findings:
        console.print()

    table = Table(title=None, show_lines=False)
    table.add_column("Category")
    table.add_column("Score", justify="right")
    table.add_column("Rating")
    table.add_column("Findings", justify="right")
    table.add_column("Checked", justify="right")
    for c in result.categories:
        score = "-" if c.score is None else f"{c.score:.1f}"
        rating = c.rating or c.formula
        style = RATING_STYLE.get(c.rating or "", "dim")
        table.add_row(c.category.title, score, f"[{style}]{rating}[/{style}]", str(c.findings), str(c.checked))
    console.print(table)
    style = RATING_STYLE.get(result.rating, "")
    unscored = sum(1 for f in result.active_findings if f.category in ("errors", "meta"))
    console.print(
        f"Overall score: [bold {style}]{result.score:.1f}/100 ({result.rating})[/bold {style}]  "
        f"{result.files_scanned} files, {result.lines_scanned} lines, "
        f"{len(result.active_findings)} findings ({unscored} unscored), {result.suppressed_count} suppressed  "
        f"[dim]score formula v{result.score_formula_version}[/dim]"
    )
    return buffer.getvalue()
