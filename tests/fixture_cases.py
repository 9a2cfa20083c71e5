"""Regression cases found on real code, kept as files under tests/fixtures/<rule-name>/ so the
rules' own VALID/INVALID stay a few canonical cases. tests/test_rule_examples.py runs both.

A case file (`*.case`) is a header of `#` lines, one empty line, then the code:

    # Found in Django: lazily bound ctypes functions, one instance per C function name.
    # expect: invalid            (or valid)
    # line: 3                    (optional, as Invalid: one line, or `3, 7`)
    # count: 1                   (optional)
    # message: a hidden singleton (optional: every finding's message contains it)
    # options: {"suffixes": []}  (optional, JSON: the rule's options)
    # path: app/jobs.py          (optional: where the code is written; example.py if not)

    def code(): ...

Several files: the code is split at lines `# --- file: pkg/base.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

from ssot_audit.analysis.plugins import Invalid, Valid

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FILE_MARK = "# --- file: "


def parse_case(text: str) -> Valid:
    header, _, body = text.partition("\n\n")
    fields: dict[str, str] = {}
    for line in header.splitlines():
        key, sep, value = line.removeprefix("#").strip().partition(":")
        if sep and key in {"expect", "line", "count", "message", "options", "path"}:
            fields[key] = value.strip()
    code: str | dict[str, str] = body
    if body.startswith(FILE_MARK):
        code = {}
        for chunk in body.split(FILE_MARK)[1:]:
            path, _, source = chunk.partition("\n")
            code[path.strip()] = source
    options = json.loads(fields["options"]) if "options" in fields else {}
    path = fields.get("path", "example.py")
    if fields.get("expect") == "valid":
        return Valid(code, options=options, path=path)
    if fields.get("expect") != "invalid":
        raise ValueError("a case says `# expect: valid` or `# expect: invalid`")
    lines = tuple(int(n) for n in fields["line"].split(",")) if "line" in fields else ()
    return Invalid(
        code,
        options=options,
        path=path,
        line=lines[0] if len(lines) == 1 else (lines or None),
        count=int(fields["count"]) if "count" in fields else None,
        message=fields.get("message"),
    )


def load_fixtures() -> list[tuple[str, Path, Valid]]:
    """(rule name, case file, example) for every case under tests/fixtures/."""
    return [
        (path.parent.name, path, parse_case(path.read_text(encoding="utf-8")))
        for path in sorted(FIXTURES.glob("*/*.case"))
    ]
