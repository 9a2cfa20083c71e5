"""How a count of things is written: shared by the gates, the CLI and the Markdown report, so
it lives beside the model rather than among the renderers."""

from __future__ import annotations


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
