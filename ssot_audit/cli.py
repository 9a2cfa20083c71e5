"""The `ssot-audit` command line: parse arguments, run the audit, render, pick the exit code."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ssot_audit import __version__
from ssot_audit.analysis.options import ConfigError
from ssot_audit.analysis.plugins import Registry, documentation
from ssot_audit.config import Config, Overrides, load_config
from ssot_audit.model import AuditResult, Finding, plural
from ssot_audit.pipeline.discovery import project_root
from ssot_audit.pipeline.engine import Engine, ProgressCallback
from ssot_audit.pipeline.git import GitError
from ssot_audit.render import EXTENSIONS, Renderer, markdown, renderers
from ssot_audit.render.text import render_findings
from ssot_audit.workflows import baseline, check, gitdiff
from ssot_audit.workflows.atomic import write_text_atomic
from ssot_audit.workflows.fixes import plan_fixes
from ssot_audit.workflows.gate import failures, new_findings

EXIT_OK, EXIT_GATE, EXIT_USAGE = 0, 1, 2
BASELINE_OPTION = typer.Option(
    "--baseline", metavar="FILE", help="A file from `ssot-audit baseline`: only findings not recorded in it fail."
)

app = typer.Typer(
    name="ssot-audit",
    help="Audit a Python codebase for single-source-of-truth compliance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str) -> NoReturn:
    typer.echo(f"ssot-audit: error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def load_registry() -> Registry:
    registry = Registry.load()
    for warning in registry.warnings:
        typer.echo(f"ssot-audit: warning: {warning}", err=True)
    return registry


def split_list(values: Sequence[str] | None) -> list[str] | None:
    """`--select SSOT1,SSOT2 --select any-usage` -> ["SSOT1", "SSOT2", "any-usage"]."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def progress_bar(enabled: bool) -> Iterator[ProgressCallback | None]:
    if not enabled:
        yield None
        return
    progress = Progress(
        TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    )
    task = progress.add_task("files", total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with progress:
        yield update


def markdown_renderer(template: Path | None, date: str | None) -> Renderer:
    """The Markdown renderer with the user's template and date, checked before the audit runs."""
    try:
        markdown.report_date(date)
        return markdown.MarkdownRenderer(template, date)
    except (markdown.TemplateError, markdown.DateError) as exc:
        fail(str(exc))


def render_report(renderer: Renderer, result: AuditResult, color: bool) -> str:
    try:
        return renderer(result, color)
    except (markdown.TemplateError, markdown.DateError) as exc:
        fail(str(exc))


def parse_output(spec: str, default_format: str) -> tuple[str, Path]:
    """`markdown:audit.md` -> ("markdown", audit.md); `audit.json` -> ("json", audit.json)."""
    known = renderers()
    head, sep, tail = spec.partition(":")
    if sep and head in known:
        return head, Path(tail)
    if sep and head and not (len(head) == 1 and head.isalpha()):  # not a Windows drive
        fail(f"--output {spec}: unknown format '{head}' (choose from {', '.join(known)})")
    return EXTENSIONS.get(Path(spec).suffix.lower(), default_format), Path(spec)


def prepare(paths: list[Path] | None, config_file: Path | None, overrides: Overrides) -> tuple[Registry, Config, list[Path], Path]:
    targets = paths or [Path(".")]
    missing = [p for p in targets if not p.exists()]
    if missing:
        fail(f"{missing[0]}: no such file or directory")
    registry = load_registry()
    try:
        config = load_config(registry, targets[0].resolve(), config_file, overrides)
    except ConfigError as exc:
        fail(str(exc))
    # A config found above the paths marks the project's root; one named with --config may
    # live anywhere (a CI folder, /tmp), so then the project markers decide.
    found = config.source is not None and config_file is None
    root = project_root(targets, config.base if found else None)
    return registry, config, targets, root


def run_audit(registry: Registry, config: Config, targets: list[Path], root: Path, jobs: int | None, no_cache: bool, quiet: bool) -> AuditResult:
    with progress_bar(show_progress(quiet)) as progress:
        engine = Engine(registry, config, use_cache=not no_cache, progress=progress)
        if jobs is not None:
            engine.jobs = max(1, jobs)
        try:
            result = engine.audit(targets, root)
        except ConfigError as exc:
            fail(str(exc))
    for warning in engine.warnings:
        typer.echo(f"ssot-audit: warning: {warning}", err=True)
    return result


@app.command()
def audit(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to audit (default: .).")] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format", show_default=False,
            help="text, markdown (the scored report), json, sarif (code scanning) or github (workflow "
            "annotations); default: text.",
        ),
    ] = None,
    output: Annotated[
        list[str] | None, typer.Option("--output", "-o", help="[FORMAT:]FILE to write, atomically; repeatable.")
    ] = None,
    config_file: Annotated[Path | None, typer.Option("--config", help="pyproject.toml or .ssot-audit.yaml to use.")] = None,
    select: Annotated[list[str] | None, typer.Option(help="Rules to run: codes, names or prefixes (SSOT1).")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Rules to skip: codes, names or prefixes.")] = None,
    fail_under: Annotated[float | None, typer.Option(help="Exit 1 when the overall score is below this.")] = None,
    baseline_file: Annotated[Path | None, BASELINE_OPTION] = None,
    diff_against: Annotated[
        str | None,
        typer.Option(
            "--diff-against", metavar="GIT_REF",
            help="Also audit the tree at this git ref and report what is new and what was eliminated; "
            "with --fail-under, a lower score or a new finding fails.",
        ),
    ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes (default: all cores).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but findings and errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say how many files were parsed or cached.")] = False,
    template: Annotated[
        Path | None, typer.Option("--template", metavar="FILE", help="Render the Markdown report with this Jinja2 template.")
    ] = None,
    report_date: Annotated[
        str | None,
        typer.Option("--date", metavar="YYYY-MM-DD", help="Date of the Markdown report (default: SOURCE_DATE_EPOCH or today)."),
    ] = None,
) -> None:
    """Audit PATHS and print findings and scores."""
    if baseline_file is not None and diff_against is not None:
        fail("--baseline and --diff-against cannot be used together")
    known = renderers()
    if output_format is not None and output_format not in known:
        fail(f"--format {output_format}: unknown format (choose from {', '.join(known)})")
    if fail_under is not None and not 0 <= fail_under <= 100:
        fail(f"--fail-under {fail_under}: must be between 0 and 100")
    outputs = [parse_output(spec, output_format or "text") for spec in output or []]
    if template is not None and "markdown" not in {output_format, *(fmt for fmt, _ in outputs)}:
        if output_format is not None or outputs:
            fail("--template renders the Markdown report: add --format markdown or -o markdown:FILE")
        output_format = "markdown"
    if template is not None or report_date is not None:
        known["markdown"] = markdown_renderer(template, report_date)
    overrides = Overrides(select=split_list(select), ignore=split_list(ignore), fail_under=fail_under)
    registry, config, targets, root = prepare(paths, config_file, overrides)
    recorded = read_baseline(baseline_file, root)
    result = run_audit(registry, config, targets, root, jobs, no_cache, quiet)
    if result.files_scanned == 0 and not quiet:
        # A score of 100 over nothing looks like a pass; say why nothing was read.
        typer.echo(
            f"ssot-audit: warning: no Python files found in {', '.join(str(t) for t in targets)} "
            "(virtualenvs, site-packages and build folders, `exclude` and .gitignore leave files out)",
            err=True,
        )
    if recorded is not None:
        result = baseline.apply(result, baseline.covered(recorded, root, targets))
    if diff_against is not None:
        try:
            before, commit = gitdiff.audit_before(
                diff_against, targets, root, lambda t, r: run_audit(registry, config, list(t), r, jobs, no_cache, True),
                gitdiff.source_filter(config.settings.include, targets),
            )
        except GitError as exc:
            fail(str(exc))
        result = gitdiff.with_changes(result, before, diff_against, commit)

    if verbose:
        typer.echo(f"ssot-audit: {result.stats.files_parsed} files parsed, {result.stats.cache_hits} from cache", err=True)
    for fmt, target in outputs:
        try:
            write_text_atomic(target, render_report(known[fmt], result, False))
        except OSError as exc:
            fail(f"--output {target}: {exc.strerror or exc}")
        if not quiet:
            typer.echo(f"ssot-audit: wrote {fmt} report to {target}", err=True)
    if output_format is not None or not outputs:
        fmt = output_format or "text"
        color = fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        sys.stdout.write(render_report(known[fmt], result, color))

    gate(failures(result, config.fail_under, baseline=recorded is not None), quiet)


def gate(reasons: list[str], quiet: bool) -> None:
    if reasons:
        if not quiet:
            typer.echo(f"ssot-audit: {'; '.join(reasons)}", err=True)
        raise typer.Exit(EXIT_GATE)


def read_baseline(baseline_file: Path | None, root: Path) -> list[Finding] | None:
    if baseline_file is None:
        return None
    try:
        return baseline.load(baseline_file, str(root))
    except baseline.BaselineError as exc:
        fail(str(exc))


@app.command("baseline")
def write_baseline(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to audit (default: .).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="The baseline file to write (JSON).")] = None,
    config_file: Annotated[Path | None, typer.Option("--config", help="pyproject.toml or .ssot-audit.yaml to use.")] = None,
    select: Annotated[list[str] | None, typer.Option(help="Rules to run: codes, names or prefixes (SSOT1).")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Rules to skip: codes, names or prefixes.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes (default: all cores).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Record today's findings in FILE so that `audit --baseline FILE` and `check --baseline FILE` fail on new ones only."""
    if output is None:
        fail("baseline: missing -o/--output FILE")
    overrides = Overrides(select=split_list(select), ignore=split_list(ignore))
    registry, config, targets, root = prepare(paths, config_file, overrides)
    result = run_audit(registry, config, targets, root, jobs, no_cache, quiet)
    try:
        write_text_atomic(output, baseline.dumps(str(root), result.findings, output))
    except OSError as exc:
        fail(f"--output {output}: {exc.strerror or exc}")
    if not quiet:
        typer.echo(f"ssot-audit: recorded {plural(len(result.active_findings), 'findings')} in {output}", err=True)


@app.command("check")
def check_files(
    files: Annotated[
        list[Path] | None, typer.Argument(metavar="FILE", help="The files to report on (pre-commit passes the staged ones).")
    ] = None,
    config_file: Annotated[Path | None, typer.Option("--config", help="pyproject.toml or .ssot-audit.yaml to use.")] = None,
    baseline_file: Annotated[Path | None, BASELINE_OPTION] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes (default: all cores).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but findings and errors.")] = False,
) -> None:
    """Report and gate only FILES; cross-file rules still see each file's whole project."""
    given = files or []
    missing = [f for f in given if not f.is_file()]
    if missing:
        fail(f"{missing[0]}: no such file")
    registry = load_registry()
    results = []
    for root, members in check.by_project(given).items():
        try:
            config = load_config(registry, root, config_file, Overrides())
        except ConfigError as exc:
            fail(str(exc))
        recorded = read_baseline(baseline_file, root)
        whole = run_audit(registry, config, [root, *members], root, jobs, no_cache, quiet)
        results.append(check.only(whole, check.relpaths(root, members), recorded))
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    sys.stdout.write(render_findings(results, color))
    reasons = [r for result in results for r in failures(result, None, baseline=baseline_file is not None, every_finding=True)]
    if not quiet:
        found = sum(len(r.active_findings) for r in results)
        new = f" ({sum(new_findings(r) for r in results)} new)" if baseline_file is not None else ""
        typer.echo(f"ssot-audit: {plural(found, 'findings')}{new} in {plural(len(given), 'checked files')}", err=True)
    gate(reasons, quiet=True)


@app.command()
def fix(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to fix (default: .).")] = None,
    diff: Annotated[bool, typer.Option("--diff", help="Print the fixes as a unified diff; write nothing.")] = False,
    config_file: Annotated[Path | None, typer.Option("--config", help="pyproject.toml or .ssot-audit.yaml to use.")] = None,
    select: Annotated[list[str] | None, typer.Option(help="Rules to fix: codes, names or prefixes.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Rules not to fix.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Apply the safe autofixes (relative imports to absolute ones); --diff shows them instead."""
    overrides = Overrides(select=split_list(select), ignore=split_list(ignore))
    registry, config, targets, root = prepare(paths, config_file, overrides)
    result = run_audit(registry, config, targets, root, None, False, quiet)
    fixable = [f for f in result.active_findings if f.fixable]
    fixes, problems = plan_fixes(root, fixable, registry.rules)
    for problem in problems:
        typer.echo(f"ssot-audit: {problem.relpath}: {problem.message}", err=True)
    if not quiet:
        # Findings of a fixing rule that it could not fix safely: say which, and why (the message says).
        for finding in result.active_findings:
            rule = registry.rules.get(finding.rule)
            if not finding.fixable and rule is not None and rule.fixable:
                typer.echo(f"ssot-audit: {finding.path}:{finding.line}: not fixed: {finding.message}", err=True)
    count = sum(f.findings for f in fixes)
    for file_fix in fixes:
        if diff:
            sys.stdout.write(file_fix.diff())
        else:
            try:
                file_fix.apply()
            except OSError as exc:
                fail(f"{file_fix.relpath}: cannot write: {exc.strerror or exc}")
    if not quiet:
        verb = "would fix" if diff else "fixed"
        typer.echo(f"ssot-audit: {verb} {plural(count, 'findings')} in {plural(len(fixes), 'files')}", err=True)


@app.command("rules")
def list_rules() -> None:
    """List every rule: code, name, category, severity, what it finds."""
    registry = load_registry()
    table = Table()
    for column in ("Code", "Name", "Category", "Severity", "Fix", "Summary"):
        table.add_column(column)
    for rule in registry.sorted():
        table.add_row(rule.code, rule.name, rule.category.id, rule.severity.value, "yes" if rule.fixable else "", rule.summary)
    Console(width=max(120, Console().width), soft_wrap=False).print(table)


@app.command("rule")
def explain_rule(code_or_name: Annotated[str, typer.Argument(metavar="CODE_OR_NAME")]) -> None:
    """Explain one rule: what it finds, why it matters, an example, the fix."""
    registry = load_registry()
    rule = registry.by_code_or_name(code_or_name)
    if rule is None:
        from ssot_audit.analysis.options import closest

        names = [r.code for r in registry.sorted()] + [r.name for r in registry.sorted()]
        fail(f"unknown rule '{code_or_name}'{closest(code_or_name, names)}")
    text = documentation(rule)
    if sys.stdout.isatty():
        # Here, not at the top: rich.markdown (and markdown-it) cost every command ~35 ms to import.
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text)


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"ssot-audit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Audit a Python codebase for single-source-of-truth compliance."""


def _terminate(signum: int, _frame: object) -> None:
    # Unwinds like Ctrl-C: the audit's workers are killed and reaped on the way out, and no
    # report is written, since reports are written only once the audit is whole.
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    app()
