"""Bytes in, decoded text and a libcst module out; every failure becomes a SourceError."""

from __future__ import annotations

import ast
import codecs
import io
import os
import re
import stat
import sys
import tokenize
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from ssot_audit.model import Suppression

if TYPE_CHECKING:
    import libcst as cst


class SourceError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def read_source(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of a regular file. A FIFO would block forever and /dev/zero never
    ends, so anything else is refused without reading, and a file over the limit is refused
    after reading one byte past it."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not wait for one.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or type(exc).__name__}") from None
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise SourceError(f"not a regular file ({kind}); not read")
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise SourceError(f"cannot read file: {exc.strerror or type(exc).__name__}") from None
    if len(data) > limit:
        raise SourceError(
            f"larger than the per-file size limit of {limit / 1024 / 1024:g} MiB (file-size-limit); not read"
        )
    return data


def decode(data: bytes) -> str:
    """Decode as CPython does: a BOM or PEP 263 coding cookie, else UTF-8."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise SourceError("source contains a NUL byte", data.count(b"\n", 0, nul) + 1)
    encoding = _declared_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"cannot decode as {encoding}: byte 0x{data[exc.start]:02x} is invalid; add a coding cookie or save as UTF-8",
            line,
        ) from None
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} in the coding cookie") from None
    except (UnicodeError, ValueError) as exc:
        # Codecs such as punycode and idna raise their own errors on text they cannot take.
        raise SourceError(f"cannot decode as {encoding}: {exc}") from None
    return text.removeprefix("\ufeff")


def _declared_encoding(data: bytes) -> str:
    # Only a BOM or a coding cookie in the first two lines declares another encoding than
    # UTF-8. Most files have neither, and asking tokenize cost a fiftieth of a small file's
    # analysis; a line that merely says "coding" is left to tokenize.
    end = data.find(b"\n")
    if end >= 0:
        end = data.find(b"\n", end + 1)
    if not data.startswith(codecs.BOM_UTF8) and b"coding" not in (data if end < 0 else data[:end]):
        return "utf-8"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "unknown encoding" in str(exc):
            raise SourceError(str(exc)) from None
        # "invalid or missing encoding declaration": the first lines are not UTF-8; decoding
        # names the offending byte and line, which tells the user more.
        return "utf-8"
    return encoding


_ERROR_AT = re.compile(r"error at (\d+):(\d+):\s*")


# CPython's own limits, which libcst's native parser lacks: past them it segfaults or runs for
# minutes (5,000 nested parentheses, a 12,000-term `1+1+...`). Other syntax errors are left to
# libcst, which knows newer grammar than the Python running the audit may.
_CPYTHON_RECURSION_LIMIT = 1000  # CPython's default
_CPYTHON_LIMITS = ("too many nested", "too complex", "stack overflow", "too many statically nested")


# CPython refuses 200 nested brackets, and about 2,990 levels of any other nesting (a `+`
# chain, unary minus, `.attr`, calls, `not`, ternaries, lambdas) under its default recursion
# limit; each level takes a token. Files well inside both are not compiled to find out.
_SAFE_DEPTH = 150
_SAFE_TOKENS = 2_500
_STRING_BODY = (
    r"""(?:'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
)
# What the pre-scan reads: f-strings (whose brackets may be code, so they all count), then
# comments, line continuations and other strings (skipped: their brackets are text),
# brackets and newlines.
_SCAN = re.compile(
    rf"(?P<fstring>(?:[rR]?[fFtT]|[fFtT][rR]){_STRING_BODY})"
    rf"|(?P<skip>\#[^\n]*|\\\r?\n|[rRbBuU]{{0,2}}{_STRING_BODY})"
    r"|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<newline>\n)",
    re.DOTALL,
)
_TOKEN = re.compile(r"\w+|[^\w\s]")


def within_cpython_limits(text: str) -> bool:
    """Whether the file is certainly inside the limits check_limits enforces, by a scan that
    costs about a third of CPython's parse: bracket depth (all of an f-string's brackets
    counted) well under 200, and no logical line with tokens enough for 2,990 levels. False
    means only that CPython must be asked."""
    if len(text) < _SAFE_TOKENS and text.count("(") + text.count("[") + text.count("{") < _SAFE_DEPTH:
        # Too short for a line of that many tokens, too few brackets to nest that deep: most
        # small files are settled without the scan, which cost 6% of their parse.
        return True
    depth = 0
    start = 0
    for match in _SCAN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth >= _SAFE_DEPTH:
                return False
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "newline":
            if depth == 0:
                end = match.start()
                if end - start >= _SAFE_TOKENS and not _few_tokens(text[start:end]):
                    return False
                start = end + 1
        elif kind == "fstring":
            value = match.group()
            if depth + value.count("(") + value.count("[") + value.count("{") >= _SAFE_DEPTH:
                return False
    return len(text) - start < _SAFE_TOKENS or _few_tokens(text[start:])


def _few_tokens(line: str) -> bool:
    return len(_TOKEN.findall(line)) < _SAFE_TOKENS


def check_limits(text: str) -> None:
    """A file past the limits CPython enforces is refused before libcst sees it, with CPython's
    message. A file the pre-scan finds well inside them is not compiled: CPython's parse costs
    about a seventh of libcst's, the scan a third of that."""
    if within_cpython_limits(text):
        return
    # CPython's AST depth limit follows the recursion limit, which the workers raise for
    # libcst's visitors; the check applies the limit a plain `python file.py` has.
    raised = sys.getrecursionlimit()
    sys.setrecursionlimit(min(raised, _CPYTHON_RECURSION_LIMIT))
    try:
        # The audited code's own warnings (`"\d"` is a SyntaxWarning on Python 3.12) are not ours to print.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<audited>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if any(phrase in exc.msg for phrase in _CPYTHON_LIMITS):
            raise SourceError(f"past CPython's limits: {exc.msg}", exc.lineno or 1, exc.offset or 1) from None
    except RecursionError:
        raise SourceError("past CPython's limits: too deeply nested for CPython to parse") from None
    except (ValueError, MemoryError):
        return
    finally:
        sys.setrecursionlimit(raised)


def parse(text: str) -> cst.Module:
    # libcst is imported here, not at the top: the excerpts of a report read sources through
    # this module, and a re-run of an unchanged tree should not pay libcst's import.
    import libcst as cst

    check_limits(text)
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raw = exc.message.strip().splitlines()[0] if exc.message.strip() else "invalid syntax"
        # The native parser puts the true position in its message; raw_line is not it.
        where = _ERROR_AT.search(raw)
        line, column = (int(where.group(1)), int(where.group(2)) + 1) if where else (exc.raw_line, exc.raw_column + 1)
        message = _ERROR_AT.sub("", raw).removeprefix("parser error:").strip() or "invalid syntax"
        cpython = _cpython_error(text)
        if cpython is not None:
            raise cpython from None
        if cpython_accepts(text):
            # Valid Python that libcst cannot read (it stops at 3,000 implicitly concatenated
            # strings): the user's code is fine, the tool's parser is not.
            raise SourceError(f"valid Python that libcst cannot parse ({message}); not audited", line, column) from None
        raise SourceError(f"syntax error: {message}", line, column) from None
    except RecursionError:
        raise SourceError("too deeply nested to parse") from None


def _cpython_error(text: str) -> SourceError | None:
    """CPython's own message and line for a syntax error: the one users know from running
    the file. Only asked on the error path, so it costs nothing on good files."""
    try:
        compile(text, "<audited>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return SourceError(f"syntax error: {exc.msg}", exc.lineno or 1, exc.offset or 1)
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def cpython_accepts(text: str) -> bool:
    try:
        compile(text, "<audited>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def count_lines(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


# A cheap prefilter: only lines with one of these words can hold a suppression, so most
# files never pay for tokenizing.
_MARKER = re.compile(r"#.*?(?:ssot\s*:|noqa)", re.IGNORECASE)
_SSOT = re.compile(r"#\s*ssot\s*:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9\-]+(?:[\s,]+[A-Za-z0-9\-]+)*))?", re.IGNORECASE)


def _split_codes(raw: str) -> frozenset[str]:
    return frozenset(c for c in re.split(r"[\s,]+", raw.strip()) if c)


def parse_suppression(comment: str, line: int, column: int) -> Suppression | None:
    match = _SSOT.search(comment)
    if match:
        codes = match.group("codes")
        return Suppression(line, column, None if codes is None else _split_codes(codes), "ssot")
    match = _NOQA.search(comment)
    if match:
        codes = match.group("codes")
        return Suppression(line, column, None if codes is None else _split_codes(codes), "noqa")
    return None


def find_suppressions(text: str) -> list[Suppression]:
    """Suppression comments, found with the tokenizer so that strings never count."""
    if not _MARKER.search(text):
        return []
    found: list[Suppression] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                suppression = parse_suppression(tok.string, tok.start[0], tok.start[1] + 1)
                if suppression is not None:
                    found.append(suppression)
    except (tokenize.TokenError, SyntaxError):
        pass  # libcst parsed it, so this is a tokenizer corner case; keep what was found
    return found
