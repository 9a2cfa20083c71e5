"""Category and overall scores. Version the formula: a changed score must be told apart
from changed code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ssot_audit.model import Category, CategoryScore, Finding

FORMULA_VERSION = "1"
RATINGS = ((90.0, "EXCELLENT"), (80.0, "VERY GOOD"), (70.0, "GOOD"), (60.0, "FAIR"))


def rating(score: float) -> str:
    for floor, name in RATINGS:
        if score >= floor:
            return name
    return "POOR"


def category_score(category: Category, findings: Sequence[Finding], checked: int, configured: bool = True) -> CategoryScore:
    """100 * (1 - weighted findings / items checked), floored at 0.

    A ratio, so a codebase twice the size with twice the findings scores the same."""
    active = [f for f in findings if not f.suppressed]
    weighted = sum(f.severity.weight for f in active)
    if not configured:
        return CategoryScore(category, None, None, len(active), weighted, checked, "not configured")
    if checked == 0:
        return CategoryScore(category, None, None, len(active), weighted, 0, f"nothing to check: no {category.unit}")
    score = round(100.0 * max(0.0, 1.0 - weighted / checked), 1)
    formula = f"100 * (1 - {weighted} weighted / {checked} {category.unit})"
    return CategoryScore(category, score, rating(score), len(active), weighted, checked, formula)


def overall(scores: Iterable[CategoryScore], weights: Mapping[str, float]) -> float:
    """The weighted mean of the categories that have a score; 100 when none has."""
    total = 0.0
    weight_sum = 0.0
    for cs in scores:
        if cs.score is None:
            continue
        w = weights.get(cs.category.id, 1.0)
        total += w * cs.score
        weight_sum += w
    return round(total / weight_sum, 1) if weight_sum else 100.0
