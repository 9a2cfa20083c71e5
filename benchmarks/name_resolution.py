"""Light import-table resolver vs libcst's QualifiedNameProvider, measured on real code.

    python -m benchmarks.name_resolution [--package django] [--repeat 1]

Runs SSOT401 and SSOT501 twice over the package, once as shipped (ssot_audit.analysis.names) and
once with every name looked up through libcst's QualifiedNameProvider/ScopeProvider instead,
in one process (jobs=1, no cache) so that CPU seconds compare fairly on a shared machine.
Prints CPU time per variant, a parse+traversal baseline, how the findings differ, and
whether each variant passes the rules' own VALID/INVALID examples.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import libcst as cst
import yaml
from libcst.metadata import QualifiedName, QualifiedNameProvider, QualifiedNameSource, ScopeProvider
from ssot_audit.rules.any_usage import AnyUsage
from ssot_audit.rules.canonical_bypass import CanonicalBypass

from benchmarks.realcode import fetch
from ssot_audit.analysis.names import dotted_name
from ssot_audit.analysis.plugins import Invalid, Registry, Rule
from ssot_audit.config import Overrides, load_config
from ssot_audit.model import Finding
from ssot_audit.pipeline.engine import Engine
from tests.support import write_tree

APIS = {"os.environ": ["conf/global_settings.py"], "os.getenv": ["conf/global_settings.py"]}


def _imported(names: set[QualifiedName]) -> str | None:
    """The one answer the light resolver would give: an import's qualified name."""
    imported = sorted(q.name for q in names if q.source is QualifiedNameSource.IMPORT)
    return imported[0] if imported else None


# libcst caches a class's inherited dependencies on the class itself, so a subclass of a rule
# whose (empty) set was already computed would inherit that cache: set it explicitly.
class ScopeAnyUsage(AnyUsage):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider)
    _INHERITED_METADATA_DEPENDENCIES_CACHE = frozenset(METADATA_DEPENDENCIES)

    def qualified_name(self, node: cst.BaseExpression, at: cst.CSTNode) -> str | None:
        if node is at:
            return _imported(self.get_metadata(QualifiedNameProvider, node, set()))
        # A name parsed out of a string annotation: ask the scope the string stands in.
        scope = self.get_metadata(ScopeProvider, at, None)
        dotted = dotted_name(node)
        if scope is None or dotted is None:
            return None
        return _imported(scope.get_qualified_names_for(dotted))


class ScopeCanonicalBypass(CanonicalBypass):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)
    _INHERITED_METADATA_DEPENDENCIES_CACHE = frozenset(METADATA_DEPENDENCIES)

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        return _imported(self.get_metadata(QualifiedNameProvider, node, set()))


def registry_with(*rules: type[Rule]) -> Registry:
    registry = Registry.load()
    for rule in rules:
        registry.rules[rule.code] = rule  # a variant replaces the shipped rule of its code
    return registry


def audit(registry: Registry, root: Path, select: Sequence[str], config: Path | None) -> tuple[float, list[Finding]]:
    settings = load_config(registry, root, config, Overrides(select=list(select)))
    engine = Engine(registry, settings, jobs=1, use_cache=False)
    started = time.process_time()
    result = engine.audit([root], root)
    return time.process_time() - started, [f for f in result.findings if f.rule in select]


def write_options(folder: Path) -> Path:
    path = folder / "name-resolution.yaml"
    path.write_text(yaml.safe_dump({"rules": {"SSOT501": {"apis": APIS}}}), encoding="utf-8")
    return path


def examples_failing(registry: Registry, code: str) -> list[str]:
    """The rule's VALID/INVALID examples this registry's variant gets wrong."""
    rule = registry.rules[code]
    failing = []
    for index, example in enumerate([*rule.VALID, *rule.INVALID]):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            write_tree(root, example.files())
            data: Mapping[str, object] = {"rules": {code: dict(example.options)}} if example.options else {}
            (root / ".ssot-audit.yaml").write_text(yaml.safe_dump(dict(data)), encoding="utf-8")
            _, found = audit(registry, root, [code], None)
        wrong = not found if isinstance(example, Invalid) else bool(found)
        if isinstance(example, Invalid) and example.count is not None and len(found) != example.count:
            wrong = True
        if wrong:
            failing.append(f"example {index}: {example.code!r}")
    return failing


def key(finding: Finding) -> tuple[str, int, int, str]:
    return (finding.path, finding.line, finding.span.column, finding.rule)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", default="django")
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant; the fastest counts")
    args = parser.parse_args()
    root = fetch(args.package)
    light = registry_with()
    scoped = registry_with(ScopeAnyUsage, ScopeCanonicalBypass)

    with tempfile.TemporaryDirectory() as tmp:
        options = write_options(Path(tmp))
        runs: list[tuple[str, Registry, Sequence[str]]] = [
            ("parse + traversal only (SSOT000)", light, ["SSOT000"]),
            ("SSOT401 light resolver", light, ["SSOT401"]),
            ("SSOT401 QualifiedNameProvider", scoped, ["SSOT401"]),
            ("SSOT501 light resolver", light, ["SSOT501"]),
            ("SSOT501 QualifiedNameProvider", scoped, ["SSOT501"]),
        ]
        found: dict[str, list[Finding]] = {}
        print(f"{args.package}: {root}")
        for label, registry, select in runs:
            best = float("inf")
            for _ in range(args.repeat):
                seconds, findings = audit(registry, root, select, options)
                best = min(best, seconds)
            found[label] = findings
            print(f"  {label:<36} {best:7.1f} s CPU  {len(findings):5d} findings")

    for code in ("SSOT401", "SSOT501"):
        a = {key(f): f for f in found[f"{code} light resolver"]}
        b = {key(f): f for f in found[f"{code} QualifiedNameProvider"]}
        print(f"{code}: only light {len(a.keys() - b.keys())}, only QualifiedNameProvider {len(b.keys() - a.keys())}")
        for k in sorted(a.keys() ^ b.keys())[:20]:
            f = a.get(k) or b[k]
            print(f"    {'light' if k in a else 'qnp  '} {f.path}:{f.line}:{f.span.column} {f.code}")
        for label, registry in (("light", light), ("QualifiedNameProvider", scoped)):
            failing = examples_failing(registry, code)
            print(f"  {label} fails {len(failing)} of the {code} examples" + "".join(f"\n    {x}" for x in failing))


if __name__ == "__main__":
    main()
