"""How the reports phrase numbers: plurals of the units rules count, rating icons, scores."""

from __future__ import annotations

ICONS = {"EXCELLENT": "✅", "VERY GOOD": "✅", "GOOD": "⚠️", "FAIR": "⚠️", "POOR": "❌"}


def plural(count: int, word: str) -> str:
    """`1 import`, `2 imports`, `1 class`, `3 classes`: for the units rules count."""
    if count != 1:
        return f"{count:,} {word}"
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s"):
        word = word[:-1]
    return f"{count:,} {word}"


def icon(rating: str | None) -> str:
    return ICONS.get(rating or "", "➖")


def score_text(score: float | None, rating: str | None) -> str:
    return "no score" if score is None or rating is None else f"{score:.1f}/100 ({rating})"
