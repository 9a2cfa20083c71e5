"""What SSOT201 and SSOT202 cost on real code, in CPU seconds of one process.

    python -m benchmarks.dataclass_rules [--package django | --package /a/folder] [--repeat 3]

Parses every file of the package once, then times the shared traversal with the core facts
alone and with the two rules' collectors added (their facts() included, positions too), and
the project phase of each rule. Process CPU time, best of `--repeat`, so that the numbers
compare fairly on a shared machine. Also prints how many classes and dataclass fields the
rules inspected and how many findings they made.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper

from benchmarks.realcode import fetch
from ssot_audit.analysis.plugins import Collector, FileContext, ProjectRule, Registry
from ssot_audit.analysis.project import Project
from ssot_audit.config import Overrides, load_config
from ssot_audit.model import FileFacts
from ssot_audit.pipeline.discovery import Discovery
from ssot_audit.pipeline.facts import CoreFacts

CODES = ("SSOT201", "SSOT202")


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", default="django")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    root = Path(args.package) if Path(args.package).is_dir() else fetch(args.package)
    registry = Registry.load()
    config = load_config(registry, root, None, Overrides(select=list(CODES)))
    rules = {code: registry.rules[code] for code in CODES}
    modules: list[tuple[str, str, bool, str, cst.Module]] = []
    for source in Discovery(root, config).find([root]):
        text = source.path.read_text(encoding="utf-8", errors="replace")
        try:
            modules.append((source.relpath, source.module, source.is_package, text, cst.parse_module(text)))
        except cst.ParserSyntaxError:
            continue

    def traverse(with_rules: bool) -> list[FileFacts]:
        out = []
        for relpath, module_name, is_package, text, module in modules:
            context = FileContext(
                relpath, module_name, is_package, text, MetadataWrapper(module, unsafe_skip_copy=True)
            )
            # As the engine does: one instance of each Collector class, shared by the rules.
            shared: dict[type[Collector[object]], Collector[object]] = {}
            if with_rules:
                for rule in rules.values():
                    assert issubclass(rule, ProjectRule)
                    for cls in rule.collectors:
                        shared.setdefault(cls, cls(context))
            context.wrapper.visit_batched([CoreFacts(context), *shared.values()])
            facts = FileFacts(relpath, module_name, 0, is_package=is_package)
            for collector in shared.values():
                facts.extras[collector.key()] = collector.facts()
            if with_rules:
                for code, rule in rules.items():
                    assert issubclass(rule, ProjectRule)
                    facts.checked[code] = sum(shared[cls].checked for cls in rule.collectors)
            out.append(facts)
        return out

    base = best_of(args.repeat, lambda: traverse(False))
    with_rules = best_of(args.repeat, lambda: traverse(True))
    facts = traverse(True)
    project = Project(str(root), facts)
    print(f"{args.package}: {len(modules)} files parsed, best of {args.repeat}, process CPU seconds")
    print(f"  traversal, core facts only:        {base:.3f}")
    print(f"  traversal + SSOT201/202 collectors: {with_rules:.3f} (+{with_rules - base:.3f})")
    for code, rule in rules.items():
        instance = rule(config.rule_options[code])
        assert isinstance(instance, ProjectRule)
        findings: list[object] = []

        def check(instance: ProjectRule[object] = instance, findings: list[object] = findings) -> None:
            findings[:] = instance.check(project)

        seconds = best_of(args.repeat, check)
        checked = sum(f.checked.get(code, 0) for f in facts)
        print(
            f"  {code} project phase: {seconds:.3f}; inspected {checked} {rule.unit or rule.category.unit}; {len(findings)} findings"
        )


if __name__ == "__main__":
    main()
