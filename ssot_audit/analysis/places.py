"""Places in the audited code that a rule option names (path globs or dotted names), and the
glob matching that include, exclude and per-file-ignores share."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pathspec
from pathspec.pattern import RegexPattern
from pathspec.util import normalize_file

Spec = TypeVar("Spec", bound=pathspec.PathSpec[pathspec.Pattern])

# pathspec turns `*` within a folder name into `[^/]*`, and a name like `*a*a*a*a*a*a*ac`
# backtracks exponentially on a long name without the `c`. As CPython's fnmatch does, each
# `*` but the last of a name becomes an atomic lazy group up to the fixed-length piece after
# it: the leftmost match of a fixed piece is always the best, so no other is ever tried.
_STAR = "[^/]*"
_FIXED_PIECE = re.compile(r"(?:\\.|\[\^/\]|\[[^\]/]*\]|[^\\\[\]()|*+?{}/^$.])+")

# Vendored third-party code, as .gitignore-style patterns: another project's code bundled in
# this one (pip's `_vendor/`, datasette's `vendored/pint`, jedi's `third_party/` django-stubs, the copy of typeshed's stubs in
# mypy, pyright or jedi), which the
# project does not write and should not be scored on: default excludes of SSOT001 and SSOT002,
# and places where SSOT401 accepts `Any`.
VENDORED = ("_vendor/", "vendor/", "_vendored/", "vendored/", "third_party/", "thirdparty/", "typeshed/")

# Tests and their support code, as .gitignore-style patterns: a fixture shared by a test
# module (one pint registry, one ZooKeeper cluster for the session) or a test's own copy of a
# definition is the test's business, not the application's design. Default excludes of SSOT002
# and SSOT301.
TEST_CODE = ("tests/", "test/", "testing/", "test_*.py", "*_test.py", "conftest.py")

# A folder named for an API version (`pydantic/v1/`, `api/v2/`): a frozen copy of an old API
# kept beside its successor on purpose, so that changing one never changes the other.
_VERSION_FOLDER = re.compile(r"v\d+(?:_\d+)*")


@functools.lru_cache(maxsize=8192)  # asked for both files of every candidate pair of clones
def version_line(path: str) -> str:
    """The folder path up to the innermost versioned API folder holding `path`, or ""."""
    if "v" not in path:
        return ""
    folders = path.split("/")[:-1]
    for i in range(len(folders) - 1, -1, -1):
        if _VERSION_FOLDER.fullmatch(folders[i]):
            return "/".join(folders[: i + 1])
    return ""


def versions_apart(a: str, b: str) -> bool:
    """Whether two files sit on different sides of a versioned API folder (`pkg/v1/types.py`
    and `pkg/types.py`, or `api/v1/` and `api/v2/`): what they share was copied on purpose,
    and neither may import the other."""
    return version_line(a) != version_line(b)


# Folders holding one I/O model's copy of a package's modules (redis `asyncio/client.py` beside
# `client.py`, pymongo `asynchronous/` beside `synchronous/`, falcon `asgi/` beside its WSGI
# modules, websockets `asyncio/`, `trio/` and `sync/`), by the model each names.
_MODEL_FOLDERS = {
    **dict.fromkeys(("asyncio", "_asyncio", "aio", "asynchronous", "_async", "async_", "asgi"), "async"),
    **dict.fromkeys(("trio", "_trio"), "trio"),
    **dict.fromkeys(("synchronous", "_sync", "sync", "wsgi"), "sync"),
}
# A module's async twin named by its file (azure-core `_base_async.py` beside `_base.py`,
# dnspython `asyncquery.py` beside `query.py`).
_ASYNC_STEM = re.compile(r"^(?P<lead>_?)(?:async_?|aio_)(?P<rest>\w+)$|^(?P<base>\w+?)_(?:async|aio)$")


@functools.lru_cache(maxsize=8192)  # asked for both files of every candidate pair of clones
def _io_model(path: str) -> tuple[tuple[str, ...], str]:
    """The path without its I/O-model folders or file-name marker, and the models they name."""
    parts = path.split("/")
    folders, name = parts[:-1], parts[-1]
    stem, dot, suffix = name.partition(".")
    models = sorted({_MODEL_FOLDERS[p] for p in folders if p in _MODEL_FOLDERS})
    matched = _ASYNC_STEM.match(stem)
    if matched is not None:
        stem = matched["base"] or matched["lead"] + matched["rest"]
        models = sorted({*models, "async"})
    kept = tuple(p for p in folders if p not in _MODEL_FOLDERS) + (stem + dot + suffix,)
    return kept, "+".join(models)


def io_model_variants(a: str, b: str) -> bool:
    """Whether two files are one module written for two I/O models: the same path once the
    folders naming a model (`asyncio/`, `asynchronous/`, `aio/`, `asgi/`, `trio/`,
    `synchronous/`, `sync/`, `wsgi/`) and an async marker in the file name (`_base_async.py`,
    `asyncquery.py`) are dropped, with different models named."""
    if a == b:
        return False
    (kept_a, model_a), (kept_b, model_b) = _io_model(a), _io_model(b)
    return model_a != model_b and kept_a == kept_b


def linear_regex(regex: str) -> str:
    parts = regex.split(_STAR)
    out = [parts[0]]
    for piece, following in zip(parts[1:], parts[2:] + [None]):
        if following is not None and _FIXED_PIECE.fullmatch(piece):
            out.append(f"(?>[^/]*?{piece})")
        else:
            out.append(_STAR + piece)
    return "".join(out)


def linear(spec: Spec) -> Spec:
    """The same spec with every pattern's regex made free of exponential backtracking."""
    for pattern in spec.patterns:
        if isinstance(pattern, RegexPattern) and pattern.regex is not None and pattern.regex.pattern.count(_STAR) > 1:
            pattern.regex = re.compile(linear_regex(pattern.regex.pattern))
    return type(spec)(spec.patterns)


def compile_globs(patterns: Iterable[str]) -> pathspec.PathSpec[pathspec.Pattern]:
    """Globs for include/exclude/per-file-ignores and Places, with .gitignore semantics."""
    # gitwildmatch: users already know these rules from .gitignore ("build/", "**/migrations").
    return _Globs(linear(pathspec.PathSpec.from_lines("gitignore", patterns)).patterns)


class _Globs(pathspec.PathSpec[pathspec.Pattern]):
    """A PathSpec that, when no pattern negates another, matches a path against all of its
    patterns as one regex. Rules ask it of every file of the project (each rule's `exclude`):
    on a tree of 20,000 files, pathspec's per-pattern calls were most of the project phase."""

    def __init__(self, patterns: Iterable[pathspec.Pattern]) -> None:
        super().__init__(list(patterns))
        self._any = _one_regex(self.patterns)

    def match_file(self, file: str | os.PathLike[str], separators: Collection[str] | None = None) -> bool:
        if self._any is None:
            return super().match_file(file, separators)
        return self._any.search(normalize_file(file, separators)) is not None


def _one_regex(patterns: Sequence[pathspec.Pattern]) -> re.Pattern[str] | None:
    """The patterns as one alternation, or None when that would not mean the same: a
    negated pattern (`!keep.py`, where the last match decides), named groups, or mixed flags."""
    active = [p for p in patterns if p.include is not None]
    regexes = [p.regex for p in active if isinstance(p, RegexPattern) and p.include and p.regex is not None]
    if not active or len(regexes) != len(active):
        return None
    flags = {r.flags for r in regexes}
    if len(flags) != 1 or any("(?P" in r.pattern for r in regexes):
        return None
    return re.compile("|".join(f"(?:{r.pattern})" for r in regexes), flags.pop())


@dataclass(frozen=True)
class Places:
    """Each pattern is tried both ways, so users need not say which kind they wrote: as a
    path glob relative to the audit root (`legacy/**`, `shared/config/environment.py`) and
    as a dotted name that covers everything defined under it (`pkg.settings` covers
    `pkg.settings.load` and, for a package, its modules)."""

    patterns: tuple[str, ...]
    globs: pathspec.PathSpec[pathspec.Pattern]

    @classmethod
    def of(cls, patterns: Iterable[str]) -> Places:
        kept = tuple(p.strip() for p in patterns if p.strip())
        return cls(kept, _compiled(kept))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def has_path(self, path: str) -> bool:
        return bool(self.patterns) and bool(self.globs.match_file(path))

    def has_name(self, qualified: str) -> bool:
        return any(qualified == p or qualified.startswith(p + ".") for p in self.patterns)

    def contains(self, path: str, qualified: str) -> bool:
        return self.has_path(path) or self.has_name(qualified)


@functools.lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> pathspec.PathSpec[pathspec.Pattern]:
    """The same patterns compiled once: rules build their Places from their options for every
    file, and compiling the globs was a tenth of a small file's set-up."""
    return compile_globs(patterns)
