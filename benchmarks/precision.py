"""Precision on real code: audit packages nobody here wrote and print findings to judge by eye.

    python -m benchmarks.precision [--select SSOT401 SSOT501] [--packages django flask httpx]
                                   [--sample 20] [--seed 0] [--config rules.yaml]
                                   [--to-judge FILE]

It also prints the precision per rule of the judged findings in benchmarks/judged/ (see
benchmarks/judged.py): the `evaluation` sample only, drawn after the rule was last changed,
never the `tuning` findings looked at while changing it. `--to-judge FILE` writes the sampled
findings nobody has judged yet as JSON lines with an empty verdict and reason, each with the
finding's whole `message` and the `root` folder its `path` is under, for a reviewer to fill in;
the judged lines, without `message` and `root`, go into benchmarks/judged/.

For each package (fetched from PyPI by benchmarks/realcode.py into a temporary folder) it
runs one audit with the selected rules, then prints a table of finding counts per rule and
package, and for each rule and package a random sample of findings (the same sample for
the same seed and findings) with the source line, so a person can mark false positives.
`--config` names a `.ssot-audit.yaml` or `pyproject.toml` with rule options (SSOT501 checks
nothing without its `apis`); path options in it are relative to each package's folder.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.judged import Precision, load, precision, to_judge
from benchmarks.realcode import DEFAULT_VERSIONS, fetch
from ssot_audit.analysis.plugins import Registry
from ssot_audit.config import Overrides, load_config
from ssot_audit.model import Finding
from ssot_audit.pipeline.engine import Engine, default_jobs
from ssot_audit.pipeline.rule_info import is_configured

DEFAULT_CODES = ("SSOT201", "SSOT202", "SSOT301", "SSOT401", "SSOT501")


@dataclass(frozen=True)
class PackageRun:
    package: str
    root: Path
    findings: dict[str, list[Finding]]
    suppressed: dict[str, int]
    configured: dict[str, bool]


def default_codes(registry: Registry) -> list[str]:
    return [code for code in DEFAULT_CODES if code in registry.rules]


def run_package(
    registry: Registry, package: str, codes: Sequence[str], config: Path | None, jobs: int, cache: bool
) -> PackageRun:
    root = fetch(package)
    settings = load_config(registry, root, config, Overrides(select=list(codes)))
    result = Engine(registry, settings, jobs=jobs, use_cache=cache).audit([root], root)
    findings: dict[str, list[Finding]] = {code: [] for code in codes}
    suppressed = dict.fromkeys(codes, 0)
    for finding in result.findings:
        if finding.rule not in findings:
            continue
        if finding.suppressed:
            suppressed[finding.rule] += 1
        else:
            findings[finding.rule].append(finding)
    configured = {code: is_configured(registry.rules[code], settings.rule_options[code]) for code in codes}
    return PackageRun(package, root, findings, suppressed, configured)


def sample(findings: Sequence[Finding], size: int, seed: int, package: str, code: str) -> list[Finding]:
    """A reproducible sample: the same seed, package, rule and findings give the same picks."""
    ordered = sorted(findings, key=Finding.sort_key)
    if len(ordered) <= size:
        return ordered
    picked = random.Random(f"{seed}:{package}:{code}").sample(range(len(ordered)), size)
    return [ordered[i] for i in sorted(picked)]


def source_line(root: Path, finding: Finding) -> str:
    if finding.code:
        return finding.code
    try:
        lines = (root / finding.path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else ""


def print_counts(console: Console, runs: Sequence[PackageRun], codes: Sequence[str]) -> None:
    table = Table(title="Findings per rule and package (suppressed ones in parentheses)")
    table.add_column("rule")
    for run in runs:
        table.add_column(run.package, justify="right")
    for code in codes:
        cells = [
            f"{len(r.findings[code])} ({r.suppressed[code]})" if r.configured[code] else "not configured" for r in runs
        ]
        table.add_row(code, *cells)
    console.print(table)


def print_samples(console: Console, runs: Sequence[PackageRun], codes: Sequence[str], size: int, seed: int) -> None:
    for code in codes:
        for run in runs:
            picked = sample(run.findings[code], size, seed, run.package, code)
            console.rule(f"{code} in {run.package}: {len(picked)} of {len(run.findings[code])}")
            for number, finding in enumerate(picked, 1):
                console.print(
                    f"{number:2d}. {finding.path}:{finding.line}:{finding.span.column} {finding.message}",
                    markup=False,
                    highlight=False,
                    emoji=False,
                )
                console.print(f"      | {source_line(run.root, finding)}", markup=False, highlight=False, emoji=False)


def print_precision(console: Console, runs: Sequence[PackageRun], codes: Sequence[str]) -> dict[str, Precision]:
    judged = load()
    found = {run.package: [f for code in codes for f in run.findings[code]] for run in runs}
    table = Table(title="Precision of the evaluation sample (benchmarks/judged/), judged by reading the code")
    for column in ("rule", "judged", "true", "false", "precision", "no longer reported"):
        table.add_column(column, justify="right")
    result = precision(judged, found)
    for code in codes:
        p = result.get(code)
        if p is None:
            table.add_row(code, "0", "", "", "not judged", "")
            continue
        shown = f"{p.value:.0%}" if p.value is not None else "-"
        table.add_row(code, str(p.judged), str(p.true), str(p.false), shown, str(p.unmatched))
    console.print(table)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--select", nargs="+", help=f"rule codes (default: those of {' '.join(DEFAULT_CODES)} that are registered)"
    )
    parser.add_argument("--packages", nargs="+", default=list(DEFAULT_VERSIONS))
    parser.add_argument("--sample", type=int, default=20, help="findings shown per rule and package")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--config", type=Path, help="rule options: a .ssot-audit.yaml or pyproject.toml")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--cache", action="store_true", help="reuse the audit cache in each package's folder")
    parser.add_argument("--to-judge", type=Path, help="write the sampled, unjudged findings here as JSON lines")
    args = parser.parse_args(argv)

    registry = Registry.load()
    codes = [c.upper() for c in args.select] if args.select else default_codes(registry)
    unknown = [c for c in codes if c not in registry.rules]
    if unknown:
        parser.error(f"not registered: {', '.join(unknown)} (registered: {', '.join(sorted(registry.rules))})")
    config = args.config.resolve() if args.config else None
    runs = [run_package(registry, p, codes, config, args.jobs, args.cache) for p in args.packages]
    console = Console(width=200)
    print_counts(console, runs, codes)
    print_precision(console, runs, codes)
    print_samples(console, runs, codes, args.sample, args.seed)
    if args.to_judge is not None:
        judged = load()
        lines = []
        for run in runs:
            version = DEFAULT_VERSIONS.get(run.package, "")
            for code in codes:
                found = sample(run.findings[code], args.sample, args.seed, run.package, code)
                lines += to_judge(found, run.package, version, judged, str(run.root))
        args.to_judge.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        console.print(f"{len(lines)} findings to judge written to {args.to_judge}")


if __name__ == "__main__":
    main()
