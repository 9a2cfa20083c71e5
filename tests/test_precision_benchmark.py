"""benchmarks/precision.py: the sample a person judges must be reproducible and bounded."""

from __future__ import annotations

import json

from benchmarks.judged import Judgement, load, precision, to_judge
from benchmarks.precision import sample
from ssot_audit.model import Finding, Severity, Span


def findings(n: int) -> list[Finding]:
    return [
        Finding("SSOT401", "any-usage", "typing", Severity.MEDIUM, f"m{i % 7}.py", Span(i, 1, i, 4), "msg")
        for i in range(1, n + 1)
    ]


def test_the_same_seed_picks_the_same_findings_in_source_order() -> None:
    first = sample(findings(100), 20, 0, "django", "SSOT401")
    again = sample(list(reversed(findings(100))), 20, 0, "django", "SSOT401")
    assert first == again and len(first) == 20
    assert first == sorted(first, key=Finding.sort_key)


def test_another_seed_or_package_picks_others_and_small_sets_are_shown_whole() -> None:
    base = sample(findings(100), 20, 0, "django", "SSOT401")
    assert sample(findings(100), 20, 1, "django", "SSOT401") != base
    assert sample(findings(100), 20, 0, "flask", "SSOT401") != base
    assert len(sample(findings(5), 20, 0, "django", "SSOT401")) == 5


def _judged(verdict: str, path: str, scope: str, sample: str = "evaluation") -> Judgement:
    return Judgement("SSOT001", "django", "5.2.19", path, 1, scope, verdict, "why", sample)


def _finding(path: str, scope: str, line: int = 1) -> Finding:
    return Finding(
        "SSOT001",
        "duplicate-implementation",
        "duplicates",
        Severity.MEDIUM,
        path,
        Span(line, 1, line, 4),
        "m",
        scope=scope,
    )


def test_precision_counts_only_the_evaluation_sample_and_matches_by_scope_not_line() -> None:
    judged = [
        _judged("tp", "a.py", "f"),
        _judged("fp", "b.py", "g"),
        _judged("fp", "c.py", "gone"),
        _judged("fp", "a.py", "f2", sample="tuning"),
    ]
    today = {"django": [_finding("a.py", "f", line=40), _finding("b.py", "g"), _finding("a.py", "f2")]}
    result = precision(judged, today)["SSOT001"]
    assert (result.true, result.false, result.unmatched) == (1, 1, 1)
    assert result.value == 0.5


def test_the_judged_data_in_the_repository_is_well_formed() -> None:
    judged = load()
    assert judged, "benchmarks/judged/ holds the judged samples"
    assert {j.sample for j in judged} <= {"tuning", "evaluation"}
    assert all(j.reason.strip() and j.rule.startswith("SSOT") for j in judged)


def test_to_judge_skips_findings_already_judged() -> None:
    lines = to_judge(
        [_finding("a.py", "f"), _finding("z.py", "h")], "django", "5.2.19", [_judged("tp", "a.py", "f")], "/src/django"
    )
    assert len(lines) == 1 and '"path": "z.py"' in lines[0] and '"verdict": ""' in lines[0]
    # What a reviewer reads comes with it: the whole message and the folder the path is under.
    entry = json.loads(lines[0])
    assert (
        entry["reason"] == "" and entry["root"] == "/src/django" and entry["message"] == _finding("z.py", "h").message
    )
