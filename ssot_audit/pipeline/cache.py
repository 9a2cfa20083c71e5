"""The on-disk cache of per-file results, keyed by content, tool version and config.

Entries are written to a temporary file and renamed into place, so two audits at once
never see half an entry; an entry that cannot be read is treated as missing and rewritten.

The cache only ever deletes what it created, in a folder it owns: a folder it made itself,
or one that holds its CACHEDIR.TAG. A folder that already holds anything else (a
`cache-dir` pointed at the project, say) is left untouched and the audit runs uncached.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ssot_audit.model import FileFacts, Finding

if TYPE_CHECKING:
    from ssot_audit.pipeline.index import IndexEntry

CACHE_FORMAT = "1"
# Entries are keyed by content, so every edit and every tool upgrade leaves old ones behind.
# Those no audit has read for this long are deleted; the sweep runs at most once a day.
STALE_AFTER_SECONDS = 30 * 24 * 3600
PRUNE_EVERY_SECONDS = 24 * 3600
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# ssot-audit cache; see https://bford.info/cachedir/\n"
# The only names the sweep may delete: entries (`v1/ab/<sha256>`) and its own temporary files.
_ENTRY = re.compile(r"[0-9a-f]{64}|\.tmp-[A-Za-z0-9_]+")
_BUCKET = re.compile(r"[0-9a-f]{2}")


class Cache:
    def __init__(self, directory: Path, salt: str) -> None:
        self.root = directory
        self.directory = directory / f"v{CACHE_FORMAT}"
        self.salt = salt.encode()
        self._prepared = False
        # Why the folder is not used, once that is known (it holds files the cache did not make).
        self.refused: str | None = None
        self._ours: bool | None = None

    def key(self, *parts: bytes) -> str:
        digest = hashlib.sha256(self.salt)
        for part in parts:
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def get(self, key: str) -> FileFacts | None:
        value = self._read(self._path(key))
        return value if isinstance(value, FileFacts) else None

    def prune(self, now: float | None = None, live: frozenset[str] = frozenset()) -> int:
        """Delete the entries (and stray temporary files) not read or written for
        STALE_AFTER_SECONDS, except the `live` keys (the entries of the audited tree, which
        its file index stands for); does nothing if it already ran in the last
        PRUNE_EVERY_SECONDS. Returns how many files it deleted."""
        now = time.time() if now is None else now
        if not self._owned():
            return 0
        marker = self.directory / "last-prune"
        try:
            if now - marker.stat().st_mtime < PRUNE_EVERY_SECONDS:
                return 0
        except FileNotFoundError:
            pass
        except OSError:
            return 0
        removed = 0
        for entry in self._entries():
            try:
                st = entry.lstat()
                if not stat.S_ISREG(st.st_mode) or st.st_mtime >= now - STALE_AFTER_SECONDS:
                    continue
                if entry.name in live:
                    os.utime(entry)  # in use as a read would have marked it
                    continue
                entry.unlink()
                removed += 1
            except OSError:
                continue
        with contextlib.suppress(OSError):
            self.directory.mkdir(parents=True, exist_ok=True)
            marker.touch()
            os.utime(marker, (now, now))
        return removed

    def _entries(self) -> list[Path]:
        """The files the cache wrote: entries and temporary files in two-hex-digit buckets."""
        found: list[Path] = []
        try:
            buckets = [
                b for b in os.scandir(self.directory) if _BUCKET.fullmatch(b.name) and b.is_dir(follow_symlinks=False)
            ]
        except OSError:
            return found
        for bucket in buckets:
            try:
                found.extend(Path(e.path) for e in os.scandir(bucket.path) if _ENTRY.fullmatch(e.name))
            except OSError:
                continue
        return found

    def put(self, key: str, facts: FileFacts) -> None:
        self._write(self._path(key), facts)

    def get_memo(self) -> dict[bytes, bool]:
        """The project rules' pair verdicts of the last audit (see project.Memo)."""
        value = self._read(self._path(self.key(b"project-memo")))
        return value if isinstance(value, dict) else {}

    def put_memo(self, memo: dict[bytes, bool]) -> None:
        self._write(self._path(self.key(b"project-memo")), memo)

    def get_project(self, key: str) -> dict[str, tuple[list[Finding], int]] | None:
        """The project rules' findings and checked counts stored under key (see
        Engine._project_rules), or None."""
        value = self._read(self._path(key))
        return value if isinstance(value, dict) else None

    def put_project(self, key: str, outcome: dict[str, tuple[list[Finding], int]]) -> None:
        self._write(self._path(key), outcome)

    def get_index(self, key: str) -> dict[str, IndexEntry] | None:
        """One project root's file index (see pipeline/index.py), or None."""
        value = self._read(self._path(key))
        return value if isinstance(value, dict) else None

    def put_index(self, key: str, entries: dict[str, IndexEntry]) -> None:
        self._write(self._path(key), entries)

    def get_last_audit(self, key: str) -> object:
        """The stored last audit under key (see pipeline/last_audit.py), or None."""
        return self._read(self._path(key))

    def put_last_audit(self, key: str, stored: object) -> None:
        self._write(self._path(key), stored)

    def _read(self, path: Path) -> object:
        if not self._owned():
            return None  # a new folder holds no entries; a refused one is not read
        try:
            with path.open("rb") as fh:
                value = pickle.load(fh)
            with contextlib.suppress(OSError):
                os.utime(path)  # still in use: prune() goes by modification time
            return value
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - corrupt, truncated, or written by another version: rebuild
            return None

    def _write(self, path: Path, value: object) -> None:
        try:
            if not self._prepare():
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a read-only or full disk costs speed, never the audit

    def _owned(self) -> bool:
        """Whether the cache folder is ours: it holds our tag. Sets `refused` when the folder
        exists and holds something else."""
        if self._ours is None:
            self._ours = self._check_ownership()
        return self._ours

    def _check_ownership(self) -> bool:
        try:
            if (self.root / "CACHEDIR.TAG").read_text(encoding="utf-8") == _TAG:
                return True
        except (OSError, UnicodeDecodeError):
            pass
        try:
            with os.scandir(self.root) as entries:
                if any(entries):
                    self.refused = (
                        f"cache-dir {self.root} holds files the cache did not create; running without a cache "
                        "(point cache-dir at a new or empty folder)"
                    )
        except OSError:
            pass
        return False

    def _prepare(self) -> bool:
        """Make the cache folder ours if it is new or empty; False when it is someone else's."""
        if self._prepared:
            return True
        if not self._owned():
            if self.refused is not None:
                return False
            self.root.mkdir(parents=True, exist_ok=True)
            # Tag first: from here on the folder is recognisably the cache's own.
            (self.root / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")
            gitignore = self.root / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            self._ours = True
        self._prepared = True
        return True
