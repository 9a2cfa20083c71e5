"""How the reports phrase ratings and scores."""

from __future__ import annotations

ICONS = {"EXCELLENT": "✅", "VERY GOOD": "✅", "GOOD": "⚠️", "FAIR": "⚠️", "POOR": "❌"}


def icon(rating: str | None) -> str:
    return ICONS.get(rating or "", "➖")


def score_text(score: float | None, rating: str | None) -> str:
    return "no score" if score is None or rating is None else f"{score:.1f}/100 ({rating})"
