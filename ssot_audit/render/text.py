"""`--format text`: one line per finding, then a summary table of the categories."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

from rich.color import ColorSystem
from rich.console import Console
from rich.markup import escape
from rich.style import Style
from rich.table import Table

from ssot_audit.model import NEW, AuditResult, Finding
from ssot_audit.render.escaping import terminal

RATING_STYLE = {"EXCELLENT": "green", "VERY GOOD": "green", "GOOD": "yellow", "FAIR": "yellow", "POOR": "red"}


def display_path(root: str, path: str) -> str:
    """Paths relative to where the user stands, so terminals and editors can open them."""
    full = os.path.join(root, path)
    rel = os.path.relpath(full)
    return rel if not rel.startswith("../../") else full


def paint(text: str, style: str, color: bool) -> str:
    """`text` in rich's ANSI codes for `style`, or as it is without colour. Finding lines are
    styled this way, not printed through a Console one by one: that parses markup and lays
    out every line, and took seconds for the 20,000 findings of a large tree."""
    return Style.parse(style).render(text, color_system=ColorSystem.STANDARD) if color else text


def finding_line(root: str, f: Finding, color: bool = False) -> str:
    """`path:line:col: CODE [name] message`; editors and terminals link it."""
    location = f"{terminal(display_path(root, f.path))}:{f.line}:{f.span.column}:"
    state = " " + paint("(new)", "yellow", color) if f.baseline_state == NEW else ""
    return f"{paint(location, 'bold', color)} {paint(f.rule, 'red', color)} {paint(f'[{f.name}]', 'dim', color)} {terminal(f.message)}{state}"


def console_for(buffer: io.StringIO, color: bool) -> Console:
    # emoji=False: ":100:" in "detect.py:100:5:" must not become an emoji.
    return Console(
        file=buffer, force_terminal=color, no_color=not color, width=110, highlight=False, soft_wrap=True, emoji=False
    )


def render_findings(results: Sequence[AuditResult], color: bool = False) -> str:
    """Only the finding lines: what `ssot-audit check` prints."""
    return "".join(finding_line(result.root, f, color) + "\n" for result in results for f in result.active_findings)


def comparison_lines(result: AuditResult) -> list[str]:
    """New/unchanged/fixed counts against a baseline, or the changes since a git ref."""
    lines: list[str] = []
    changes = result.changes
    if changes is not None:
        lines.append(
            f"Changes since {escape(changes.ref)} ({changes.commit[:12]}): {changes.new} new, "
            f"{changes.eliminated} eliminated; score {changes.score_before:.1f} -> {result.score:.1f}"
        )
        lines += [
            f"  {r.rule} {r.name}: {r.new} new, {r.eliminated} eliminated" for r in changes.rules if r.new or r.eliminated
        ]
    elif result.fixed is not None:
        active = result.active_findings
        new = sum(1 for f in active if f.baseline_state == NEW)
        lines.append(f"Baseline: {new} new, {len(active) - new} unchanged, {len(result.fixed)} fixed")
    return lines


def render(result: AuditResult, color: bool = False) -> str:
    buffer = io.StringIO()
    buffer.writelines(finding_line(result.root, f, color) + "\n" for f in result.active_findings)
    if result.active_findings:
        buffer.write("\n")
    console = console_for(buffer, color)

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
    for line in comparison_lines(result):
        console.print(line)
    return buffer.getvalue()
