"""Category and overall scores. Version the formula: a changed score must be told apart
from changed code. docs/scoring.md explains the formula to users; keep the two in step."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ssot_audit.model import Category, CategoryScore, Finding

FORMULA_VERSION = "1"
RATINGS = ((90.0, "EXCELLENT"), (80.0, "VERY GOOD"), (70.0, "GOOD"), (60.0, "FAIR"))
NOT_CONFIGURED = "not configured"


def rating(score: float) -> str:
    for floor, name in RATINGS:
        if score >= floor:
            return name
    return "POOR"


def weighted(findings: Iterable[Finding]) -> int:
    """The severity-weighted count of the findings that count: suppressed ones do not."""
    return sum(f.severity.weight for f in findings if not f.suppressed)


def category_score(
    category: Category, findings: Sequence[Finding], checked: int, configured: bool = True, unit: str | None = None
) -> CategoryScore:
    """100 * (1 - weighted findings / items checked), floored at 0, rounded to 0.1.

    A density, so a codebase twice the size with twice the findings scores the same, and
    one more finding can only lower it. No score at all (None) when the category's rules
    are not configured or found nothing to check: 100 would claim a compliance never seen."""
    unit = unit or category.unit
    active = [f for f in findings if not f.suppressed]
    weight = weighted(active)
    if not configured:
        return CategoryScore(category, None, None, len(active), weight, checked, NOT_CONFIGURED, unit)
    if checked <= 0:
        return CategoryScore(category, None, None, len(active), weight, 0, f"nothing to check: no {unit}", unit)
    score = round(100.0 * max(0.0, 1.0 - weight / checked), 1)
    formula = f"100 * (1 - {weight} weighted / {checked} {unit})"
    return CategoryScore(category, score, rating(score), len(active), weight, checked, formula, unit)


def overall(scores: Iterable[CategoryScore], weights: Mapping[str, float]) -> float:
    """The weighted mean of the categories that have a score (weight 1 unless configured),
    rounded to 0.1; 100 when none has, since nothing was found wanting."""
    total = 0.0
    weight_sum = 0.0
    for cs in scores:
        if cs.score is None:
            continue
        w = weights.get(cs.category.id, 1.0)
        total += w * cs.score
        weight_sum += w
    return round(total / weight_sum, 1) if weight_sum else 100.0
