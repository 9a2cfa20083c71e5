"""`--format sarif`: valid SARIF 2.1.0 that GitHub code scanning can track across edits."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from ssot_audit.render import sarif
from tests.render_support import small_audit, with_cluster
from tests.support import SHARED, audit_tree, run_cli

SCHEMA = SHARED / "reference" / "schemas" / "sarif-schema-2.1.0.json"


def validate(document: dict[str, object]) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"the SARIF schema is not at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)


def results_of(document: dict[str, object]) -> list[dict[str, object]]:
    return document["runs"][0]["results"]  # type: ignore[index,no-any-return]


def test_the_sarif_of_a_real_audit_validates_against_the_schema(tmp_path: Path) -> None:
    document = json.loads(sarif.render(small_audit(tmp_path)))
    validate(document)
    assert document["version"] == "2.1.0"
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert {"SSOT000", "SSOT101", "SSOT900"} <= set(ids)
    for rule in rules:
        assert rule["help"]["text"].strip() and rule["help"]["markdown"].startswith(f"# {rule['id']}")
        assert rule["defaultConfiguration"]["level"] in {"note", "warning", "error"}
    by_rule = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results_of(document)
    }
    assert ("SSOT101", "shop/views.py") in by_rule and ("SSOT000", "shop/broken.py") in by_rule
    for result in results_of(document):
        assert ids[result["ruleIndex"]] == result["ruleId"]


def test_relative_import_result_has_its_exact_location_and_level(tmp_path: Path) -> None:
    document = json.loads(sarif.render(small_audit(tmp_path)))
    views = [r for r in results_of(document) if r["ruleId"] == "SSOT101" and "views" in json.dumps(r["locations"])]
    assert len(views) == 1
    region = views[0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 26}
    assert views[0]["level"] == "note"


def test_suppressed_findings_are_kept_with_a_suppression(tmp_path: Path) -> None:
    results = results_of(json.loads(sarif.render(small_audit(tmp_path))))
    suppressed = [r for r in results if "suppressions" in r]
    assert len(suppressed) == 1
    assert suppressed[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert suppressed[0]["suppressions"][0]["kind"] == "inSource"


def test_fingerprints_survive_lines_shifting(tmp_path: Path) -> None:
    before = results_of(json.loads(sarif.render(small_audit(tmp_path))))
    for name in ("api.py", "views.py"):
        path = tmp_path / "shop" / name
        path.write_text(
            '"""A docstring pushes every line down."""\n\n\n' + path.read_text(encoding="utf-8"), encoding="utf-8"
        )
    after = results_of(json.loads(sarif.render(audit_tree(tmp_path, select=["SSOT101"]))))

    def prints(results: list[dict[str, object]]) -> dict[str, int]:
        return {
            r["partialFingerprints"]["ssotAudit/v1"]: r["locations"][0]["physicalLocation"]["region"]["startLine"]  # type: ignore[index]
            for r in results
            if r["ruleId"] == "SSOT101"
        }

    assert set(prints(before)) == set(prints(after))
    assert all(prints(after)[key] == line + 3 for key, line in prints(before).items())


def test_identical_lines_in_one_definition_get_distinct_fingerprints(tmp_path: Path) -> None:
    result = small_audit(tmp_path)
    twin = next(f for f in result.findings if f.rule == "SSOT101" and f.path == "shop/views.py")
    moved = dataclasses.replace(twin, span=dataclasses.replace(twin.span, line=9, end_line=9))
    results = results_of(sarif.sarif_dict(dataclasses.replace(result, findings=[*result.findings, moved])))
    prints = [r["partialFingerprints"]["ssotAudit/v1"] for r in results]  # type: ignore[index]
    assert len(prints) == len(set(prints))


def test_cluster_members_point_at_each_other(tmp_path: Path) -> None:
    document = sarif.sarif_dict(with_cluster(small_audit(tmp_path)))
    validate(document)
    clone = next(
        r for r in results_of(document) if r["ruleId"] == "SSOT001" and "shop/a.py" in json.dumps(r["locations"])
    )
    related = [
        (loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
        for loc in clone["relatedLocations"]  # type: ignore[attr-defined]
    ]
    assert related == [("shop/b.py", 10), ("shop/c.py", 20)]
    assert "[shop/b.py:10](1)" in clone["message"]["text"]  # type: ignore[index]


def test_baseline_state_is_carried_over(tmp_path: Path) -> None:
    result = small_audit(tmp_path)
    states = ["new" if i % 2 else "unchanged" for i in range(len(result.findings))]
    marked = [dataclasses.replace(f, baseline_state=s) for f, s in zip(result.findings, states)]
    document = sarif.sarif_dict(dataclasses.replace(result, findings=marked))
    validate(document)
    assert [r["baselineState"] for r in results_of(document)] == states


def test_results_without_baseline_have_no_baseline_state(tmp_path: Path) -> None:
    assert all("baselineState" not in r for r in results_of(sarif.sarif_dict(small_audit(tmp_path))))


def test_the_cli_writes_sarif_for_a_sarif_extension(tmp_path: Path) -> None:
    small_audit(tmp_path)
    done = run_cli("audit", ".", "--no-cache", "--select", "SSOT101", "-o", "out.sarif", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    validate(document)
    assert {r["ruleId"] for r in results_of(document)} == {"SSOT101"}


def test_the_example_projects_sarif_validates_and_lists_every_rule(tmp_path: Path) -> None:
    import shutil

    from ssot_audit.analysis.plugins import Registry
    from tests.support import EXAMPLE

    root = tmp_path / "chat_backend"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".ssot_audit_cache", "__pycache__"))
    document = sarif.sarif_dict(audit_tree(root))
    validate(document)
    driver = document["runs"][0]["tool"]["driver"]  # type: ignore[index]
    assert [r["id"] for r in driver["rules"]] == [r.code for r in Registry.load().sorted()]
    results = results_of(document)
    assert {r["ruleId"] for r in results} >= {"SSOT101", "SSOT201", "SSOT301", "SSOT401"}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)  # type: ignore[index]


def test_a_large_cluster_lists_a_bounded_number_of_related_locations(tmp_path: Path) -> None:
    from ssot_audit.model import Location
    from tests.render_support import clone_finding

    result = small_audit(tmp_path)
    others = [Location(f"shop/m{i:02}.py", 1) for i in range(30)]
    document = sarif.sarif_dict(dataclasses.replace(result, findings=[clone_finding("shop/a.py", 3, others)]))
    validate(document)
    (clone,) = results_of(document)
    assert len(clone["relatedLocations"]) == sarif.MAX_RELATED  # type: ignore[arg-type]
    assert clone["message"]["text"].endswith(f"and {30 - sarif.MAX_RELATED} more)")  # type: ignore[index]


def test_paths_are_relative_to_the_repository_top_when_auditing_a_subfolder(tmp_path: Path) -> None:
    import subprocess

    from tests.support import write_tree

    write_tree(tmp_path / "src", {"shop/api.py": "from . import views\n", "shop/views.py": ""})
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], check=True)
    result = audit_tree(tmp_path / "src", select=["SSOT101"])
    assert result.findings[0].path == "shop/api.py"
    document = sarif.sarif_dict(result)
    validate(document)
    (finding,) = results_of(document)
    assert finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/shop/api.py"  # type: ignore[index]
    base = document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]  # type: ignore[index]
    assert base == tmp_path.resolve().as_uri() + "/"
