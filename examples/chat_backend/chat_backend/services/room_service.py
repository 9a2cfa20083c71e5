"""Creating rooms, membership and moderation."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from chat_backend.core.errors import ChatError, NotFoundError, PermissionDeniedError
from chat_backend.models.room import Room, RoomVisibility
from chat_backend.utils.text import slugify
from chat_backend.utils.time import to_iso, utc_now

from ..core.ids import (
    new_message_id,
    new_room_id,
)

logger = logging.getLogger(__name__)


class MemberLike(Protocol):
    """Anything that can join a room: a ``User``, a bot account, an integration."""

    id: str
    display_name: str


@dataclass(frozen=True)
class RoomAnnouncement:
    """A system notice shown at the top of a room (created, renamed, user banned)."""

    room_id: str
    text: str
    id: str = field(default_factory=new_message_id)


class RoomService:
    """Owns every room. Any member may read and post; moderators may ban."""

    def __init__(self, max_rooms_per_user: int = 50) -> None:
        self._rooms: dict[str, Room] = {}
        self._ids_by_slug: dict[str, str] = {}
        self._announcements: list[RoomAnnouncement] = []
        self._max_rooms_per_user = max_rooms_per_user

    def create_room(
        self,
        owner: MemberLike,
        name: str,
        visibility: RoomVisibility = RoomVisibility.PUBLIC,
        topic: str = "",
    ) -> Room:
        if len(self.rooms_for(owner.id)) >= self._max_rooms_per_user:
            raise PermissionDeniedError(f"{owner.display_name} already owns too many rooms")
        slug = slugify(name)
        if slug in self._ids_by_slug:
            raise ChatError(f"a room named {name!r} already exists")
        room = Room(name=name, owner_id=owner.id, visibility=visibility, topic=topic)
        self._rooms[room.id] = room
        self._ids_by_slug[slug] = room.id
        self._announce(room, f"{owner.display_name} created the room")
        return room

    def open_direct(self, first: MemberLike, second: MemberLike) -> Room:
        """Return the direct-message room of two members, creating it on first use."""
        pair = sorted((first.id, second.id))
        key = f"dm:{pair[0]}:{pair[1]}"
        existing = self._ids_by_slug.get(key)
        if existing is not None:
            return self._rooms[existing]
        room = Room(name=key, owner_id=first.id, visibility=RoomVisibility.DIRECT, id=new_room_id())
        room.add_member(second.id)
        self._rooms[room.id] = room
        self._ids_by_slug[key] = room.id
        return room

    def get(self, room_id: str) -> Room:
        room = self._rooms.get(room_id)
        if room is None:
            raise NotFoundError(f"no room {room_id}")
        return room

    def find_by_name(self, name: str) -> Room | None:
        room_id = self._ids_by_slug.get(slugify(name))
        return self._rooms.get(room_id) if room_id else None

    def join(self, room_id: str, member: MemberLike) -> Room:
        room = self.get(room_id)
        if room.visibility is not RoomVisibility.PUBLIC:
            raise PermissionDeniedError("this room is invite-only")
        room.add_member(member.id)
        return room

    def leave(self, room_id: str, user_id: str) -> bool:
        return self.get(room_id).remove_member(user_id)

    def ban(self, room_id: str, moderator_id: str, target_id: str) -> None:
        room = self.get(room_id)
        if not room.can_moderate(moderator_id):
            raise PermissionDeniedError("only moderators may ban members")
        if target_id == room.owner_id:
            raise PermissionDeniedError("the owner cannot be banned")
        room.member_ids.discard(target_id)
        room.moderator_ids.discard(target_id)
        room.banned_ids.add(target_id)
        self._announce(room, "a member was removed by a moderator")

    def rooms_for(self, user_id: str) -> list[Room]:
        return [room for room in self._rooms.values() if room.owner_id == user_id]

    def announcements(self, room_id: str) -> list[RoomAnnouncement]:
        return [notice for notice in self._announcements if notice.room_id == room_id]

    def snapshot(self, room_id: str) -> "dict[str, Any]":
        """A JSON-ready description of the room for the admin dashboard."""
        room = self.get(room_id)
        return {
            "id": room.id,
            "name": room.name,
            "visibility": room.visibility.value,
            "members": sorted(room.member_ids),
            "moderators": sorted(room.moderator_ids),
            "limits": {"max_members": room.limits.max_members},
            "generated_at": to_iso(utc_now()),
        }

    def _announce(self, room: Room, text: str) -> None:
        self._announcements.append(RoomAnnouncement(room_id=room.id, text=text))
        logger.debug("room %s: %s", room.id, text)


def create_room_service(max_rooms_per_user: int = 50) -> RoomService:
    """Build a new, empty ``RoomService`` (one per application instance)."""
    return RoomService(max_rooms_per_user=max_rooms_per_user)
