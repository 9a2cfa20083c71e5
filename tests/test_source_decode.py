"""Source bytes are decoded as CPython reads them: a BOM or a coding cookie in the first two
lines, else UTF-8; what cannot be decoded is a SourceError naming why."""

from __future__ import annotations

import codecs

import pytest

from ssot_audit.pipeline.source import SourceError, decode

BOM = codecs.BOM_UTF8


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"x = 'caf\xc3\xa9'\n", "x = 'café'\n"),
        (b"", ""),
        (b"x = 1", "x = 1"),
        (BOM + b"x = 1\n", "x = 1\n"),
        # Two BOMs: the codec drops the first, decode() the second.
        (BOM + BOM + b"x = 1\n", "x = 1\n"),
        # A BOM says UTF-8 whatever a cookie says.
        (BOM + b"# coding: latin-1\nx = 1\n", "# coding: latin-1\nx = 1\n"),
        (b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", "# -*- coding: latin-1 -*-\nx = 'é'\n"),
        (b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx = '\x80'\n", None),
        # Only a comment is a cookie, and only in the first two lines.
        (b"coding = 'latin-1'\nx = 1\n", "coding = 'latin-1'\nx = 1\n"),
        (b"x = 1\n# coding: latin-1\n", "x = 1\n# coding: latin-1\n"),
        (b"\n\n# coding: latin-1\nx = '\xc3\xa9'\n", "\n\n# coding: latin-1\nx = 'é'\n"),
        (b"# coding: utf-8\r\nx = 1\r\n", "# coding: utf-8\r\nx = 1\r\n"),
    ],
)
def test_decoded_as_cpython_reads_it(data: bytes, text: str | None) -> None:
    expected = text if text is not None else data.decode("cp1252")
    assert decode(data) == expected


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"x = 1\ny = '\xff'\n", "cannot decode as utf-8: byte 0xff is invalid", 2),
        (b"x = '\xe9'\n", "cannot decode as utf-8: byte 0xe9 is invalid", 1),
        (b"# coding: nonsense\nx = 1\n", "unknown encoding: nonsense", 1),
        (b"x = 1\n\0", "source contains a NUL byte", 2),
    ],
)
def test_what_cannot_be_decoded_says_why(data: bytes, message: str, line: int) -> None:
    with pytest.raises(SourceError) as raised:
        decode(data)
    assert raised.value.message.startswith(message) or message in raised.value.message
    assert raised.value.line == line
