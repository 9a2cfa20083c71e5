"""`--format markdown`: the scored audit report, rendered from Jinja2 templates.

The built-in templates ship in `ssot_audit.templates`; `--template FILE` renders a user's
own, which may also include or extend the built-in ones. A template is trusted code, rendered
in Jinja2's sandbox. The output is deterministic except
for the date, which `--date` or SOURCE_DATE_EPOCH fixes.
"""

from __future__ import annotations

import datetime
import os
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ssot_audit.model import AuditResult, Excerpt, plural, split_message
from ssot_audit.render.escaping import one_line

if TYPE_CHECKING:
    import jinja2

# jinja2 and the report's context builder are imported where a report is rendered: the CLI
# imports this module for its errors and dates on every run, most of which print no report.

REPORT_TEMPLATE = "report.md.j2"
_BACKTICKS = re.compile(r"`+")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|#])")
# A code span: a run of backticks, then text, then a run of the same length (CommonMark).
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


class TemplateError(Exception):
    """A template that cannot be loaded or rendered; the message names the template and line."""


class DateError(ValueError):
    """A report date that is not YYYY-MM-DD, or a SOURCE_DATE_EPOCH that is not a number."""


def report_date(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """`--date` if given, else SOURCE_DATE_EPOCH (reproducible builds), else today (UTC)."""
    environ = os.environ if environ is None else environ
    if explicit is not None:
        try:
            return datetime.date.fromisoformat(explicit).isoformat()
        except ValueError:
            raise DateError(f"--date {explicit}: not a date of the form YYYY-MM-DD") from None
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date().isoformat()
        except (ValueError, OverflowError, OSError):
            raise DateError(f"SOURCE_DATE_EPOCH={epoch}: not a number of seconds since 1970") from None
    return datetime.datetime.now(tz=datetime.UTC).date().isoformat()


def longest_backtick_run(text: str) -> int:
    return max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=0)


def fence(body: str, language: str = "python") -> str:
    """A fenced code block whose fence is longer than any run of backticks inside it."""
    ticks = "`" * max(3, longest_backtick_run(body) + 1)
    return f"{ticks}{language}\n{body}\n{ticks}"


def fence_excerpt(excerpt: Excerpt | None, language: str = "python") -> str:
    if excerpt is None:
        return ""
    body = "\n".join(excerpt.lines)
    if excerpt.truncated:
        body += "\n..."
    return fence(body, language)


def inline_code(text: object) -> str:
    """An inline code span that backticks inside cannot end early (CommonMark's rule)."""
    value = one_line(str(text))
    if "|" in value:
        # GitHub splits a table row at `|` even inside a code span, and `\|` shows its
        # backslash outside tables: escaped plain text reads right in both.
        return escape(value)
    ticks = "`" * (longest_backtick_run(value) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{ticks}{pad}{value}{pad}{ticks}"


def escape(text: object) -> str:
    """Plain text that Markdown shows as written: no emphasis, links, HTML or table cells."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", one_line(str(text)))


def escape_message(text: object) -> str:
    """A finding's message: its `code spans` kept as rule authors wrote them, the rest
    escaped; `|` escaped everywhere, since GitHub splits table cells even inside code."""
    value = one_line(str(text))
    out = []
    last = 0
    for span in _CODE_SPAN.finditer(value):
        out.append(escape(value[last : span.start()]))
        out.append(span.group().replace("|", "\\|"))
        last = span.end()
    out.append(escape(value[last:]))
    return "".join(out)


def mermaid_label(text: object) -> str:
    """Text inside a quoted Mermaid label, where quotes, angle brackets and backticks are
    entities and a line break (which could close the diagram's fence) is a space. `#` goes
    first, as an entity too: Mermaid would read a name holding `#quot;` as a quote."""
    return (
        one_line(str(text))
        .replace("#", "#35;")
        .replace("`", "#96;")
        .replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
    )


def chart_label(text: object) -> str:
    """A quoted label of a Mermaid xychart axis: no quotes, brackets or line breaks inside."""
    return re.sub(r'["\[\]\n\r]', " ", str(text)).strip()


def headline(message: object) -> str:
    """A message without its reasoning, for table cells; never cut inside a word."""
    return split_message(str(message))[0]


def number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,g}"  # weights: 3 not 3.0, 1.5 as is
    return f"{value:,}" if isinstance(value, int) else str(value)


def environment(extra_folder: Path | None = None) -> jinja2.Environment:
    import jinja2
    import jinja2.sandbox

    from ssot_audit.render import report_context

    loaders: list[jinja2.BaseLoader] = []
    if extra_folder is not None:
        loaders.append(jinja2.FileSystemLoader(str(extra_folder)))
    loaders.append(jinja2.PackageLoader("ssot_audit.templates", "."))
    # A user's --template is code: the sandbox keeps it to the report's data (no `__class__`
    # walks to os or subprocess), so a template from a pull request cannot run commands in CI.
    # It is not a boundary against a hostile author of a template you chose to trust: it can
    # still loop for ever or build a huge string.
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # Markdown, not HTML: the filters below escape what needs it
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # Longer tables help nobody; `--format json` lists every finding.
    env.globals["max_table_rows"] = report_context.MAX_TABLE_ROWS
    env.filters.update(
        code=inline_code,
        excerpt=fence_excerpt,
        fence=fence,
        md=escape,
        # Text the report writes itself, with names from the audited tree inside: its Markdown
        # (bold, code spans) kept, line breaks and control characters made spaces, HTML inert.
        prose=lambda text: one_line(str(text)).replace("<", "&lt;"),
        chart=chart_label,
        headline=headline,
        mermaid=mermaid_label,
        message=escape_message,
        num=number,
        plural=plural,
    )
    return env


def _where(exc: BaseException, names: set[str]) -> str:
    """`file:line` of the innermost template frame of a rendering error; Jinja2 rewrites
    tracebacks so that template frames carry the template's file name and line."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in names or frame.filename.endswith(".j2"):
            return f"{frame.filename}:{frame.lineno}"
    return "the template"


@dataclass
class MarkdownRenderer:
    """Renders with the built-in report template, or with a user's template file."""

    template_file: Path | None = None
    date: str | None = None
    title: str | None = None
    about: str = ""  # `--context`: what the audit is about
    scope: str = ""  # `--scope`: what the audit covers, in the user's words

    def __post_init__(self) -> None:
        import jinja2

        folder = self.template_file.resolve().parent if self.template_file else None
        self._env = environment(folder)
        try:
            if self.template_file is None:
                self._template = self._env.get_template(REPORT_TEMPLATE)
            else:
                source = self.template_file.read_text(encoding="utf-8")
                # Compiled under its own file name, so errors and tracebacks name the file.
                code = self._env.compile(source, name=self.template_file.name, filename=str(self.template_file))
                self._template = self._env.template_class.from_code(self._env, code, self._env.make_globals(None))
        except OSError as exc:
            raise TemplateError(f"--template {self.template_file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise TemplateError(f"--template {self.template_file}: not UTF-8 text") from None
        except jinja2.TemplateSyntaxError as exc:
            name = exc.filename or str(self.template_file or exc.name or REPORT_TEMPLATE)
            raise TemplateError(f"{name}:{exc.lineno}: template syntax error: {exc.message}") from None

    def context(self, result: AuditResult) -> dict[str, object]:
        from ssot_audit.render import report_context

        report = report_context.build(result, report_date(self.date), self.title, self.about, self.scope)
        return {"report": report, "result": result}

    def __call__(self, result: AuditResult, color: bool = False) -> str:
        import jinja2

        context = self.context(result)
        try:
            text = self._template.render(context)
        except jinja2.TemplateSyntaxError as exc:  # an included template that does not parse
            raise TemplateError(
                f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}"
            ) from None
        except Exception as exc:  # noqa: BLE001 - whatever a user's template does wrong, say where
            names = {str(self.template_file)} if self.template_file else set()
            raise TemplateError(f"{_where(exc, names)}: {type(exc).__name__}: {exc}") from None
        return text if text.endswith("\n") else text + "\n"


def render(result: AuditResult, color: bool = False) -> str:
    return MarkdownRenderer()(result, color)
