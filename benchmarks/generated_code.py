"""Cost of auditing generated code: thousands of definitions that look alike.

Writes, under a temporary folder, (a) one module of about 200k lines holding N near-identical
small functions and N record classes (the shape of generated API clients and ORM models) and
(b) a tree of M small similar files; then, for each, times a plain libcst parse of every file
and a full `ssot-audit audit --no-cache --jobs 1` in a subprocess, reporting the ratio of the
two and the audit's peak RSS (main process and workers, from the kernel's child accounting).

    python -m benchmarks.generated_code                    # 15,385 definitions, 20,000 files
    python -m benchmarks.generated_code --functions 2000 --files 2000  # a quick run

Aim (issue 15): the audit within 3x the parse time and under 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import libcst as cst

FUNCTION = """def handler_{i:05d}(request, context):
    value = request.get("field_{i:05d}")
    if value is None:
        return context.default("field_{i:05d}", {i})
    return context.wrap(value, {i})


"""

RECORD = """class Record{i:05d}:
    id: int
    name: str
    field_{i:05d}: str
    created: float


"""

SMALL_FILE = '''"""Generated module {i}."""

from base import Model


def convert_{i}(payload):
    result = dict(payload)
    result["kind"] = "{kind}"
    result["version"] = {i}
    return result


class Item{i}(Model):
    key = "{kind}_{i}"
    size = {i}
'''


def write_module(root: Path, functions: int) -> Path:
    path = root / "generated" / "api.py"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(functions):
            fh.write(FUNCTION.format(i=i))
            fh.write(RECORD.format(i=i))
    return path.parent


def write_tree(root: Path, files: int) -> Path:
    tree = root / "many"
    for i in range(files):
        folder = tree / f"pkg{i // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{i:05d}.py").write_text(SMALL_FILE.format(i=i, kind=f"k{i % 7}"), encoding="utf-8")
    return tree


def parse_seconds(folder: Path) -> float:
    start = time.perf_counter()
    for path in sorted(folder.rglob("*.py")):
        cst.parse_module(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start


def audit(folder: Path) -> tuple[float, float, int]:
    """Seconds, peak RSS in MiB of the largest process (kernel accounting of waited-for
    children: the audit and its workers), and the exit status."""
    script = (
        "import resource, subprocess, sys, time;"
        "t = time.perf_counter();"
        "p = subprocess.run([sys.executable, '-m', 'ssot_audit', 'audit', sys.argv[1], '--no-cache', '--jobs', '1',"
        " '--format', 'json', '-o', 'json:' + sys.argv[2]], check=False, capture_output=True);"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder), str(folder.parent / "report.json")],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, rss_kib, status = done.stdout.split()[-3:]
    return float(seconds), int(rss_kib) / 1024, int(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=15_385)
    parser.add_argument("--files", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ssot-generated-") as tmp:
        root = Path(tmp)
        for name, folder in (
            (f"one module, {args.functions} functions + {args.functions} records", write_module(root, args.functions)),
            (f"{args.files} small similar files", write_tree(root, args.files)),
        ):
            lines = sum(p.read_text(encoding="utf-8").count("\n") for p in folder.rglob("*.py"))
            parse = parse_seconds(folder)
            seconds, rss, status = audit(folder)
            findings = len(json.loads((root / "report.json").read_text(encoding="utf-8"))["findings"])
            print(
                f"{name}: {lines} lines; libcst parse {parse:.1f} s; audit {seconds:.1f} s "
                f"({seconds / parse:.2f}x parse), peak RSS {rss:.0f} MiB, exit {status}, {findings} findings",
                flush=True,
            )


if __name__ == "__main__":
    main()
