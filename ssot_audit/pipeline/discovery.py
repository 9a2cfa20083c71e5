"""Which files an audit reads: paths in, sorted source files out."""

from __future__ import annotations

import keyword
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from ssot_audit.analysis.options import ConfigError
from ssot_audit.analysis.places import compile_globs, linear
from ssot_audit.config import Config

# Folders no user wants audited: VCS data, caches, build output, installed packages.
# Folders no user wants audited, by name at any depth: VCS data, caches, build output,
# installed packages. A set lookup, not globs: discovery asks about every folder.
DEFAULT_EXCLUDED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".env",
        "build",
        "dist",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ssot_audit_cache",
        "site-packages",
        ".eggs",
    }
)


class PathNotFoundError(ConfigError):
    pass


@dataclass(frozen=True)
class SourceFile:
    path: Path
    relpath: str
    module: str
    is_package: bool
    # Why `module` may not be the name the file is imported by ("" when it is certain).
    module_doubt: str = ""


PROJECT_MARKERS = ("pyproject.toml", ".ssot-audit.yaml", ".ssot-audit.yml", ".git")


def common_root(paths: Sequence[Path]) -> Path:
    """The deepest folder holding every path."""
    folders = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths]
    return Path(os.path.commonpath([str(f) for f in folders]))


def project_root(paths: Sequence[Path], config_base: Path | None = None) -> Path:
    """The folder findings are reported relative to: the config file's folder when it holds
    every path, else the nearest folder above them with a pyproject.toml, a config file or
    .git (as pre-commit and ruff see a project), else the deepest folder holding them."""
    common = common_root(paths)
    if config_base is not None and (common == config_base or config_base in common.parents):
        return config_base
    for folder in (common, *common.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return common


# A folder holding one of these is where an import path starts (what sys.path names).
IMPORT_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


class ModuleNamer:
    """Dotted module names from package layout, cached per folder.

    A folder with `__init__.py` is a regular package. A folder without one inside a regular
    package is a namespace portion of it (PEP 420), as `flask/sansio/` is `flask.sansio`.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self._packages: dict[Path, str | None] = {}
        self._tops: dict[Path, Path] = {}
        self._doubts: dict[Path, str] = {}

    def package_of(self, folder: Path) -> str | None:
        if folder not in self._packages:
            parent = self.package_of(folder.parent) if folder.parent != folder else None
            if (folder / "__init__.py").is_file() and folder.parent != folder:
                self._packages[folder] = f"{parent}.{folder.name}" if parent else folder.name
                self._tops[folder] = self._tops[folder.parent] if parent else folder
            elif parent:
                self._packages[folder] = f"{parent}.{folder.name}"
                self._tops[folder] = self._tops[folder.parent]
            else:
                self._packages[folder] = None
        return self._packages[folder]

    def module_of(self, path: Path) -> tuple[str, bool]:
        package = self.package_of(path.parent)
        if path.name in ("__init__.py", "__init__.pyi"):
            return package or path.parent.name, True
        stem = path.name.split(".")[0]
        return (f"{package}.{stem}" if package else stem), False

    def doubt(self, path: Path) -> str:
        """Why the absolute module path of `path` is not certain, or "" when it is. Writing
        an absolute import from an uncertain name would change what the import resolves to."""
        # It depends on the folder alone, and each is asked once per file it holds.
        folder = path.parent
        if folder not in self._doubts:
            self._doubts[folder] = self._doubt_in(folder)
        return self._doubts[folder]

    def _doubt_in(self, folder: Path) -> str:
        if self.package_of(folder) is None:
            return "the file is not inside a package (no __init__.py in its folder), so its package is whatever sys.path makes it"
        top = self._tops[folder]
        while folder != top.parent:
            if not folder.name.isidentifier() or keyword.iskeyword(folder.name):
                return (
                    f"folder '{folder.name}' is not a valid Python package name, "
                    "so the module cannot be imported by an absolute path"
                )
            folder = folder.parent
        holder = top.parent
        if holder == self.root or holder.name == "src" or any((holder / m).exists() for m in IMPORT_ROOT_MARKERS):
            return ""
        return (
            f"the folder above package '{top.name}' ({holder.name}/) may be a namespace package (PEP 420), "
            "so the absolute module path is not certain"
        )


class Discovery:
    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self._root_prefix = str(root).rstrip(os.sep) + os.sep
        settings = config.settings
        self.include = compile_globs(settings.include)
        user_excludes = (*settings.exclude, *settings.extend_exclude)
        self.exclude = compile_globs(user_excludes) if user_excludes else None
        self.respect_gitignore = settings.respect_gitignore
        self.namer = ModuleNamer(root)
        self._seen_dirs: set[tuple[int, int]] = set()
        self._seen_files: set[tuple[int, int]] = set()
        self._chains: dict[str, tuple[tuple[str, pathspec.PathSpec[pathspec.Pattern]], ...]] = {}

    def relpath(self, path: Path | str) -> str:
        # Walked paths all start with the root; slicing the string is ~10x cheaper than
        # os.path.relpath, which matters at two calls per file and folder.
        text = str(path)
        if text.startswith(self._root_prefix):
            return text[len(self._root_prefix) :].replace(os.sep, "/")
        return Path(os.path.relpath(path, self.root)).as_posix()

    def find(self, paths: Iterable[Path]) -> list[SourceFile]:
        found: dict[str, SourceFile] = {}
        for given in paths:
            if not given.exists():
                raise PathNotFoundError(f"{given}: no such file or directory")
            absolute = os.path.abspath(given)
            if os.path.isdir(absolute):
                for path in self._walk(absolute):
                    self._add(found, path)
            elif not self._excluded(absolute, is_dir=False):
                # A file named on the command line is audited whatever its extension
                # (pre-commit passes extensionless scripts), unless config excludes it.
                self._add(found, absolute)
        return [found[k] for k in sorted(found)]

    def _add(self, found: dict[str, SourceFile], path: str) -> None:
        try:
            st = os.stat(path)
        except OSError:
            st = None
        if st is not None:
            key = (st.st_dev, st.st_ino)
            if key in self._seen_files:
                return
            self._seen_files.add(key)
        file = Path(path)
        module, is_package = self.namer.module_of(file)
        rel = self.relpath(path)
        found[rel] = SourceFile(file, rel, module, is_package, self.namer.doubt(file))

    # The walk works on path strings, not Path objects: it meets every file and folder of the
    # tree (Django's 10,000 entries, most of them translations), and making a Path of each was
    # most of discovery's cost, which a warm run pays in full.
    def _walk(self, folder: str) -> Iterator[str]:
        try:
            st = os.stat(folder)
        except OSError:
            return
        if (st.st_dev, st.st_ino) in self._seen_dirs:
            return  # a symlink loop or a second link to a folder already walked
        self._seen_dirs.add((st.st_dev, st.st_ino))
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if self._excluded(entry.path, is_dir=True) or os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                    continue
                yield from self._walk(entry.path)
            # Most files of a tree are not Python (translations, data): match their name first.
            elif self.include.match_file(self.relpath(entry.path)) and not self._excluded(entry.path, is_dir=False):
                yield entry.path

    def _excluded(self, path: str, *, is_dir: bool) -> bool:
        name = os.path.basename(path)
        if is_dir and (name in DEFAULT_EXCLUDED_FOLDERS or name.endswith(".egg-info")):
            return True
        suffix = "/" if is_dir else ""
        if self.exclude is not None:
            rel = self.relpath(path)
            # A path outside the root (a file named on the command line) is matched by name.
            if self.exclude.match_file((name if rel.startswith("..") else rel) + suffix):
                return True
        return self.respect_gitignore and self._gitignored(path, suffix)

    def _gitignored(self, path: str, suffix: str) -> bool:
        return any(
            spec.match_file(path[len(prefix) :].replace(os.sep, "/") + suffix)
            for prefix, spec in self._ignore_chain(os.path.dirname(path))
        )

    def _ignore_chain(self, folder: str) -> tuple[tuple[str, pathspec.PathSpec[pathspec.Pattern]], ...]:
        """The .gitignore specs that apply in folder, each with its folder as a path prefix:
        its own and its parents', up to the repository's top (.gitignore files above the
        repository do not apply). Kept per folder, so each folder is looked at once however
        many files it holds."""
        chain = self._chains.get(folder)
        if chain is None:
            spec = self._gitignore_of(folder)
            own = ((folder.rstrip(os.sep) + os.sep, spec),) if spec is not None else ()
            parent = os.path.dirname(folder)
            at_top = os.path.exists(os.path.join(folder, ".git")) or parent == folder
            chain = own + (() if at_top else self._ignore_chain(parent))
            self._chains[folder] = chain
        return chain

    def _gitignore_of(self, folder: str) -> pathspec.PathSpec[pathspec.Pattern] | None:
        try:
            with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            return None
        return linear(pathspec.GitIgnoreSpec.from_lines(text.splitlines()))
