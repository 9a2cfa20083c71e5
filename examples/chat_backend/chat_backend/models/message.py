"""Chat messages and the cursor used to page through room history."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from chat_backend.core.ids import new_message_id


class MessageKind(StrEnum):
    TEXT = "text"
    SYSTEM = "system"
    IMAGE = "image"


class MessageCursor(NamedTuple):
    """Keyset-pagination position: history continues strictly before this message."""

    created_at: float
    message_id: str


@dataclass
class Message:
    room_id: str
    author_id: str
    body: str
    kind: MessageKind = MessageKind.TEXT
    id: str = field(default_factory=new_message_id)
    created_at: float = field(default_factory=time.time)
    edited_at: float | None = None
    deleted: bool = False
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()
    reactions: dict[str, set[str]] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def cursor(self) -> MessageCursor:
        return MessageCursor(self.created_at, self.id)

    def is_before(self, cursor: MessageCursor) -> bool:
        return (self.created_at, self.id) < (cursor.created_at, cursor.message_id)

    def react(self, emoji: str, user_id: str) -> bool:
        """Toggle ``user_id``'s reaction; return True if it is now set."""
        users = self.reactions.setdefault(emoji, set())
        if user_id in users:
            users.discard(user_id)
            if not users:
                del self.reactions[emoji]
            return False
        users.add(user_id)
        return True

    def reaction_counts(self) -> dict[str, int]:
        return {emoji: len(users) for emoji, users in sorted(self.reactions.items())}
