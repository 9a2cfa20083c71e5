"""The clone engine's parts: exact lines without PositionProvider, stable fingerprints,
candidate generation that is never all-pairs, and the cluster/canonical choices."""

from __future__ import annotations

import pickle
import random

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ssot_audit.analysis.plugins import FileContext
from ssot_audit.clones.clusters import Member, choose_canonical, components, group_id, match_graph
from ssot_audit.clones.collector import DefinitionCollector
from ssot_audit.clones.fingerprint import FileDefinitions
from ssot_audit.clones.lsh import candidate_pairs
from ssot_audit.clones.minhash import estimated_similarity, signature
from ssot_audit.clones.similarity import lcs_length, similarity

TORTURE = (
    '"""Module docstring\nover two lines."""\n'
    "import os\n\n"
    "x = 1 + \\\n    2\n\n"
    "@decorator(\n    'arg',\n)\n"
    "# a comment between\n"
    "@other\n"
    "def first(a,\n          b):\n"
    '    """Doc\n\n    more."""\n'
    "    s = '''triple\nquoted\n'''\n"
    "    t = f'''{a}\n{b}\n'''\n"
    "    return s + t\n\n"
    "class Outer(\n    Base,\n):\n"
    "    class Inner:\n"
    "        def method(self): return 1\n"
    "    async def run(self):\n"
    "        y = [\n            1,\n            2,\n        ]\n"
    "        if y: \\\n            return y\n\n\n"
    "if True:\n    def alt(): pass\nelse:\n    def alt(): pass\n"
)


def collect(source: str) -> FileDefinitions:
    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    collector = DefinitionCollector(FileContext("m.py", "m", False, source, wrapper))
    wrapper.visit_batched([collector])
    return collector.facts()


def reference_lines(source: str) -> list[tuple[str, int, int]]:
    """What libcst's PositionProvider says: the name's line and the first decorator's."""
    wrapper = MetadataWrapper(cst.parse_module(source))
    positions = wrapper.resolve(PositionProvider)
    out = []
    for node in positions:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            decorator = positions[node.decorators[0]].start.line if node.decorators else 0
            out.append((node.name.value, positions[node.name].start.line, decorator))
    return sorted(out, key=lambda item: item[1])


def test_lines_match_position_provider_without_resolving_it() -> None:
    for source in (TORTURE, TORTURE.replace("\n", "\r\n")):
        facts = collect(source)
        got = sorted(((d.name, d.line, d.decorator_line) for d in facts.definitions), key=lambda item: item[1])
        assert got == reference_lines(source)


def test_definition_records_qualname_kind_and_nesting() -> None:
    facts = collect(TORTURE)
    by_name = {d.qualname: d for d in facts.definitions}
    assert set(by_name) == {"first", "Outer", "Outer.Inner", "Outer.Inner.method", "Outer.run", "alt"}
    assert by_name["Outer.run"].kind == "method" and by_name["Outer"].kind == "class"
    assert by_name["first"].kind == "function" and by_name["first"].top_level
    assert facts.definitions[by_name["Outer.Inner.method"].parent].qualname == "Outer.Inner"
    assert by_name["first"].line == 13 and by_name["first"].decorator_line == 8
    assert by_name["first"].text == "def first(a,"
    assert by_name["alt"].stub == "stub body"


def test_facts_survive_pickling() -> None:
    facts = collect(TORTURE)
    assert pickle.loads(pickle.dumps(facts)) == facts


def test_layout_comments_and_docstrings_do_not_change_fingerprints() -> None:
    a = collect("def f(a, b):\n    '''Add.'''\n    c = a + b  # sum\n    return c\n").definitions[0]
    b = collect("def g(a,\n      b):\n\n    c = (a +\n         b)\n    return c\n").definitions[0]
    assert a.exact == b.exact and a.normalised == b.normalised


def test_renamed_identifiers_keep_the_normalised_hash_only() -> None:
    a = collect("def f(a, b):\n    c = a + b * 2\n    return c\n").definitions[0]
    b = collect("def f(x, y):\n    z = x + y * 3\n    return z\n").definitions[0]
    c = collect("def f(x, y):\n    z = x - y * 3\n    return z\n").definitions[0]
    assert a.exact != b.exact and a.normalised == b.normalised
    assert c.normalised != a.normalised


def test_stub_reasons() -> None:
    source = (
        "from typing import overload\nimport abc\n"
        "@overload\ndef a(x: int) -> int: ...\n"
        "class B(abc.ABC):\n    @abc.abstractmethod\n    def run(self):\n        return 1\n"
        "def c():\n    '''Doc.'''\n    raise NotImplementedError('later')\n"
        "def d():\n    pass\n"
        "def e():\n    return 1\n"
    )
    reasons = {d.qualname: d.stub for d in collect(source).definitions}
    assert reasons == {
        "a": "overload",
        "B": "stub body",
        "B.run": "abstract",
        "c": "stub body",
        "d": "stub body",
        "e": "",
    }


def test_distinct_statements_count_alike_lines_once() -> None:
    table = collect("class Tags:\n    a = 'a'\n    b = 'b'\n    c = 'c'\n    d = 'd'\n").definitions[0]
    assert table.statements == 4 and table.distinct_statements == 1


BODY = "".join(f"    v{i} = compute(v{i - 1}, {i})\n    if v{i} > {i}:\n        log(v{i})\n" for i in range(1, 8))


def test_signatures_estimate_similarity() -> None:
    base = collect(f"def f(v0):\n{BODY}    return v7\n").definitions[0]
    near = collect(f"def f(v0):\n{BODY}    cleanup()\n    return v7\n").definitions[0]
    other = collect(
        "def f(p):\n    with open(p) as h:\n        for line in h:\n            yield line.split(',')\n"
    ).definitions[0]
    assert base.signature == collect(f"def g(w):\n{BODY}    return v7\n").definitions[0].signature
    assert estimated_similarity(base.signature, near.signature) > 0.6
    assert estimated_similarity(base.signature, other.signature) < 0.3
    assert signature(b"") == b""


def test_lsh_links_identical_signatures_without_all_pairs() -> None:
    sig = collect(f"def f(v0):\n{BODY}    return v7\n").definitions[0].signature
    other = (
        collect("def f(p):\n    with open(p) as h:\n        for line in h:\n            yield line.split(',')\n")
        .definitions[0]
        .signature
    )
    pairs = candidate_pairs([sig] * 50 + [other])
    assert all(50 not in pair for pair in pairs)
    assert len(components(match_graph(pairs))) == 1  # the 50 copies, linked
    assert len(pairs) <= 2 * 50  # spanning links per bucket, not 50 * 49 / 2


def test_similarity_is_the_longest_common_subsequence_ratio() -> None:
    base = collect(f"def f(v0):\n{BODY}    return v7\n")
    near = collect(f"def f(v0):\n{BODY}    cleanup()\n    return v7\n")
    x = base.stream(base.definitions[0])
    y = near.stream(near.definitions[0])
    assert similarity(x, x) == 1.0
    assert similarity(x, y) == 2 * len(x) / (len(x) + len(y))  # y is x with tokens inserted
    assert similarity(x, y[:20], at_least=0.8) < 0.8
    assert similarity(b"", b"") == 1.0


def test_lcs_length_matches_the_textbook_recurrence() -> None:
    def reference(a: bytes, b: bytes) -> int:
        previous = [0] * (len(b) + 1)
        for x in a:
            current = [0]
            for j, y in enumerate(b):
                current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
            previous = current
        return previous[-1]

    rng = random.Random(4)
    for _ in range(300):
        a = bytes(rng.randrange(5) for _ in range(rng.randrange(0, 50)))
        b = bytes(rng.randrange(5) for _ in range(rng.randrange(0, 50)))
        assert lcs_length(a, b) == reference(a, b), (a, b)


def _member(path: str, module: str, line: int = 1) -> Member:
    definition = collect("def f(a):\n    return a\n").definitions[0]
    return Member(path, module, 0, definition.__class__(**{**definition.__dict__, "line": line}))


def test_canonical_is_the_most_imported_then_the_oldest_path() -> None:
    a, b, c = _member("pkg/z.py", "pkg.z"), _member("pkg/a.py", "pkg.a"), _member("pkg/m.py", "pkg.m")
    imports = {"pkg.z": 3, "pkg.a": 1, "pkg.m": 1}
    chosen = choose_canonical([a, b, c], imports.__getitem__)
    assert chosen.member is a and "imported by 3 project modules" in chosen.reason
    tied = choose_canonical([a, b, c], lambda module: 2)
    assert tied.member is b and "first by name" in tied.reason


def test_imports_of_the_name_itself_outweigh_imports_of_its_module() -> None:
    # rich/jupyter.py is imported more than rich/__init__.py, but `from rich import print` is the API.
    api, helper = _member("rich/__init__.py", "rich"), _member("rich/jupyter.py", "rich.jupyter")
    chosen = choose_canonical(
        [helper, api], {"rich": 1, "rich.jupyter": 5}.__getitem__, lambda module, name: 2 if module == "rich" else 0
    )
    assert chosen.member is api and "`f` is imported from its module by 2 project modules" in chosen.reason


def test_with_no_import_evidence_the_shallower_module_is_kept() -> None:
    deep, shallow = _member("a/b/c/x.py", "a.b.c.x"), _member("z/y.py", "z.y")
    chosen = choose_canonical([deep, shallow], lambda module: 0)
    assert chosen.member is shallow and "shortest module path" in chosen.reason


def test_group_id_depends_on_members_not_order() -> None:
    a, b = _member("pkg/a.py", "pkg.a"), _member("pkg/b.py", "pkg.b")
    assert group_id("SSOT001", [a, b]) == group_id("SSOT001", [b, a])
    assert group_id("SSOT001", [a, b]) != group_id("SSOT001", [a, _member("pkg/c.py", "pkg.c")])
