"""benchmarks/precision.py: the sample a person judges must be reproducible and bounded."""

from __future__ import annotations

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
