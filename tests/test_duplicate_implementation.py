"""SSOT001 through the real engine: planted clusters of every clone type, their members,
group and canonical member, and look-alike code that must be left alone."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ssot_audit.model import Finding
from tests.support import COPIED_RUN, audit_tree, of_rule, write_config, write_tree

SUM = (
    "def {name}(items):\n"
    "    total = 0\n"
    "    for item in items:\n"
    "        if item.discounted:\n"
    "            total += item.price * (1 - item.rate)\n"
    "        else:\n"
    "            total += item.price\n"
    "    return total\n"
)
RENAMED = SUM.replace("items", "lines").replace("item", "line").replace("total", "amount").replace("1 -", "2 -")
NEAR = SUM.replace("    return total", "    log(total)\n    return total")
OTHER = (
    "def {name}(url):\n"
    "    response = fetch(url, timeout=5)\n"
    "    while response.status == 429:\n"
    "        sleep(response.retry_after)\n"
    "        response = fetch(url, timeout=5)\n"
    "    return response.json()\n"
)


def audit(tmp_path: Path, files: Mapping[str, str], options: Mapping[str, object] | None = None) -> list[Finding]:
    write_tree(tmp_path, dict(files))
    write_config(tmp_path, rules={"SSOT001": dict(options)} if options else None)
    return of_rule(audit_tree(tmp_path, select=["SSOT001"]), "SSOT001")


def members(findings: list[Finding]) -> set[tuple[str, int]]:
    return {(f.path, f.line) for f in findings}


def test_exact_copies_form_one_cluster_and_the_most_imported_is_canonical(tmp_path: Path) -> None:
    files = {
        "shop/a.py": SUM.format(name="total"),
        "shop/b.py": "import os\n\n" + SUM.format(name="total"),
        "shop/core.py": SUM.format(name="total"),
        "shop/x.py": "from shop.core import total\n",
        "shop/y.py": "import shop.core\n",
    }
    found = audit(tmp_path, files)
    assert members(found) == {("shop/a.py", 1), ("shop/b.py", 3), ("shop/core.py", 1)}
    assert len({f.group for f in found}) == 1 and found[0].group
    for f in found:
        assert "shop/core.py:1" in f.message or f.path == "shop/core.py"
        assert {(r.path, r.line) for r in f.related} == members(found) - {(f.path, f.line)}
    canonical = next(f for f in found if f.path == "shop/core.py")
    assert (
        "keep this one" in canonical.message
        and "`total` is imported from its module by 1 project module" in canonical.message
    )
    assert "(`total` (shop/a.py:1): exact, `total` (shop/b.py:3): exact)" in canonical.message
    assert all("an exact copy" in f.message for f in found if f is not canonical)


def test_tie_break_is_the_oldest_path_by_name(tmp_path: Path) -> None:
    found = audit(tmp_path, {"shop/zeta.py": SUM.format(name="t"), "shop/alpha.py": SUM.format(name="t")})
    canonical = [f for f in found if "keep this one" in f.message]
    assert [f.path for f in canonical] == ["shop/alpha.py"] and "then the first by name" in canonical[0].message


def test_the_copy_kept_is_one_the_others_can_import_without_a_cycle(tmp_path: Path) -> None:
    # botocore: utils imports httpsession, so utils' copy is the one to drop, whatever the counts say.
    files = {
        "shop/utils.py": "import shop.session\n\n" + SUM.format(name="total"),
        "shop/session.py": SUM.format(name="total"),
        "shop/x.py": "from shop.utils import total\n",
    }
    found = audit(tmp_path, files)
    canonical = [f for f in found if "keep this one" in f.message]
    assert [f.path for f in canonical] == ["shop/session.py"]
    assert "without an import cycle" in canonical[0].message
    # Without that import the most imported copy is kept, as before.
    files["shop/utils.py"] = SUM.format(name="total")
    canonical = [f for f in audit(tmp_path / "plain", files) if "keep this one" in f.message]
    assert [f.path for f in canonical] == ["shop/utils.py"]


def test_copies_on_two_sides_of_a_versioned_api_folder_are_apart_on_purpose(tmp_path: Path) -> None:
    # pydantic keeps pydantic/v1/ as a frozen copy of the 1.x API beside the new one.
    big = SUM.replace("    return round(total, 2)\n", "    total += 1\n    total *= 2\n    return total\n")
    files = {"shop/types.py": big.format(name="total"), "shop/v1/types.py": big.format(name="total")}
    assert audit(tmp_path / "v1", files) == []
    files = {"api/v1/views.py": big.format(name="total"), "api/v2/views.py": big.format(name="total")}
    assert audit(tmp_path / "v2", files) == []
    # A run shared across the boundary is apart too; copies within one version are still copies.
    files = {"shop/v1/a.py": big.format(name="total"), "shop/v1/b.py": big.format(name="total")}
    assert len(audit(tmp_path / "within", files)) == 2
    files = {"shop/dev1/a.py": big.format(name="total"), "shop/b.py": big.format(name="total")}
    assert len(audit(tmp_path / "not-a-version", files)) == 2


def test_modules_a_tool_wrote_are_left_out_unless_asked(tmp_path: Path) -> None:
    # trio's _core/_generated_io_epoll.py and _generated_io_kqueue.py, written by its gen_exports.
    header = "# ***********************************************************\n# ******* WARNING: AUTOGENERATED! ALL EDITS WILL BE LOST ******\n"
    files = {
        "io/_gen_epoll.py": header + SUM.format(name="total"),
        "io/_gen_kqueue.py": header + SUM.format(name="total"),
    }
    assert audit(tmp_path / "gen", files) == []
    assert len(audit(tmp_path / "asked", files, {"include-generated": True})) == 2
    docstring = '"""Code generated by protoc-gen-py. DO NOT EDIT."""\n\n'
    one = {"io/a_pb2.py": docstring + SUM.format(name="total"), "io/b.py": SUM.format(name="total")}
    assert audit(tmp_path / "pb", one) == []
    # kaitai-struct-compiler's header (mitmproxy's contrib/kaitaistruct/*.py).
    kaitai = "# This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild\n\n"
    parsers = {"ks/a.py": kaitai + SUM.format(name="total"), "ks/b.py": kaitai + SUM.format(name="total")}
    assert audit(tmp_path / "kaitai", parsers) == []
    # A module that talks about generated things is not itself generated.
    about = '"""Helpers for the classes generated by the ORM."""\n\n'
    files = {"io/a.py": about + SUM.format(name="total"), "io/b.py": SUM.format(name="total")}
    assert len(audit(tmp_path / "about", files)) == 2


def _picks(head: str, first: str, second: str, third: str = "") -> str:
    """A module that imports `total` from one of two (or three) modules, as `head` chooses."""
    body = f"{head}\n    from pk.{first} import total\n"
    if third:
        body += f"elif sys.platform == 'darwin':\n    from pk.{third} import total\n"
    return f"import sys\n\n{body}else:\n    from pk.{second} import total\n"


def test_modules_the_project_picks_between_by_interpreter_are_not_copies(tmp_path: Path) -> None:
    # pexpect's _async.py imports _async_w_await on Python 3.6+ and _async_pre_await before it;
    # the second uses `asyncio.coroutine`, gone in 3.11, so neither could use the other's code.
    copies = {"pk/_new.py": SUM.format(name="total"), "pk/_old.py": SUM.format(name="total")}
    version = "from sys import version_info as py_version_info\n\nif py_version_info >= (3, 6):"
    picks = _picks(version, "_new", "_old").replace("import sys\n\n", "")
    assert audit(tmp_path / "version", {**copies, "pk/_async.py": picks}) == []
    # prompt_toolkit picks its input by platform inside a function; trio through an elif chain.
    platform = "def create_input():\n" + "".join(
        f"    {line}\n" for line in _picks("if sys.platform == 'win32':", "_new", "_old").splitlines()
    )
    assert audit(tmp_path / "platform", {**copies, "pk/defaults.py": platform}) == []
    three = {**copies, "pk/_kq.py": SUM.format(name="total")}
    chain = _picks("if sys.platform == 'win32':", "_new", "_old", "_kq")
    assert audit(tmp_path / "chain", {**three, "pk/run.py": chain}) == []
    # A C speedup with its pure-Python fallback (websockets' `speedups`).
    fallback = "try:\n    from pk._new import total\nexcept ImportError:\n    from pk._old import total\n"
    assert audit(tmp_path / "fallback", {**copies, "pk/frames.py": fallback}) == []
    # A method both platforms' classes could inherit from a project base can still move there
    # (textual's Linux and Windows drivers share `_enable_mouse_support`, both on `Driver`).
    method = "".join(
        f"    {line}\n" for line in SUM.format(name="total").replace("(items)", "(self, items)").splitlines()
    )
    drivers = {
        "pk/base.py": "class Driver:\n    pass\n",
        "pk/_new.py": f"from pk.base import Driver\n\n\nclass NewDriver(Driver):\n{method}",
        "pk/_old.py": f"from pk.base import Driver\n\n\nclass OldDriver(Driver):\n{method}",
        "pk/run.py": _picks("if sys.platform == 'win32':", "_new", "_old").replace("total", "NewDriver as D", 1),
    }
    moved = audit(tmp_path / "base", drivers)
    assert len(moved) == 2 and all("`pk.base.Driver`" in f.message for f in moved)
    # A choice by anything else is the project's own: the copies are still copies.
    setting = _picks("if settings.FAST:", "_new", "_old")
    assert len(audit(tmp_path / "setting", {**copies, "pk/conf.py": setting})) == 2
    checking = "from typing import TYPE_CHECKING\n\n" + _picks("if TYPE_CHECKING:", "_new", "_old")
    assert len(audit(tmp_path / "checking", {**copies, "pk/types.py": checking})) == 2
    # Imports that run whatever was picked (`finally:`) choose nothing.
    always = "try:\n    import json\nexcept ImportError:\n    json = None\nfinally:\n    from pk._new import total\n"
    both = always + "from pk._old import total as other\n"
    assert len(audit(tmp_path / "finally", {**copies, "pk/both.py": both})) == 2


def test_unasync_output_beside_its_source_is_left_out_unless_asked(tmp_path: Path) -> None:
    # httpcore writes _async/ by hand and its unasync script writes _sync/ from it: a copy within
    # the sync twin is reported once, in the source, where fixing it fixes both.
    within = SUM.format(name="total") + "\n\n" + SUM.format(name="subtotal")
    files = {"hc/_async/interfaces.py": within, "hc/_sync/interfaces.py": within}
    found = audit(tmp_path / "twins", files)
    assert sorted({f.path for f in found}) == ["hc/_async/interfaces.py"] and len(found) == 2
    assert len(audit(tmp_path / "asked", files, {"include-generated": True})) == 4
    # A `_sync/` module without an `_async/` twin of its name is written by hand.
    alone = {"hc/_async/other.py": "X = 1\n", "hc/_sync/interfaces.py": within}
    assert len(audit(tmp_path / "alone", alone)) == 2


def test_one_modules_sync_and_async_variants_share_only_their_exact_copies(tmp_path: Path) -> None:
    # redis asyncio/keyspace_notifications.py against keyspace_notifications.py (asyncio.Lock
    # against threading.Lock); pymongo asynchronous/ against synchronous/; falcon asgi/ against WSGI.
    # websockets asyncio/, trio/ and sync/; azure-core _base_async.py; dnspython asyncquery.py.
    for a, b in (
        ("redis/asyncio/notify.py", "redis/notify.py"),
        ("pm/asynchronous/client.py", "pm/synchronous/client.py"),
        ("fa/asgi/request.py", "fa/request.py"),
        ("ws/trio/connection.py", "ws/sync/connection.py"),
        ("ws/trio/connection.py", "ws/asyncio/connection.py"),
        ("az/pipeline/_base_async.py", "az/pipeline/_base.py"),
        ("dns/asyncquery.py", "dns/query.py"),
    ):
        near = {a: SUM.format(name="total"), b: NEAR.format(name="total")}
        assert audit(tmp_path / "near" / a / b, near) == [], (a, b)
        exact = {a: SUM.format(name="total"), b: SUM.format(name="total")}
        assert len(audit(tmp_path / "exact" / a / b, exact)) == 2, (a, b)
    # Same file name in unrelated folders, or two async folders, are not one module's variants.
    for a, b in (
        ("redis/asyncio/notify.py", "redis/other/notify.py"),
        ("x/aio/a.py", "x/asyncio/a.py"),
        ("az/rest/_aiohttp.py", "az/rest/_http.py"),
    ):
        near = {a: SUM.format(name="total"), b: NEAR.format(name="total")}
        assert len(audit(tmp_path / "apart" / a, near)) == 2, (a, b)


def test_a_closure_writing_its_enclosing_functions_variables_is_not_a_clone(tmp_path: Path) -> None:
    # psycopg waiting.py: wait_async.wakeup and wait_conn_async.wakeup set `nonlocal ready`.
    closure = (
        "def {outer}(gen, fileno):\n"
        "    ready = 0\n"
        "    def wakeup(state):\n"
        "        nonlocal ready\n"
        "        ready |= state\n"
        "        if not ev.is_set():\n"
        "            ev.set()\n"
        "        log(ready, state)\n"
        "        return ready\n"
        "{rest}"
    )
    rest_a = "    loop.add_reader(fileno, wakeup)\n    return gen.send(ready)\n"
    rest_b = "    for event in poll(fileno):\n        wakeup(event)\n    conn.flush()\n    return conn\n"
    files = {
        "pg/a.py": closure.format(outer="wait_async", rest=rest_a),
        "pg/b.py": closure.format(outer="wait_conn_async", rest=rest_b),
    }
    # (A run of statements the outer functions share may still be reported, on its own lines.)
    assert not {f.scope for f in audit(tmp_path / "closure", files)} & {"wait_async.wakeup", "wait_conn_async.wakeup"}
    # The same nested function without `nonlocal` is a copy like any other.
    files = {path: text.replace("        nonlocal ready\n", "        ready = 0\n") for path, text in files.items()}
    assert {f.scope for f in audit(tmp_path / "plain", files)} >= {"wait_async.wakeup", "wait_conn_async.wakeup"}


def test_copied_methods_of_classes_on_one_project_base_are_advised_into_it(tmp_path: Path) -> None:
    # twine's SDist.__init__ and Wheel.__init__, both on distribution.Distribution; apscheduler's
    # job stores' _reconstitute_job, all on BaseJobStore.
    method = _indent(SUM.format(name="total"))
    disk = _indent(OTHER.format(name="path_of"))
    memory = "    def keys(self):\n        return sorted(self._data)\n"
    files = {
        "shop/base.py": "class Store:\n    pass\n",
        "shop/disk.py": "from shop import base\n\n\nclass Disk(base.Store):\n" + method + "\n" + disk,
        "shop/memory.py": "from shop.base import Store\n\n\nclass Memory(Store):\n" + method + "\n" + memory,
    }
    found = audit(tmp_path / "shared", files)
    assert len(found) == 2
    assert all("into `shop.base.Store`, the base class they share" in f.message for f in found)
    # Classes on different bases, or on a base from outside the project, keep the usual advice.
    files["shop/memory.py"] = "import abc\n\n\nclass Memory(abc.ABC):\n" + method
    found = audit(tmp_path / "apart", files)
    assert len(found) == 2 and not any("base class they share" in f.message for f in found)
    outside = {path: code.replace("(base.Store)", "(abc.ABC)") for path, code in files.items()}
    found = audit(tmp_path / "outside", outside)
    assert len(found) == 2 and not any("base class they share" in f.message for f in found)


def test_copies_reading_each_modules_own_constant_mean_different_things(tmp_path: Path) -> None:
    # pre-commit: every languages/<language>.py has the same `in_env`, reading its own module's
    # ENVIRONMENT_DIR (and each module's `get_env_patch`, alike enough to be one helper).
    in_env = (
        "\n\n@contextlib.contextmanager\n"
        "def in_env(prefix, version):\n"
        "    envdir = lang_base.environment_dir(prefix, ENVIRONMENT_DIR, version)\n"
        "    if not os.path.isdir(envdir):\n"
        "        raise MissingEnvironment(envdir, version)\n"
        "    with envcontext(get_env_patch(envdir)):\n"
        "        log.debug('entered %s', envdir)\n"
        "        yield envdir\n"
    )
    patch = (
        "\n\ndef get_env_patch(venv):\n    return (('PATH', (os.path.join(venv, 'bin'), os.pathsep, Var('PATH'))),)\n"
    )

    def language(env: str, imports: str = "") -> str:
        return f"import contextlib\nimport os\n{imports}\nENVIRONMENT_DIR = {env!r}\n" + patch + in_env

    files = {"pc/languages/node.py": language("node_env"), "pc/languages/ruby.py": language("rbenv")}
    assert audit(tmp_path / "own", files) == []
    # The same constant bound to the same value: one implementation, written twice.
    files = {"pc/languages/node.py": language("env"), "pc/languages/ruby.py": language("env")}
    assert {f.scope for f in audit(tmp_path / "same", files)} == {"in_env"}
    # What an import binds is not compared: a copy importing a name the other module defines
    # (markdown's toc reading serializers' RE_AMP) or each package's own module of one name
    # mostly means the same code, used for its types or by the same protocol.
    imported = {
        "pc/a/hooks.py": language("env", "from .log import log"),
        "pc/b/hooks.py": language("env", "from .log import log"),
    }
    assert {f.scope for f in audit(tmp_path / "imported", imported)} == {"in_env"}
    # A logger's name labels where messages go, not what the code does (httpcore's connection
    # and socks modules, each with its own logger, share a TLS upgrade block).
    logged = {
        "pc/a/hooks.py": language("env", "log = logging.getLogger('pc.a')"),
        "pc/b/hooks.py": language("env", "log = logging.getLogger('pc.b')"),
    }
    assert {f.scope for f in audit(tmp_path / "logged", logged)} == {"in_env"}


def test_copies_reading_their_own_modules_globals_mean_different_things(tmp_path: Path) -> None:
    # pyasn1: each codec module's `__getattr__` looks the deprecated name up in its own globals().
    getattr_ = (
        "def __getattr__(attr):\n"
        "    if newAttr := {{'tagMap': 'TAG_MAP', 'typeMap': 'TYPE_MAP'}}.get(attr):\n"
        "        warnings.warn(f'{{attr}} is deprecated. Please use {{newAttr}} instead.', DeprecationWarning)\n"
        "        return {lookup}[newAttr]\n"
        "    if attr in ('tagMap', 'typeMap'):\n"
        "        raise AttributeError(attr)\n"
        "    raise AttributeError(f'module {{__name__}} has no attribute {{attr}}')\n"
    )
    own = getattr_.format(lookup="globals()")
    assert audit(tmp_path / "own", {"codec/ber/decoder.py": own, "codec/cer/decoder.py": own}) == []
    shared = getattr_.format(lookup="CODECS")
    found = audit(tmp_path / "shared", {"codec/ber/decoder.py": shared, "codec/cer/decoder.py": shared})
    assert {f.scope for f in found} == {"__getattr__"}


def test_copies_calling_each_modules_own_version_of_a_helper_mean_different_things(tmp_path: Path) -> None:
    # dask: array/_array_expr/random.py's RandomState reads like array/random.py's, but each calls
    # its own module's `_wrap_func`, building a different kind of graph.
    caller = (
        "def normal(state, loc, scale, size):\n"
        "    if size is None:\n"
        "        size = (1,)\n"
        "    chunks = normalize(size)\n"
        "    out = _wrap_func(state, 'normal', loc, scale, size=size, chunks=chunks)\n"
        "    out.seen = True\n"
        "    return out\n"
    )
    helper = "\n\ndef _wrap_func(state, name, *args, **kwargs):\n    {body}\n"
    graph = (
        "shapes = [a.shape for a in args if hasattr(a, 'shape')]\n    size = broadcast(*shapes)\n"
        "    for block in blocks(size):\n        graph[block] = (name, state, block)\n    return Array(graph, size)"
    )
    files = {
        "dk/array/random.py": caller + helper.format(body=graph),
        "dk/array/_expr/random.py": caller + helper.format(body="return new_collection(Random(state, name))"),
    }
    assert audit(tmp_path / "own", files) == []
    # When the helper is the same in both, so are the callers: both are copies.
    same = helper.format(body="return build_graph(state, name, args, kwargs)")
    files = {"dk/array/random.py": caller + same, "dk/array/_expr/random.py": caller + same}
    assert {f.scope for f in audit(tmp_path / "same", files)} == {"normal"}
    # So when the helpers are near copies (setuptools' findall calls its own `_find_all_simple`,
    # which differs from distutils' by one filter).
    walk = (
        "\n\ndef _find_all_simple(path):\n"
        "    results = (os.path.join(base, f) for base, dirs, files in {walk} for f in files)\n"
        "    found = filter(os.path.isfile, results)\n"
        "    log(path, found)\n"
        "    return list(found)\n"
    )
    finder = (
        "def findall(dir=os.curdir):\n"
        "    files = _find_all_simple(dir)\n"
        "    if dir == os.curdir:\n"
        "        make_rel = functools.partial(os.path.relpath, start=dir)\n"
        "        files = map(make_rel, files)\n"
        "    return list(files)\n"
    )
    files = {
        "st/__init__.py": finder + walk.format(walk="os.walk(path, followlinks=True)"),
        "st/_distutils/filelist.py": finder + walk.format(walk="_UniqueDirs.filter(os.walk(path, followlinks=True))"),
    }
    assert "findall" in {f.scope for f in audit(tmp_path / "near", files)}


def test_renamed_copy_is_type_2(tmp_path: Path) -> None:
    found = audit(
        tmp_path, {"shop/a.py": SUM.format(name="order_total"), "shop/b.py": RENAMED.format(name="invoice_total")}
    )
    assert members(found) == {("shop/a.py", 1), ("shop/b.py", 1)}
    assert "renamed identifiers or changed literals" in next(f for f in found if f.path == "shop/b.py").message


def test_near_miss_copy_is_type_3_and_the_threshold_decides(tmp_path: Path) -> None:
    files = {"shop/a.py": SUM.format(name="total"), "shop/b.py": NEAR.format(name="total")}
    found = audit(tmp_path, files)
    assert members(found) == {("shop/a.py", 1), ("shop/b.py", 1)}
    assert "near-miss copy" in next(f for f in found if f.path == "shop/b.py").message
    assert audit(tmp_path, files, {"similarity": 0.99}) == []


def test_unrelated_code_of_the_same_size_is_left_alone(tmp_path: Path) -> None:
    assert audit(tmp_path, {"shop/a.py": SUM.format(name="total"), "shop/b.py": OTHER.format(name="load")}) == []


def test_copied_classes_are_reported_once_not_again_per_method(tmp_path: Path) -> None:
    klass = "class {name}:\n" + "".join(
        "    " + line + "\n" for line in (SUM + "\n" + OTHER).format(name="m").splitlines()
    ).replace("(items)", "(self, items)").replace("m(path)", "n(self, path)")
    found = audit(tmp_path, {"shop/a.py": klass.format(name="Cart"), "shop/b.py": klass.format(name="Basket")})
    assert members(found) == {("shop/a.py", 1), ("shop/b.py", 1)}


def test_suppression_on_the_first_decorator_silences_the_finding(tmp_path: Path) -> None:
    files = {
        "shop/a.py": "import functools\n\n\n@functools.cache  # ssot: ignore[SSOT001]\n" + SUM.format(name="total"),
        "shop/b.py": SUM.format(name="total"),
    }
    write_tree(tmp_path, files)
    found = of_rule(audit_tree(tmp_path, select=["SSOT001"]), "SSOT001", include_suppressed=True)
    decorated = next(f for f in found if f.path == "shop/a.py")
    assert decorated.line == 5 and decorated.suppressed
    assert not next(f for f in found if f.path == "shop/b.py").suppressed


def test_group_id_is_stable_when_unrelated_files_change(tmp_path: Path) -> None:
    files = {"shop/a.py": SUM.format(name="total"), "shop/b.py": SUM.format(name="total")}
    first = {f.group for f in audit(tmp_path / "one", files)}
    second = {f.group for f in audit(tmp_path / "two", {**files, "shop/aa.py": OTHER.format(name="x")})}
    assert first == second and len(first) == 1


def test_checked_counts_the_definitions_compared(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "shop/a.py": SUM.format(name="total") + "\n\ndef tiny():\n    return 1\n",
            "shop/b.py": OTHER.format(name="x"),
        },
    )
    result = audit_tree(tmp_path, select=["SSOT001"])
    duplicates = next(c for c in result.categories if c.category.id == "duplicates")
    assert duplicates.checked == 2


# -- not clones ---------------------------------------------------------------------------


def _twice(tmp_path: Path, source: str, options: Mapping[str, object] | None = None) -> list[Finding]:
    return audit(tmp_path, {"shop/a.py": source, "shop/b.py": source}, options)


def test_overload_stubs_are_not_clones(tmp_path: Path) -> None:
    source = "from typing import overload\n\n" + "".join(
        f"@overload\ndef get(key: {t}, default: {t} | None = None, *, strict: bool = False) -> {t}: ...\n"
        for t in ("int", "str", "bytes")
    )
    assert _twice(tmp_path, source, {"min-statements": 1, "min-tokens": 5}) == []


def test_abstract_methods_are_not_clones(tmp_path: Path) -> None:
    method = "".join(
        "    " + line + "\n" for line in SUM.format(name="total").replace("(items)", "(self, items)").splitlines()
    )
    source = "import abc\n\nclass Base(abc.ABC):\n    x = 1\n\n    @abc.abstractmethod\n" + method
    assert _twice(tmp_path, source) == []


def test_placeholder_bodies_are_not_clones(tmp_path: Path) -> None:
    for body in (
        "...",
        "pass",
        "'''Only a docstring.'''",
        "raise NotImplementedError",
        "raise NotImplementedError('subclass')",
    ):
        source = f"def hook(request, response, *args, timeout=None, retries=3, **kwargs):\n    '''Doc.'''\n    {body}\n"
        assert _twice(tmp_path / body[:5], source, {"min-statements": 1, "min-tokens": 1}) == [], body


def test_small_bodies_are_not_clones(tmp_path: Path) -> None:
    small = (
        "    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n\n"
        "    def __repr__(self):\n        return f'{type(self).__name__}({self.x}, {self.y})'\n\n"
        "    @property\n    def norm(self):\n        return (self.x ** 2 + self.y ** 2) ** 0.5\n"
    )
    # The same small bodies with their own names: Type-2 copies, each too small to report.
    renamed = (
        small.replace(".x", ".w")
        .replace(".y", ".h")
        .replace("x, y", "w, h")
        .replace("= x", "= w")
        .replace("= y", "= h")
    )
    a = (
        "class Point:\n"
        + small
        + "".join(
            "    " + line + "\n" for line in SUM.format(name="total").replace("(items)", "(self, items)").splitlines()
        )
    )
    b = (
        "class Size:\n"
        + renamed
        + "".join(
            "    " + line + "\n" for line in OTHER.format(name="load").replace("(path)", "(self, path)").splitlines()
        )
    )
    assert audit(tmp_path, {"shop/a.py": a, "shop/b.py": b}) == []
    # Copied as written, three in a row, they are one copied run of the classes (below).
    copied = audit(tmp_path / "copied", {"shop/a.py": a, "shop/b.py": b.replace(renamed, small)})
    assert {(f.scope, f.message.split(":")[0]) for f in copied} == {
        ("Point", "`Point` lines 2-11"),
        ("Size", "`Size` lines 2-11"),
    }
    assert (
        audit(
            tmp_path / "big",
            {"shop/a.py": SUM.format(name="t"), "shop/b.py": SUM.format(name="t")},
            {"min-tokens": 500},
        )
        == []
    )


def test_reexporting_init_files_are_not_clones(tmp_path: Path) -> None:
    init = "from shop.orders import total\nfrom shop.files import load\n\n__all__ = ['total', 'load']\n"
    files = {
        "shop/__init__.py": init,
        "shop/sub/__init__.py": init,
        "shop/orders.py": SUM.format(name="total"),
        "shop/files.py": OTHER.format(name="load"),
    }
    assert audit(tmp_path, files) == []


def test_type_checking_and_import_error_alternatives_are_not_clones(tmp_path: Path) -> None:
    indented = "".join("    " + line + "\n" for line in SUM.format(name="total").splitlines())
    source = (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        + indented
        + "else:\n"
        + indented
        + "try:\n    from fast import load\nexcept ImportError:\n"
        + "".join("    " + line + "\n" for line in OTHER.format(name="load").splitlines())
        + "else:\n"
        + "".join("    " + line + "\n" for line in OTHER.format(name="load").splitlines())
    )
    assert audit(tmp_path, {"shop/compat.py": source}) == []


def test_constant_tables_are_not_implementations(tmp_path: Path) -> None:
    # Django's core.checks.Tags and postgres RangeOperators were once reported as copies.
    tags = "class Tags:\n    '''Built-in tags.'''\n" + "".join(f"    tag{i} = 'tag{i}'\n" for i in range(12))
    operators = "class RangeOperators:\n" + "".join(f"    OP{i} = '{'<>'[i % 2] * (i + 1)}'\n" for i in range(10))
    assert audit(tmp_path, {"shop/checks.py": tags, "shop/ranges.py": operators}) == []


def test_keyword_defaulting_inits_are_not_implementations(tmp_path: Path) -> None:
    # Django's NullBooleanField.__init__ and OrderWrt.__init__ were once reported as copies.
    a = "class NullBoolean(Field):\n    def __init__(self, *args, **kwargs):\n        kwargs['null'] = True\n        kwargs['blank'] = True\n        super().__init__(*args, **kwargs)\n"
    b = "class OrderWrt(Field):\n    def __init__(self, *args, **kwargs):\n        kwargs['name'] = '_order'\n        kwargs['editable'] = False\n        super().__init__(*args, **kwargs)\n"
    assert audit(tmp_path, {"shop/fields.py": a, "shop/proxy.py": b}) == []


def test_every_member_is_a_copy_of_the_canonical_not_of_a_chain(tmp_path: Path) -> None:
    # a ~ b (86%) and b ~ c (81%), but a and c are only 67% alike: c is not a copy of a.
    a = "def f(rows):\n    out = []\n    for row in rows:\n        if row.ok:\n            out.append(row.value)\n    out.sort()\n    return out\n"
    b = a.replace("    out.sort()\n", "    out.sort()\n    seen = set(out)\n    log(seen)\n")
    c = b.replace(
        "    log(seen)\n", "    log(seen)\n    while len(out) > limit:\n        out.pop()\n    notify(out, seen)\n"
    )
    whole_copies_only = {"min-fragment-statements": 0}
    found = audit(tmp_path, {"shop/a.py": a, "shop/b.py": b, "shop/c.py": c}, whole_copies_only)
    assert members(found) == {("shop/a.py", 1), ("shop/b.py", 1)}
    # With b the most imported, both others are copies of it.
    found = audit(
        tmp_path / "hub",
        {"shop/a.py": a, "shop/b.py": b, "shop/c.py": c, "shop/use.py": "import shop.b\n"},
        whole_copies_only,
    )
    assert members(found) == {("shop/a.py", 1), ("shop/b.py", 1), ("shop/c.py", 1)}
    assert all("shop/b.py:1" in f.message for f in found if f.path != "shop/b.py")


def test_a_class_is_never_a_copy_of_a_method(tmp_path: Path) -> None:
    # Django's NullIf class was once reported as a copy of Round.as_sqlite, its only method.
    method = (
        "    def as_sqlite(self, compiler, connection, **extra):\n"
        "        precision = self.get_source_expressions()[1]\n"
        "        if isinstance(precision, Value) and precision.value < 0:\n"
        "            raise ValueError('negative precision')\n"
        "        return super().as_sqlite(compiler, connection, **extra)\n"
    )
    files = {
        "shop/a.py": "class NullIf(Func):\n    arity = 2\n\n" + method,
        "shop/b.py": "class Round(Func):\n"
        + "".join("    " + line + "\n" for line in OTHER.format(name="fetch").splitlines()).replace(
            "(url)", "(self, url)"
        )
        + "\n"
        + method,
    }
    assert {f.scope for f in audit(tmp_path, files)} == {"NullIf.as_sqlite", "Round.as_sqlite"}


def test_near_miss_copies_must_share_names_as_written(tmp_path: Path) -> None:
    renamed_and_edited = RENAMED.replace("    return amount", "    log(amount)\n    return amount")
    files = {"shop/a.py": SUM.format(name="t"), "shop/b.py": renamed_and_edited.format(name="t")}
    assert audit(tmp_path, files) == []
    assert len(audit(tmp_path / "off", files, {"written-similarity": 0.0})) == 2


# Django definitions once reported as near-miss copies although they only share a shape:
# the same guard, check or override idiom around different names and logic.
SHAPE_ALIKES = {
    "guards": (
        (
            "class TimeFormat:\n    def T(self):\n        '''Time zone of this machine.'''\n        if self.timezone is None:\n"
            "            return ''\n\n        return str(self.timezone.tzname(self.data))\n"
        ),
        (
            "class DateFormat:\n    def I(self):\n        '''1 if daylight saving time, 0 otherwise.'''\n        if self.timezone is None:\n"
            "            return ''\n        return '1' if self.timezone.dst(self.data) else '0'\n"
        ),
    ),
    "checks": (
        (
            "class IntegerField:\n    def _check_max_length_warning(self):\n        if self.max_length is not None:\n"
            "            return [\n                checks.Warning(\n                    \"'max_length' is ignored when used with %s.\"\n"
            "                    % self.__class__.__name__,\n                    hint=\"Remove 'max_length' from field\",\n"
            "                    obj=self,\n                    id='fields.W122',\n                )\n            ]\n        return []\n"
        ),
        (
            "class FileField:\n    def _check_primary_key(self):\n        if self._primary_key_set_explicitly:\n"
            "            return [\n                checks.Error(\n                    \"'primary_key' is not a valid argument for a %s.\"\n"
            "                    % self.__class__.__name__,\n                    obj=self,\n                    id='fields.E201',\n"
            "                )\n            ]\n        else:\n            return []\n"
        ),
    ),
    "overrides": (
        (
            "class PasswordInput(Input):\n    def get_context(self, name, value, attrs):\n        if not self.render_value:\n"
            "            value = None\n        return super().get_context(name, value, attrs)\n"
        ),
        (
            "class CheckboxInput(Input):\n    def get_context(self, name, value, attrs):\n        if self.check_test(value):\n"
            "            attrs = {**(attrs or {}), 'checked': True}\n        return super().get_context(name, value, attrs)\n"
        ),
    ),
}


def test_definitions_that_only_share_a_shape_are_not_near_misses(tmp_path: Path) -> None:
    for label, (a, b) in SHAPE_ALIKES.items():
        assert audit(tmp_path / label, {"shop/a.py": a, "shop/b.py": b}) == [], label


RUN = COPIED_RUN


def test_a_copied_run_of_statements_inside_different_functions(tmp_path: Path) -> None:
    a = "def lookup(self, key):\n" + RUN + "    return record.value\n"
    b = (
        "def refresh(self, key, loader):\n    started = monotonic()\n    log.debug('refresh %s', key)\n"
        + RUN
        + "    value = loader(key)\n    self.store[key] = Record(value, started)\n    metrics.timing('refresh', monotonic() - started)\n    return value\n"
    )
    found = audit(tmp_path, {"shop/a.py": a, "shop/b.py": b})
    # On the copied code itself, not on the def lines of the functions holding it.
    assert members(found) == {("shop/a.py", 2), ("shop/b.py", 4)}
    assert {(f.path, f.span.end_line) for f in found} == {("shop/a.py", 10), ("shop/b.py", 12)}
    assert len({f.group for f in found}) == 1
    by_path = {f.path: f.message for f in found}
    assert (
        "`lookup` lines 2-9: a run of 8 statements copied in `refresh` (shop/b.py:1) lines 4-11" in by_path["shop/a.py"]
    )
    assert "keep this copy" in by_path["shop/a.py"] and "call it here" in by_path["shop/b.py"]
    # Shorter than the option asks, or renamed: not a copied run.
    assert audit(tmp_path / "long", {"shop/a.py": a, "shop/b.py": b}, {"min-fragment-statements": 9}) == []
    assert audit(tmp_path / "off", {"shop/a.py": a, "shop/b.py": b}, {"min-fragment-statements": 0}) == []
    renamed = b.replace("record", "entry").replace("key", "name").replace("store", "cache").replace("audit", "journal")
    assert audit(tmp_path / "renamed", {"shop/a.py": a, "shop/b.py": renamed}) == []


def test_a_suppression_on_the_holders_def_line_still_silences_a_copied_run(tmp_path: Path) -> None:
    a = "def lookup(self, key):  # ssot: ignore[SSOT001]\n" + RUN + "    return record.value\n"
    b = (
        "def refresh(self, key, loader):\n    started = monotonic()\n    log.debug('refresh %s', key)\n"
        + RUN
        + "    value = loader(key)\n    self.store[key] = Record(value, started)\n    metrics.timing('refresh', monotonic() - started)\n    return value\n"
    )
    write_tree(tmp_path, {"shop/a.py": a, "shop/b.py": b})
    found = [f for f in audit_tree(tmp_path, select=["SSOT001"]).findings if f.rule == "SSOT001"]
    assert {(f.path, f.line, f.suppressed) for f in found} == {("shop/a.py", 2, True), ("shop/b.py", 4, False)}


def test_a_run_is_reported_in_the_nested_function_that_holds_it(tmp_path: Path) -> None:
    outer = (
        "def make(store):\n    class Manager:\n        def lookup(self, key):\n"
        + "".join("    " * 2 + line + "\n" for line in RUN.splitlines())
        + "            return record\n    return Manager\n"
    )
    b = "def refresh(self, key, loader):\n    started = monotonic()\n" + RUN + "    return loader(key)\n"
    found = audit(tmp_path, {"shop/a.py": outer, "shop/b.py": b})
    assert {f.scope for f in found} == {"make.Manager.lookup", "refresh"}


def _method(template: str, name: str, parameter: str) -> str:
    source = template.format(name=name).replace(f"({parameter})", f"(self, {parameter})")
    return "".join("    " + line + "\n" for line in source.splitlines())


# What makes two classes different as a whole, so only what they share is reported.
OWN_A = (
    "\n    def summary(self, rows):\n"
    "        names = sorted({row.name for row in rows})\n"
    "        widest = max(len(name) for name in names)\n"
    "        lines = [name.ljust(widest) for name in names]\n"
    "        return '\\n'.join(lines)\n"
    "\n    def rename(self, old, new):\n"
    "        if old not in self.columns:\n"
    "            raise KeyError(old)\n"
    "        self.columns[new] = self.columns.pop(old)\n"
    "        self.renamed.append((old, new))\n"
)
OWN_B = (
    "\n    def retry(self, call, attempts=3):\n"
    "        for attempt in range(attempts):\n"
    "            try:\n"
    "                return call()\n"
    "            except TimeoutError as error:\n"
    "                last = error\n"
    "                time.sleep(2 ** attempt)\n"
    "        raise last\n"
    "\n    def drain(self, queue):\n"
    "        while not queue.empty():\n"
    "            item = queue.get_nowait()\n"
    "            self.handle(item)\n"
    "        queue.close()\n"
)


# Two backends whose classes share the end of one method, a whole small method and the start
# of the next: no method is a copy as a whole, the stretch of code is.
_BACKEND = (
    "import {driver} as Database\n\n\n"
    "class {name}Wrapper:\n"
    "    client_class = {name}Client\n"
    "    creation_class = {name}Creation\n"
    "    features_class = {name}Features\n"
    "    ops_class = {name}Operations\n"
    "    introspection_class = {name}Introspection\n"
    "    validation_class = {name}Validation\n\n"
    "    def connect(self):\n"
    "        {prelude}\n"
    "        self.pool = None\n"
    "        self.connection = Database.connect({dsn})\n"
    "        self.connection.autocommit = True\n"
    "        with self.wrap_database_errors:\n"
    "            self.connection.ping()\n"
    "        self.queries_log.clear()\n\n"
    "    def check_constraints(self, table_names=None):\n"
    "        with self.cursor() as cursor:\n"
    "            cursor.execute('SET CONSTRAINTS ALL IMMEDIATE')\n"
    "            cursor.execute('SET CONSTRAINTS ALL DEFERRED')\n\n"
    "    def is_usable(self):\n"
    "        if self.pool:\n"
    "            return True\n"
    "        {usable}\n"
)


def test_a_run_crossing_from_one_method_into_the_next_is_reported_on_the_classes(tmp_path: Path) -> None:
    a = (
        _BACKEND.format(
            driver="oracledb",
            name="Oracle",
            prelude="self.dsn = make_dsn(self.settings_dict, self.alias)\n        self.dsn.validate()",
            dsn="self.dsn",
            usable="return self.connection.ping() is None",
        )
        + OWN_A
    )
    b = (
        _BACKEND.format(
            driver="psycopg",
            name="Postgres",
            prelude="self.params = dict(self.settings_dict)\n        for key in self.optional:\n            self.params.pop(key, None)",
            dsn="**self.params",
            usable="return not self.connection.closed",
        )
        + OWN_B
    )
    found = audit(tmp_path, {"db/oracle.py": a, "db/postgres.py": b})
    assert {(f.path, f.scope) for f in found} == {
        ("db/oracle.py", "OracleWrapper"),
        ("db/postgres.py", "PostgresWrapper"),
    }
    assert len({f.group for f in found}) == 1
    # From `self.pool = None` in connect() to `return True` in is_usable(): the signature of
    # check_constraints() counts (it is copied whole), that of is_usable() does not.
    head = {f.path: f.message.split("; ")[0] for f in found}
    assert head["db/oracle.py"] == (
        "`OracleWrapper` lines 15-29: a run of 12 statements copied in `PostgresWrapper` (db/postgres.py:4) lines 16-30"
    )
    assert "as a base class or mixin" in found[0].message


def test_a_table_of_class_attributes_is_not_a_copied_run(tmp_path: Path) -> None:
    # Each backend binds the protocol's names to its own module's classes: one statement
    # shape repeated, nothing to share.
    table = "".join(
        f"    {name}_class = Database{name.title()}\n"
        for name in ("client", "creation", "features", "ops", "introspection", "validation", "schema")
    )
    files = {
        f"db/{name}.py": f"from db.{name}_parts import *\n\n\nclass Wrapper:\n{table}" for name in ("mysql", "oracle")
    }
    assert audit(tmp_path, files) == []


def test_a_shared_signature_and_a_short_head_are_not_a_run(tmp_path: Path) -> None:
    # Five equal statements after equal `def` lines: the signature of a method the run does not
    # hold whole is not copied code, so five statements stay under the minimum of six.
    head = (
        "    def check(self, databases):\n"
        "        errors = []\n"
        "        for db in databases:\n"
        "            if not router.allow(db, self.model):\n"
        "                continue\n"
        "            connection = connections[db]\n"
    )
    a = (
        "class Char:\n"
        + head
        + "            errors.extend(connection.validate_char(self))\n        return errors\n"
        + OWN_A
    )
    b = (
        "class Json:\n    kind = 'json'\n\n"
        + head
        + "            if connection.vendor == 'oracle':\n                errors.append(Warning(self))\n        return sorted(errors)\n"
        + OWN_B
    )
    assert audit(tmp_path, {"f/char.py": a, "f/json.py": b}) == []


def test_a_run_already_reported_as_whole_copies_is_not_reported_again(tmp_path: Path) -> None:
    # The same statement ends the methods before two copies, so the equal stretch starts one
    # statement early; the copies are reported, the stretch is not.
    copy = _method(SUM, "total", "items")
    a = "class Cart:\n    def first(self):\n        self.seen = True\n        return self.items[0]\n\n" + copy + OWN_A
    b = (
        "class Basket:\n    def last(self):\n        self.ready = False\n        return self.items[0]\n\n"
        + copy
        + OWN_B
    )
    found = audit(tmp_path, {"shop/a.py": a, "shop/b.py": b})
    assert {f.scope for f in found} == {"Cart.total", "Basket.total"}
    assert not any("a run of" in f.message for f in found)


def test_a_loop_body_copied_under_another_loop_is_a_run(tmp_path: Path) -> None:
    # The run ends where one copy's block closes and the other's goes on: the closing of a
    # block after the run's last statement is not part of the run.
    body = (
        "        self._session_key = self._get_new_session_key()\n"
        "        try:\n"
        "            self.save(must_create=True)\n"
        "        except CreateError:\n"
        "            continue\n"
        "        self.modified = True\n"
        "        return\n"
    )
    a = (
        "class CacheStore:\n    def create(self):\n        for i in range(10000):\n"
        + "    "
        + body.replace("\n        ", "\n            ")
        + "        log.error('no session key after %d tries', i)\n        self.cache.close()\n"
        + "        raise RuntimeError(\n            'Unable to create a new session key.'\n        )\n"
        + OWN_A
    )
    b = (
        "class FileStore:\n    def create(self):\n        while True:\n"
        + "    "
        + body.replace("\n        ", "\n            ")
        + OWN_B
    )
    found = audit(tmp_path, {"s/cache.py": a, "s/file.py": b})
    assert {(f.scope, f.message.split(": ")[0]) for f in found} == {
        ("CacheStore.create", "`CacheStore.create` lines 4-10"),
        ("FileStore.create", "`FileStore.create` lines 4-10"),
    }


def test_two_stretches_shared_by_the_same_classes_are_two_groups(tmp_path: Path) -> None:
    first = (
        "    def name(self):\n        return self._name\n\n"
        "    def set_name(self, value):\n        self._name = value\n        self.changed = True\n\n"
        "    def size(self):\n        return len(self._items)\n\n"
    )
    second = (
        "    def clear(self):\n        self._items.clear()\n        self.changed = True\n\n"
        "    def add(self, item):\n        self._items.append(item)\n        self.changed = True\n\n"
        "    def first(self):\n        return self._items[0]\n\n"
    )
    gap_a = "    def gap(self):\n        return 1\n\n"
    gap_b = "    def gap(self):\n        self.log('gap')\n        return self.log\n\n"
    a = "class A:\n" + first + gap_a + second + OWN_A
    b = "class B:\n" + first + gap_b + second + OWN_B
    found = audit(tmp_path, {"x/a.py": a, "x/b.py": b})
    assert len(found) == 4 and len({f.group for f in found}) == 2
    assert {f.message.split(": ")[0] for f in found if f.path == "x/a.py"} == {"`A` lines 2-10", "`A` lines 15-24"}


def test_classes_declaring_their_own_values_in_one_shape_are_not_a_copied_run(tmp_path: Path) -> None:
    # Field classes side by side: each declares its own widget, formats and type name, and
    # starts to_python() with the same two checks. Across a class body only statements copied
    # as written count, and here too few are.
    field = (
        "class {name}Field:\n"
        "    widget = widgets.{name}Input\n"
        "    input_formats = formats.get_format_lazy('{upper}_INPUT_FORMATS')\n"
        "    default_error_messages = {{'invalid': _('Enter a valid {lower}.'), 'required': _('This field is required.')}}\n\n"
        "    def get_internal_type(self):\n"
        "        return '{name}Field'\n\n"
        "    def to_python(self, value):\n"
        "        if value in self.empty_values:\n"
        "            return None\n"
        "        if isinstance(value, datetime.{lower}):\n"
        "            return value\n"
    )
    a = field.format(name="Date", upper="DATE", lower="date") + "        return parse_date(value.strip())\n" + OWN_A
    b = (
        field.format(name="Time", upper="TIME", lower="time")
        + "        for fmt in self.input_formats:\n"
        + "            try:\n                return strptime(value, fmt)\n"
        + "            except ValueError:\n                continue\n"
        + "        raise ValidationError(self.error_messages['invalid'])\n"
        + OWN_B
    )
    assert audit(tmp_path, {"forms/date.py": a, "forms/time.py": b}) == []


def test_a_pattern_repeated_inside_one_function_is_not_a_copied_run(tmp_path: Path) -> None:
    steps = "".join(f"    value = parse(parts[{n}])\n    result.append(value * {n})\n" for n in range(8))
    body = "def collect(parts):\n    result = []\n" + steps + "    return result\n"
    assert audit(tmp_path, {"shop/a.py": body}) == []


# -- shapes that look alike without being one implementation (real code that showed them) --

SESSION = (
    "{prefix}def {name}(self):\n"
    "    session = self.session_store()\n"
    "    engine = self.engine_for(session)\n"
    "    cookie = self.cookies.get(engine.name)\n"
    "    if cookie:\n"
    "        return {call}engine.load(cookie.value)\n"
    "    self.audit.append(engine)\n"
    "    return session\n"
)


def test_a_generator_coroutine_is_async_like_an_async_def(tmp_path: Path) -> None:
    # tenacity's Retrying.__call__ and TornadoRetrying.__call__ (`@gen.coroutine`, `yield fn()`).
    sync = SESSION.format(prefix="", name="__call__", call="")
    for decorator in ("gen.coroutine", "asyncio.coroutine", "defer.inlineCallbacks"):
        tornado = SESSION.format(prefix=f"@{decorator}\n", name="__call__", call="yield ")
        files = {"retry/a.py": "class Retrying:\n" + _indent(sync), "retry/b.py": "class Tornado:\n" + _indent(tornado)}
        assert audit(tmp_path / decorator, files) == [], decorator
    # Another decorator leaves a copy.
    logged = SESSION.format(prefix="@log.traced\n", name="__call__", call="")
    files = {"retry/a.py": "class Retrying:\n" + _indent(sync), "retry/b.py": "class Logged:\n" + _indent(logged)}
    assert len(audit(tmp_path / "logged", files)) == 2


def test_a_sync_async_mirror_is_not_a_copy(tmp_path: Path) -> None:
    # Django's ClientMixin.session/asession, logout/alogout: 31 groups on Django 5.2.
    sync = SESSION.format(prefix="", name="session", call="")
    mirror = SESSION.format(prefix="async ", name="asession", call="await ")
    assert audit(tmp_path, {"shop/a.py": "class Client:\n" + _indent(sync + "\n" + mirror)}) == []
    # Two async copies are still copies.
    both = SESSION.format(prefix="async ", name="aload", call="await ")
    found = audit(tmp_path / "async", {"shop/a.py": both, "shop/b.py": both})
    assert members(found) == {("shop/a.py", 1), ("shop/b.py", 1)}


def _indent(code: str) -> str:
    return "".join("    " + line if line.strip() else line for line in code.splitlines(keepends=True))


TAG = (
    "class {name}(JSONTag):\n"
    "    __slots__ = ()\n"
    "    key = '{key}'\n\n"
    "    def check(self, value):\n"
    "        return isinstance(value, {kind})\n\n"
    "    def to_json(self, value):\n"
    "        return {dump}(value)\n\n"
    "    def to_python(self, value):\n"
    "        return {load}(value)\n"
)


def test_an_interface_filled_in_is_not_a_copy(tmp_path: Path) -> None:
    # flask/json/tag.py: TagDateTime "95% similar" to TagTuple; they differ in the type they handle.
    files = {
        "shop/tags.py": TAG.format(name="TagDateTime", key=" d", kind="datetime", dump="http_date", load="parse_date")
        + "\n\n"
        + TAG.format(name="TagUUID", key=" u", kind="UUID", dump="hex_of", load="UUID"),
    }
    assert audit(tmp_path, files) == []


def test_small_bodies_that_differ_in_their_one_call_are_not_copies(tmp_path: Path) -> None:
    # `list_.appendleft(...)` against `list_.append(...)`: the differing token is the whole point.
    body = "def {name}(self, item):\n    list_ = self._items()\n    list_.{call}(item)\n    self.changed = True\n"
    files = {
        "shop/a.py": body.format(name="push_left", call="appendleft"),
        "shop/b.py": body.format(name="push", call="append"),
    }
    assert audit(tmp_path, files, {"min-statements": 2, "min-tokens": 5}) == []


MIRROR = (
    "def {name}(self, other):\n"
    "    if not isinstance(other, self.__class__):\n"
    "        return NotImplemented\n"
    "    mine = self.standard_value()\n"
    "    theirs = other.standard_value()\n"
    "    result = mine {op} theirs\n"
    "    self.log(result)\n"
    "    return result\n"
)


def test_operator_methods_and_negated_assertions_are_mirrors_not_copies(tmp_path: Path) -> None:
    # gis ListMixin.__eq__/__lt__, MeasureBase.__truediv__/Distance.__mul__, assertXMLEqual/assertXMLNotEqual.
    operators = MIRROR.format(name="__eq__", op="==") + "\n" + MIRROR.format(name="__lt__", op="<")
    assert audit(tmp_path, {"shop/a.py": "class Measure:\n" + _indent(operators)}) == []
    negated = MIRROR.format(name="assertSame", op="==") + "\n" + MIRROR.format(name="assertNotSame", op="!=")
    assert audit(tmp_path / "neg", {"shop/a.py": "class Case:\n" + _indent(negated)}) == []
    # The same operator method in two classes is a copy.
    same = (
        "class A:\n"
        + _indent(MIRROR.format(name="__eq__", op="=="))
        + "\n\nclass B:\n"
        + _indent(MIRROR.format(name="__eq__", op="is"))
    )
    assert len(audit(tmp_path / "same", {"shop/a.py": same}, {"within-module-near-miss": True})) == 2


def test_one_delegation_applied_to_each_name_is_not_a_copy(tmp_path: Path) -> None:
    # django FileProxyMixin.readable/seekable: each returns self.file.<its own name>().
    proxy = (
        "def {name}(self):\n"
        "    if self.closed:\n"
        "        return False\n"
        "    if hasattr(self.file, '{name}'):\n"
        "        return self.file.{name}()\n"
        "    return True\n"
    )
    mixin = "class FileProxy:\n" + _indent(proxy.format(name="readable") + "\n" + proxy.format(name="seekable"))
    assert audit(tmp_path, {"shop/a.py": mixin}, {"min-statements": 2}) == []


def test_a_class_of_async_methods_mirroring_one_of_plain_methods_is_not_a_copy(tmp_path: Path) -> None:
    # httpx: AsyncHTTPTransport mirrors HTTPTransport, AsyncResponseStream mirrors ResponseStream.
    stream = (
        "class {name}:\n    def __init__(self, stream):\n        self._stream = stream\n\n"
        "    {a}def read_all(self):\n        parts = []\n        {a}for part in self._stream:\n"
        "            parts.append(part)\n            self.seen += len(part)\n        {w}self._stream.{close}()\n"
        "        self.closed = True\n        return b''.join(parts)\n"
    )
    files = {
        "shop/sync.py": stream.format(name="ResponseStream", a="", w="", close="close"),
        "shop/aio.py": stream.format(name="AsyncResponseStream", a="async ", w="await ", close="aclose"),
    }
    assert audit(tmp_path, files) == []


def test_opposite_and_inverse_definitions_are_mirrors(tmp_path: Path) -> None:
    # werkzeug uri_to_iri/iri_to_uri, click readable/writable, rich align_top/align_bottom.
    body = (
        "def {name}(self, value):\n    if value is None:\n        return None\n    parts = self.split(value)\n"
        "    parts = [self.{call}(p) for p in parts]\n    self.seen.append(value)\n    return self.join(parts)\n"
    )
    for a, b in (("uri_to_iri", "iri_to_uri"), ("readable", "writable"), ("align_top", "align_bottom")):
        files = {
            "shop/a.py": "class C:\n"
            + _indent(body.format(name=a, call="quote") + "\n" + body.format(name=b, call="unquote"))
        }
        assert audit(tmp_path / a, files) == [], (a, b)
    # The same shape under unrelated names is still a near-miss copy.
    files = {
        "shop/a.py": "class C:\n"
        + _indent(body.format(name="clean", call="quote") + "\n" + body.format(name="render", call="unquote"))
    }
    assert len(audit(tmp_path / "other", files, {"within-module-min-statements": 0})) == 2


def test_test_modules_and_vendored_code_are_left_out_by_default(tmp_path: Path) -> None:
    files = {"shop/tests/test_a.py": SUM.format(name="total"), "shop/b_test.py": SUM.format(name="total")}
    assert audit(tmp_path, files) == []
    assert len(audit(tmp_path / "opt", files, {"exclude": []})) == 2
    # jedi bundles django-stubs under third_party/, datasette pint under vendored/: another
    # project's code, kept as it ships.
    bundled = {
        "ide/third_party/stubs/a.py": SUM.format(name="total"),
        "ide/third_party/stubs/b.py": SUM.format(name="total"),
        "ds/vendored/pint/c.py": SUM.format(name="total"),
    }
    assert audit(tmp_path / "bundled", bundled) == []
    assert len(audit(tmp_path / "bundled-opt", bundled, {"exclude": []})) == 3


COLLECT = (
    "def {name}(self):\n"
    "    found = []\n"
    "    for cookie in iter(self):\n"
    "        if cookie.{attr} not in found:\n"
    "            found.append(cookie.{attr})\n"
    "    return found\n"
)


def test_renamed_variants_side_by_side_in_one_module_need_a_larger_body(tmp_path: Path) -> None:
    # requests RequestsCookieJar.list_domains/list_paths: the attribute collected is each one's point.
    jar = "class Jar:\n" + _indent(
        COLLECT.format(name="list_domains", attr="domain") + "\n" + COLLECT.format(name="list_paths", attr="path")
    )
    assert audit(tmp_path / "one", {"shop/jar.py": jar}) == []
    assert len(audit(tmp_path / "low", {"shop/jar.py": jar}, {"within-module-min-statements": 5})) == 2
    # The same helper copied into another module is a second source of truth, drifting unseen.
    files = {
        "shop/jar.py": "class Jar:\n" + _indent(COLLECT.format(name="list_domains", attr="domain")),
        "shop/store.py": "class Store:\n" + _indent(COLLECT.format(name="list_paths", attr="path")),
    }
    assert members(audit(tmp_path / "two", files)) == {("shop/jar.py", 1), ("shop/store.py", 1)}
    # A larger renamed body in one module is still reported (django mail_admins/mail_managers).
    big = SUM.replace(
        "    return round(total, 2)\n", "".join(f"    total += {n}\n" for n in range(4)) + "    return total\n"
    )
    one = big.format(name="total_admins") + "\n\n" + big.format(name="total_managers").replace("items", "rows")
    assert len(audit(tmp_path / "big", {"shop/mail.py": one})) == 2


def test_near_miss_variants_in_one_module_are_reported_only_when_asked(tmp_path: Path) -> None:
    # A visitor per node type, a reflection query per object kind: the edited statements are the point.
    one = {"shop/conf.py": SUM.format(name="parse_ini") + "\n\n" + NEAR.format(name="parse_conf")}
    assert audit(tmp_path / "default", one) == []
    asked = {"within-module-near-miss": True, "within-module-min-statements": 5}
    assert len(audit(tmp_path / "asked", one, asked)) == 2
    two = {"shop/ini.py": SUM.format(name="parse_ini"), "shop/conf.py": NEAR.format(name="parse_conf")}
    assert len(audit(tmp_path / "across", two)) == 2


def test_compound_opposite_names_are_mirrors(tmp_path: Path) -> None:
    # tornado addslash/removeslash, twisted pauseProducing/resumeProducing and superPrependAttribute/
    # superAppendAttribute, across modules too; unrelated compound names stay copies.
    for a, b in (("addslash", "removeslash"), ("pauseProducing", "resumeProducing"), ("prepend_item", "append_item")):
        files = {"shop/a.py": SUM.format(name=a), "shop/b.py": NEAR.format(name=b)}
        assert audit(tmp_path / a, files) == [], (a, b)
    files = {"shop/a.py": SUM.format(name="addslash"), "shop/b.py": NEAR.format(name="addcomma")}
    assert len(audit(tmp_path / "other", files)) == 2


def test_inflected_opposite_names_are_mirrors(tmp_path: Path) -> None:
    # structlog UnicodeEncoder/UnicodeDecoder, textual _on_tabs_tab_disabled/_enabled, azure-core
    # register_serializer/register_deserializer, psycopg as_string/as_bytes.
    pairs = (
        ("UnicodeEncoder", "UnicodeDecoder"), ("_on_tab_disabled", "_on_tab_enabled"), ("retry_all", "retry_any"),
        ("register_serializer", "register_deserializer"), ("as_string", "as_bytes"), ("ReaderThread", "WriterThread"),
    )  # fmt: skip
    for a, b in pairs:
        files = {"shop/a.py": SUM.format(name=a), "shop/b.py": NEAR.format(name=b)}
        assert audit(tmp_path / a, files) == [], (a, b)
    # Inflections of words that are not opposites leave a copy (Router/Routes, Reader/Render).
    for a, b in (("Router", "Routes"), ("Reader", "Render"), ("UnicodeEncoder", "UnicodeEncoding")):
        files = {"shop/a.py": SUM.format(name=a), "shop/b.py": NEAR.format(name=b)}
        assert len(audit(tmp_path / "copy" / b, files)) == 2, (a, b)


def test_names_one_axis_end_or_direction_apart_are_mirrors(tmp_path: Path) -> None:
    # matplotlib _label_outer_xaxis/_label_outer_yaxis, XTick/YTick and TeX's hlist_out/vlist_out,
    # paramiko's kex init/reply halves, urllib3 to_str/to_bytes, networkx switch/switch_rev.
    pairs = (
        ("_label_outer_xaxis", "_label_outer_yaxis"), ("XTick", "YTick"), ("hlist_out", "vlist_out"),
        ("_parse_kexecdh_init", "_parse_kexecdh_reply"), ("to_str", "to_bytes"),
        ("_neighbor_switch", "_neighbor_switch_rev"),
    )  # fmt: skip
    for a, b in pairs:
        files = {"shop/a.py": SUM.format(name=a), "shop/b.py": NEAR.format(name=b)}
        assert audit(tmp_path / a, files) == [], (a, b)
    # A word added or swapped that is not a direction leaves a copy (to_str/to_list, switch/switch_all).
    for a, b in (("to_str", "to_list"), ("_neighbor_switch", "_neighbor_switch_all")):
        files = {"shop/a.py": SUM.format(name=a), "shop/b.py": NEAR.format(name=b)}
        assert len(audit(tmp_path / "copy" / b, files)) == 2, (a, b)
    # An exact copy under mirrored names is still one implementation written twice.
    files = {"shop/a.py": SUM.format(name="to_str"), "shop/b.py": SUM.format(name="to_bytes")}
    assert len(audit(tmp_path / "exact", files)) == 2


RUN_HOLDER = (
    "def {name}(registry, cls):\n"
    "    tokens = cls.__module__.split('.')\n"
    "    while tokens:\n"
    "        token = tokens.pop(0)\n"
    "        module = registry.get_module(token)\n"
    "        for token in tokens:\n"
    "            module = module.get_module(token)\n"
    "        registry.seen.add(module)\n"
    "    {tail}\n"
    "    log(registry, cls)\n"
    "    return registry\n"
)


def test_a_run_shared_by_opposite_operations_is_not_a_copy(tmp_path: Path) -> None:
    # sqlalchemy orm/clsregistry _add_class/_remove_class share the module walk; one adds, one removes.
    add = RUN_HOLDER.format(name="_add_class", tail="module.add_class(cls.__name__, cls)")
    remove = RUN_HOLDER.format(name="_remove_class", tail="module.remove_class(cls.__name__, cls) or drop(cls)")
    assert audit(tmp_path / "mirror", {"shop/a.py": add + "\n\n" + remove}) == []
    other = RUN_HOLDER.format(name="_index_class", tail="module.remove_class(cls.__name__, cls) or drop(cls)")
    assert len(audit(tmp_path / "copy", {"shop/a.py": add + "\n\n" + other})) == 2


def test_a_large_family_of_one_shape_in_one_module_is_judged_like_a_small_one(tmp_path: Path) -> None:
    # Generated handlers: more members of one normalised stream than a member's partner search
    # scans (clones/detect.MAX_PARTNER_TRIES); exact twins are still found, renamed variants
    # side by side in one module still need `within-module-min-statements`.
    exact = "\n\n".join(SUM.format(name="total").replace("def total", f"def total_{i:03d}") for i in range(70))
    found = audit(tmp_path / "exact", {"gen/handlers.py": exact})
    # A family this size is a template: one finding, naming the other 69.
    assert len(found) == 1 and len(found[0].related) == 69
    renamed = "\n\n".join(SUM.format(name=f"total_{i:03d}").replace("(1 -", f"({i} -") for i in range(70))
    # (Consecutive handlers still share copied runs of statements across their boundaries.)
    whole = [f for f in audit(tmp_path / "renamed", {"gen/handlers.py": renamed}) if "a run of" not in f.message]
    assert whole == []
    asked = audit(tmp_path / "asked", {"gen/handlers.py": renamed}, {"within-module-min-statements": 0})
    (family,) = [f for f in asked if "renamed" in f.message]
    assert len(family.related) == 69


def test_a_template_family_is_one_finding_that_says_how_to_deal_with_it(tmp_path: Path) -> None:
    # elasticsearch's client: hundreds of endpoint methods written from one pattern, in many modules.
    def modules(count: int) -> dict[str, str]:
        return {f"api/client_{i:02d}.py": SUM.format(name=f"total_{i:02d}") for i in range(count)}

    hand_written = audit(tmp_path / "twenty", modules(20))
    assert len(hand_written) == 20 and len({f.group for f in hand_written}) == 1
    assert all("template" not in f.message for f in hand_written)

    (template,) = audit(tmp_path / "template", modules(21))
    assert template.canonical and len(template.related) == 20
    assert "has 20 copies elsewhere" in template.message and "and 10 more" in template.message
    assert "21 copies in 21 modules are a template" in template.message
    assert "`# @generated`" in template.message
    # Marking the modules generated, as the message says, leaves them out.
    marked = {path: "# @generated by apigen\n" + code for path, code in modules(21).items()}
    assert audit(tmp_path / "marked", marked) == []


def test_a_template_family_of_copied_runs_is_one_finding(tmp_path: Path) -> None:
    # The same eight statements, then a tail of its own in each of 25 endpoints (whole-definition
    # near-misses are off, so what they share is reported as a copied run).
    body = SUM.replace("def {name}(items):\n", "").replace("\n    return total\n", "\n")

    def endpoint(i: int) -> str:
        tail = "".join(f"    emit({', '.join(['total'] * (k + 1))})\n" for k in range(i % 5, i % 5 + 3 + i // 5))
        return f"def endpoint_{i:02d}(items):\n" + body + tail

    files = {f"api/client_{i:02d}.py": endpoint(i) for i in range(25)}
    (template,) = audit(tmp_path, files, {"similarity": 1.0})
    assert "a run of 8 statements" in template.message and len(template.related) == 24
    assert "25 copies in 25 modules are a template" in template.message
    assert "as a function the others use" in template.message
