"""Every registered rule's own VALID and INVALID examples, and the regression cases under
tests/fixtures/<rule-name>/, run through the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssot_audit.analysis.plugins import Invalid, Registry, Rule, Valid
from ssot_audit.workflows.fixes import plan_fixes
from tests.fixture_cases import load_fixtures
from tests.support import audit_tree, of_rule, write_config, write_tree


def _cases() -> list[object]:
    cases = []
    registry = Registry.load()
    assert not registry.warnings, registry.warnings  # a built-in rule that fails to load says why
    for rule in registry.sorted():
        for i, example in enumerate(rule.VALID):
            cases.append(pytest.param(rule, example, id=f"{rule.code}-valid-{i}"))
        for i, example in enumerate(rule.INVALID):
            cases.append(pytest.param(rule, example, id=f"{rule.code}-invalid-{i}"))
    for name, path, example in load_fixtures():
        rule = registry.by_code_or_name(name)
        assert rule is not None, f"{path}: no rule named {name}"
        cases.append(pytest.param(rule, example, id=f"{rule.code}-{path.stem}"))
    return cases


@pytest.mark.parametrize(("rule", "example"), _cases())
def test_example(tmp_path: Path, rule: type[Rule[object]], example: Valid) -> None:
    files = {
        path: source.encode("utf-8", "surrogateescape") if "\x00" in source else source
        for path, source in example.files().items()
    }
    write_tree(tmp_path, files)
    write_config(tmp_path, rules={rule.code: example.options} if example.options else None)
    result = audit_tree(tmp_path)
    found = of_rule(result, rule.code)
    shown = "\n".join(f"{f.path}:{f.line}: {f.message}" for f in found)
    if not isinstance(example, Invalid):
        assert not found, f"{rule.code} flagged valid code:\n{shown}"
        return
    assert found, f"{rule.code} found nothing in:\n{example.code}"
    if isinstance(example.line, int):
        assert {f.line for f in found} == {example.line}, (
            f"expected every finding on line {example.line}, got:\n{shown}"
        )
    elif example.line is not None:
        assert sorted(f.line for f in found) == sorted(example.line), f"expected lines {example.line}, got:\n{shown}"
    if example.count is not None:
        assert len(found) == example.count, shown
    if example.message is not None:
        assert all(example.message in f.message for f in found), f"expected '{example.message}' in:\n{shown}"
    if not isinstance(example.code, str) and example.path != "example.py":
        assert {f.path for f in found} == {example.path}, shown
    if example.fixed is not None:
        fixes, problems = plan_fixes(tmp_path, found, {rule.code: rule})
        assert not problems, problems
        after = {fix.relpath: fix.fixed.decode(fix.encoding) for fix in fixes}
        assert after == example.fixed_files()


def test_every_rule_documents_itself_and_has_examples() -> None:
    for rule in Registry.load().sorted():
        for attribute in ("summary", "what", "why", "example", "fix"):
            assert getattr(rule, attribute, "").strip(), f"{rule.code} has no {attribute}"
        assert rule.VALID and rule.INVALID, f"{rule.code} has no examples"
