"""Bytes in, decoded text and a libcst module out; every failure becomes a SourceError."""

from __future__ import annotations

import ast
import io
import re
import tokenize

import libcst as cst

from ssot_audit.model import Suppression


class SourceError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)


def decode(data: bytes) -> str:
    """Decode as CPython does: a BOM or PEP 263 coding cookie, else UTF-8."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise SourceError("source contains a NUL byte", data.count(b"\n", 0, nul) + 1)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "unknown encoding" in str(exc):
            raise SourceError(str(exc)) from None
        # "invalid or missing encoding declaration": the first lines are not UTF-8; decoding
        # below names the offending byte and line, which tells the user more.
        encoding = "utf-8"
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


_ERROR_AT = re.compile(r"error at (\d+):(\d+):\s*")


def parse(text: str) -> cst.Module:
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
