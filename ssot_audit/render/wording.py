"""How the reports phrase ratings and scores."""

from __future__ import annotations

from ssot_audit.model import AuditResult

ICONS = {"EXCELLENT": "✅", "VERY GOOD": "✅", "GOOD": "⚠️", "FAIR": "⚠️", "POOR": "❌"}


def icon(rating: str | None) -> str:
    return ICONS.get(rating or "", "➖")


def score_text(score: float | None, rating: str | None) -> str:
    return "no score" if score is None or rating is None else f"{score:.1f}/100 ({rating})"


def baseline_score(result: AuditResult) -> str | None:
    """How today's score stands against the one the baseline file recorded: compared only
    under one score formula and over the same paths, otherwise said to be not comparable."""
    recorded = result.baseline_score
    if recorded is None:
        return None
    then, now = f"{recorded.score:.1f}", f"{result.score:.1f}"
    if recorded.formula_version != result.score_formula_version:
        return (
            f"the baseline's score {then} used score formula v{recorded.formula_version}; today's {now} uses "
            f"v{result.score_formula_version}, so the two are not compared"
        )
    if not result.baseline_comparable:
        return f"the baseline's score {then} was recorded for other paths; today's {now} is not compared with it"
    return f"score {then} at the baseline, {now} now (score formula v{result.score_formula_version})"


def formula_note(result: AuditResult) -> str:
    """`--diff-against` audits the ref with today's code, so both scores share one formula."""
    return f"both under score formula v{result.score_formula_version}"
