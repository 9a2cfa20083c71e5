"""A re-run of an unchanged tree reuses the last audit without loading a rule, and anything
the audit depended on, when changed, makes it run again with a cold run's result."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ssot_audit import api
from ssot_audit.model import AuditResult
from ssot_audit.pipeline.last_audit import StoredOptions
from ssot_audit.pipeline.tool_sources import ToolSources, tool_sources
from tests.support import COPIED_RUN, NEAR_MISS, write_config, write_tree

FILES = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "pkg/__init__.py": "",
    "pkg/report.py": NEAR_MISS,
    "pkg/stats.py": NEAR_MISS.replace("summarise", "digest").replace(
        "    average", "    total = round(total, 2)\n    average"
    ),
    "pkg/ledger.py": NEAR_MISS.replace("summarise", "tally"),
    "pkg/mod.py": "from . import stats\nVALUE = 1\n",
}


def _age(root: Path) -> None:
    """Files written a while ago: the last audit keeps no file modified just before it ran."""
    then = time.time() - 3600
    for path in root.rglob("*"):
        if path.is_file() and ".ssot_audit_cache" not in path.parts:
            os.utime(path, (then, then))


def _audit(root: Path, **options: object) -> AuditResult:
    return api.audit([root], api.Options(jobs=1, **options)).result  # type: ignore[arg-type]


def _cold(root: Path) -> AuditResult:
    return _audit(root, use_cache=False)


def _seen(result: AuditResult) -> list[tuple[str, int, str, str]]:
    return [(f.path, f.line, f.rule, f.message) for f in result.findings]


def _no_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> object:
        raise AssertionError("the registry was loaded")

    monkeypatch.setattr(api, "_registry", refuse)


def test_an_unchanged_tree_is_reported_from_the_last_audit_without_loading_a_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    first = _audit(tmp_path)
    with monkeypatch.context() as patched:
        _no_registry(patched)
        again = _audit(tmp_path)
    assert _seen(again) == _seen(first) == _seen(_cold(tmp_path))
    assert again.rules == first.rules and again.categories == first.categories and again.score == first.score
    assert again.stats.files_parsed == 0 and again.stats.cache_hits == len(FILES) - 1


@pytest.mark.parametrize(
    "change",
    ["edit", "new file", "removed file", "config", "touched"],
)
def test_each_change_the_audit_depended_on_runs_it_again(tmp_path: Path, change: str) -> None:
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    before = _audit(tmp_path)
    if change == "edit":
        (tmp_path / "pkg/ledger.py").write_text(NEAR_MISS.replace("summarise", "count_up"), encoding="utf-8")
    elif change == "new file":
        (tmp_path / "pkg/extra.py").write_text("from . import mod\n", encoding="utf-8")
    elif change == "removed file":
        (tmp_path / "pkg/ledger.py").unlink()
    elif change == "config":
        write_config(tmp_path, rules={"duplicate-implementation": {"min-statements": 50}})
    else:
        os.utime(tmp_path / "pkg/mod.py")
    warm = _audit(tmp_path)
    assert _seen(warm) == _seen(_cold(tmp_path))
    assert (_seen(warm) == _seen(before)) == (change == "touched")


def test_another_selection_is_another_audit(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    everything = _audit(tmp_path)
    only_imports = _audit(tmp_path, select=["SSOT101"])
    assert {f.rule for f in only_imports.findings} == {"SSOT101"}
    assert {f.rule for f in everything.findings} > {"SSOT101"}
    assert _seen(_audit(tmp_path, select=["SSOT101"])) == _seen(only_imports)
    assert _seen(_audit(tmp_path)) == _seen(everything)


def test_an_edited_tool_or_rule_source_is_a_change(tmp_path: Path) -> None:
    source = tmp_path / "rule.py"
    source.write_text("RULE = 1\n", encoding="utf-8")
    sources = tool_sources([])

    def stamp() -> ToolSources:
        return ToolSources((*sources.stamps, (str(source), source.stat().st_mtime_ns, source.stat().st_size)))

    stamped = stamp()
    assert stamped.unchanged()
    source.write_text("RULE = 22\n", encoding="utf-8")
    assert not stamped.unchanged()
    # The cache's salt follows the edit, so entries written before it are not read after it.
    assert stamp().salt() != stamped.salt()


def test_stored_rule_options_are_read_back_only_when_asked() -> None:
    options = {"SSOT001": ("a", 1), "SSOT101": None}
    stored = pickle.loads(pickle.dumps(StoredOptions.of(options)))
    assert stored._options is None  # still the pickled bytes
    assert dict(stored) == options and stored["SSOT001"] == ("a", 1)


def test_a_warm_run_of_an_unchanged_tree_imports_neither_libcst_nor_networkx(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    script = (
        "import sys\n"
        "from ssot_audit.cli import main\n"
        "sys.argv = ['ssot-audit', 'audit', '.', '--quiet']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('libcst', 'networkx') if m in sys.modules))\n"
    )
    run = [sys.executable, "-c", script]
    cold = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300)
    warm = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300)
    assert cold.stdout.strip().splitlines()[-1] == "['libcst', 'networkx']", cold.stderr
    assert warm.stdout.strip().splitlines()[-1] == "[]", warm.stderr
    assert warm.stdout.splitlines()[:-1] == cold.stdout.splitlines()[:-1]


def test_a_check_after_an_edit_reports_what_a_full_cold_run_reports_for_the_file(tmp_path: Path) -> None:
    """The clone pairs of unchanged files come from the cache; those of the edited file are
    compared again, and the file's findings are a cold run's."""
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    _audit(tmp_path)
    for edit in ("    seen = set()\n    extra = 0\n", "    seen = set()\n"):
        (tmp_path / "pkg/ledger.py").write_text(
            NEAR_MISS.replace("summarise", "tally").replace("    seen = set()\n", edit), encoding="utf-8"
        )
        checked = api.check([tmp_path / "pkg/ledger.py"], api.Options(jobs=1)).results[0]
        expected = [f for f in _cold(tmp_path).findings if f.path == "pkg/ledger.py"]
        assert [f for f in checked.findings] == expected
        assert any(f.rule == "SSOT001" for f in expected)


_LOOKUP = "def lookup(self, key):\n" + COPIED_RUN + "    return record.value\n"
_REFRESH = (
    "def refresh(self, key, loader):\n    started = monotonic()\n    log.debug('refresh %s', key)\n{run}"
    "    value = loader(key)\n    self.store[key] = Record(value, started)\n"
    "    metrics.timing('refresh', monotonic() - started)\n    return value\n"
)


def test_copied_runs_found_by_a_check_after_edits_are_a_cold_runs(tmp_path: Path) -> None:
    """Each file's statement segments and their hashes are cached with its facts: a check
    after an edit that adds, moves, shortens or removes a copied run reports what a cold run
    reports for every file, the unchanged file's run included."""
    write_tree(tmp_path, {"pyproject.toml": "", "shop/__init__.py": "", "shop/a.py": _LOOKUP, "shop/b.py": ""})
    _age(tmp_path)
    _audit(tmp_path)
    lines = COPIED_RUN.splitlines(keepends=True)
    edits = [
        _REFRESH.format(run=COPIED_RUN),  # the run copied
        "import os\n\n\n" + _REFRESH.format(run=COPIED_RUN),  # moved down three lines
        _REFRESH.format(run="".join(lines[:5] + ["    log(key)\n"] + lines[5:])),  # a statement inserted
        _REFRESH.format(run="".join(lines[2:])),  # too short to be reported
        _REFRESH.format(run="    pass\n"),  # gone
    ]
    reported = []
    for text in edits:
        (tmp_path / "shop/b.py").write_text(text, encoding="utf-8")
        checked = api.check([tmp_path / "shop/a.py", tmp_path / "shop/b.py"], api.Options(jobs=1)).results[0]
        cold = _cold(tmp_path)
        assert _seen(checked) == _seen(cold)
        reported.append(sum("a run of" in f.message for f in cold.findings))
    assert reported == [2, 2, 0, 0, 0]


def test_fix_and_baseline_work_from_a_reused_audit(tmp_path: Path) -> None:
    """Both load the rules only when they need them (fix, to apply its fixes)."""
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    first = _audit(tmp_path)
    recorded = api.baseline([tmp_path], api.Options(jobs=1), tmp_path / "baseline.json")
    assert _seen(recorded.result) == _seen(first)
    fixed = api.fix([tmp_path], api.Options(jobs=1))
    assert fixed.fixed == 1
    assert (tmp_path / "pkg/mod.py").read_text(encoding="utf-8").startswith("from pkg import stats")
    assert not [f for f in _audit(tmp_path).findings if f.rule == "SSOT101"]
