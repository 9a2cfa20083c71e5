"""Typed shortcuts over :class:`~chat_backend.core.id_manager.UnifiedIDManager`.

Models use these as ``default_factory`` values; nothing else should build IDs.
"""

from __future__ import annotations

from chat_backend.core.id_manager import IDType, UnifiedIDManager


def new_user_id() -> str:
    return UnifiedIDManager().generate(IDType.USER)


def new_room_id() -> str:
    return UnifiedIDManager().generate(IDType.ROOM)


def new_message_id() -> str:
    return UnifiedIDManager().generate(IDType.MESSAGE)


def new_connection_id() -> str:
    return UnifiedIDManager().generate(IDType.CONNECTION)


def ensure_id(value: str, expected: IDType) -> str:
    """Return ``value`` unchanged if it is an ID of the expected type, else raise."""
    if not UnifiedIDManager().is_valid(value, expected):
        raise ValueError(f"expected a {expected.name.lower()} id, got {value!r}")
    return value
