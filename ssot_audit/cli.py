"""The `ssot-audit` command line: parse options, call `ssot_audit.api`, format what it
returns and map it to an exit code. Every usage error is one `ssot-audit: error:` line and
exit 2, whether the API, the config or the option parser found it."""

from __future__ import annotations

import difflib
import functools
import itertools
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ssot_audit import __version__, api
from ssot_audit.config import ReportSettings
from ssot_audit.model import AuditResult, plural
from ssot_audit.render import EXTENSIONS, Renderer, markdown, renderers, text
from ssot_audit.render.text import render_findings
from ssot_audit.workflows.gate import new_findings

if TYPE_CHECKING:
    from ssot_audit.pipeline.engine import ProgressCallback

EXIT_OK, EXIT_GATE, EXIT_USAGE = 0, 1, 2
FORMATS = "|".join(renderers())

# -- options shared by several commands, declared once ------------------------------
# Arguments are described in each command's docstring: typer would print their Python type.
Paths = Annotated[list[Path] | None, typer.Argument(metavar="PATH", hidden=True)]
ConfigFile = Annotated[
    Path | None, typer.Option("--config", metavar="FILE", help="pyproject.toml or .ssot-audit.yaml to use.")
]
Select = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        metavar="RULES",
        help="Rules to run instead of the config's: codes, names, prefixes (SSOT1) or categories, comma-separated.",
    ),
]
ExtendSelect = Annotated[
    list[str] | None, typer.Option("--extend-select", metavar="RULES", help="Rules to run on top of the selected ones.")
]
Ignore = Annotated[
    list[str] | None,
    typer.Option("--ignore", metavar="RULES", help="Rules to skip: codes, names, prefixes or categories."),
]
Jobs = Annotated[int | None, typer.Option("--jobs", "-j", metavar="N", help="Worker processes (default: all cores).")]
NoCache = Annotated[bool, typer.Option("--no-cache", metavar="", help="Neither read nor write the cache.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", metavar="", help="Print the findings and errors, nothing else.")]
ShowKnown = Annotated[
    bool,
    typer.Option(
        "--show-known",
        metavar="",
        help="With --baseline or --diff-against, also list the known findings (default: only new ones).",
    ),
]
ExitZero = Annotated[
    bool, typer.Option("--exit-zero", metavar="", help="Exit 0 even when the gate fails (usage errors still exit 2).")
]
OutputFormat = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar=FORMATS,
        show_default=False,
        help="What to print: text (default), markdown (the scored report), json, sarif (code scanning), "
        "github (workflow annotations) or gitlab (code quality).",
    ),
]
BaselineFile = Annotated[
    Path | None,
    typer.Option(
        "--baseline", metavar="FILE", help="A file from `ssot-audit baseline`: only findings not recorded in it fail."
    ),
]

app = typer.Typer(
    name="ssot-audit",
    help="Audit a Python codebase for single-source-of-truth compliance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help, as ruff and pylint print it: no boxes, and no Python types beside the flags.
    rich_markup_mode=None,
)


def split_list(values: Sequence[str] | None) -> list[str] | None:
    """`--select SSOT1,SSOT2 --select any-usage` -> ["SSOT1", "SSOT2", "any-usage"]."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def options(
    config_file: Path | None = None,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    fail_under: float | None = None,
    jobs: int | None = None,
    no_cache: bool = False,
    progress: ProgressCallback | None = None,
) -> api.Options:
    return api.Options(
        config_file=config_file,
        select=split_list(select),
        extend_select=split_list(extend_select) or (),
        ignore=split_list(ignore) or (),
        fail_under=fail_under,
        jobs=jobs,
        use_cache=not no_cache,
        progress=progress,
    )


def use_color(stream: IO[str]) -> bool:
    """NO_COLOR (no-color.org) wins, then FORCE_COLOR (force-color.org), else a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty()


def warn(messages: Sequence[str], quiet: bool) -> None:
    if not quiet:
        for message in messages:
            typer.echo(f"ssot-audit: warning: {message}", err=True)


def show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def progress_bar(enabled: bool) -> Iterator[ProgressCallback | None]:
    if not enabled:
        yield None
        return
    # Here, not at the top: only a terminal shows the bar, and rich.progress takes 20 ms.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("auditing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("files", total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with progress:
        yield update


def check_format(output_format: str | None, known: dict[str, Renderer]) -> None:
    if output_format is not None and output_format not in known:
        raise api.UsageError(f"--format {output_format}: unknown format (choose from {', '.join(known)})")


def parse_output(spec: str, default_format: str) -> tuple[str, Path]:
    """`markdown:audit.md` -> ("markdown", audit.md); `audit.json` -> ("json", audit.json);
    a file without a suffix gets the --format. An unknown suffix is refused, not filled with
    text: `-o report.html` holding a terminal summary is never what was meant."""
    known = renderers()
    head, sep, tail = spec.partition(":")
    if sep and head in known:
        return head, Path(tail)
    if sep and head and not (len(head) == 1 and head.isalpha()):  # not a Windows drive
        raise api.UsageError(f"--output {spec}: unknown format '{head}' (choose from {', '.join(known)})")
    suffix = Path(spec).suffix.lower()
    if suffix and suffix not in EXTENSIONS:
        raise api.UsageError(
            f"--output {spec}: no format writes '{suffix}' files; name one as FORMAT:FILE "
            f"({', '.join(known)}) or use {', '.join(sorted(EXTENSIONS))}"
        )
    return EXTENSIONS.get(suffix, default_format), Path(spec)


def markdown_renderer(template: Path | None, date: str | None, heading: ReportSettings | None = None) -> Renderer:
    """The Markdown renderer with the user's template, date and header (title, scope, context)."""
    try:
        markdown.report_date(date)
        heading = heading or ReportSettings()
        return markdown.MarkdownRenderer(template, date, heading.title, heading.context, heading.scope)
    except (markdown.TemplateError, markdown.DateError) as exc:
        raise api.UsageError(str(exc)) from None


def check_date(date: str | None) -> None:
    """A bad --date is refused even when no Markdown report is written, as it always was."""
    try:
        markdown.report_date(date)
    except markdown.DateError as exc:
        raise api.UsageError(str(exc)) from None


def report_heading(
    configured: ReportSettings, title: str | None, scope: str | None, context: str | None
) -> ReportSettings:
    """The report's header: each option given on the command line wins over the config's."""
    return ReportSettings(
        title=configured.title if title is None else title,
        scope=configured.scope if scope is None else scope,
        context=configured.context if context is None else context,
    )


def render_report(renderer: Renderer, result: AuditResult, color: bool) -> str:
    try:
        return renderer(result, color)
    except (markdown.TemplateError, markdown.DateError) as exc:
        raise api.UsageError(str(exc)) from None


def statistics(results: Sequence[AuditResult]) -> str:
    """`--statistics`: how many findings each rule has, most first (as ruff prints them)."""
    counts: Counter[tuple[str, str]] = Counter((f.rule, f.name) for result in results for f in result.active_findings)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{count:>5}  {code}  {name}\n" for (code, name), count in ranked)


def gate(reasons: list[str], quiet: bool, exit_zero: bool) -> int:
    if not reasons:
        return EXIT_OK
    if not quiet:
        typer.echo(f"ssot-audit: {'; '.join(reasons)}", err=True)
    return EXIT_OK if exit_zero else EXIT_GATE


@app.command("audit", short_help="Audit files and folders: findings and scores.")
def audit_command(
    paths: Paths = None,
    output_format: OutputFormat = None,
    output: Annotated[
        list[str] | None,
        typer.Option("--output", "-o", metavar="[FORMAT:]FILE", help="Write a report, atomically; repeatable."),
    ] = None,
    config_file: ConfigFile = None,
    select: Select = None,
    extend_select: ExtendSelect = None,
    ignore: Ignore = None,
    fail_under: Annotated[
        float | None,
        typer.Option("--fail-under", metavar="SCORE", help="Exit 1 when the overall score is below SCORE (0-100)."),
    ] = None,
    baseline_file: BaselineFile = None,
    diff_against: Annotated[
        str | None,
        typer.Option(
            "--diff-against",
            metavar="GIT_REF",
            help="Also audit the tree at this git ref and report what is new and what was eliminated; "
            "with --fail-under, a lower score or a new finding fails.",
        ),
    ] = None,
    exit_zero: ExitZero = False,
    show_statistics: Annotated[
        bool, typer.Option("--statistics", metavar="", help="Print how many findings each rule has, not the findings.")
    ] = False,
    jobs: Jobs = None,
    no_cache: NoCache = False,
    quiet: Quiet = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", metavar="", help="Say how many files were parsed or cached.")
    ] = False,
    template: Annotated[
        Path | None,
        typer.Option("--template", metavar="FILE", help="Render the Markdown report with this Jinja2 template."),
    ] = None,
    report_date: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="YYYY-MM-DD", help="Date of the Markdown report (default: SOURCE_DATE_EPOCH or today)."
        ),
    ] = None,
    show_known: ShowKnown = False,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="Title of the Markdown report.")] = None,
    scope: Annotated[
        str | None, typer.Option("--scope", metavar="TEXT", help="What the audit covers, in the report's header.")
    ] = None,
    context: Annotated[
        str | None,
        typer.Option("--context", metavar="TEXT", help="What the audit is about, under the Markdown report's header."),
    ] = None,
) -> int:
    """Audit the files and folders PATH (default .) and print findings and scores."""
    known = renderers()
    check_format(output_format, known)
    if show_statistics and output_format not in (None, "text"):
        raise api.UsageError(f"--statistics prints counts as text: it cannot be combined with --format {output_format}")
    outputs = [parse_output(spec, output_format or "text") for spec in output or []]
    if template is not None and "markdown" not in {output_format, *(fmt for fmt, _ in outputs)}:
        if output_format is not None or outputs:
            raise api.UsageError("--template renders the Markdown report: add --format markdown or -o markdown:FILE")
        output_format = "markdown"
    # Checked before the audit runs, so a bad template or date costs no audit; rebuilt after
    # it with the config's report header, which only the audit's config lookup finds. Built
    # only when a Markdown report is asked for: compiling the template is a tenth of a second,
    # a large share of a warm run that prints text.
    wants_markdown = "markdown" in {output_format, *(fmt for fmt, _ in outputs)}
    if wants_markdown:
        markdown_renderer(template, report_date)
    else:
        check_date(report_date)
    if show_known:
        known["text"] = functools.partial(text.render, show_known=True)
    with progress_bar(show_progress(quiet)) as progress:
        run = api.audit(
            paths or [],
            options(config_file, select, extend_select, ignore, fail_under, jobs, no_cache, progress),
            baseline=baseline_file,
            diff_against=diff_against,
        )
    warn(run.warnings, quiet)
    result = run.result
    if wants_markdown:
        known["markdown"] = markdown_renderer(
            template, report_date, report_heading(run.config.report, title, scope, context)
        )
    if verbose:
        typer.echo(
            f"ssot-audit: {result.stats.files_parsed} files parsed, {result.stats.cache_hits} from cache", err=True
        )
    for fmt, target in outputs:
        api.write_report(target, render_report(known[fmt], result, False))
        if not quiet:
            typer.echo(f"ssot-audit: wrote {fmt} report to {target}", err=True)
    if show_statistics:
        sys.stdout.write(statistics([result]))
    elif output_format is not None or not outputs:
        fmt = output_format or "text"
        color = fmt == "text" and use_color(sys.stdout)
        if fmt == "text" and quiet:
            sys.stdout.write(render_findings([result], color, show_known))  # the findings, nothing else
        else:
            sys.stdout.write(render_report(known[fmt], result, color))
    return gate(run.failures, quiet, exit_zero)


@app.command("baseline", short_help="Record today's findings for --baseline.")
def write_baseline(
    paths: Paths = None,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="FILE", help="The baseline file to write (JSON).", show_default=True),
    ] = api.DEFAULT_BASELINE,
    config_file: ConfigFile = None,
    select: Select = None,
    extend_select: ExtendSelect = None,
    ignore: Ignore = None,
    jobs: Jobs = None,
    no_cache: NoCache = False,
    quiet: Quiet = False,
) -> int:
    """Record today's findings in PATH (default .) so that `--baseline FILE` fails on new ones only."""
    with progress_bar(show_progress(quiet)) as progress:
        run = api.baseline(
            paths or [], options(config_file, select, extend_select, ignore, None, jobs, no_cache, progress), output
        )
    warn(run.warnings, quiet)
    if not quiet:
        typer.echo(f"ssot-audit: recorded {plural(len(run.result.active_findings), 'findings')} in {output}", err=True)
    return EXIT_OK


@app.command("check", short_help="Report and gate only the given files (pre-commit).")
def check_files(
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="FILE", hidden=True),
    ] = None,
    output_format: OutputFormat = None,
    config_file: ConfigFile = None,
    select: Select = None,
    extend_select: ExtendSelect = None,
    ignore: Ignore = None,
    baseline_file: BaselineFile = None,
    exit_zero: ExitZero = False,
    jobs: Jobs = None,
    no_cache: NoCache = False,
    quiet: Quiet = False,
    show_known: ShowKnown = False,
) -> int:
    """Report and gate only FILE (pre-commit passes the staged ones); cross-file rules still see each file's whole project."""
    known = renderers()
    check_format(output_format, known)
    run = api.check(
        files or [], options(config_file, select, extend_select, ignore, None, jobs, no_cache), baseline=baseline_file
    )
    warn(run.warnings, quiet)
    fmt = output_format or "text"
    if fmt == "text":
        sys.stdout.write(render_findings(run.results, use_color(sys.stdout), show_known))
    elif len(run.results) > 1:
        raise api.UsageError(
            f"--format {fmt}: the files belong to {len(run.results)} projects; check one project at a time"
        )
    elif run.results:
        if fmt == "markdown":
            known[fmt] = markdown_renderer(None, None, run.configs[0].report)
        sys.stdout.write(render_report(known[fmt], run.results[0], False))
    if not quiet:
        found = sum(len(r.active_findings) for r in run.results)
        count = sum(new_findings(r) for r in run.results)
        new = f" ({count} new)" if baseline_file is not None else ""
        hidden = (
            ""
            if show_known or baseline_file is None
            else f"; {found - count} known, not listed (--show-known lists them)"
        )
        typer.echo(
            f"ssot-audit: {plural(found, 'findings')}{new} in {plural(run.files, 'checked files')}{hidden}", err=True
        )
    return gate(run.failures, True, exit_zero)


@app.command("fix", short_help="Apply the safe autofixes (--diff shows them).")
def fix_command(
    paths: Paths = None,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff", metavar="", help="Print the fixes as a unified diff, write nothing; exit 1 if there are any."
        ),
    ] = False,
    config_file: ConfigFile = None,
    select: Select = None,
    extend_select: ExtendSelect = None,
    ignore: Ignore = None,
    jobs: Jobs = None,
    no_cache: NoCache = False,
    quiet: Quiet = False,
) -> int:
    """Apply the safe autofixes in PATH (default .): relative imports to absolute ones; --diff shows them instead."""
    run = api.fix(
        paths or [], options(config_file, select, extend_select, ignore, None, jobs, no_cache), write=not diff
    )
    warn(run.warnings, quiet)
    for problem in run.problems:
        typer.echo(f"ssot-audit: {problem.relpath}: {problem.message}", err=True)
    if not quiet:
        # Findings of a fixing rule that it could not fix safely: say which, and why (the message says).
        for finding in run.unfixed:
            typer.echo(f"ssot-audit: {finding.path}:{finding.line}: not fixed: {finding.message}", err=True)
    if diff:
        for file_fix in run.fixes:
            sys.stdout.write(file_fix.diff())
    if not quiet:
        verb = "would fix" if diff else "fixed"
        typer.echo(f"ssot-audit: {verb} {plural(run.fixed, 'findings')} in {plural(len(run.fixes), 'files')}", err=True)
    # As `ruff check --diff`: fixes pending is a failed check.
    return EXIT_GATE if diff and run.fixes else EXIT_OK


@app.command("rules")
def list_rules() -> int:
    """List every rule: code, name, category, severity, what it finds."""
    from ssot_audit.analysis.plugins import Registry

    registry = Registry.load()
    warn(registry.warnings, False)
    table = Table()
    for column in ("Code", "Name", "Category", "Severity", "Fix", "Summary"):
        table.add_column(column)
    for rule in registry.sorted():
        table.add_row(
            rule.code, rule.name, rule.category.id, rule.severity.value, "yes" if rule.fixable else "", rule.summary
        )
    Console(width=max(120, Console().width), soft_wrap=False).print(table)
    return EXIT_OK


@app.command("rule", short_help="Explain one rule.")
def explain_rule(
    # Optional to the parser only, so that the usage line reads [CODE_OR_NAME], not {CODE_OR_NAME}.
    code_or_name: Annotated[str | None, typer.Argument(metavar="CODE_OR_NAME", hidden=True)] = None,
) -> int:
    """Explain one rule (CODE_OR_NAME: SSOT101 or relative-import): what it finds, why it matters, an example, the fix."""
    if code_or_name is None:
        raise api.UsageError("rule: name a rule by code or name, as in `ssot-audit rule SSOT101`")
    from ssot_audit.analysis.plugins import Registry, documentation

    registry = Registry.load()
    warn(registry.warnings, False)
    rule = registry.by_code_or_name(code_or_name)
    if rule is None:
        from ssot_audit.config import suggestion

        raise api.UsageError(f"unknown rule '{code_or_name}'{suggestion(registry, code_or_name)}")
    text = documentation(rule)
    if sys.stdout.isatty():
        # Here, not at the top: rich.markdown (and markdown-it) cost every command ~35 ms to import.
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text)
    return EXIT_OK


@app.command("schema")
def print_schema() -> int:
    """Print the JSON Schema of `--format json` (schema version 1)."""
    sys.stdout.write(api.report_schema())
    return EXIT_OK


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"ssot-audit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", metavar="", callback=version_callback, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Audit a Python codebase for single-source-of-truth compliance."""


def _terminate(signum: int, _frame: object) -> None:
    # Unwinds like Ctrl-C: the audit's workers are killed and reaped on the way out, and no
    # report is written, since reports are written only once the audit is whole.
    raise SystemExit(128 + signum)


def usage_message(exc: typer.TyperException, args: Sequence[str]) -> str:
    """typer's parser errors as one line: the option, the value given, what is wrong."""
    kind = type(exc).__name__
    if kind == "NoSuchOption":
        name = str(getattr(exc, "option_name", ""))
        near = difflib.get_close_matches(name, list(getattr(exc, "possibilities", None) or ()), n=1, cutoff=0.75)
        return f"unknown option '{name}'" + (f" (did you mean '{near[0]}'?)" if near else "")
    param = getattr(exc, "param", None)
    opts = list(getattr(param, "opts", None) or [])
    message = " ".join(str(getattr(exc, "message", "") or exc.format_message()).split())
    if kind == "BadParameter" and opts:
        value = next((v for o, v in itertools.pairwise(args) if o in opts), None)
        value = value or next((a.split("=", 1)[1] for a in args if a.split("=", 1)[0] in opts and "=" in a), None)
        name = max(opts, key=len)  # --jobs, not -j
        shown = f"{name} {value}" if value is not None else name
        return f"{shown}: {message[:1].lower()}{message[1:]}"
    command = re.fullmatch(r"No such command '(.*)'\.(?: Did you mean '(.*)'\?)?", message)
    if command:
        return f"unknown command '{command[1]}'" + (f" (did you mean '{command[2]}'?)" if command[2] else "")
    return (message[:1].lower() + message[1:]).rstrip(".")


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _terminate)
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="ssot-audit", standalone_mode=False)
    except api.UsageError as exc:
        typer.echo(f"ssot-audit: error: {exc}", err=True)
        code = EXIT_USAGE
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(exc.format_message())  # `ssot-audit` alone: the help, as a usage error
        else:
            typer.echo(f"ssot-audit: error: {usage_message(exc, args)}", err=True)
        code = EXIT_USAGE
    except typer.Abort:
        code = EXIT_GATE
    sys.exit(code if isinstance(code, int) else EXIT_OK)
