"""The report tells what changed, by name, on a real-shaped project with a git history: a
duplicate consolidated, a new one made; the terminal puts the news first; the Markdown is
the same bytes in every process; its Mermaid blocks keep to the grammar GitHub renders."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.git_support import commit_all, consolidation_history, init_repo
from tests.support import EXAMPLE, run_cli, write_tree


@pytest.fixture
def history(tmp_path: Path) -> Path:
    return consolidation_history(tmp_path / "repo")


def test_the_report_names_what_is_new_and_what_was_eliminated(history: Path) -> None:
    done = run_cli(
        "audit",
        ".",
        "--no-cache",
        "--select",
        "SSOT001,SSOT101",
        "--diff-against",
        "HEAD~1",
        "--format",
        "markdown",
        "--date",
        "2026-02-01",
        cwd=history,
    )
    assert done.returncode == 0, done.stderr
    changes = done.stdout.split("## Changes Since `HEAD~1`")[1].split("\n## ")[0]
    narrative = next(line for line in changes.splitlines() if line.startswith("- **Duplicate Implementations**"))
    assert "1 new finding (`make_slug` at shop/feeds.py:1, duplicate-implementation)" in narrative
    assert "eliminated (`admin_slug` at shop/admin.py:1, duplicate-implementation" in narrative
    assert "baseline" not in done.stdout.lower()
    # The near-miss copy is shown as a diff against the one to keep, in the evidence.
    evidence = done.stdout.split("#### 🔍 Evidence: the copies side by side")[1].split("####")[0]
    assert "`shop/feeds.py:1`, how it differs:" in evidence
    assert "```diff\n" in evidence and "+    joined = joined.strip('-')" in evidence
    # The recommendation names the definitions, the places and the one to keep.
    recommendations = done.stdout.split("## Recommendations")[1]
    assert (
        "Consolidate `slugify`, `make_slug`, `view_slug` (3 definitions: shop/text.py:23, shop/feeds.py:1, shop/views.py:4)"
        in recommendations
    )
    assert "into shop/text.py:" in recommendations


def test_the_terminal_lists_the_new_findings_first_and_names_the_eliminated(history: Path) -> None:
    done = run_cli("audit", ".", "--no-cache", "--select", "SSOT001", "--diff-against", "HEAD~1", cwd=history)
    lines = done.stdout.splitlines()
    listed = [line for line in lines if " SSOT001 " in line and "eliminated" not in line]
    assert listed and all("(new)" in line for line in listed)
    assert any(line.startswith("shop/feeds.py:1:1: SSOT001 [duplicate-implementation] (new) ") for line in listed)
    assert any("known findings not shown (--show-known lists them)" in line for line in lines)
    assert any(
        line.strip().startswith("eliminated: shop/admin.py:1 SSOT001 [duplicate-implementation]") for line in lines
    )
    # Headlines only: the reasoning stays in JSON's `detail`.
    assert all(len(line) < 200 for line in listed)
    every = run_cli(
        "audit", ".", "--no-cache", "--select", "SSOT001", "--diff-against", "HEAD~1", "--show-known", cwd=history
    )
    assert sum(" SSOT001 " in line and "eliminated" not in line for line in every.stdout.splitlines()) > len(listed)


def test_json_keeps_the_reasoning_the_terminal_leaves_out(history: Path) -> None:
    import json

    done = run_cli("audit", ".", "--no-cache", "--select", "SSOT001", "--format", "json", cwd=history)
    findings = json.loads(done.stdout)["findings"]
    assert findings and all(f["message"].endswith(f["detail"]) and f["detail"] for f in findings)


def test_the_markdown_report_is_the_same_bytes_in_every_process(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "ssot_audit",
                "audit",
                str(EXAMPLE),
                "--no-cache",
                "--format",
                "markdown",
                "--date",
                "2026-01-15",
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=tmp_path,
        )
        assert done.returncode in (0, 1), done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


# What GitHub's Mermaid accepts, line by line, for the two kinds of diagram the report draws.
FLOWCHART = [
    r"flowchart LR",
    r'  subgraph g\d+\["[^"\[\]]+"\]',
    r'    c\d+_0\["[^"]+"\]',
    r'    c\d+_0 (-->\|copy\||---|-\.-\|same name\|) c\d+_(\d+|more)\["[^"]+"\]',
    r"  end",
]
XYCHART = [
    r"xychart-beta",
    r'  title "[^"]+"',
    r'  x-axis \["[^"\[\]]+"(, "[^"\[\]]+")*\]',
    r'  y-axis "Score" 0 --> 100',
    r"  bar \[\d+\.\d(, \d+\.\d)*\]",
]


def mermaid_blocks(text: str) -> list[list[str]]:
    return [block.splitlines() for block in re.findall(r"```mermaid\n(.*?)```", text, re.DOTALL)]


def test_mermaid_blocks_keep_to_the_grammar(tmp_path: Path) -> None:
    done = run_cli("audit", str(EXAMPLE), "--no-cache", "--format", "markdown", "--date", "2026-01-15", cwd=tmp_path)
    blocks = mermaid_blocks(done.stdout)
    kinds = sorted(block[0] for block in blocks)
    assert kinds == ["flowchart LR", "xychart-beta"]
    for block in blocks:
        grammar = FLOWCHART if block[0] == "flowchart LR" else XYCHART
        bad = [line for line in block if not any(re.fullmatch(rule, line) for rule in grammar)]
        assert not bad, bad
    chart = next(block for block in blocks if block[0] == "xychart-beta")
    labels = re.findall(r'"([^"]+)"', chart[2])
    bars = re.findall(r"\d+\.\d", chart[-1])
    assert len(labels) == len(bars) >= 2
    # Subgraphs are titled by the symbols they hold, not by a hash.
    assert not any(re.search(r"SSOT\d+-[0-9a-f]{6,}", line) for block in blocks for line in block)


def test_the_before_after_chart_leaves_out_a_category_the_ref_could_not_score(tmp_path: Path) -> None:
    """At the ref, 30 functions and one class: definitions are scored, dataclasses are not
    (under 20 classes). Now 25 classes more: the chart draws before and after for the
    categories scored both times, and does not fail on the one scored only now."""
    functions = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(30))
    repo = init_repo(tmp_path / "repo", {"app/funcs.py": functions + "class Only:\n    pass\n"})
    classes = "".join(f"class Thing{i}:\n    def size(self):\n        return {i}\n\n\n" for i in range(25))
    write_tree(repo, {"app/things.py": classes})
    commit_all(repo, "classes")
    done = run_cli("audit", ".", "--no-cache", "--diff-against", "HEAD~1", "--format", "markdown", cwd=repo)
    assert done.returncode == 0, done.stderr
    table = done.stdout.split("## Changes Since")[1]
    assert re.search(r"\| Dataclass Compliance \| - \| 100\.0 \|", table), table
    chart = next(block for block in mermaid_blocks(done.stdout) if block[0] == "xychart-beta")
    assert "before (first bar) and now" in chart[1]
    assert "Dataclass Compliance" not in chart[2] and "Duplicate Implementations" in chart[2]
    assert sum(line.startswith("  bar [") for line in chart) == 2


def test_a_clean_small_project_reads_as_such(tmp_path: Path) -> None:
    """No findings: no list of zero counts; every category 100: no 'weakest' of them; a rule
    that found nothing among a handful of items is not called a strength."""
    write_tree(
        tmp_path,
        {
            "pkg/mod.py": "".join(f"import mod{i}\n" for i in range(25))
            + "".join(f"\n\ndef f{i}(x: int) -> int:\n    return x + {i}\n" for i in range(25))
            + "".join(f"\n\nclass C{i}:\n    def size(self) -> int:\n        return {i}\n" for i in range(3)),
        },
    )
    done = run_cli("audit", str(tmp_path), "--no-cache", "--format", "markdown", "--date", "2026-01-15")
    assert done.returncode == 0, done.stderr
    summary = done.stdout.split("**Key Facts:**")[0]
    assert "and found nothing to act on." in summary and "0 critical" not in summary
    assert "**Weakest category**" not in done.stdout
    strengths = [line for line in done.stdout.splitlines() if "no findings among" in line]
    assert strengths and not any("missing-dataclass" in line for line in strengths)
    assert (
        "- **missing-dataclass** (`SSOT201`): no findings, but only 3 classes checked, too few to judge" in done.stdout
    )
