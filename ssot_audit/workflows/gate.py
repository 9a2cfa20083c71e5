"""The gate: why an audit fails (exit 1), as one sentence per reason; none means it passed."""

from __future__ import annotations

from ssot_audit.model import NEW, AuditResult, plural


def new_findings(result: AuditResult) -> int:
    return sum(1 for f in result.active_findings if f.baseline_state == NEW)


def failures(
    result: AuditResult, fail_under: float | None, *, baseline: bool = False, every_finding: bool = False
) -> list[str]:
    """`baseline`: new findings fail; `every_finding` (check without a baseline): any
    finding fails; with `fail_under` and a diff against a ref, a lower score or any new
    finding since the ref fails."""
    reasons = []
    if fail_under is not None and result.score < fail_under:
        reasons.append(f"score {result.score:.1f} is under --fail-under {fail_under:g}")
    if baseline and new_findings(result):
        reasons.append(f"{plural(new_findings(result), 'new findings')} not in the baseline")
    elif every_finding and not baseline and result.active_findings:
        reasons.append(plural(len(result.active_findings), "findings"))
    changes = result.changes
    if changes is not None and fail_under is not None:
        if result.score < changes.score_before:
            reasons.append(f"score fell from {changes.score_before:.1f} to {result.score:.1f} since {changes.ref}")
        if changes.new:
            reasons.append(f"{plural(changes.new, 'new findings')} since {changes.ref}")
    return reasons
