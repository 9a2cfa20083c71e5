"""Text helpers: message sanitising, mentions, slugs and base64url."""

from __future__ import annotations

import base64
import html
import re
import unicodedata
from typing import Final

from chat_backend.config.settings import MAX_MESSAGE_LENGTH

_CONTROL_CHARS_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINES_RE: Final = re.compile(r"\n{3,}")
_MENTION_RE = re.compile(r"(?<![\w@])@([a-z0-9_]{3,32})", re.IGNORECASE)
_NON_SLUG_RE: Final = re.compile(r"[^a-z0-9]+")
_LINK_PREFIXES: Final = ("http://", "https://", "www.")


def sanitize_message(text: str, max_length: int = MAX_MESSAGE_LENGTH) -> str:
    """Normalise user-supplied message text before it is stored or broadcast."""
    normalized = unicodedata.normalize("NFC", text)
    normalized = _CONTROL_CHARS_RE.sub("", normalized)
    normalized = normalized.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in normalized.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    collapsed = _BLANK_LINES_RE.sub("\n\n", "\n".join(lines))
    if len(collapsed) > max_length:
        collapsed = collapsed[: max_length - 1].rstrip() + "\u2026"
    return html.escape(collapsed, quote=False)


def extract_mentions(text: str) -> tuple[str, ...]:
    """Usernames mentioned as ``@name``, lower-cased, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in _MENTION_RE.finditer(text):
        seen.setdefault(match.group(1).lower(), None)
    return tuple(seen)


def contains_link(text: str) -> bool:
    """Whether the text contains something that looks like a URL (for slow-mode rooms)."""
    return any(word.lower().startswith(_LINK_PREFIXES) for word in text.split())


def slugify(name: str, max_length: int = 48) -> str:
    """``"Off-Topic & Random!"`` -> ``"off-topic-random"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG_RE.sub("-", ascii_name.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "room"


def truncate(text: str, limit: int, suffix: str = "\u2026") -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(suffix))] + suffix


def b64url_encode(data: bytes) -> str:
    """Unpadded base64url, as used in token segments."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(segment: str) -> bytes:
    """Inverse of :func:`b64url_encode`; tolerates missing padding."""
    padding = "=" * (-len(segment) % 4)
    try:
        return base64.urlsafe_b64decode(segment + padding)
    except (ValueError, TypeError) as exc:
        raise ValueError("invalid base64url segment") from exc
