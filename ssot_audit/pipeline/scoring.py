"""Category and overall scores. Version the formula: a changed score must be told apart
from changed code. docs/scoring.md explains the formula to users and why this curve; keep
the two in step."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from ssot_audit.model import Category, CategoryScore, Finding

FORMULA_VERSION = "2"
RATINGS = ((90.0, "EXCELLENT"), (80.0, "VERY GOOD"), (70.0, "GOOD"), (60.0, "FAIR"))
NOT_CONFIGURED = "not configured"
# The weighted density (weighted findings per checked item) where EXCELLENT ends. Above it,
# every doubling of the density costs one rating band (10 points), as SonarQube's
# maintainability bands (5%, 10%, 20%, 50% technical debt) roughly double per letter.
TOLERANCE = 0.05
# Under 1 / TOLERANCE items, a single low finding already exceeds the tolerance and none at
# all cannot show a density under it: too few to tell EXCELLENT from not (Django's 5 annotations).
MIN_EVIDENCE = round(1 / TOLERANCE)
POINTS_PER_DOUBLING = 10.0
# A category's weight in the overall score unless the configuration says otherwise: copies and
# bypasses of a canonical API are what single source of truth is about, shared instances
# next, records without @dataclass after them (1). `Any` and relative imports weigh half: they
# make the one source harder to see (an imprecise type, a second spelling of a module's path)
# but never create a second one, and a package that uses either consistently (Flask's relative
# imports) is not worse than one with copies of its code (docs/scoring.md, Calibration).
DEFAULT_WEIGHTS = {"duplicates": 3.0, "canonical": 2.0, "singletons": 2.0, "typing": 0.5, "imports": 0.5}


def weights_of(configured: Mapping[str, float]) -> dict[str, float]:
    return {**DEFAULT_WEIGHTS, **configured}


def rating(score: float) -> str:
    for floor, name in RATINGS:
        if score >= floor:
            return name
    return "POOR"


def weighted(findings: Iterable[Finding]) -> int:
    """The severity-weighted count of the findings that count: suppressed ones do not."""
    return sum(f.severity.weight for f in findings if not f.suppressed)


def curve(density: float) -> float:
    """The score of a weighted density: linear from 100 (no finding) to 90 at TOLERANCE,
    then 10 points less per doubling, floored at 0 (at 512 times TOLERANCE, some 26
    weighted findings per item: never reached by a couple of findings). Continuous and
    decreasing, so one more finding never raises a score."""
    if density <= TOLERANCE:
        return 100.0 - (100.0 - RATINGS[0][0]) * density / TOLERANCE
    return max(0.0, RATINGS[0][0] - POINTS_PER_DOUBLING * math.log2(density / TOLERANCE))


def category_score(
    category: Category, findings: Sequence[Finding], checked: int, configured: bool = True, unit: str | None = None
) -> CategoryScore:
    """curve(weighted findings / items checked), rounded to 0.1.

    A density, so a codebase twice the size with twice the findings scores the same. No
    score at all (None) when the category's rules are not configured or checked fewer than
    MIN_EVIDENCE items: 100 would claim a compliance never seen, and a couple of findings
    among a handful of items say little about a codebase."""
    unit = unit or category.unit
    active = [f for f in findings if not f.suppressed]
    weight = weighted(active)
    if not configured:
        return CategoryScore(category, None, None, len(active), weight, checked, NOT_CONFIGURED, unit)
    if checked <= 0:
        return CategoryScore(category, None, None, len(active), weight, 0, f"nothing to check: no {unit}", unit)
    if checked < MIN_EVIDENCE:
        counted = unit[:-1] if checked == 1 and unit.endswith("s") else unit  # "1 annotation"
        reason = f"not enough code to judge: {checked} {counted} checked, under {MIN_EVIDENCE}"
        return CategoryScore(category, None, None, len(active), weight, checked, reason, unit)
    density = weight / checked
    score = round(curve(density), 1)
    if density <= TOLERANCE:
        formula = f"100 - 10 * d / {TOLERANCE:g}, d = {weight} weighted / {checked} {unit} = {density:.3f}"
    else:
        formula = f"90 - 10 * log2(d / {TOLERANCE:g}), d = {weight} weighted / {checked} {unit} = {density:.3f}"
    return CategoryScore(category, score, rating(score), len(active), weight, checked, formula, unit)


def overall(scores: Iterable[CategoryScore], weights: Mapping[str, float]) -> float:
    """The weighted mean of the categories that have a score (`weights`: weights_of() the
    configuration; a category it does not name weighs 1),
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
