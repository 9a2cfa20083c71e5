"""Chat rooms: membership, moderation and per-room limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from chat_backend.core.errors import ChatError, PermissionDeniedError
from chat_backend.core.ids import new_room_id
from chat_backend.utils.time import utc_now


class RoomVisibility(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    DIRECT = "direct"


class RoomLimits:
    """Per-room limits; the defaults apply to newly created rooms."""

    max_members: int = 500
    max_message_length: int = 4000
    slow_mode_seconds: int = 0
    retention_days: int


@dataclass
class Room:
    name: str
    owner_id: str
    visibility: RoomVisibility = RoomVisibility.PUBLIC
    topic: str = ""
    id: str = field(default_factory=new_room_id)
    created_at: datetime = field(default_factory=utc_now)
    member_ids: set[str] = field(default_factory=set)
    moderator_ids: set[str] = field(default_factory=set)
    banned_ids: set[str] = field(default_factory=set)
    limits: RoomLimits = field(default_factory=RoomLimits)

    def __post_init__(self) -> None:
        self.member_ids.add(self.owner_id)
        self.moderator_ids.add(self.owner_id)

    def is_member(self, user_id: str) -> bool:
        return user_id in self.member_ids

    def can_moderate(self, user_id: str) -> bool:
        return user_id == self.owner_id or user_id in self.moderator_ids

    def can_read(self, user_id: str) -> bool:
        if user_id in self.banned_ids:
            return False
        return self.visibility is RoomVisibility.PUBLIC or self.is_member(user_id)

    def add_member(self, user_id: str) -> None:
        if user_id in self.banned_ids:
            raise PermissionDeniedError(f"user {user_id} is banned from {self.name}")
        if self.visibility is RoomVisibility.DIRECT and len(self.member_ids) >= 2:
            raise PermissionDeniedError("direct rooms have exactly two members")
        if len(self.member_ids) >= self.limits.max_members:
            raise ChatError(f"room {self.name} is full")
        self.member_ids.add(user_id)

    def remove_member(self, user_id: str) -> bool:
        if user_id == self.owner_id:
            raise PermissionDeniedError("the owner cannot leave; transfer ownership first")
        self.moderator_ids.discard(user_id)
        if user_id not in self.member_ids:
            return False
        self.member_ids.remove(user_id)
        return True
