"""Load, merge and validate configuration: the one place that knows the config keys."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pathspec

from ssot_audit.analysis.options import ConfigError, closest, config_key, parse_options
from ssot_audit.analysis.places import compile_globs
from ssot_audit.model import BUILTIN

if TYPE_CHECKING:
    # Only a type here: the registry imports every rule, and with them libcst.
    from ssot_audit.analysis.plugins import Registry

PYPROJECT = "pyproject.toml"
YAML_NAMES = (".ssot-audit.yaml", ".ssot-audit.yml")
DEFAULT_CACHE_DIR = ".ssot_audit_cache"


@dataclass(frozen=True)
class FileSettings:
    """The keys of `[tool.ssot-audit]` / `.ssot-audit.yaml`, as written in the file."""

    include: tuple[str, ...] = ("*.py", "*.pyi")
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ("SSOT",)
    # Added to `select` (as ruff's extend-select): turn on a rule without restating the rest.
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fail_under: float | None = field(default=None, metadata={"range": (0, 100)})
    weights: dict[str, float] = field(default_factory=dict)
    respect_gitignore: bool = True
    cache_dir: str = DEFAULT_CACHE_DIR
    # Per-file limits: past one, a file becomes an SSOT000 finding naming it (README, Robustness).
    # seconds of parsing and analysis per MiB started (a number of seconds, not a ratio)
    file_time_limit: float = field(default=60.0, metadata={"range": (0, None)})
    file_size_limit: int = 10  # MiB read
    file_memory_limit: int = 4096  # MiB a worker may add while analysing one file (libcst takes ~9 KiB a line)
    # Rule options, one table per rule, keyed by its code or name.
    rules: dict[str, dict[str, object]] = field(default_factory=dict)
    # The Markdown report's header (ReportSettings), checked key by key like a rule's options.
    report: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportSettings:
    """`[tool.ssot-audit.report]`: what the Markdown report's header says about the audit,
    as the reference report's Scope and Context lines do; `--title`, `--scope` and
    `--context` win over them."""

    title: str | None = None
    scope: str = ""
    context: str = ""


@dataclass(frozen=True)
class Config:
    """The effective configuration: file settings, command-line overrides and rule options."""

    settings: FileSettings
    source: Path | None
    base: Path
    rule_options: Mapping[str, object]
    enabled: frozenset[str]
    rule_names: Mapping[str, str]
    per_file_ignores: tuple[tuple[pathspec.PathSpec[pathspec.Pattern], tuple[str, ...]], ...] = ()
    rule_categories: Mapping[str, str] = field(default_factory=dict)
    report: ReportSettings = ReportSettings()

    @property
    def fail_under(self) -> float | None:
        return self.settings.fail_under

    def rules_for(self, relpath: str) -> frozenset[str]:
        """The rule codes enabled for one file, after per-file-ignores."""
        dropped: set[str] = set()
        for spec, selectors in self.per_file_ignores:
            if spec.match_file(relpath):
                dropped.update(selectors)
        if not dropped:
            return self.enabled
        return frozenset(c for c in self.enabled if not any(self._selects(s, c) for s in dropped))

    def _selects(self, selector: str, code: str) -> bool:
        s = selector.strip()
        return (
            code.startswith(s.upper())
            or self.rule_names.get(code) == s.lower()
            or self.rule_categories.get(code) == s.lower()
        )


def find_config(start: Path) -> Path | None:
    """The nearest `.ssot-audit.yaml`, or `pyproject.toml` with a `[tool.ssot-audit]` table,
    at or above start."""
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        for name in YAML_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _tool_table(_read_toml(pyproject)) is not None:
            return pyproject
    return None


def _tool_table(data: Mapping[str, object]) -> object:
    """`[tool.ssot-audit]` of a parsed pyproject.toml, None when it has none."""
    tool = data.get("tool")
    return tool.get("ssot-audit") if isinstance(tool, dict) else None


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read TOML: {exc}") from None


def read_table(path: Path) -> Mapping[str, object]:
    """The raw ssot-audit table of a config file."""
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    if path.suffix == ".toml":
        data = _read_toml(path)
        table = (_tool_table(data) or {}) if path.name == PYPROJECT else data
    else:
        import yaml  # only for a .ssot-audit.yaml: most projects configure in pyproject.toml

        try:
            table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigError(f"{path}: cannot read YAML: {first_line}") from None
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: expected a table of settings, got {type(table).__name__}")
    return table


@dataclass(frozen=True)
class Overrides:
    """Command-line options that win over the file. `--select` replaces the file's `select`
    and `extend-select` (as in ruff); `--extend-select` and `--ignore` add to them."""

    select: Sequence[str] | None = None
    ignore: Sequence[str] | None = None
    fail_under: float | None = None
    extend_exclude: Sequence[str] = ()
    extend_select: Sequence[str] = ()


def read_settings(start: Path, explicit: Path | None = None) -> tuple[Path | None, FileSettings]:
    """The config file that applies (the explicit one, else the nearest above `start`) and its
    settings as written, before any check against the installed rules."""
    source = explicit if explicit is not None else find_config(start)
    raw: Mapping[str, object] = read_table(source) if source is not None else {}
    return source, parse_options(FileSettings, raw, f"{source}" if source is not None else "config", noun="key")


def load_config(
    registry: Registry, start: Path, explicit: Path | None = None, overrides: Overrides = Overrides()
) -> Config:
    source, settings = read_settings(start, explicit)
    where = f"{source}" if source is not None else "config"
    check_ranges(settings, where)
    # Each value is checked where it was written, so an error names the file and key, or the option.
    _check_selectors(registry, settings.select, f"{where}: select")
    _check_selectors(registry, settings.extend_select, f"{where}: extend-select")
    _check_selectors(registry, settings.ignore, f"{where}: ignore")
    for pattern, selectors in settings.per_file_ignores.items():
        _check_selectors(registry, selectors, f"{where}: per-file-ignores.{pattern}")
    _check_selectors(registry, overrides.select or (), "--select")
    _check_selectors(registry, overrides.extend_select, "--extend-select")
    _check_selectors(registry, overrides.ignore or (), "--ignore")
    if overrides.fail_under is not None and not 0 <= overrides.fail_under <= 100:
        raise ConfigError(f"--fail-under {overrides.fail_under:g}: must be between 0 and 100")
    settings = dataclasses.replace(
        settings,
        select=tuple(overrides.select) if overrides.select else settings.select,
        extend_select=(*(() if overrides.select else settings.extend_select), *overrides.extend_select),
        ignore=(*settings.ignore, *(overrides.ignore or ())),
        fail_under=overrides.fail_under if overrides.fail_under is not None else settings.fail_under,
        extend_exclude=(*settings.extend_exclude, *overrides.extend_exclude),
    )
    for key in ("file_time_limit", "file_size_limit", "file_memory_limit"):
        if getattr(settings, key) <= 0:
            raise ConfigError(f"{where}: {key.replace('_', '-')} = {getattr(settings, key)}: must be greater than 0")
    known_categories = {c.id for c in (*BUILTIN, *registry.categories()) if c.scored}
    for category in settings.weights:
        if category not in known_categories:
            raise ConfigError(f"{where}: weights: unknown category '{category}'{closest(category, known_categories)}")
        if settings.weights[category] < 0:
            raise ConfigError(f"{where}: weights.{category}: must not be negative")

    report = parse_options(ReportSettings, settings.report, where, noun="key", prefix="report.")
    rule_options: dict[str, object] = {code: rule.default_options() for code, rule in registry.rules.items()}
    for key, table in settings.rules.items():
        rule = registry.by_code_or_name(key)
        if rule is None:
            names = [r.name for r in registry.sorted()] + list(registry.rules)
            raise ConfigError(f"{where}: rules: unknown rule '{key}'{closest(key, names)}")
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: rules.{key}: expected a table of options")
        rule_options[rule.code] = parse_options(rule.Options, table, where, prefix=f"rules.{key}.")
        check_ranges(rule_options[rule.code], where, prefix=f"rules.{key}.")

    chosen = {code for s in (*settings.select, *settings.extend_select) for code in selected(registry, s)}
    dropped = {code for s in settings.ignore for code in selected(registry, s)}
    enabled = frozenset(chosen - dropped)
    base = (source.parent if source is not None else (start if start.is_dir() else start.parent)).resolve()
    _check_cache_dir(base, settings.cache_dir, where)
    return Config(
        settings=settings,
        source=source,
        base=base,
        rule_options=rule_options,
        enabled=enabled,
        rule_names={code: r.name for code, r in registry.rules.items()},
        rule_categories={code: r.category.id for code, r in registry.rules.items()},
        per_file_ignores=tuple(
            (compile_globs([pattern]), tuple(selectors)) for pattern, selectors in settings.per_file_ignores.items()
        ),
        report=report,
    )


def user_cache_home() -> Path:
    """The user's cache folder ($XDG_CACHE_HOME, else ~/.cache): the one place outside the
    project where `cache-dir` may point."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg).resolve() if xdg and os.path.isabs(xdg) else (Path.home() / ".cache").resolve()


def _check_cache_dir(base: Path, cache_dir: str, where: str) -> None:
    """The cache writes, tags and sweeps its folder, so it must be a folder of its own: below
    the project (never the project itself or above it) or below the user's cache folder."""
    target = (base / cache_dir).resolve()
    for home in (base, user_cache_home()):
        if home in target.parents:
            return
    raise ConfigError(
        f"{where}: cache-dir = {cache_dir!r}: must be a folder inside the project ({base}) "
        f"or inside {user_cache_home()}; default {DEFAULT_CACHE_DIR!r}"
    )


def check_ranges(options: object, where: str, prefix: str = "") -> None:
    """Numbers within their allowed range. A field's metadata may give `range = (low, high)`;
    otherwise a rule's int option is a count (0 or more) and a float option a ratio (0 to 1),
    the only kinds of number rule options hold today."""
    if not dataclasses.is_dataclass(options):
        return
    for option in dataclasses.fields(options):
        value = getattr(options, option.name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        low, high = option.metadata.get("range", (0, None) if isinstance(value, int) else (0, 1))
        if value < low or (high is not None and value > high):
            allowed = f"between {low:g} and {high:g}" if high is not None else f"{low:g} or more"
            raise ConfigError(f"{where}: {prefix}{config_key(option.name)} = {value:g}: must be {allowed}")


def selected(registry: Registry, selector: str) -> list[str]:
    """The rule codes a selector names: a code, a name, a code prefix (`SSOT1`) or a
    category (`duplicates`, the unit the report scores)."""
    matched = [rule.code for rule in registry.matching(selector)]
    if matched:
        return matched
    wanted = selector.strip().lower()
    return [code for code, rule in sorted(registry.rules.items()) if rule.category.id == wanted]


def suggestion(registry: Registry, selector: str) -> str:
    """A close match that really is close: a code one character away from a real one (SSOT102
    for SSOT101, never SSOT900 for SSOT777), else a name or category spelled nearly the same."""
    wanted = selector.strip()
    if re.fullmatch(r"[A-Za-z]+\d+", wanted):
        upper = wanted.upper()
        near = sorted(
            (
                code
                for code in registry.rules
                if len(code) == len(upper) and sum(a != b for a, b in zip(code, upper, strict=True)) == 1
            ),
            key=lambda code: (-len(os.path.commonprefix([code, upper])), code),
        )
        return f" (did you mean '{near[0]}'?)" if near else ""
    words = [r.name for r in registry.sorted()] + [c.id for c in registry.categories()]
    return closest(wanted.lower(), words)


def _check_selectors(registry: Registry, selectors: Sequence[str], where: str) -> None:
    for selector in selectors:
        if not selected(registry, selector):
            raise ConfigError(f"{where}: unknown rule '{selector}'{suggestion(registry, selector)}")
