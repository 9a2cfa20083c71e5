"""SSOT000 parse-error: a file that cannot be read, decoded or parsed."""

from ssot_audit.analysis.options import NoOptions
from ssot_audit.analysis.plugins import EngineRule, Invalid, Valid
from ssot_audit.model import ERRORS, Severity


class ParseError(EngineRule[NoOptions]):
    code = "SSOT000"
    name = "parse-error"
    category = ERRORS
    severity = Severity.HIGH
    summary = "A file that cannot be read, decoded or parsed; the audit goes on without it."
    what = (
        "Reports each file that could not be read from disk, decoded (a PEP 263 coding cookie, a BOM, "
        "or UTF-8, as CPython decides), or parsed as Python 3 by libcst, with the parser's message and line."
    )
    why = (
        "Every other rule is blind to a file it cannot parse, so the scores say nothing about it. "
        "The audit reports it instead of crashing or silently skipping it."
    )
    example = "```python\ndef broken(:\n    pass\n```"
    fix = "Fix the syntax error, add a coding cookie (`# -*- coding: latin-1 -*-`) or re-save the file as UTF-8."
    VALID = (
        Valid("""
            def fixed():
                pass
            """),
        Valid("x = 1\n"),
        Valid("""
            # -*- coding: latin-1 -*-
            name = 'café'
            """),
        Valid("\ufeffprint('a BOM is fine')\n"),
    )
    INVALID = (
        Invalid(
            """
            def broken(:
                pass
            """,
            line=1,
            message="syntax error",
        ),
        Invalid(
            """
            x = 1
            if x
                pass
            """,
            line=2,
        ),
        Invalid(
            """
            x = 1
            y = 'nul\x00byte'
            """,
            line=2,
        ),
    )
