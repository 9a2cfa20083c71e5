"""Every registered rule's own VALID and INVALID examples, run through the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssot_audit.analysis.plugins import Invalid, Registry, Rule, Valid
from tests.support import audit_tree, of_rule, write_config, write_tree


def _cases() -> list[object]:
    cases = []
    for rule in Registry.load().sorted():
        for i, example in enumerate(rule.VALID):
            cases.append(pytest.param(rule, example, id=f"{rule.code}-valid-{i}"))
        for i, example in enumerate(rule.INVALID):
            cases.append(pytest.param(rule, example, id=f"{rule.code}-invalid-{i}"))
    return cases


@pytest.mark.parametrize(("rule", "example"), _cases())
def test_example(tmp_path: Path, rule: type[Rule], example: Valid) -> None:
    files = {path: source.encode("utf-8", "surrogateescape") if "\x00" in source else source for path, source in example.files().items()}
    write_tree(tmp_path, files)
    write_config(tmp_path, rules={rule.code: example.options} if example.options else None)
    found = of_rule(audit_tree(tmp_path), rule.code)
    shown = "\n".join(f"{f.path}:{f.line}: {f.message}" for f in found)
    if isinstance(example, Invalid):
        assert found, f"{rule.code} found nothing in:\n{example.code}"
        if example.line is not None:
            assert example.line in {f.line for f in found}, f"expected line {example.line}, got:\n{shown}"
        if example.count is not None:
            assert len(found) == example.count, shown
    else:
        assert not found, f"{rule.code} flagged valid code:\n{shown}"


def test_every_rule_documents_itself_and_has_examples() -> None:
    for rule in Registry.load().sorted():
        for attribute in ("summary", "what", "why", "example", "fix"):
            assert getattr(rule, attribute, "").strip(), f"{rule.code} has no {attribute}"
        assert rule.VALID and rule.INVALID, f"{rule.code} has no examples"
