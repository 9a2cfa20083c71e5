"""`--diff-against GIT_REF`: audit the tree as it was at a ref and compare it with today's.

The old tree is read with git itself (`git ls-tree` + `git cat-file --batch`) into a
temporary folder, so neither the working tree nor the index is touched, and `.gitattributes`
export rules (which `git archive` would apply) cannot change what is audited.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from ssot_audit.analysis.places import compile_globs
from ssot_audit.model import NEW, AuditResult, CategoryChange, Changes, Finding, RuleChange
from ssot_audit.pipeline.git import GitError, run_git
from ssot_audit.workflows.baseline import compare

REGULAR_FILE_MODES = ("100644", "100755")
AuditFunction = Callable[[Sequence[Path], Path], AuditResult]
# Which files of the commit to write, by where they would lie in the working tree.
FileFilter = Callable[[Path], bool]


@dataclass(frozen=True)
class Snapshot:
    """The files of one commit under `prefix`, written below `folder`."""

    toplevel: Path
    commit: str
    folder: Path

    def path(self, current: Path) -> Path:
        """Where a path of the working tree lies in the snapshot."""
        return self.folder / os.path.relpath(current.resolve(), self.toplevel)


def resolve_commit(cwd: Path, ref: str) -> tuple[Path, str]:
    try:
        toplevel = Path(run_git(cwd, "rev-parse", "--show-toplevel").strip()).resolve()
    except GitError as exc:
        raise GitError(f"--diff-against {ref}: {exc}") from None
    try:
        commit = run_git(cwd, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
    except GitError:
        raise GitError(f"--diff-against {ref}: not a commit in {toplevel}") from None
    return toplevel, commit


def _blobs(toplevel: Path, commit: str, prefix: str) -> list[tuple[str, str]]:
    """(object id, path) of every regular file of the commit under prefix."""
    args = ["ls-tree", "-r", "-z", "--full-tree", commit]
    if prefix not in ("", "."):
        args += ["--", prefix]
    listing = run_git(toplevel, *args)
    blobs = []
    for record in listing.split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        mode, kind, oid = meta.split(" ")
        # Symlinks and submodules are left out: a link may point outside the snapshot, and a
        # submodule's files are not in this repository's history.
        if kind == "blob" and mode in REGULAR_FILE_MODES:
            blobs.append((oid, path))
    return blobs


def _feed(stdin: IO[bytes], oids: Sequence[str]) -> None:
    with stdin:
        for oid in oids:
            stdin.write(oid.encode() + b"\n")


def materialise(toplevel: Path, commit: str, prefix: str, dest: Path, keep: FileFilter | None = None) -> int:
    """Write the commit's files under prefix (those `keep` accepts) into dest; return how
    many were written."""
    blobs = [(oid, path) for oid, path in _blobs(toplevel, commit, prefix) if keep is None or keep(toplevel / path)]
    process = subprocess.Popen(
        ["git", "cat-file", "--batch"], cwd=toplevel, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    # A writer thread: cat-file answers while we still send, and a full pipe would deadlock.
    writer = threading.Thread(target=_feed, args=(process.stdin, [oid for oid, _ in blobs]), daemon=True)
    writer.start()
    try:
        for _, path in blobs:
            header = process.stdout.readline().split()
            size = int(header[2])
            data = process.stdout.read(size)
            process.stdout.read(1)  # the newline after each object
            target = dest / PurePosixPath(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    finally:
        writer.join()
        process.stdout.close()
        process.wait()
    return len(blobs)


@contextmanager
def snapshot(cwd: Path, ref: str, within: Path, keep: FileFilter | None = None) -> Iterator[Snapshot]:
    """A temporary copy of the files of `ref` below `within`, removed afterwards."""
    toplevel, commit = resolve_commit(cwd, ref)
    prefix = Path(os.path.relpath(within.resolve(), toplevel)).as_posix()
    if prefix.startswith(".."):
        raise GitError(f"--diff-against {ref}: {within} is outside the repository {toplevel}")
    folder = Path(tempfile.mkdtemp(prefix="ssot-audit-ref-"))
    try:
        materialise(toplevel, commit, prefix, folder, keep)
        yield Snapshot(toplevel, commit, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def source_filter(include: Sequence[str], targets: Sequence[Path]) -> FileFilter:
    """The files discovery could read: names its `include` globs match, files named on the
    command line, and the .gitignore files it honours. Writing only these keeps a snapshot
    of a repository full of data, docs and translations small and quick to remove."""
    names = compile_globs([*include, ".gitignore"])
    explicit = {t.resolve() for t in targets if t.is_file()}
    return lambda path: path in explicit or bool(names.match_file(path.name))


def audit_before(
    ref: str, targets: Sequence[Path], root: Path, audit: AuditFunction, keep: FileFilter | None = None
) -> tuple[AuditResult, str]:
    """Audit the same paths as they were at ref, with today's config and rules."""
    with snapshot(root, ref, root, keep) as snap:
        old_root = snap.path(root)
        old_root.mkdir(parents=True, exist_ok=True)
        # A path added since the ref has nothing to audit there.
        old_targets = [p for p in (snap.path(t) for t in targets) if p.exists()]
        return audit(old_targets, old_root), snap.commit


def _rule_changes(
    current: Sequence[Finding], before: Sequence[Finding], fixed: Sequence[Finding]
) -> tuple[RuleChange, ...]:
    new = Counter(f.rule for f in current if f.baseline_state == NEW and not f.suppressed)
    eliminated = Counter(f.rule for f in fixed)
    described = {f.rule: f for f in [*before, *current] if not f.suppressed}
    return tuple(
        RuleChange(code, f.name, f.category, new[code], eliminated[code]) for code, f in sorted(described.items())
    )


def _category_changes(
    rules: Sequence[RuleChange], before: AuditResult, after: AuditResult
) -> tuple[CategoryChange, ...]:
    scores_before = {c.category.id: c.score for c in before.categories}
    scores_after = {c.category.id: c.score for c in after.categories}
    ids = list(dict.fromkeys([*scores_after, *scores_before, *(r.category for r in rules)]))
    return tuple(
        CategoryChange(
            category=cid,
            new=sum(r.new for r in rules if r.category == cid),
            eliminated=sum(r.eliminated for r in rules if r.category == cid),
            score_before=scores_before.get(cid),
            score_after=scores_after.get(cid),
        )
        for cid in ids
    )


def with_changes(after: AuditResult, before: AuditResult, ref: str, commit: str) -> AuditResult:
    """Today's result with each finding marked new/unchanged against the ref, the ref's
    findings that are gone in `fixed`, and per-rule and per-category counts in `changes`."""
    recorded = [f for f in before.findings if not f.suppressed]
    comparison = compare(after.findings, recorded)
    rules = _rule_changes(comparison.findings, recorded, comparison.fixed)
    changes = Changes(
        ref=ref,
        commit=commit,
        score_before=before.score,
        rating_before=before.rating,
        rules=rules,
        categories=_category_changes(rules, before, after),
    )
    return dataclasses.replace(after, findings=comparison.findings, fixed=comparison.fixed, changes=changes)
