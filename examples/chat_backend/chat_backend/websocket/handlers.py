"""Dispatch incoming WebSocket frames to the chat services.

One ``EventRouter`` per application turns validated frames into calls on the
room and message services, and pushes the resulting events back out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from chat_backend.core.errors import ChatError, RateLimitedError
from chat_backend.models.user import Presence
from chat_backend.services.message_service import MessageService
from chat_backend.services.room_service import RoomService
from chat_backend.utils.time import TokenBucket

from . import events
from .connection_manager import Connection, ConnectionManager, connection_manager

logger = logging.getLogger(__name__)

Handler: TypeAlias = Callable[[Connection, events.EventEnvelope], Awaitable[None]]

_BURST: float = 10.0
_MESSAGES_PER_SECOND: float = 2.0


class EventRouter:
    """Routes client frames by ``type``; one instance is shared by all connections."""

    def __init__(
        self,
        rooms: RoomService,
        messages: MessageService,
        manager: ConnectionManager | None = None,
    ) -> None:
        self._rooms = rooms
        self._messages = messages
        self._manager = manager if manager is not None else connection_manager
        self._buckets: dict[str, TokenBucket] = {}
        self._handlers: dict[events.EventType, Handler] = {
            events.EventType.JOIN: self._on_join,
            events.EventType.LEAVE: self._on_leave,
            events.EventType.MESSAGE: self._on_message,
            events.EventType.TYPING: self._on_typing,
            events.EventType.PING: self._on_ping,
        }

    async def dispatch(self, connection: Connection, raw: str | bytes) -> None:
        connection.touch()
        try:
            envelope = events.parse_envelope(raw)
        except ValueError as exc:
            await self._manager.send(connection.id, events.error_event("bad_request", str(exc)))
            return
        handler = self._handlers.get(envelope["type"])
        if handler is None:
            await self._handle_unknown(connection, envelope)
            return
        try:
            await handler(connection, envelope)
        except ChatError as exc:
            # Any ChatError is the client's fault: report it, keep the socket open.
            await self._manager.send(connection.id, events.error_event(exc.code, str(exc)))

    async def on_disconnect(self, connection: Connection) -> None:
        self._buckets.pop(connection.id, None)
        self._manager.unregister(connection.id)
        if not self._manager.is_online(connection.user_id):
            for room_id in connection.rooms:
                event = events.presence_event(connection.user_id, Presence.OFFLINE)
                await self._manager.broadcast(room_id, event)

    async def _on_join(self, connection: Connection, envelope: events.EventEnvelope) -> None:
        room = self._rooms.get(envelope["room_id"])
        if not room.can_read(connection.user_id):
            raise ChatError("you cannot read this room")
        self._manager.join(connection.id, room.id)
        presence = events.presence_event(connection.user_id, Presence.ONLINE)
        await self._manager.broadcast(room.id, presence, exclude=connection.id)

    async def _on_leave(self, connection: Connection, envelope: events.EventEnvelope) -> None:
        self._manager.leave(connection.id, envelope["room_id"])

    async def _on_message(self, connection: Connection, envelope: events.EventEnvelope) -> None:
        bucket = self._buckets.setdefault(
            connection.id, TokenBucket(capacity=_BURST, refill_per_second=_MESSAGES_PER_SECOND)
        )
        if not bucket.consume():
            raise RateLimitedError(bucket.retry_after())
        room = self._rooms.get(envelope["room_id"])
        body = envelope["payload"].get("body", "")
        reply_to = envelope["payload"].get("reply_to") or None
        message = self._messages.post(room, connection.user_id, body, reply_to=reply_to)
        await self._manager.broadcast(room.id, events.message_event(message))

    async def _on_typing(self, connection: Connection, envelope: events.EventEnvelope) -> None:
        event = events.OutgoingEvent(
            type=events.EventType.TYPING.value,
            room_id=envelope["room_id"],
            data={"user_id": connection.user_id},
        )
        await self._manager.broadcast(envelope["room_id"], event, exclude=connection.id)

    async def _on_ping(self, connection: Connection, envelope: events.EventEnvelope) -> None:
        await self._manager.send(connection.id, events.OutgoingEvent(type=events.EventType.PONG.value))

    async def _handle_unknown(self, connection: Connection, payload: Any) -> None:
        logger.warning("unhandled event from %s: %r", connection.id, payload)
        await self._manager.send(connection.id, events.error_event("unsupported", "event type not accepted here"))
