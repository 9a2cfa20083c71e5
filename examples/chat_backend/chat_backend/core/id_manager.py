"""Unified ID generation for every entity type.

Identifiers look like ``msg_01hx3k9t2m7q4w8e5r0y``: a type prefix, then a
millisecond timestamp and random bits in Crockford base32, so that IDs of one
type sort by creation time and never collide across processes.
"""

from __future__ import annotations

import secrets
import threading
import time
from enum import Enum
from typing import ClassVar, Final

_ALPHABET: Final = "0123456789abcdefghjkmnpqrstvwxyz"
_TIME_WIDTH: Final = 10
_RANDOM_WIDTH: Final = 8


class IDType(Enum):
    """Entity kinds; the value is the prefix written in front of every ID."""

    USER = "usr"
    ROOM = "room"
    MESSAGE = "msg"
    CONNECTION = "conn"
    SESSION = "sess"

    @property
    def prefix(self) -> str:
        return self.value


class UnifiedIDManager:
    """Process-wide generator and parser of prefixed, time-sortable identifiers."""

    _instance: ClassVar[UnifiedIDManager | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()
    _issued: dict[IDType, int]

    def __new__(cls) -> UnifiedIDManager:
        if cls._instance is None:
            with cls._lock:
                if cls._instance is None:
                    instance = super().__new__(cls)
                    instance._issued = {id_type: 0 for id_type in IDType}
                    cls._instance = instance
        return cls._instance

    def generate(self, id_type: IDType) -> str:
        """Return a new identifier of the given type."""
        timestamp = _encode(int(time.time() * 1000), _TIME_WIDTH)
        randomness = _encode(secrets.randbits(5 * _RANDOM_WIDTH), _RANDOM_WIDTH)
        with self._lock:
            self._issued[id_type] += 1
        return f"{id_type.prefix}_{timestamp}{randomness}"

    def parse(self, value: str) -> tuple[IDType, int]:
        """Split an identifier into its type and creation time (epoch milliseconds)."""
        prefix, separator, body = value.partition("_")
        if not separator or len(body) != _TIME_WIDTH + _RANDOM_WIDTH:
            raise ValueError(f"not an identifier: {value!r}")
        id_type = IDType(prefix)
        return id_type, _decode(body[:_TIME_WIDTH])

    def is_valid(self, value: str, expected: IDType | None = None) -> bool:
        try:
            id_type, _created_ms = self.parse(value)
        except ValueError:
            return False
        return expected is None or id_type is expected

    def issued_count(self, id_type: IDType) -> int:
        """How many IDs of this type this process has generated (for metrics)."""
        return self._issued[id_type]


def _encode(number: int, width: int) -> str:
    chars: list[str] = []
    for _ in range(width):
        number, remainder = divmod(number, 32)
        chars.append(_ALPHABET[remainder])
    return "".join(reversed(chars))


def _decode(text: str) -> int:
    number = 0
    for char in text:
        index = _ALPHABET.find(char)
        if index < 0:
            raise ValueError(f"invalid base32 character {char!r}")
        number = number * 32 + index
    return number
