"""The warm path's one small file: per source file of one project root, its stat signature,
its cache key and its facts without what only project rules read.

A re-run over an unchanged tree then reads one file instead of reading, hashing and
unpickling every source file's entry: on Django, 885 entry reads were 0.55 s of a warm run,
most of it unpickling the clone fingerprints that a cached project phase never looks at.
The full entries stay in the cache, read only when a project rule must run again.

A file is trusted unchanged when its size, modification and change times (nanoseconds) and
inode are those recorded. As git does against "racy" edits, a file modified within
RACY_SECONDS of being recorded is recorded without a signature, so the next run hashes its
content again instead of trusting its times.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass

from ssot_audit.model import FileFacts
from ssot_audit.pipeline.cache import Cache

RACY_SECONDS = 2
Signature = tuple[int, ...]


def stat_signature(st: os.stat_result) -> Signature:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def without_project_inputs(facts: FileFacts) -> FileFacts:
    """Facts without the imports and collector extras that only project rules read."""
    return dataclasses.replace(facts, imports=[], extras={})


@dataclass(frozen=True)
class IndexEntry:
    signature: Signature  # () when the file was too fresh for its times to be trusted
    context: bytes  # what besides the content went into the key (place, module, rule options)
    key: str
    facts: FileFacts  # without_project_inputs(): findings, suppressions, counts


class FileIndex:
    """The entries of one project root, loaded from and saved to the cache in one piece."""

    def __init__(self, cache: Cache, root: str) -> None:
        self._cache = cache
        self._key = cache.key(b"file-index", root.encode())
        stored = cache.get_index(self._key)
        self._entries: dict[str, IndexEntry] = stored if stored is not None else {}
        self._changed = False
        self._trusted_before = time.time_ns() - RACY_SECONDS * 1_000_000_000

    def unchanged(self, relpath: str, current: Signature, context: bytes) -> IndexEntry | None:
        """The entry of a file whose signature and context are as recorded."""
        entry = self._entries.get(relpath)
        if entry is not None and entry.signature and entry.signature == current and entry.context == context:
            return entry
        return None

    def same_content(self, relpath: str, key: str) -> IndexEntry | None:
        """The entry of a file whose times changed but whose key did not (a touch, a checkout)."""
        entry = self._entries.get(relpath)
        return entry if entry is not None and entry.key == key else None

    def record(self, relpath: str, current: Signature, context: bytes, key: str, facts: FileFacts) -> None:
        modified = current[1] if len(current) > 1 else self._trusted_before
        trusted = current if modified < self._trusted_before else ()
        entry = self._entries.get(relpath)
        if entry is None or (entry.signature, entry.context, entry.key) != (trusted, context, key):
            self._entries[relpath] = IndexEntry(trusted, context, key, without_project_inputs(facts))
            self._changed = True

    def forget_missing(self, root: str, audited: set[str]) -> None:
        """Forget files that no longer exist (an audit of part of the tree keeps the rest)."""
        gone = [p for p in self._entries if p not in audited and not os.path.exists(os.path.join(root, p))]
        for path in gone:
            del self._entries[path]
        self._changed = self._changed or bool(gone)

    def save(self) -> None:
        if self._changed:
            self._cache.put_index(self._key, self._entries)
            self._changed = False
