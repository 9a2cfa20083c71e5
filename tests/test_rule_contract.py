"""The typed rule contract: options named after their rule and taken from the type argument,
collectors shared by class, their facts read back typed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from ssot_audit.analysis.class_facts import ClassCollector, InstanceState
from ssot_audit.analysis.options import NoOptions
from ssot_audit.analysis.plugins import Collector, FileRule, ProjectRule, Registry
from ssot_audit.analysis.project import Project
from ssot_audit.model import META
from ssot_audit.pipeline.per_file import FileTask, RulePlan, analyze
from tests.support import audit_tree, run_cli, write_config, write_tree


def test_every_rule_names_its_options_after_itself() -> None:
    for rule in Registry.load().sorted():
        assert rule.Options is NoOptions or rule.Options.__name__ == f"{rule.__name__}Options", rule.__name__


@dataclass(frozen=True)
class NoPrintOptions:
    allow: tuple[str, ...] = ()


class NoPrint(FileRule[NoPrintOptions]):
    code = "ACME100"
    name = "no-print"
    category = META
    summary = what = why = example = fix = "print"

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.global_name(node.func) == "builtins.print" and self.context.path not in self.options.allow:
            self.report(node, "print() in library code; log instead")


def test_a_rule_takes_its_options_class_from_its_type_argument() -> None:
    assert NoPrint.Options is NoPrintOptions
    assert isinstance(NoPrint.default_options(), NoPrintOptions)


def test_the_options_a_config_table_gives_reach_the_rule_typed(tmp_path: Path) -> None:
    registry = Registry.load()
    registry.add(NoPrint)
    write_tree(
        tmp_path, {"app/a.py": "print(1)\n", "app/b.py": "print(2)\n", "app/c.py": "from out import *\nprint(3)\n"}
    )
    write_config(tmp_path, rules={"no-print": {"allow": ["app/b.py"]}})
    found = [f.path for f in audit_tree(tmp_path, select=["ACME"], registry=registry).findings if f.rule == "ACME100"]
    assert found == ["app/a.py"]


class CountingClasses(Collector[int]):
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.count_checked()

    def facts(self) -> int:
        return self.checked


class First(ProjectRule[NoOptions]):
    code, name = "ACME201", "first"
    collectors = (ClassCollector, CountingClasses)


class Second(ProjectRule[NoOptions]):
    code, name = "ACME202", "second"
    collectors = (CountingClasses,)


def test_rules_listing_one_collector_share_its_facts_and_each_counts_them() -> None:
    source = (
        b"from dataclasses import dataclass\n\n@dataclass(frozen=True)\nclass A:\n    x: int\n\nclass B(A):\n    pass\n"
    )
    plan = RulePlan((), (("ACME201", First.collectors), ("ACME202", Second.collectors)), None)
    task = FileTask("pkg/m.py", "pkg.m", False, "", source, frozenset({"ACME201", "ACME202"}), "")
    facts = analyze(task, plan)
    assert set(facts.extras) == {ClassCollector.key(), CountingClasses.key()}
    assert facts.checked == {"ACME201": 2, "ACME202": 2}
    project = Project("/", [facts])
    assert [(file.path, count) for file, count in project.facts(CountingClasses)] == [("pkg/m.py", 2)]
    a, b = (cls for _, cls in project.classes)
    assert (a.qualname, a.state, a.bases) == ("pkg.m.A", InstanceState.FROZEN, ())
    assert (b.qualname, b.state, b.bases) == ("pkg.m.B", InstanceState.STATELESS, ("pkg.m.A",))
    assert project.classes.lookup("pkg.m.B") is b


def test_rule_docs_show_the_first_valid_case_as_use_instead() -> None:
    docs = run_cli("rule", "SSOT201")
    assert docs.returncode == 0
    example = docs.stdout.partition("Example")[2].partition("Use instead")[0]
    instead = docs.stdout.partition("Use instead")[2].partition("Fix")[0]
    assert "class User:" in example and "@dataclass" not in example
    assert "@dataclass" in instead and "age: int = 0" in instead
