"""Audit results the renderer tests share: a real audit of a small tree, and hand-made
cluster findings, since which rule finds clusters is not the renderers' business."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ssot_audit.model import AuditResult, Finding, Location, Severity, Span
from tests.support import audit_tree, write_tree

SMALL_TREE = {
    "shop/api.py": "import os\nfrom . import views\nfrom .models import User  # ssot: ignore[SSOT101]\n",
    "shop/views.py": "from shop import models\nfrom .models import Order\n",
    # Fifteen absolute imports more, so that imports are judged (20 checked, SSOT's MIN_EVIDENCE).
    "shop/models.py": "".join(f"import mod{i}\n" for i in range(15))
    + "\n\nclass User:\n    pass\n\n\nclass Order:\n    pass\n",
    "shop/broken.py": "def broken(:\n    pass\n",
}


def small_audit(root: Path) -> AuditResult:
    write_tree(root, SMALL_TREE)
    return audit_tree(root, select=["SSOT000", "SSOT101", "SSOT900"])


def clone_finding(path: str, line: int, others: list[Location], group: str = "clone-1") -> Finding:
    return Finding(
        rule="SSOT001",
        name="duplicate-implementation",
        category="duplicates",
        severity=Severity.HIGH,
        path=path,
        span=Span(line, 1, line + 3, 10),
        message="function 'slugify' duplicates another definition",
        group=group,
        related=tuple(others),
        scope="slugify",
        code="def slugify(text):",
    )


def with_cluster(result: AuditResult) -> AuditResult:
    """The result plus a three-member duplicate cluster."""
    members = [Location("shop/a.py", 3), Location("shop/b.py", 10), Location("shop/c.py", 20)]
    clones = [clone_finding(m.path, m.line, [o for o in members if o != m]) for m in members]
    findings = sorted([*result.findings, *clones], key=Finding.sort_key)
    return dataclasses.replace(result, findings=findings)
