"""The on-disk cache of per-file results, keyed by content, tool version and config.

Entries are written to a temporary file and renamed into place, so two audits at once
never see half an entry; an entry that cannot be read is treated as missing and rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
import time
from pathlib import Path

from ssot_audit.model import FileFacts

CACHE_FORMAT = "1"
# Entries are keyed by content, so every edit and every tool upgrade leaves old ones behind.
# Those no audit has read for this long are deleted; the sweep runs at most once a day.
STALE_AFTER_SECONDS = 30 * 24 * 3600
PRUNE_EVERY_SECONDS = 24 * 3600
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# ssot-audit cache; see https://bford.info/cachedir/\n"


class Cache:
    def __init__(self, directory: Path, salt: str) -> None:
        self.directory = directory / f"v{CACHE_FORMAT}"
        self.salt = salt.encode()
        self._prepared = False

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

    def prune(self, now: float | None = None) -> int:
        """Delete the entries (and stray temporary files) not read or written for
        STALE_AFTER_SECONDS; does nothing if it already ran in the last PRUNE_EVERY_SECONDS.
        Returns how many files it deleted."""
        now = time.time() if now is None else now
        marker = self.directory / "last-prune"
        try:
            if now - marker.stat().st_mtime < PRUNE_EVERY_SECONDS:
                return 0
        except FileNotFoundError:
            pass
        except OSError:
            return 0
        removed = 0
        for entry in self.directory.glob("*/*"):
            try:
                if entry.stat().st_mtime < now - STALE_AFTER_SECONDS:
                    entry.unlink()
                    removed += 1
            except OSError:
                continue
        with contextlib.suppress(OSError):
            self.directory.mkdir(parents=True, exist_ok=True)
            marker.touch()
            os.utime(marker, (now, now))
        return removed

    def put(self, key: str, facts: FileFacts) -> None:
        self._write(self._path(key), facts)

    def get_memo(self) -> dict[bytes, bool]:
        """The project rules' pair verdicts of the last audit (see project.Memo)."""
        value = self._read(self._path(self.key(b"project-memo")))
        return value if isinstance(value, dict) else {}

    def put_memo(self, memo: dict[bytes, bool]) -> None:
        self._write(self._path(self.key(b"project-memo")), memo)

    def _read(self, path: Path) -> object:
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
            self._prepare()
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

    def _prepare(self) -> None:
        if self._prepared:
            return
        root = self.directory.parent
        root.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "*\n")):
            target = root / name
            if not target.exists():
                target.write_text(text, encoding="utf-8")
        self._prepared = True
