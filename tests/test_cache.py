"""The per-file cache: an unchanged file is never parsed twice, and the cache heals itself."""

from __future__ import annotations

import os
import pickle
import threading
import time
from pathlib import Path

import pytest

from ssot_audit import api
from ssot_audit.analysis.plugins import ProjectRule, Registry
from ssot_audit.model import AuditResult, FileFacts
from ssot_audit.pipeline.cache import CACHE_FORMAT, PRUNE_EVERY_SECONDS, STALE_AFTER_SECONDS, Cache
from tests.support import NEAR_MISS, audit_tree, write_config, write_tree

FILES = {f"pkg/mod_{i}.py": f"from . import mod_{(i + 1) % 5}\nVALUE_{i} = {i}\n" for i in range(5)}


def cached_audit(root: Path) -> AuditResult:
    return audit_tree(root, use_cache=True)


def findings(result: AuditResult) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.rule) for f in result.findings]


def test_second_run_over_unchanged_tree_parses_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    first = cached_audit(tmp_path)
    assert first.stats.files_parsed == 6 and first.stats.cache_hits == 0
    second = cached_audit(tmp_path)
    assert second.stats.files_parsed == 0 and second.stats.cache_hits == 6
    assert findings(second) == findings(first)
    assert (tmp_path / ".ssot_audit_cache" / "CACHEDIR.TAG").is_file()


def test_only_the_edited_file_is_parsed_again(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    cached_audit(tmp_path)
    (tmp_path / "pkg/mod_2.py").write_text("import os\n", encoding="utf-8")
    result = cached_audit(tmp_path)
    assert result.stats.files_parsed == 1
    assert ("pkg/mod_2.py", 1, "SSOT101") not in findings(result)


def test_a_config_change_invalidates_the_cache(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    cached_audit(tmp_path)
    write_config(tmp_path, per_file_ignores={"pkg/mod_1.py": ["SSOT101"]})
    result = cached_audit(tmp_path)
    assert result.stats.files_parsed == 1  # only the file whose effective rules changed
    assert not [f for f in result.findings if f.path == "pkg/mod_1.py"]


def test_corrupt_and_truncated_entries_are_rebuilt(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    first = cached_audit(tmp_path)
    entries = sorted(p for p in (tmp_path / ".ssot_audit_cache").rglob("*") if p.is_file() and len(p.name) == 64)
    per_file = [p for p in entries if isinstance(pickle.loads(p.read_bytes()), FileFacts)]
    assert len(per_file) == 6
    # The file index and the project phase's entry too, so the per-file entries are read.
    for entry in [p for p in entries if p not in per_file]:
        entry.write_bytes(b"not a pickle")
    per_file[0].write_bytes(b"not a pickle")
    per_file[1].write_bytes(per_file[1].read_bytes()[:10])
    second = cached_audit(tmp_path)
    assert second.stats.files_parsed == 2
    assert findings(second) == findings(first)
    assert cached_audit(tmp_path).stats.files_parsed == 0


def _age(root: Path, seconds: float) -> None:
    """Set every file's modification time back, as for a tree checked out a while ago."""
    then = time.time() - seconds
    for path in root.rglob("*.py"):
        os.utime(path, (then, then))


def test_the_index_serves_unchanged_files_and_sees_every_edit(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    _age(tmp_path, 3600)
    first = cached_audit(tmp_path)
    assert cached_audit(tmp_path).stats.files_parsed == 0
    # An edit that keeps the size and the modification time still changes the change time.
    target = tmp_path / "pkg/mod_2.py"
    st = target.stat()
    target.write_text(target.read_text(encoding="utf-8").replace("mod_3", "mod_4"), encoding="utf-8")
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    edited = cached_audit(tmp_path)
    assert edited.stats.files_parsed == 1
    assert [f.code for f in edited.findings if f.path == "pkg/mod_2.py"] == ["from . import mod_4"]
    assert [f.code for f in first.findings if f.path == "pkg/mod_2.py"] == ["from . import mod_3"]
    # A touch (new times, same content) parses nothing; the index takes the new times.
    os.utime(tmp_path / "pkg/mod_1.py")
    assert cached_audit(tmp_path).stats.files_parsed == 0
    # A deleted file leaves the results as a cold run's.
    (tmp_path / "pkg/mod_4.py").unlink()
    assert findings(cached_audit(tmp_path)) == findings(audit_tree(tmp_path))


def test_two_audits_at_once_share_the_cache(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"pkg/m{i}.py": f"from . import m{i}\n" for i in range(30)})
    results: list[AuditResult] = []
    threads = [threading.Thread(target=lambda: results.append(cached_audit(tmp_path))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and findings(results[0]) == findings(results[1])
    assert cached_audit(tmp_path).stats.files_parsed == 0
    assert not list((tmp_path / ".ssot_audit_cache").rglob(".tmp-*"))


def test_near_miss_findings_are_the_same_warm_and_after_the_cache_is_corrupted(tmp_path: Path) -> None:
    copy = NEAR_MISS.replace("summarise", "digest").replace("    average", "    total = round(total, 2)\n    average")
    write_tree(tmp_path, {"pkg/report.py": NEAR_MISS, "pkg/stats.py": copy})
    first = [f for f in cached_audit(tmp_path).findings if f.rule == "SSOT001"]
    assert len(first) == 2 and "near-miss" in " ".join(f.message for f in first)
    memos = [p for p in (tmp_path / ".ssot_audit_cache").rglob("*") if p.is_file() and p.read_bytes()[:1] == b"\x80"]
    second = [f for f in cached_audit(tmp_path).findings if f.rule == "SSOT001"]
    assert second == first
    for entry in memos:
        entry.write_bytes(b"garbage")
    assert [f for f in cached_audit(tmp_path).findings if f.rule == "SSOT001"] == first


def test_entries_unused_for_a_month_are_pruned_at_most_once_a_day(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    cached_audit(tmp_path)
    store = tmp_path / ".ssot_audit_cache" / f"v{CACHE_FORMAT}"
    entries = sorted(p for p in store.glob("*/*"))
    assert entries
    # An entry of an edit long gone (or of an older release), and a stray temporary file.
    old = store / "ab" / ("ab" + "0" * 62)
    old.parent.mkdir(exist_ok=True)
    old.write_bytes(b"stale")
    stray = store / "ab" / ".tmp-crashed"
    stray.write_bytes(b"half")
    month_ago = time.time() - STALE_AFTER_SECONDS - 60
    for path in (old, stray, entries[0]):
        os.utime(path, (month_ago, month_ago))
    # The first audit swept an empty cache; a day later the next audit sweeps again. It reads
    # entries[0] (an unchanged file), which keeps it; the others go.
    assert (store / "last-prune").is_file()
    day_ago = time.time() - PRUNE_EVERY_SECONDS - 60
    os.utime(store / "last-prune", (day_ago, day_ago))
    result = cached_audit(tmp_path)
    assert result.stats.cache_hits == 6
    assert not old.exists() and not stray.exists() and entries[0].exists()
    assert all(p.exists() for p in entries)
    # Within a day of that sweep, nothing is swept again.
    old.write_bytes(b"stale")
    os.utime(old, (month_ago, month_ago))
    cache = Cache(tmp_path / ".ssot_audit_cache", "salt")
    assert cache.prune() == 0 and old.exists()
    assert cache.prune(now=time.time() + PRUNE_EVERY_SECONDS + 60) == 1 and not old.exists()


def _count_project_rules(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    for rule in Registry.load().rules.values():
        if issubclass(rule, ProjectRule):
            original = rule.check

            def check(self: ProjectRule, project: object, original: object = original) -> object:
                calls.append(self.code)
                return original(self, project)  # type: ignore[operator]

            monkeypatch.setattr(rule, "check", check)
    return calls


def test_no_project_rule_runs_again_until_one_of_its_inputs_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = NEAR_MISS.replace("summarise", "digest")
    write_tree(tmp_path, {**FILES, "pkg/report.py": NEAR_MISS, "pkg/stats.py": copy})
    calls = _count_project_rules(monkeypatch)
    first = cached_audit(tmp_path)
    assert calls and [f for f in first.findings if f.rule == "SSOT001"]
    ran = len(calls)
    second = cached_audit(tmp_path)
    assert len(calls) == ran, "an unchanged tree ran a project rule again"
    assert second.findings == first.findings and second.categories == first.categories
    # Any file's content, a project rule's options, or the set of files: all run them again.
    (tmp_path / "pkg/stats.py").write_text(copy + "\nEXTRA = 1\n", encoding="utf-8")
    third = cached_audit(tmp_path)
    assert len(calls) == 2 * ran and [f for f in third.findings if f.rule == "SSOT001"]
    write_config(tmp_path, rules={"duplicate-implementation": {"min-statements": 50}})
    fourth = cached_audit(tmp_path)
    assert len(calls) == 3 * ran and not [f for f in fourth.findings if f.rule == "SSOT001"]
    (tmp_path / "pkg/stats.py").unlink()
    cached_audit(tmp_path)
    assert len(calls) == 4 * ran


def test_an_audit_of_a_subfolder_warms_check_of_its_files(tmp_path: Path) -> None:
    """With no config file the cache lives at the project's root, where `check` looks: after
    `audit pkg`, `check pkg/mod_1.py` parses nothing, and reports what the audit found there."""
    write_tree(tmp_path, FILES)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    audited = api.audit([tmp_path / "pkg"]).result
    assert (tmp_path / ".ssot_audit_cache").is_dir() and not (tmp_path / "pkg/.ssot_audit_cache").exists()
    checked = api.check([tmp_path / "pkg/mod_1.py"]).results[0]
    assert checked.stats.files_parsed == 0
    assert findings(checked) == [f for f in findings(audited) if f[0] == "pkg/mod_1.py"]
