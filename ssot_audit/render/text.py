"""`--format text`: one line per finding, then a summary table of the categories."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence

from rich.color import ColorSystem
from rich.console import Console
from rich.markup import escape
from rich.style import Style
from rich.table import Table

from ssot_audit.model import NEW, AuditResult, Finding, split_message
from ssot_audit.render.escaping import terminal
from ssot_audit.render.wording import baseline_score, formula_note

SHORT_MESSAGE = 120  # longer messages are cut to their headline (the part before the reasoning)
MAX_ELIMINATED = 10  # eliminated findings listed by name after a comparison; JSON has them all
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


def with_display_paths(root: str, f: Finding, text: str) -> str:
    """The message's `path:line` of each related place as the location is written (relative
    to where the user stands), so the terminal has one path convention."""
    for r in f.related:
        shown = display_path(root, r.path)
        if shown != r.path:
            pattern = re.compile(rf"(?<![\w./-]){re.escape(r.path)}:{r.line}(?!\d)")
            text = pattern.sub(f"{shown}:{r.line}".replace("\\", r"\\"), text)
    return text


def finding_line(root: str, f: Finding, color: bool = False) -> str:
    """`path:line:col: CODE [name] (new) what is wrong`; editors and terminals link it. The
    message's reasoning (what to keep and why) stays in JSON's `detail` and `ssot-audit rule`."""
    location = f"{terminal(display_path(root, f.path))}:{f.line}:{f.span.column}:"
    state = paint("(new) ", "yellow", color) if f.baseline_state == NEW else ""
    headline = f.message if len(f.message) <= SHORT_MESSAGE else split_message(f.message)[0]
    headline = with_display_paths(root, f, headline)
    return f"{paint(location, 'bold', color)} {paint(f.rule, 'red', color)} {paint(f'[{f.name}]', 'dim', color)} {state}{terminal(headline)}"


def shown_findings(result: AuditResult, show_known: bool = False) -> list[Finding]:
    """With a baseline or a ref to compare with, the news: only new findings, unless asked."""
    active = result.active_findings
    if show_known or not any(f.baseline_state is not None for f in active):
        return active
    return [f for f in active if f.baseline_state == NEW]


def known_count(result: AuditResult) -> int:
    return sum(1 for f in result.active_findings if f.baseline_state is not None and f.baseline_state != NEW)


def console_for(buffer: io.StringIO, color: bool) -> Console:
    # emoji=False: ":100:" in "detect.py:100:5:" must not become an emoji.
    return Console(
        file=buffer, force_terminal=color, no_color=not color, width=110, highlight=False, soft_wrap=True, emoji=False
    )


def render_findings(results: Sequence[AuditResult], color: bool = False, show_known: bool = False) -> str:
    """Only the finding lines: what `ssot-audit check` prints (with a baseline, the new ones)."""
    return "".join(
        finding_line(result.root, f, color) + "\n" for result in results for f in shown_findings(result, show_known)
    )


def comparison_lines(result: AuditResult) -> list[str]:
    """New/unchanged/fixed counts against a baseline, or the changes since a git ref."""
    lines: list[str] = []
    changes = result.changes
    if changes is not None:
        lines.append(
            f"Changes since {escape(changes.ref)} ({changes.commit[:12]}): {changes.new} new, "
            f"{changes.eliminated} eliminated; score {changes.score_before:.1f} -> {result.score:.1f} "
            f"({formula_note(result)})"
        )
        lines += [
            f"  {r.rule} {r.name}: {r.new} new, {r.eliminated} eliminated"
            for r in changes.rules
            if r.new or r.eliminated
        ]
    elif result.fixed is not None:
        active = result.active_findings
        new = sum(1 for f in active if f.baseline_state == NEW)
        lines.append(f"Baseline: {new} new, {len(active) - new} unchanged, {len(result.fixed)} fixed")
        score = baseline_score(result)
        if score is not None:
            lines.append(f"  {score}")
    if result.fixed:
        # What was eliminated, by name and place (as it was), so a fix is seen, not just counted.
        lines += [
            f"  eliminated: {escape(f'{display_path(result.root, f.path)}:{f.line} {f.rule} [{f.name}] {split_message(f.message)[0]}')}"
            for f in result.fixed[:MAX_ELIMINATED]
        ]
        if len(result.fixed) > MAX_ELIMINATED:
            lines.append(f"  and {len(result.fixed) - MAX_ELIMINATED} more eliminated (--format json lists them)")
    return lines


def render(result: AuditResult, color: bool = False, show_known: bool = False) -> str:
    buffer = io.StringIO()
    shown = shown_findings(result, show_known)
    buffer.writelines(finding_line(result.root, f, color) + "\n" for f in shown)
    hidden = len(result.active_findings) - len(shown)
    if hidden:
        buffer.write(f"{hidden} known findings not shown (--show-known lists them)\n")
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
