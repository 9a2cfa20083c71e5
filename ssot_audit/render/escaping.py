"""Text from the audited tree (file and folder names, docstrings, source in messages) made
safe for the context it is printed in: it may show, never act."""

from __future__ import annotations

import re
from urllib.parse import quote

# C0 and C1 controls and DEL: ESC starts ANSI and OSC-8 sequences, CR rewrites a terminal
# line, LF starts a new one. Tab is harmless.
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def terminal(text: str) -> str:
    """One line with every control character shown as an escape (`\\x1b`, `\\n`): a file named
    `\\x1b[2J.py` cannot clear the screen, and multi-line source stays on its line."""
    return _CONTROLS.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


def one_line(text: str) -> str:
    """Line breaks and other controls as spaces: for Markdown, where a line break could close a
    fence or a table row and an escape sequence would be written into the file."""
    return _CONTROLS.sub(" ", text)


def uri_path(path: str) -> str:
    """A relative path as a URI reference: `%41.py` stays itself, `a#b.py` is no fragment and
    `javascript:x.py` is no scheme."""
    return quote(path, safe="/")


_LINK_SPECIALS = re.compile(r"([\\\[\]])")


def sarif_text(text: str) -> str:
    """Text of a SARIF message that holds embedded links: literal brackets and backslashes
    escaped (SARIF 2.1.0, 3.11.6), so a `]` in a path does not end a link."""
    return _LINK_SPECIALS.sub(r"\\\1", text)
