"""Fuzz the audit with broken and strange Python: random mutations of real files, and (when
hypothesmith is installed) programs generated from the grammar.

Each round writes a batch of inputs into a temporary tree and runs the real command line on
it, as a user would. A round passes when the audit exits 0 or 1 (never a traceback, never a
signal), prints whole JSON, and reports every file it was given: audited, or an SSOT000
finding saying why not.

    python -m benchmarks.fuzz --source /tmp/ssot-audit-bench/flask-3.1.3/flask --rounds 5
    python -m benchmarks.fuzz --grammar --rounds 3      # needs `pip install hypothesmith`

Exits 1 and names the saved tree when a round fails.

What it found (issue 15): before the isolation work, a mutant with deep brackets killed the
whole audit (libcst segfault) and a FIFO or a hanging file stopped it. Since then, with the
isolation in place: 3 rounds of 60 Flask mutants (seed 15), 3 rounds of 80 Rich mutants
(seed 7) and 3 rounds of 40-60 hypothesmith programs (seeds 3, 15) all pass. Building it
turned up two bugs, both fixed: the excerpt reader still read a FIFO (a hang after the
audit itself was done), and the CPython pre-check ran under the workers' raised recursion
limit, so CPython accepted a 12,000-term sum that libcst then took minutes over.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

# Pieces that push parsers to their limits: deep nesting, long chains, odd tokens, bytes.
_INSERTS = (
    "(" * 300,
    ")" * 50,
    "[" * 40,
    " or a" * 2000,
    "+1" * 5000,
    "lambda: " * 400,
    "\\\n",
    "\t",
    "\x00",
    "\r",
    "\x0c",
    "'''",
    '"',
    "#",
    "match x:\n case {'a': {'b': {'c': 1}}}:\n  pass\n",
    "async ",
    "await ",
    "yield ",
    ":=",
    "\u2028",
    "\ufeff",
    "# coding: punycode\n",
    "# -*- coding: idna -*-\n",
    "f'{",
    "}",
    "@",
)
Mutation = Callable[[random.Random, str], str]


def _delete(rng: random.Random, text: str) -> str:
    start = rng.randrange(len(text) + 1)
    return text[:start] + text[start + rng.randrange(1, 200) :]


def _duplicate(rng: random.Random, text: str) -> str:
    start = rng.randrange(len(text) + 1)
    piece = text[start : start + rng.randrange(1, 400)]
    return text[:start] + piece * rng.randrange(2, 50) + text[start:]


def _insert(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + rng.choice(_INSERTS) + text[at:]


def _swap_lines(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) > 1:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def _indent(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randrange(1, 5)):
        if lines:
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.randrange(1, 9) + lines[i]
    return "".join(lines)


MUTATIONS: tuple[Mutation, ...] = (_delete, _duplicate, _insert, _swap_lines, _indent)


def mutants(source: Path, count: int, rng: random.Random) -> list[str]:
    files = sorted(source.rglob("*.py"))
    out = []
    for _ in range(count):
        text = rng.choice(files).read_text(encoding="utf-8", errors="replace")
        for _ in range(rng.randrange(1, 4)):
            text = rng.choice(MUTATIONS)(rng, text)
        out.append(text)
    return out


def generated(count: int, seed: int) -> list[str]:
    import hypothesmith  # type: ignore[import-untyped]
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as fix_seed

    found: list[str] = []

    @fix_seed(seed)
    @settings(max_examples=count, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(hypothesmith.from_grammar() | hypothesmith.from_node())
    def collect(program: str) -> None:
        found.append(program)

    collect()
    return found


def audit_round(texts: list[str], keep: Path) -> str | None:
    """None when the round passes, else what went wrong (the tree is kept in `keep`)."""
    with tempfile.TemporaryDirectory(prefix="ssot-fuzz-") as tmp:
        root = Path(tmp)
        for i, text in enumerate(texts):
            (root / f"m{i:04d}.py").write_bytes(text.encode("utf-8", errors="surrogatepass"))
        (root / ".ssot-audit.yaml").write_text("file-time-limit: 20\n", encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "ssot_audit", "audit", ".", "--no-cache", "--jobs", "2", "--format", "json"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        problem = None
        if done.returncode not in (0, 1):
            problem = f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1:] or ''}"
        else:
            try:
                report = json.loads(done.stdout)
                if report["files_scanned"] != len(texts):
                    problem = f"{report['files_scanned']} of {len(texts)} files reported"
            except (ValueError, KeyError) as exc:
                problem = f"no whole JSON report: {exc}"
        if problem is not None:
            shutil.copytree(root, keep, dirs_exist_ok=True)
        return problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="a folder of real Python files to mutate")
    parser.add_argument("--grammar", action="store_true", help="generate programs with hypothesmith")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--files", type=int, default=60, help="inputs per round")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    if args.source is None and not args.grammar:
        parser.error("give --source FOLDER, --grammar, or both")
    rng = random.Random(args.seed)
    failed = False
    for n in range(args.rounds):
        texts: list[str] = []
        if args.source is not None:
            texts += mutants(args.source, args.files, rng)
        if args.grammar:
            texts += generated(args.files, args.seed + n)
        keep = Path(tempfile.gettempdir()) / f"ssot-fuzz-failure-{args.seed}-{n}"
        problem = audit_round(texts, keep)
        print(
            f"round {n + 1}: {len(texts)} inputs: "
            + ("ok" if problem is None else f"FAILED ({problem}); tree kept in {keep}")
        )
        failed = failed or problem is not None
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
