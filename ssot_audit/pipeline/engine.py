"""Runs an audit: discovery, the per-file phase (parallel, cached), the project phase,
suppressions and scores. Everything it returns is data for the renderers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ssot_audit import __version__
from ssot_audit.analysis.plugins import FileRule, ProjectRule, Registry, Rule
from ssot_audit.analysis.project import Memo, Project
from ssot_audit.config import Config
from ssot_audit.model import AuditResult, AuditStats, FileFacts, Finding, Span
from ssot_audit.pipeline.cache import Cache
from ssot_audit.pipeline.collector_pause import collector_paused
from ssot_audit.pipeline.discovery import Discovery, SourceFile
from ssot_audit.pipeline.excerpts import collect as collect_excerpts
from ssot_audit.pipeline.git import read_repository
from ssot_audit.pipeline.index import FileIndex, Signature, stat_signature
from ssot_audit.pipeline.isolation import MIB, Limits, run_isolated
from ssot_audit.pipeline.per_file import PARSE_ERROR, FileTask, RulePlan
from ssot_audit.pipeline.rule_info import describe, is_configured
from ssot_audit.pipeline.scoring import FORMULA_VERSION, category_score, overall, rating, weights_of
from ssot_audit.pipeline.source import SourceError, read_source
from ssot_audit.pipeline.suppressions import Unused, apply_suppressions
from ssot_audit.pipeline.tool_sources import ToolSources, tool_sources

UNUSED_SUPPRESSION = "SSOT900"
# Workers start on the first files discovered, FIRST_FILES_PER_JOB per worker or one in
# FIRST_SHARE of them, while this process reads the rest.
FIRST_FILES_PER_JOB = 8
FIRST_SHARE = 16
ProgressCallback = Callable[[int, int], None]


@dataclass
class _Warm:
    """One audit's use of the file index: every file's cache key, and which files' facts
    came from the index as summaries (without imports and collector extras)."""

    index: FileIndex
    keys: dict[str, str] = field(default_factory=dict)
    summaries: set[str] = field(default_factory=set)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    # Full cache entries of summarised files, read while workers parse the changed ones.
    full: dict[str, FileFacts] = field(default_factory=dict)
    # What besides its content each file's key holds (place, module, rule options).
    contexts: dict[str, bytes] = field(default_factory=dict)


@dataclass
class _Sorted:
    """Files looked at so far: the facts of those known (cached, unreadable) and the tasks of
    those to parse."""

    results: dict[str, FileFacts] = field(default_factory=dict)
    pending: list[FileTask] = field(default_factory=list)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class Engine:
    registry: Registry
    config: Config
    jobs: int = field(default_factory=default_jobs)
    use_cache: bool = True
    progress: ProgressCallback | None = None
    # Problems that cost something but not the audit (an unusable cache folder), for the caller to show.
    warnings: list[str] = field(default_factory=list)
    # What the last audit depended on, for pipeline/last_audit.py: the files it found, each
    # one's stat signature taken before it was read (with a cache), and the tool's sources.
    found: list[SourceFile] = field(default_factory=list)
    signatures: dict[str, Signature] = field(default_factory=dict)
    sources: ToolSources | None = None

    def discover(self, paths: Sequence[Path], root: Path) -> list[SourceFile]:
        return Discovery(root, self.config).find(paths)

    def audit(self, paths: Sequence[Path], root: Path) -> AuditResult:
        stats = AuditStats()
        cache = self._cache()
        warm = _Warm(FileIndex(cache, str(root))) if cache is not None else None
        with collector_paused():
            files, facts = self._read_all(paths, root, stats, cache, warm)
            if warm is not None:
                warm.index.forget_missing(str(root), {f.relpath for f in files})
                warm.index.save()
            checked: dict[str, int] = {}
            for f in facts:
                for code, n in f.checked.items():
                    checked[code] = checked.get(code, 0) + n
            findings = self._project_phase(str(root), facts, checked, cache, warm, stats)
        if cache is not None:
            # Entries the index stands for are not read on a warm run, but they are in use.
            cache.prune(live=frozenset(warm.keys.values()) if warm is not None else frozenset())
            if cache.refused is not None:
                self.warnings.append(cache.refused)
        result = self._result(str(root), facts, findings, checked, stats)
        # Facts for the renderers only: what was audited, the rules, evidence, git state.
        result.paths = sorted({Path(os.path.relpath(p.resolve(), root)).as_posix() for p in paths})
        result.rules = describe(self.registry, self.config, checked)
        result.excerpts = collect_excerpts(root, findings, self.config.settings.file_size_limit * MIB)
        result.repository = read_repository(root)
        result.weights = weights_of(self.config.settings.weights)
        return result

    # -- per-file phase -------------------------------------------------------------

    def _plan(self) -> RulePlan:
        opts = self.config.rule_options
        file_rules: list[tuple[type[FileRule[object]], object]] = []
        collectors = []
        for code in sorted(self.config.enabled):
            rule = self.registry.rules[code]
            if issubclass(rule, FileRule):
                file_rules.append((rule, opts[code]))
            elif issubclass(rule, ProjectRule) and rule.collectors:
                collectors.append((code, rule.collectors))
        parse_error = self.registry.rules.get(PARSE_ERROR)
        return RulePlan(tuple(file_rules), tuple(collectors), (parse_error, opts[PARSE_ERROR]) if parse_error else None)

    def _salt(self) -> str:
        """Tool version plus the size and mtime of every rule's and our own source file, so an
        edited plugin (or a development checkout) never serves stale results."""
        if self.sources is None:
            self.sources = tool_sources(self.registry.rules.values())
        return self.sources.salt()

    def _cache(self) -> Cache | None:
        if not self.use_cache:
            return None
        return Cache(self.config.base / self.config.settings.cache_dir, self._salt())

    def _read_all(
        self, paths: Sequence[Path], root: Path, stats: AuditStats, cache: Cache | None, warm: _Warm | None
    ) -> tuple[list[SourceFile], list[FileFacts]]:
        """The files under `paths` and their facts. Files named among folders (`check`'s, within
        their project) are looked at first: one that changed is parsed while discovery walks
        the rest of the project (on Django, the walk of 2,455 folders took a third as long as
        parsing its largest module), unless discovery finds it otherwise (excluded, or reached
        under another name), when everything is read again as without it."""
        named = [p for p in paths if p.is_file()]
        if not named or len(named) == len(paths):
            files = self.found = self.discover(paths, root)
            return files, self._per_file_phase(files, stats, cache, warm)
        first = self.discover(named, root)
        found: list[SourceFile] = []

        def the_rest() -> list[SourceFile]:
            found.extend(self.discover(paths, root))
            seen = {f.relpath for f in first}
            return [f for f in found if f.relpath not in seen]

        done = self._read_in_turn(first, the_rest, lambda: len(found), stats, cache, warm)
        files = self.found = found
        if not set(first) <= set(found):
            stats.cache_hits = stats.files_parsed = 0
            return files, self._per_file_phase(files, stats, cache, warm)
        return files, [done.results[k] for k in sorted(done.results)]

    def _per_file_phase(
        self, files: Sequence[SourceFile], stats: AuditStats, cache: Cache | None, warm: _Warm | None = None
    ) -> list[FileFacts]:
        """Every file's facts: parsed, or from the cache. With `warm`, a file the index knows
        unchanged is not even read, and its facts lack what only project rules read (see
        _full_facts); warm.keys gets every file's cache key. Workers start on the first
        files while this process reads the others (on a tree of 20,000 small files, reading
        them took as long as parsing 1,500)."""
        head = max(FIRST_FILES_PER_JOB * self.jobs, len(files) // FIRST_SHARE)
        done = self._read_in_turn(files[:head], lambda: files[head:], lambda: len(files), stats, cache, warm)
        return [done.results[k] for k in sorted(done.results)]

    def _read_in_turn(
        self,
        first: Sequence[SourceFile],
        rest: Callable[[], Sequence[SourceFile]],
        total: Callable[[], int],
        stats: AuditStats,
        cache: Cache | None,
        warm: _Warm | None,
    ) -> _Sorted:
        """The facts of `first`, then of what `rest()` gives: the files of `first` to parse
        are parsed while `rest()` runs and its files are read (and, if anything is parsed, the
        project phase is prepared), and the files of the rest to parse join them."""
        done = self._sort(first, stats, cache, warm)

        def the_rest() -> list[FileTask]:
            more = self._sort(rest(), stats, cache, warm)
            done.results.update(more.results)
            if done.pending:
                self._prepare_project_phase(cache, warm)
            return more.pending

        if done.pending:
            self._parse(done, total, stats, cache, warm, the_rest)
        else:
            done.pending = the_rest()

            def prepare() -> list[FileTask]:
                self._prepare_project_phase(cache, warm)
                return []

            self._parse(done, total, stats, cache, warm, prepare)
        return done

    def _sort(self, files: Sequence[SourceFile], stats: AuditStats, cache: Cache | None, warm: _Warm | None) -> _Sorted:
        """The facts of files the index or cache knows (or that cannot be read), and the tasks
        of the files to parse."""
        options_fingerprint: dict[frozenset[str], bytes] = {}
        done = _Sorted()
        results, pending = done.results, done.pending
        signatures = self.signatures
        for source in files:
            enabled = self.config.rules_for(source.relpath)
            key = ""
            if cache is not None:
                if enabled not in options_fingerprint:
                    options_fingerprint[enabled] = repr(
                        [(c, self.config.rule_options.get(c)) for c in sorted(enabled)]
                    ).encode()
                parts = (
                    source.relpath.encode(),
                    source.module.encode(),
                    b"pkg" if source.is_package else b"mod",
                    source.module_doubt.encode(),
                    options_fingerprint[enabled],
                )
                if warm is not None:
                    context = warm.contexts[source.relpath] = b"\0".join(parts)
                    try:
                        current = signatures[source.relpath] = stat_signature(source.path.stat())
                    except OSError:
                        current = ()
                    entry = warm.index.unchanged(source.relpath, current, context)
                    warm.sources[source.relpath] = source
                    if entry is not None:
                        warm.keys[source.relpath] = entry.key
                        warm.summaries.add(source.relpath)
                        results[source.relpath] = entry.facts
                        stats.cache_hits += 1
                        continue
            try:
                data = read_source(source.path, self.config.settings.file_size_limit * MIB)
            except SourceError as exc:
                results[source.relpath] = self._unreadable(source, enabled, exc.message)
                continue
            if cache is not None:
                key = cache.key(data, *parts)
                if warm is not None:
                    warm.keys[source.relpath] = key
                    entry = warm.index.same_content(source.relpath, key)
                    if entry is not None:
                        warm.index.record(source.relpath, signatures.get(source.relpath, ()), context, key, entry.facts)
                        warm.summaries.add(source.relpath)
                        results[source.relpath] = entry.facts
                        stats.cache_hits += 1
                        continue
                cached = cache.get(key)
                if cached is not None:
                    if warm is not None:
                        warm.index.record(source.relpath, signatures.get(source.relpath, ()), context, key, cached)
                    results[source.relpath] = cached
                    stats.cache_hits += 1
                    continue
            pending.append(
                FileTask(source.relpath, source.module, source.is_package, source.module_doubt, data, enabled, key)
            )
        return done

    def _parse(
        self,
        done: _Sorted,
        total: Callable[[], int],
        stats: AuditStats,
        cache: Cache | None,
        warm: _Warm | None,
        while_waiting: Callable[[], Sequence[FileTask]],
    ) -> None:
        """Parse done.pending into done.results, and the tasks `while_waiting` returns: it
        runs once the workers have their first files (without files to parse, not at all:
        what it prepares may not be needed, as a project phase served from the cache reads no
        file's full facts). `total` is the count of files for the progress callback, known
        once `while_waiting` is done."""
        if not done.pending:
            if self.progress:
                self.progress(len(done.results), total())
            return

        def waiting() -> Sequence[FileTask]:
            more = while_waiting()
            if self.progress:
                self.progress(len(done.results), total())
            return more

        for task, facts in self._run(done.pending, self._plan(), waiting):
            stats.files_parsed += 1
            done.results[task.relpath] = facts
            if cache is not None:
                cache.put(task.cache_key, facts)
                if warm is not None:
                    rel = task.relpath
                    warm.index.record(rel, self.signatures.get(rel, ()), warm.contexts[rel], task.cache_key, facts)
            if self.progress:
                self.progress(len(done.results), total())
        done.pending = []

    def _prepare_project_phase(self, cache: Cache | None, warm: _Warm | None) -> None:
        """What the project phase will need once the changed files are parsed, done while the
        workers parse them: a file changed, so the cached project result will not do, and the
        project rules need every unchanged file's full entry, and what they prepare."""
        project_rules = [r for c in sorted(self.config.enabled) if issubclass(r := self.registry.rules[c], ProjectRule)]
        if not project_rules:
            return
        for rule in project_rules:
            rule.prepare()
        if cache is not None and warm is not None:
            for path in warm.summaries:
                cached = cache.get(warm.keys[path])
                if cached is not None:
                    warm.full[path] = cached

    def _full_facts(self, files: Sequence[FileFacts], cache: Cache, warm: _Warm, stats: AuditStats) -> list[FileFacts]:
        """The facts project rules read, for files the index served as summaries: their
        cache entries, or (an entry pruned or corrupt) a parse."""
        full: dict[str, FileFacts] = {}
        missing: list[FileFacts] = []
        for facts in files:
            if facts.path not in warm.summaries:
                full[facts.path] = facts
                continue
            cached = warm.full.get(facts.path) or cache.get(warm.keys[facts.path])
            if cached is not None:
                full[facts.path] = cached
            else:
                missing.append(facts)
        if missing:
            sources = [warm.sources[f.path] for f in missing]
            for facts in self._per_file_phase(sources, stats, cache):
                full[facts.path] = facts
        return [full.get(f.path, f) for f in files]

    def _run(
        self, tasks: Sequence[FileTask], plan: RulePlan, while_waiting: Callable[[], Sequence[FileTask]]
    ) -> Iterable[tuple[FileTask, FileFacts]]:
        # Even at --jobs 1 files are parsed in a worker: a parser crash must not end the audit.
        settings = self.config.settings
        limits = Limits(settings.file_time_limit, settings.file_memory_limit * MIB)
        return run_isolated(tasks, plan, self.jobs, limits, while_waiting)

    def _unreadable(self, source: SourceFile, enabled: frozenset[str], reason: str) -> FileFacts:
        facts = FileFacts(path=source.relpath, module=source.module, lines=0, parse_ok=False)
        rule = self.registry.rules.get(PARSE_ERROR)
        if rule is not None and PARSE_ERROR in enabled:
            facts.findings.append(
                rule(self.config.rule_options[PARSE_ERROR]).make_finding(source.relpath, Span(1, 1, 1, 1), reason)
            )
        return facts

    # -- project phase --------------------------------------------------------------

    def _project_phase(
        self,
        root: str,
        files: Sequence[FileFacts],
        checked: dict[str, int],
        cache: Cache | None,
        warm: _Warm | None = None,
        stats: AuditStats | None = None,
    ) -> list[Finding]:
        by_path: dict[str, list[Finding]] = {f.path: list(f.findings) for f in files}
        for code, (found, count) in self._project_rules(root, files, cache, warm, stats or AuditStats()).items():
            for finding in found:
                if finding.path in by_path and code in self.config.rules_for(finding.path):
                    by_path[finding.path].append(finding)
            checked[code] = checked.get(code, 0) + count

        unused_rule = self.registry.rules.get(UNUSED_SUPPRESSION)
        out: list[Finding] = []
        for facts in files:
            ran = self.config.rules_for(facts.path) if facts.parse_ok else frozenset()
            marked, unused = apply_suppressions(by_path[facts.path], facts.suppressions, self.config.rule_names, ran)
            out.extend(marked)
            if unused_rule is not None and UNUSED_SUPPRESSION in ran:
                out.extend(self._unused_findings(unused_rule, facts.path, unused))
        out.sort(key=Finding.sort_key)
        return out

    def _project_rules(
        self, root: str, files: Sequence[FileFacts], cache: Cache | None, warm: _Warm | None, stats: AuditStats
    ) -> dict[str, tuple[list[Finding], int]]:
        """Each project rule's findings and checked count. Cached under every file's key (its
        content, place and rules' options), the project rules' options and the root: when
        none of those changed, no cross-file rule runs (it was 1.5 s of a 2.5 s warm re-run
        of Django)."""
        codes = [c for c in sorted(self.config.enabled) if issubclass(self.registry.rules[c], ProjectRule)]
        if not codes:
            return {}
        key = ""
        keys = warm.keys if warm is not None else {}
        if cache is not None and all(keys.get(f.path) for f in files):
            key = cache.key(
                b"project-phase",
                root.encode(),
                repr([(c, self.config.rule_options[c]) for c in codes]).encode(),
                "\n".join(f"{f.path}\0{keys[f.path]}" for f in files).encode(),
            )
            stored = cache.get_project(key)
            if stored is not None:
                return stored
        if cache is not None and warm is not None and warm.summaries:
            files = self._full_facts(files, cache, warm, stats)
        project = Project(root, files, Memo(cache.get_memo()) if cache is not None else None, keys)
        outcome: dict[str, tuple[list[Finding], int]] = {}
        for code in codes:
            rule = self.registry.rules[code](self.config.rule_options[code])
            assert isinstance(rule, ProjectRule)
            outcome[code] = (list(rule.check(project)), rule.checked)
        if cache is not None:
            if project.memo.used:
                cache.put_memo(project.memo.used)
            if key:
                cache.put_project(key, outcome)
        return outcome

    def _unused_findings(self, rule_class: type[Rule[object]], path: str, unused: Iterable[Unused]) -> list[Finding]:
        rule = rule_class(self.config.rule_options[rule_class.code])
        findings = []
        for item in unused:
            s, codes = item.suppression, item.codes
            what = (
                f"unused suppression of {', '.join(codes)}" if codes else "unused suppression: no finding on this line"
            )
            span = Span(s.line, s.column, s.line, s.column)
            findings.append(rule.make_finding(path, span, what, fixable=False))
        return findings

    # -- scores ---------------------------------------------------------------------

    def _result(
        self, root: str, files: Sequence[FileFacts], findings: list[Finding], checked: dict[str, int], stats: AuditStats
    ) -> AuditResult:
        scores = []
        for category in self.registry.categories():
            if not category.scored:
                continue
            rules = [
                r for r in self.registry.sorted() if r.category.id == category.id and r.code in self.config.enabled
            ]
            if not rules:
                continue
            configured = any(is_configured(r, self.config.rule_options[r.code]) for r in rules)
            in_category = [f for f in findings if f.category == category.id]
            total = sum(checked.get(r.code, 0) for r in rules)
            units = {r.unit or category.unit for r in rules}
            unit = units.pop() if len(units) == 1 else "items"  # a sum of unlike counts
            if category.per_module and total:
                total, unit = sum(1 for f in files if f.parse_ok), "modules"
            scores.append(category_score(category, in_category, total, configured, unit))
        score = overall(scores, weights_of(self.config.settings.weights))
        return AuditResult(
            root=root,
            files_scanned=len(files),
            lines_scanned=sum(f.lines for f in files),
            findings=findings,
            categories=scores,
            score=score,
            rating=rating(score),
            score_formula_version=FORMULA_VERSION,
            tool_version=__version__,
            stats=stats,
        )
