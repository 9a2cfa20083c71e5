"""Mermaid's own parser, run under Node from tests/mermaid (the `mermaid` package, pinned by
its package-lock.json), for the tests that check the diagrams the report draws."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from tests.support import REPO

MERMAID_DIR = REPO / "tests" / "mermaid"
# .ci/run installs the folder and sets this, so that CI fails instead of skipping when the
# parser is missing; on a developer's machine a missing Node or folder only skips.
REQUIRED_ENV = "SSOT_AUDIT_REQUIRE_MERMAID"


@dataclass(frozen=True)
class Parsed:
    """What Mermaid made of one diagram: the diagram type it detected, or its error."""

    source: str
    type: str | None
    error: str | None


def missing_parser() -> str | None:
    """Why Mermaid's parser cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not (MERMAID_DIR / "node_modules" / "mermaid" / "package.json").is_file():
        return f"Mermaid is not installed: run `npm ci --prefix {MERMAID_DIR.relative_to(REPO)}`"
    return None


def parser_required() -> bool:
    return os.environ.get(REQUIRED_ENV) == "1"


def parse_diagrams(sources: list[str]) -> list[Parsed]:
    """Parse every source in one Node process (starting Mermaid takes most of a second)."""
    done = subprocess.run(
        ["node", str(MERMAID_DIR / "validate.mjs")],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answers = json.loads(done.stdout)
    return [Parsed(source, a["type"], a["error"]) for source, a in zip(sources, answers, strict=True)]


def mermaid_sources(markdown: str) -> list[str]:
    """The text of every ```mermaid block, as GitHub hands it to Mermaid."""
    return re.findall(r"^```mermaid\n(.*?)^```$", markdown, re.DOTALL | re.MULTILINE)
