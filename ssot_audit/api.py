"""The library API: what each command does, as functions that take paths and options and
return results, or raise `UsageError`. Nothing here prints or exits; the CLI formats what
these return and picks the exit code, and other programs (an IDE, a bot) call them directly.

    from ssot_audit import api
    run = api.audit([Path("src")], api.Options(fail_under=80))
    run.result.score, run.failures, run.warnings
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ssot_audit.analysis.options import ConfigError
from ssot_audit.analysis.places import compile_globs
from ssot_audit.config import Config, Overrides, load_config
from ssot_audit.model import AuditResult, Finding, RecordedScore
from ssot_audit.pipeline import last_audit
from ssot_audit.pipeline.discovery import project_root
from ssot_audit.pipeline.git import GitError
from ssot_audit.workflows import baseline as baselines
from ssot_audit.workflows import check as checks
from ssot_audit.workflows import gitdiff
from ssot_audit.workflows.atomic import write_text_atomic
from ssot_audit.workflows.gate import failures

if TYPE_CHECKING:
    # Imported where they run: the rules, the engine and the fixes import libcst, which a
    # re-run of an unchanged tree never needs (pipeline/last_audit.py).
    from ssot_audit.analysis.plugins import Registry
    from ssot_audit.pipeline.engine import ProgressCallback
    from ssot_audit.workflows.fixes import FileFix, FixProblem

DEFAULT_BASELINE = Path(".ssot-baseline.json")
REPORT_SCHEMA = "report-v1.schema.json"


class UsageError(Exception):
    """A request that cannot run as asked (a bad option, config, baseline or git ref): one
    line naming the option or key, the value and what is allowed. The CLI exits 2 on it."""


@dataclass(frozen=True)
class Options:
    """What every command shares: the configuration, the rules to run and how to run them."""

    config_file: Path | None = None
    select: Sequence[str] | None = None
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    fail_under: float | None = None
    jobs: int | None = None
    use_cache: bool = True
    progress: ProgressCallback | None = None


@dataclass
class AuditRun:
    """One audit: its result, the configuration it ran with, why its gate failed (nothing
    when it passed) and what the user should hear about (an unusable cache folder)."""

    result: AuditResult
    config: Config
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class CheckRun:
    """`check`: one result per project the files belong to, cut down to those files."""

    results: list[AuditResult]
    files: int
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The configuration of each result's project, in the same order (its report header).
    configs: list[Config] = field(default_factory=list)


@dataclass
class FixRun:
    """`fix`: the fixes (applied unless asked not to), the files that could not be fixed, and
    the findings of fixing rules left as they are, each of whose messages says why."""

    fixes: list[FileFix]
    problems: list[FixProblem]
    unfixed: list[Finding]
    warnings: list[str] = field(default_factory=list)

    @property
    def fixed(self) -> int:
        return sum(f.findings for f in self.fixes)


@dataclass
class _Setup:
    config: Config
    targets: list[Path]
    root: Path
    warnings: list[str]
    loaded: Registry | None = None
    # Where this request's last audit is kept, and that audit when nothing it depended on
    # has changed (pipeline/last_audit.py): then no rule is loaded unless something asks.
    place: last_audit.Place | None = None
    reused: AuditResult | None = None

    @property
    def registry(self) -> Registry:
        if self.loaded is None:
            self.loaded, warnings = _registry()
            self.warnings.extend(w for w in warnings if w not in self.warnings)
        return self.loaded


def audit(
    paths: Sequence[Path],
    options: Options = Options(),
    *,
    baseline: Path | None = None,
    diff_against: str | None = None,
) -> AuditRun:
    """Audit paths; with `baseline`, mark findings new or unchanged against that file; with
    `diff_against`, against the tree at that git ref. `failures` says why the gate fails."""
    if baseline is not None and diff_against is not None:
        raise UsageError("--baseline and --diff-against cannot be used together")
    setup = _prepare(paths, options)
    recorded = _read_baseline(baseline, setup.root)
    result = _run(setup, options, setup.targets, setup.root)
    gated = setup.config.fail_under is not None or baseline is not None
    if result.files_scanned == 0:
        _nothing_found(setup, gated)
    if recorded is not None:
        result = baselines.apply(
            result, baselines.covered(recorded.findings, setup.root, setup.targets), recorded.score
        )
    if diff_against is not None:
        quiet = dataclasses.replace(options, progress=None)
        try:
            before, commit = gitdiff.audit_before(
                diff_against,
                setup.targets,
                setup.root,
                lambda t, r: _run(setup, quiet, list(t), r),
                gitdiff.source_filter(setup.config.settings.include, setup.targets),
            )
        except GitError as exc:
            raise UsageError(str(exc)) from None
        result = gitdiff.with_changes(result, before, diff_against, commit)
    reasons = failures(result, setup.config.fail_under, baseline=recorded is not None)
    return AuditRun(result, setup.config, reasons, setup.warnings)


def diff(ref: str, paths: Sequence[Path], options: Options = Options()) -> AuditRun:
    """Audit paths today and as they were at a git ref: what is new, what was eliminated."""
    return audit(paths, options, diff_against=ref)


def baseline(paths: Sequence[Path], options: Options = Options(), output: Path = DEFAULT_BASELINE) -> AuditRun:
    """Record today's findings in `output` for a gate that fails on new ones only."""
    setup = _prepare(paths, options)
    result = _run(setup, options, setup.targets, setup.root)
    if result.files_scanned == 0:
        _nothing_found(setup, gated=False)
    score = RecordedScore(result.score, result.score_formula_version, tuple(result.paths))
    _write(output, baselines.dumps(str(setup.root), result.findings, output, score), "--output")
    return AuditRun(result, setup.config, [], setup.warnings)


def check(files: Sequence[Path], options: Options = Options(), *, baseline: Path | None = None) -> CheckRun:
    """Report and gate only `files`, each audited within its whole project so cross-file
    rules see the untouched files too. Any finding there fails (with a baseline, a new one)."""
    for file in files:
        if file.is_dir():
            raise UsageError(f"{file}: is a folder; check takes files (audit a folder with `ssot-audit audit {file}`)")
        if not file.is_file():
            raise UsageError(f"{file}: no such file")
    registry, warnings = _registry()
    run = CheckRun([], len(files), [], warnings)
    for root, members in checks.by_project(files).items():
        config = _config(registry, root, options)
        _refuse_other_files(members, config)
        recorded = _read_baseline(baseline, root)
        setup = _Setup(config, [root, *members], root, run.warnings, loaded=registry)
        whole = _run(setup, options, setup.targets, root)
        run.results.append(checks.only(whole, checks.relpaths(root, members), recorded.findings if recorded else None))
        run.configs.append(config)
    for result in run.results:
        run.failures += failures(result, None, baseline=baseline is not None, every_finding=True)
    return run


def fix(paths: Sequence[Path], options: Options = Options(), *, write: bool = True) -> FixRun:
    """Apply the safe autofixes (or, with `write=False`, only plan them, for a diff)."""
    from ssot_audit.workflows.fixes import plan_fixes

    setup = _prepare(paths, options)
    result = _run(setup, options, setup.targets, setup.root)
    fixes, problems = plan_fixes(setup.root, [f for f in result.active_findings if f.fixable], setup.registry.rules)
    unfixed = [
        f
        for f in result.active_findings
        if not f.fixable and f.rule in setup.registry.rules and setup.registry.rules[f.rule].fixable
    ]
    if write:
        for file_fix in fixes:
            try:
                file_fix.apply()
            except OSError as exc:
                raise UsageError(f"{file_fix.relpath}: cannot write: {exc.strerror or exc}") from None
    return FixRun(fixes, problems, unfixed, setup.warnings)


def report_schema() -> str:
    """The JSON Schema of `--format json`, as shipped in the package."""
    return (resources.files("ssot_audit") / REPORT_SCHEMA).read_text(encoding="utf-8")


def write_report(path: Path, text: str) -> None:
    """Write a rendered report atomically, creating missing folders."""
    _write(path, text, "--output")


# -- the shared steps ---------------------------------------------------------------


def _registry() -> tuple[Registry, list[str]]:
    from ssot_audit.analysis.plugins import Registry

    registry = Registry.load()
    return registry, list(registry.warnings)


def _overrides(options: Options) -> Overrides:
    return Overrides(
        select=options.select, extend_select=options.extend_select, ignore=options.ignore, fail_under=options.fail_under
    )


def _check_jobs(options: Options) -> None:
    if options.jobs is not None and options.jobs < 1:
        raise UsageError(f"--jobs {options.jobs}: must be 1 or more")


def _config(registry: Registry, start: Path, options: Options) -> Config:
    _check_jobs(options)
    try:
        config = load_config(registry, start, options.config_file, _overrides(options))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if not config.enabled:
        # Running no rule would score 100 and pass any gate: say so instead.
        where = f"{config.source}" if config.source is not None else "the defaults"
        raise UsageError(
            f"select {', '.join(config.settings.select)} minus ignore {', '.join(config.settings.ignore) or '-'} "
            f"(from the command line and {where}) leaves no rule to run"
        )
    return config


def _prepare(paths: Sequence[Path], options: Options) -> _Setup:
    targets = list(paths) or [Path(".")]
    for target in targets:
        if not target.exists():
            raise UsageError(f"{target}: no such file or directory")
    _check_jobs(options)
    place = None
    if options.use_cache:
        request = last_audit.Request(tuple(targets), options.config_file, _overrides(options))
        place = last_audit.place(request)
        stored = last_audit.reuse(request, place) if place is not None else None
        if stored is not None:
            _refuse_other_files([t for t in targets if t.is_file()], stored.config)
            root = Path(stored.result.root)
            return _Setup(stored.config, targets, root, list(stored.warnings), place=place, reused=stored.result)
    registry, warnings = _registry()
    config = _config(registry, targets[0].resolve(), options)
    _refuse_other_files([t for t in targets if t.is_file()], config)
    # A config found above the paths marks the project's root; one named with --config may
    # live anywhere (a CI folder, /tmp), so then the project markers decide.
    found = config.source is not None and options.config_file is None
    root = project_root(targets, config.base if found else None)
    if config.source is None:
        # No config file: the project is the root (as `check` finds it), and so is the cache's
        # place, so that `audit django` and `check django/x.py` share one cache and index.
        config = dataclasses.replace(config, base=root)
    return _Setup(config, targets, root, warnings, loaded=registry, place=place)


def _refuse_other_files(files: Sequence[Path], config: Config) -> None:
    """A file named on the command line must be one `include` takes (or a script with a
    Python shebang, as pre-commit's `types: [python]` passes): auditing notes.txt as Python
    would score it 100, and README.md would be one syntax error."""
    include = compile_globs(list(config.settings.include))
    for file in files:
        if include.match_file(file.name) or _python_script(file):
            continue
        raise UsageError(
            f"{file}: not a Python file (include = {list(config.settings.include)}); "
            "add a pattern for it to `include` to audit it"
        )


def _python_script(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            first = fh.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def _run(setup: _Setup, options: Options, targets: Sequence[Path], root: Path) -> AuditResult:
    whole_request = list(targets) == setup.targets and root == setup.root
    if setup.reused is not None and whole_request:
        return setup.reused
    from ssot_audit.pipeline.engine import Engine

    engine = Engine(setup.registry, setup.config, use_cache=options.use_cache, progress=options.progress)
    if options.jobs is not None:
        engine.jobs = options.jobs
    started = time.time_ns()
    try:
        result = engine.audit(targets, root)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    setup.warnings.extend(w for w in engine.warnings if w not in setup.warnings)
    if setup.place is not None and whole_request and engine.sources is not None and not engine.warnings:
        last_audit.remember(
            setup.place,
            started,
            engine.found,
            engine.signatures,
            engine.sources,
            setup.config,
            setup.registry.warnings,
            result,
        )
    return result


def _nothing_found(setup: _Setup, gated: bool) -> None:
    where = ", ".join(str(t) for t in setup.targets)
    why = "virtualenvs, site-packages and build folders, `exclude` and .gitignore leave files out"
    if gated:
        # A gate over nothing would pass whatever the code is.
        raise UsageError(f"no Python files found in {where}: nothing to gate ({why})")
    setup.warnings.append(f"no Python files found in {where} ({why})")


def _read_baseline(path: Path | None, root: Path) -> baselines.Baseline | None:
    if path is None:
        return None
    try:
        return baselines.load(path, str(root))
    except baselines.BaselineError as exc:
        raise UsageError(str(exc)) from None


def _write(path: Path, text: str, option: str) -> None:
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise UsageError(f"{option} {path}: {exc.strerror or exc}") from None
