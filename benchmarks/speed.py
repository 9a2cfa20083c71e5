"""Every speed target of an audit, measured in one run so the ratios share one machine load.

    python -m benchmarks.speed [--jobs 2] [--repeat 3] [--peers] [--scaling] [--against PYTHON]

On a copy of Django (885 files) in a temporary folder, so the cache never writes into the
downloaded package (benchmarks/realcode.py fetches it), it prints:

- cold `audit --jobs N --no-cache` against a floor of libcst parsing the same files alone
  with N processes (target 2.0x or less);
- a warm re-run of the unchanged tree against the cold run (target 5% or less);
- a warm `check` of one changed file, and of one unchanged file (target 1 s);
- the peak resident memory of the largest process of a cold audit;
- with --scaling, Django and SQLAlchemy audited together against each alone: lines and
  seconds, as ratios (2x the code should cost about 2x the time);
- with --peers, pylint's duplicate-code on the same tree, when pylint is installed;
- with --against, the same audit, warm run and checks by another interpreter (a virtualenv
  holding another version, as `/tmp/before/bin/python`), in a second column. The two take
  turns, run by run, so a change in a shared machine's load falls on both alike, and each
  cold ratio is taken against the same floor.

Each command runs in a subprocess, as a user runs it; times are the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import libcst as cst

from benchmarks.realcode import fetch
from ssot_audit.pipeline.source import SourceError, decode


def _cli(args: Sequence[str], cwd: Path, python: str = sys.executable) -> float:
    start = time.perf_counter()
    subprocess.run([python, "-m", "ssot_audit", *args], cwd=cwd, check=False, capture_output=True)
    return time.perf_counter() - start


def _median(run: object, repeat: int) -> float:
    assert callable(run)
    return statistics.median(run() for _ in range(repeat))


def _in_turns(run: Callable[[str], float], pythons: Sequence[str], repeat: int) -> list[float]:
    """The median of `repeat` runs for each interpreter, the interpreters taking turns."""
    times: list[list[float]] = [[] for _ in pythons]
    for _ in range(repeat):
        for mine, python in zip(times, pythons, strict=True):
            mine.append(run(python))
    return [statistics.median(mine) for mine in times]


def _parse(path: str) -> int:
    try:
        cst.parse_module(decode(Path(path).read_bytes()))
    except (SourceError, cst.ParserSyntaxError):
        return 0
    return 1


def parse_all(folder: Path, jobs: int) -> None:
    """Read, decode and parse every .py file under folder with `jobs` processes."""
    files = sorted(str(p) for p in folder.rglob("*.py"))
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        sum(pool.map(_parse, files, chunksize=16))


def parse_floor(folder: Path, jobs: int) -> float:
    """Seconds for a fresh interpreter to parse every file with `jobs` processes: startup and
    the libcst import included, as in the audit it is compared with."""
    script = (
        f"from pathlib import Path; from benchmarks.speed import parse_all; parse_all(Path({str(folder)!r}), {jobs})"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parent.parent, check=True)
    return time.perf_counter() - start


def count_lines(folder: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in folder.rglob("*.py"))


def peak_rss_mib(args: Sequence[str], cwd: Path) -> float:
    """Peak resident memory of the largest process of one run (ru_maxrss of children)."""
    script = (
        "import resource, subprocess, sys\n"
        f"subprocess.run([sys.executable, '-m', 'ssot_audit', *{list(args)!r}], capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, check=False)
    return int(out.stdout.strip() or 0) / 1024


def project_copy(packages: Sequence[Path]) -> Path:
    """A project folder (pyproject.toml at its top) holding copies of the packages."""
    base = Path(tempfile.mkdtemp(prefix="ssot-speed-"))
    (base / "pyproject.toml").write_text("", encoding="utf-8")
    for package in packages:
        shutil.copytree(package, base / package.name)
    return base


def row(label: str, value: str | Sequence[str], target: str = "") -> None:
    values = [value] if isinstance(value, str) else list(value)
    print(f"| {label} | {' | '.join(values)} | {target} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peers", action="store_true", help="also time pylint's duplicate-code")
    parser.add_argument("--scaling", action="store_true", help="also audit Django and SQLAlchemy together")
    parser.add_argument("--against", metavar="PYTHON", help="also time another installed version, in turns")
    args = parser.parse_args()
    jobs, repeat = str(args.jobs), args.repeat
    pythons = [sys.executable, *([args.against] if args.against else [])]
    django = fetch("django")
    base = project_copy([django])
    try:
        load = os.getloadavg()[0]
        print(f"Django {django.parent.name}: {count_lines(django)} lines; load average {load:.1f} at start")
        if args.against:
            print(f"| measure | this ({sys.executable}) | against ({args.against}) | target |\n|---|---|---|---|")
        else:
            print("| measure | result | target |\n|---|---|---|")
        floor = _median(lambda: parse_floor(base / "django", args.jobs), repeat)
        # "." from the project's top, as pre-commit runs (with no config file the cache lives at
        # the project's root, so `audit django` would warm `check` the same way).
        cold = _in_turns(lambda py: _cli(["audit", ".", "--jobs", jobs, "--no-cache", "-q"], base, py), pythons, repeat)
        row(f"cold `audit --jobs {jobs} --no-cache`", [f"{c:.2f} s" for c in cold])
        row(f"libcst parse only, {jobs} processes", [f"{floor:.2f} s" for _ in pythons])
        row("cold / parse floor", [f"{c / floor:.2f}x" for c in cold], "<= 2.0x")
        for python in pythons:
            _cli(["audit", ".", "--jobs", jobs, "-q"], base, python)  # fills the cache
        warm = _in_turns(lambda py: _cli(["audit", ".", "--jobs", jobs, "-q"], base, py), pythons, repeat)
        shares = [f"{w:.2f} s ({100 * w / c:.1f}% of cold)" for w, c in zip(warm, cold, strict=True)]
        row("warm re-run, nothing changed", shares, "<= 5%")
        target = base / "django/db/models/query.py"
        original = target.read_bytes()
        edits = iter(range(1000))

        def changed_check(python: str) -> float:
            # A new statement, not a comment: the file's key changes, so the project phase runs.
            target.write_bytes(original + f"EDITED_{next(edits)} = True\n".encode())
            return _cli(["check", "django/db/models/query.py"], base, python)

        checks = _in_turns(changed_check, pythons, repeat)
        row("warm `check` of one changed file", [f"{c:.2f} s" for c in checks], "<= 1.0 s")
        for python in pythons[1:]:
            _cli(["check", "django/db/models/query.py"], base, python)  # sees the last edit, made by another
        unchanged = _in_turns(lambda py: _cli(["check", "django/db/models/query.py"], base, py), pythons, repeat)
        row("warm `check` of one unchanged file", [f"{c:.2f} s" for c in unchanged])
        target.write_bytes(original)
        rss = peak_rss_mib(["audit", ".", "--jobs", jobs, "--no-cache", "-q"], base)
        row("peak RSS, cold audit (largest process)", f"{rss:.0f} MiB", "< 1 GiB")
        if args.scaling:
            scaling(django, jobs, repeat)
        if args.peers:
            peers(base, jobs)
        print(
            f"load average {os.getloadavg()[0]:.1f} at end; {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB here"
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)


def scaling(django: Path, jobs: str, repeat: int) -> None:
    sqlalchemy = fetch("sqlalchemy")
    both = project_copy([django, sqlalchemy])
    try:
        times = {}
        for name, targets in (
            ("django", ["django"]),
            ("sqlalchemy", ["sqlalchemy"]),
            ("both", ["django", "sqlalchemy"]),
        ):
            times[name] = _median(
                lambda t=targets: _cli(["audit", *t, "--jobs", jobs, "--no-cache", "-q"], both), repeat
            )
        lines = {"django": count_lines(django), "sqlalchemy": count_lines(sqlalchemy)}
        lines["both"] = lines["django"] + lines["sqlalchemy"]
        for name in ("django", "sqlalchemy", "both"):
            row(
                f"cold audit, {name}",
                f"{lines[name]} lines, {times[name]:.2f} s ({lines[name] / times[name]:.0f} lines/s)",
            )
        expected = times["django"] + times["sqlalchemy"]
        row("both / (django + sqlalchemy alone)", f"{times['both'] / expected:.2f}x", "about 1.0x (linear)")
    finally:
        shutil.rmtree(both, ignore_errors=True)


def peers(base: Path, jobs: str) -> None:
    try:
        import pylint  # noqa: F401 - only to know whether it is installed
    except ImportError:
        row("pylint duplicate-code", "not installed (pip install pylint)")
        return
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pylint", "--disable=all", "--enable=duplicate-code", f"--jobs={jobs}", "django"],
        cwd=base,
        capture_output=True,
        check=False,
    )
    row(f"pylint --enable=duplicate-code --jobs={jobs} (same tree)", f"{time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
