"""The last audit of a tree, reused when nothing it depended on has changed: the same files
(path, module name and stat signature), the same config file and command-line selection,
the same installed rules and the same tool and rule sources.

A re-run of an unchanged tree then stats its files and reads one cache entry. It loads no
rule: the rules import libcst, whose import alone was a third of a warm re-run of Django.
What the report needs of the rules (code, name, category, documentation) is in the stored
result's RuleInfo records, and the configuration is stored with it, its rule options kept
pickled until something reads them (StoredOptions), since unpickling one imports its rule.

Any change, or anything this module cannot be sure of, is a miss: the audit then runs as
always, with the per-file index and the project phase's own cache.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ssot_audit.analysis.options import ConfigError
from ssot_audit.config import Config, Overrides, read_settings
from ssot_audit.model import RULES_ENTRY_POINT_GROUP, AuditResult, AuditStats
from ssot_audit.pipeline.cache import Cache
from ssot_audit.pipeline.discovery import Discovery, SourceFile, project_root
from ssot_audit.pipeline.index import RACY_SECONDS, Signature, stat_signature
from ssot_audit.pipeline.tool_sources import ToolSources

# The cache entry's salt: the tool's version is checked through ToolSources, inside the entry.
_SALT = "last-audit"

FileRecord = tuple[str, str, bool, str, Signature]  # relpath, module, is package, doubt, signature


class StoredOptions(Mapping[str, object]):
    """A configuration's rule options, unpickled on first read. They are instances of the
    rules' own option classes, and unpickling one imports its rule module (and libcst); a
    reused audit's configuration is read for its settings, rarely for these."""

    def __init__(self, blob: bytes) -> None:
        self._blob = blob
        self._options: dict[str, object] | None = None

    @classmethod
    def of(cls, options: Mapping[str, object]) -> StoredOptions:
        return cls(pickle.dumps(dict(options), protocol=pickle.HIGHEST_PROTOCOL))

    def _loaded(self) -> dict[str, object]:
        if self._options is None:
            self._options = pickle.loads(self._blob)
        return self._options

    def __getitem__(self, code: str) -> object:
        return self._loaded()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())

    def __reduce__(self) -> tuple[type[StoredOptions], tuple[bytes]]:
        return StoredOptions, (self._blob,)


@dataclass(frozen=True)
class Request:
    """What an audit was asked to do, known before any rule is loaded."""

    targets: tuple[Path, ...]
    config_file: Path | None
    overrides: Overrides


@dataclass(frozen=True)
class Place:
    """Where a request's cache lives, and the key of its last audit there."""

    cache: Cache
    key: str


@dataclass(frozen=True)
class LastAudit:
    """One stored audit and everything it depended on."""

    entry_points: tuple[str, ...]
    sources: ToolSources
    files: tuple[FileRecord, ...]
    config: Config
    warnings: tuple[str, ...]  # the registry's, repeated as the run that stored it said them
    result: AuditResult


def installed_rules() -> tuple[str, ...]:
    """The rule entry points, as `name = value` lines: a plugin installed or removed is a miss."""
    import importlib.metadata

    return tuple(
        sorted(f"{ep.name} = {ep.value}" for ep in importlib.metadata.entry_points(group=RULES_ENTRY_POINT_GROUP))
    )


def place(request: Request) -> Place | None:
    """The cache folder and key of a request, found as the audit finds them (config file,
    project root), without the rules; None when that is not certain (a config that does not
    read: the audit will say why)."""
    try:
        source, settings = read_settings(request.targets[0].resolve(), request.config_file)
        raw = source.read_bytes() if source is not None else b""
        found = source is not None and request.config_file is None
        root = project_root(request.targets, source.parent.resolve() if found and source is not None else None)
        base = source.parent.resolve() if source is not None else root
        parts = (
            str(root),
            repr([str(t.resolve()) for t in request.targets]),
            repr([str(t) for t in request.targets]),
            str(source),
            str(request.config_file),
            repr(request.overrides),
            # Where the user's cache folder is decides which cache-dir values are allowed.
            os.environ.get("XDG_CACHE_HOME", ""),
            str(Path.home()),
        )
    except (ConfigError, OSError, ValueError, TypeError, RuntimeError):
        return None
    cache = Cache(base / settings.cache_dir, _SALT)
    return Place(cache, cache.key(b"last-audit", raw, *(p.encode() for p in parts)))


def reuse(request: Request, where: Place) -> LastAudit | None:
    """The stored audit of this request when nothing it depended on changed, with the
    repository state read afresh (a commit changes no file)."""
    stored = where.cache.get_last_audit(where.key)
    if not isinstance(stored, LastAudit):
        return None
    if stored.entry_points != installed_rules() or not stored.sources.unchanged():
        return None
    try:
        files = Discovery(Path(stored.result.root), stored.config).find(request.targets)
    except (ConfigError, OSError):
        return None
    if len(files) != len(stored.files):
        return None
    for source, record in zip(files, stored.files, strict=True):
        if _describe(source) != record[:4] or _signature(source.path) != record[4]:
            return None
    result = dataclasses.replace(stored.result, stats=AuditStats(cache_hits=len(files)))
    from ssot_audit.pipeline.git import read_repository

    result.repository = read_repository(Path(result.root))
    return dataclasses.replace(stored, result=result)


def remember(
    where: Place,
    started_ns: int,
    found: Sequence[SourceFile],
    signatures: Mapping[str, Signature],
    sources: ToolSources,
    config: Config,
    warnings: Sequence[str],
    result: AuditResult,
) -> None:
    """Store an audit for reuse, unless a file's signature cannot be trusted: one missing, or
    modified within RACY_SECONDS of the audit's start (its time may not show a later edit)."""
    trusted_before = started_ns - RACY_SECONDS * 1_000_000_000
    files = []
    for source in found:
        signature = signatures.get(source.relpath, ())
        if len(signature) < 2 or signature[1] >= trusted_before:
            return
        files.append((*_describe(source), signature))
    stored = LastAudit(
        entry_points=installed_rules(),
        sources=sources,
        files=tuple(files),
        config=dataclasses.replace(config, rule_options=StoredOptions.of(config.rule_options)),
        warnings=tuple(warnings),
        result=dataclasses.replace(result, repository=None),
    )
    where.cache.put_last_audit(where.key, stored)


def _describe(source: SourceFile) -> tuple[str, str, bool, str]:
    return source.relpath, source.module, source.is_package, source.module_doubt


def _signature(path: Path) -> Signature:
    try:
        return stat_signature(path.stat())
    except OSError:
        return ()
