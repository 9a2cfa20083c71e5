"""SSOT900 unused-suppression: a suppression comment that suppresses nothing."""

from ssot_audit.analysis.options import NoOptions
from ssot_audit.analysis.plugins import EngineRule, Invalid, Valid
from ssot_audit.model import META, Severity


class UnusedSuppression(EngineRule[NoOptions]):
    code = "SSOT900"
    name = "unused-suppression"
    category = META
    severity = Severity.LOW
    summary = "A `# ssot: ignore` or `# noqa: SSOT...` comment that suppresses no finding."
    what = (
        "Reports a `# ssot: ignore[...]` or `# noqa: SSOTxxx` comment, or one code in it, that silenced no "
        "finding on its line. A bare `# noqa` and other tools' codes (`# noqa: E501`) are never reported: "
        "they may be there for flake8 or ruff. A code whose rule did not run on the file is not reported either."
    )
    why = (
        "A suppression outlives the finding it was written for. Left behind, it hides the next real "
        "violation on that line; ruff's RUF100 exists for the same reason."
    )
    example = "```python\nfrom pkg import models  # ssot: ignore[SSOT101]\n```"
    fix = "Delete the comment, or the codes in it that no longer match a finding."
    VALID = (
        Valid("from pkg import models\n"),
        Valid("from . import sibling  # ssot: ignore[SSOT101]\n", path="pkg/mod.py"),
        Valid("from . import sibling  # noqa: SSOT101\n", path="pkg/mod.py"),
        Valid("x = 1  # noqa\n"),
        Valid("x = 1  # noqa: E501\n"),
        Valid("text = '# ssot: ignore'\n"),
    )
    INVALID = (
        Invalid("import os  # ssot: ignore\n", line=1, message="unused suppression"),
        Invalid("import os  # ssot: ignore[SSOT101]\n", line=1),
        Invalid(
            """
            x = 1
            import os  # noqa: SSOT101, E501
            """,
            line=2,
        ),
        Invalid("from . import a  # ssot: ignore[SSOT101, relative-imprt]\n", path="pkg/mod.py", line=1),
    )
