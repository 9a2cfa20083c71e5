"""Every Mermaid diagram the report draws parses with Mermaid's own parser, the one GitHub and
GitLab run before drawing: the example project's report (clusters and the score chart), a
report with `--diff-against` (the before/after chart), and clusters of every kind whose names
and paths hold what Mermaid reads as syntax. A broken diagram is shown to be rejected, so a
pass means something. tests/test_report_story.py keeps a strict grammar check that needs no
Node."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from ssot_audit.model import DUPLICATES, AuditResult, Finding, Location
from ssot_audit.pipeline.scoring import category_score
from ssot_audit.render.markdown import MarkdownRenderer
from tests.git_support import example_history
from tests.mermaid_support import REQUIRED_ENV, Parsed, mermaid_sources, missing_parser, parse_diagrams, parser_required
from tests.render_support import clone_finding, small_audit
from tests.support import EXAMPLE, audit_tree, run_cli

DATE = "2026-01-15"
# Mermaid's names for the two kinds of diagram the report draws.
FLOWCHART, XYCHART = "flowchart-v2", "xychart"


@pytest.fixture(scope="module")
def mermaid() -> None:
    reason = missing_parser()
    if reason is None:
        return
    if parser_required():
        pytest.fail(f"{REQUIRED_ENV}=1 but Mermaid's parser cannot run: {reason}")
    pytest.skip(f"Mermaid's own parser is not available ({reason}); the grammar check still runs")


def example_report(tmp_path: Path) -> str:
    root = tmp_path / "chat_backend"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".ssot_audit_cache", "__pycache__"))
    return MarkdownRenderer(date=DATE)(audit_tree(root))


def diff_report(tmp_path: Path) -> str:
    repo = example_history(tmp_path / "repo", EXAMPLE)
    done = run_cli(
        "audit", ".", "--no-cache", "--diff-against", "HEAD~1", "--format", "markdown", "--date", DATE, cwd=repo
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


# Names and paths with what Mermaid would read as syntax if the report let it through: quotes,
# brackets, pipes, arrows, entities, comments, semicolons, HTML, backticks and a fence.
HOSTILE = ['a"b', "x[0]|y", "p --> q", "#quot; %% c", "s;t", "<b>h</b>", "`tick`", "end", "```"]


def hostile_clusters(tmp_path: Path) -> str:
    """Clusters of every kind the diagram draws: undirected (`---`), directed (`-->|copy|`),
    one name defined differently (SSOT002, `-.-|same name|`) and one too large to draw whole."""
    result = small_audit(tmp_path)
    findings: list[Finding] = []
    for number, (rule, size, directed) in enumerate(
        [("SSOT001", 3, False), ("SSOT001", 3, True), ("SSOT002", 2, False), ("SSOT001", 12, False)]
    ):
        members = [Location(f"shop/{HOSTILE[(number + i) % len(HOSTILE)]}/m{i}.py", 3 + i) for i in range(size)]
        for i, member in enumerate(members):
            finding = clone_finding(member.path, member.line, [m for m in members if m != member], group=f"g{number}")
            name = HOSTILE[(number + i) % len(HOSTILE)]
            findings.append(dataclasses.replace(finding, rule=rule, scope=name, canonical=directed and i == 0))
    dupes = [f for f in findings if f.category == "duplicates"]
    scored = dataclasses.replace(
        result,
        findings=sorted([*result.findings, *findings], key=Finding.sort_key),
        categories=[category_score(DUPLICATES, dupes, 40), *result.categories],
    )
    return render(scored)


def render(result: AuditResult) -> str:
    return MarkdownRenderer(date=DATE)(result)


def test_every_diagram_the_report_draws_parses_with_mermaid(mermaid: None, tmp_path: Path) -> None:
    reports = {
        "example": example_report(tmp_path / "example"),
        "diff": diff_report(tmp_path / "diff"),
        "clusters": hostile_clusters(tmp_path / "clusters"),
    }
    sources = [(name, source) for name, text in reports.items() for source in mermaid_sources(text)]
    parsed = parse_diagrams([source for _, source in sources])
    rejected = [p for p in parsed if p.error is not None]
    assert not rejected, "\n\n".join(f"{p.error}\n--- in ---\n{p.source}" for p in rejected)
    types = sorted((name, p.type) for (name, _), p in zip(sources, parsed, strict=True))
    assert types == [(name, kind) for name in sorted(reports) for kind in (FLOWCHART, XYCHART)]
    # The diff report's chart is the before/after one: two bars a category.
    chart = next(s for name, s in sources if name == "diff" and s.startswith("xychart-beta"))
    assert sum(line.strip().startswith("bar [") for line in chart.splitlines()) == 2
    # Every kind of edge was drawn, and the names went in (as entities where they must).
    flowchart = next(s for name, s in sources if name == "clusters" and s.startswith("flowchart"))
    for edge in (" --- ", " -->|copy| ", " -.-|same name| ", "_more["):
        assert edge in flowchart
    assert '["shop/#35;quot; %% c/m0.py:3 #35;quot; %% c"]' in flowchart


def broken(diagram: str) -> list[Parsed]:
    return parse_diagrams([diagram])


def test_a_broken_diagram_is_rejected(mermaid: None, tmp_path: Path) -> None:
    """The check can fail: the example's diagrams, each broken the way a renderer slip would
    break it, are refused by the parser, while the same diagrams whole are accepted."""
    flowchart, chart = sorted(mermaid_sources(example_report(tmp_path)))
    label = flowchart.index('"]')
    slips = [
        # a label whose closing quote and bracket were lost
        flowchart[:label] + flowchart[label + 2 :],
        # a label holding a raw quote, as if the `mermaid` filter had not escaped it
        flowchart.replace('"]', ' "quoted" "]', 1),
        # a subgraph never closed
        flowchart.rstrip().removesuffix("end"),
        # a score that is not a number
        chart.replace("bar [", "bar [n/a, ", 1),
        # no diagram type at all
        "\n".join(chart.splitlines()[1:]),
    ]
    parsed = parse_diagrams([flowchart, chart, *slips])
    assert [p.type for p in parsed[:2]] == ["flowchart-v2", "xychart"]
    accepted = [p.source for p in parsed[2:] if p.error is not None]
    assert len(accepted) == len(slips), [p.source for p in parsed[2:] if p.error is None]


def test_without_node_the_test_names_why_it_cannot_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert missing_parser() == "node is not on PATH"
