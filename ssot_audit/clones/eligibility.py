"""Which definitions are big enough to be clones: shared by SSOT001, which applies it, and
SSOT002, which leaves identical copies to SSOT001 only when SSOT001 would report them."""

from __future__ import annotations

from ssot_audit.clones.fingerprint import Definition

DEFAULT_MIN_STATEMENTS = 3
DEFAULT_MIN_TOKENS = 30


def clone_sized(
    definition: Definition, min_statements: int = DEFAULT_MIN_STATEMENTS, min_tokens: int = DEFAULT_MIN_TOKENS
) -> bool:
    """Not a placeholder, and at least this many distinct statements and syntax tokens."""
    return (
        not definition.stub
        and definition.distinct_statements >= min_statements
        and definition.tokens >= max(1, min_tokens)
    )
