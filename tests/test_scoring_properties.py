"""The promises SPEC makes about scores, checked over generated findings with hypothesis."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ssot_audit.model import Category, CategoryScore, Finding, Severity, Span
from ssot_audit.pipeline.scoring import MIN_EVIDENCE, TOLERANCE, category_score, curve, overall, rating
from tests.support import audit_tree, write_config, write_tree

IMPORTS = Category("imports", "Import Pattern Compliance", "imports")
CATEGORIES = [Category(f"c{i}", f"Category {i}", "items") for i in range(6)]


def finding(severity: Severity, line: int = 1, suppressed: bool = False) -> Finding:
    return Finding(
        rule="SSOT101",
        name="relative-import",
        category="imports",
        severity=severity,
        path="pkg/mod.py",
        span=Span(line, 1, line, 2),
        message="m",
        suppressed=suppressed,
    )


severities = st.sampled_from(list(Severity))
findings_lists = st.lists(st.builds(finding, severities, st.integers(1, 500), st.booleans()), max_size=60)
checked_counts = st.integers(min_value=MIN_EVIDENCE, max_value=5000)


@given(findings_lists, st.integers(min_value=0, max_value=5000), st.booleans())
def test_scores_stay_between_0_and_100(findings: list[Finding], checked: int, configured: bool) -> None:
    result = category_score(IMPORTS, findings, checked, configured)
    if result.score is not None:
        assert 0.0 <= result.score <= 100.0
        assert result.rating == rating(result.score)


@given(findings_lists, checked_counts, severities)
def test_adding_a_finding_never_raises_the_score(findings: list[Finding], checked: int, severity: Severity) -> None:
    before = category_score(IMPORTS, findings, checked).score
    after = category_score(IMPORTS, [*findings, finding(severity)], checked).score
    assert before is not None and after is not None
    assert after <= before


@given(findings_lists.filter(bool), checked_counts, st.data())
def test_removing_a_finding_never_lowers_the_score(findings: list[Finding], checked: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(findings) - 1))
    before = category_score(IMPORTS, findings, checked).score
    after = category_score(IMPORTS, findings[:index] + findings[index + 1 :], checked).score
    assert before is not None and after is not None
    assert after >= before


@given(findings_lists, checked_counts, st.integers(min_value=2, max_value=7))
def test_a_larger_codebase_with_proportionally_more_findings_scores_the_same(
    findings: list[Finding], checked: int, factor: int
) -> None:
    small = category_score(IMPORTS, findings, checked)
    large = category_score(IMPORTS, findings * factor, checked * factor)
    assert large.score == small.score
    assert large.weighted == small.weighted * factor


@given(findings_lists, checked_counts)
def test_suppressed_findings_do_not_count(findings: list[Finding], checked: int) -> None:
    active = [f for f in findings if not f.suppressed]
    assert category_score(IMPORTS, findings, checked).score == category_score(IMPORTS, active, checked).score


def test_a_category_with_nothing_to_check_or_not_configured_has_no_score() -> None:
    empty = category_score(IMPORTS, [], 0)
    assert empty.score is None and empty.rating is None
    assert "nothing to check" in empty.formula
    unconfigured = category_score(IMPORTS, [finding(Severity.LOW)], 10, configured=False)
    assert unconfigured.score is None and unconfigured.formula == "not configured"


def test_a_handful_of_items_is_not_enough_code_to_judge() -> None:
    # Neither 100 on five annotations nor 0 on two findings among seven uses.
    for found in ([], [finding(Severity.HIGH)] * 2):
        few = category_score(IMPORTS, found, MIN_EVIDENCE - 1)
        assert few.score is None and few.rating is None
        assert few.formula.startswith("not enough code to judge")
    assert category_score(IMPORTS, [], MIN_EVIDENCE).score == 100.0
    assert category_score(IMPORTS, [], 1).formula == f"not enough code to judge: 1 import checked, under {MIN_EVIDENCE}"


def test_the_formula_names_the_numbers_behind_the_score() -> None:
    result = category_score(IMPORTS, [finding(Severity.LOW)] * 3, 412)
    assert result.formula == "100 - 10 * d / 0.05, d = 3 weighted / 412 imports = 0.007"
    assert result.score == 98.5
    worse = category_score(IMPORTS, [finding(Severity.LOW)] * 103, 412)
    assert worse.formula == "90 - 10 * log2(d / 0.05), d = 103 weighted / 412 imports = 0.250"
    assert worse.score == 66.8


@given(st.integers(min_value=MIN_EVIDENCE, max_value=100), st.sampled_from(list(Severity)), st.integers(1, 2))
def test_one_or_two_findings_in_a_small_project_never_score_0(checked: int, severity: Severity, count: int) -> None:
    score = category_score(IMPORTS, [finding(severity)] * count, checked).score
    assert score is not None and score >= 40.0


@given(st.integers(min_value=5_000, max_value=50_000), st.integers(min_value=200, max_value=1_000))
def test_hundreds_of_copies_in_a_large_project_are_never_excellent(definitions: int, copies: int) -> None:
    # Exact copies are critical; hundreds of them among tens of thousands of definitions.
    # Past the tolerance by more than the 0.1 that rounding the score could lift back to 90.0.
    if copies * Severity.CRITICAL.weight / definitions >= TOLERANCE * 1.01:
        assert category_score(IMPORTS, [finding(Severity.CRITICAL)] * copies, definitions).rating != "EXCELLENT"
    assert category_score(IMPORTS, [finding(Severity.CRITICAL)] * 300, 20_000).rating != "EXCELLENT"


@given(st.floats(min_value=0, max_value=100, allow_nan=False), st.floats(min_value=0, max_value=100, allow_nan=False))
def test_the_curve_falls_as_the_density_grows(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert 0.0 <= curve(high) <= curve(low) <= 100.0


def test_each_doubling_of_the_density_past_the_tolerance_costs_one_rating_band() -> None:
    bands = [rating(curve(TOLERANCE * 2**k * 0.999)) for k in range(5)]
    assert bands == ["EXCELLENT", "VERY GOOD", "GOOD", "FAIR", "POOR"]
    assert curve(0.0) == 100.0 and curve(TOLERANCE) == 90.0


scored = st.builds(
    CategoryScore,
    category=st.sampled_from(CATEGORIES),
    score=st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda s: round(s, 1))),
    rating=st.none(),
    findings=st.just(0),
    weighted=st.just(0),
    checked=st.just(1),
    formula=st.just(""),
)
weight_maps = st.dictionaries(st.sampled_from([c.id for c in CATEGORIES]), st.floats(min_value=0.1, max_value=10))


@given(st.lists(scored, max_size=6, unique_by=lambda c: c.category.id), weight_maps)
def test_overall_is_the_weighted_mean_of_the_scored_categories(
    scores: list[CategoryScore], weights: dict[str, float]
) -> None:
    result = overall(scores, weights)
    counted = [(weights.get(c.category.id, 1.0), c.score) for c in scores if c.score is not None]
    if not counted:
        assert result == 100.0
        return
    mean = sum(w * s for w, s in counted) / sum(w for w, _ in counted)
    assert abs(result - mean) <= 0.05 + 1e-9
    assert min(s for _, s in counted) - 0.05 <= result <= max(s for _, s in counted) + 0.05


@given(st.lists(scored, min_size=1, max_size=6, unique_by=lambda c: c.category.id))
def test_equal_weights_make_overall_the_plain_mean(scores: list[CategoryScore]) -> None:
    counted = [c.score for c in scores if c.score is not None]
    if counted:
        assert abs(overall(scores, {}) - sum(counted) / len(counted)) <= 0.05 + 1e-9


def test_a_category_whose_rules_count_unlike_things_counts_items(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"pkg/a.py": "from dataclasses import dataclass\n\n@dataclass\nclass A:\n    x: int = 1\n    y: int = 2\n"},
    )
    (mixed,) = [
        c for c in audit_tree(tmp_path, select=["SSOT201", "SSOT202"]).categories if c.category.id == "dataclasses"
    ]
    assert mixed.unit == "items"
    assert mixed.score is None  # two classes and two fields: not enough to judge
    assert f"{mixed.checked} items checked" in mixed.formula
    assert audit_tree(tmp_path, select=["SSOT201"]).categories[0].unit == "classes"


def test_a_real_codebase_twice_as_large_with_twice_the_findings_scores_the_same(tmp_path: Path) -> None:
    module = "import os\nfrom . import b\nfrom .b import c\nimport sys\nfrom shop import d\n" + "import json\n" * 15
    write_tree(tmp_path / "one", {"shop/a.py": module, "shop/b.py": "import json\n"})
    write_tree(
        tmp_path / "two",
        {"shop/a.py": module, "shop/b.py": "import json\n", "shop2/a.py": module, "shop2/b.py": "import json\n"},
    )
    small = audit_tree(tmp_path / "one", select=["SSOT101"])
    large = audit_tree(tmp_path / "two", select=["SSOT101"])
    assert (small.categories[0].checked * 2, small.categories[0].weighted * 2) == (
        large.categories[0].checked,
        large.categories[0].weighted,
    )
    assert small.categories[0].score == large.categories[0].score == 80.7
    assert small.score == large.score


def test_the_audits_overall_score_is_the_configured_weighted_mean(tmp_path: Path) -> None:
    records = "".join(f"\n\nclass Point{i}:\n    x: int\n    y: int\n" for i in range(10))
    plain = "".join(f"\n\nclass Plain{i}:\n    def area(self):\n        return {i}\n" for i in range(10))
    write_tree(tmp_path, {"pkg/a.py": "from . import b\n" + "import os\n" * 19 + records + plain, "pkg/b.py": ""})
    write_config(tmp_path, weights={"imports": 3, "dataclasses": 1})
    result = audit_tree(tmp_path, select=["SSOT101", "SSOT201"])
    scores = {c.category.id: c.score for c in result.categories}
    assert scores["imports"] is not None and scores["dataclasses"] is not None
    assert result.score == round((3 * scores["imports"] + 1 * scores["dataclasses"]) / 4, 1)
    assert result.weights == {
        "duplicates": 3, "canonical": 2, "singletons": 2, "typing": 0.5, "imports": 3, "dataclasses": 1
    }  # fmt: skip


def test_the_json_example_of_docs_scoring_is_what_the_formula_gives() -> None:
    import json
    import re

    from tests.support import REPO

    docs = (REPO / "docs" / "scoring.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", docs, re.DOTALL).group(1))  # type: ignore[union-attr]
    real = category_score(IMPORTS, [finding(Severity.LOW)] * example["findings"], example["checked"])
    assert (real.score, real.rating, real.formula) == (example["score"], example["rating"], example["formula"])
