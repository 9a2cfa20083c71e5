"""Tracks live WebSocket connections and fans events out to room members."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
import typing
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from chat_backend.core.ids import new_connection_id
from chat_backend.websocket.events import OutgoingEvent, encode_frame

logger = logging.getLogger(__name__)


class Transport(Protocol):
    """The part of a server's WebSocket object this module relies on."""

    async def send(self, data: str) -> None: ...

    async def close(self, code: int = 1000) -> None: ...


@dataclass
class ReconnectPolicy:
    """Backoff that clients are told to use after the server drops them."""

    base_delay: float = 0.5
    max_delay: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.1
    max_attempts: int = 8

    def next_delay(self, attempt: int) -> float:
        if attempt <= 0:
            return 0.0
        exponent = min(attempt - 1, 16)
        delay = self.base_delay * (self.multiplier**exponent)
        delay = min(delay, self.max_delay)
        spread = delay * self.jitter
        offset = random.uniform(-spread, spread)
        return max(0.0, delay + offset)

    def should_retry(self, attempt: int) -> bool:
        return attempt < self.max_attempts


@dataclass
class Connection:
    user_id: str
    transport: Transport
    id: str = field(default_factory=new_connection_id)
    connected_at: float = field(default_factory=time.monotonic)
    last_seen: float = field(default_factory=time.monotonic)
    rooms: set[str] = field(default_factory=set)

    def touch(self) -> None:
        self.last_seen = time.monotonic()

    def idle_for(self, now: float) -> float:
        return now - self.last_seen


class ConnectionManager:
    """Registry of open connections, indexed by connection, user and room."""

    _connections: dict[str, Connection]

    def __init__(self, max_connections: int = 10_000, reconnect: ReconnectPolicy | None = None) -> None:
        self._connections = {}
        self._by_user: defaultdict[str, set[str]] = defaultdict(set)
        self._room_members: defaultdict[str, set[str]] = defaultdict(set)
        self._max_connections = max_connections
        self.reconnect = reconnect if reconnect is not None else ReconnectPolicy()

    @property
    def ping_interval(self) -> float:
        raw = os.environ.get("CHAT_WS_PING_INTERVAL", "25")
        return max(5.0, float(raw))

    def __len__(self) -> int:
        return len(self._connections)

    def register(self, user_id: str, transport: Transport) -> Connection:
        if len(self._connections) >= self._max_connections:
            raise ConnectionRefusedError("server is at its connection limit")
        connection = Connection(user_id=user_id, transport=transport)
        self._connections[connection.id] = connection
        self._by_user[user_id].add(connection.id)
        logger.info("connection %s opened for %s", connection.id, user_id)
        return connection

    def unregister(self, connection_id: str) -> Connection | None:
        connection = self._connections.pop(connection_id, None)
        if connection is None:
            return None
        for room_id in connection.rooms:
            self._room_members[room_id].discard(connection_id)
        user_connections = self._by_user[connection.user_id]
        user_connections.discard(connection_id)
        if not user_connections:
            del self._by_user[connection.user_id]
        return connection

    def get(self, connection_id: str) -> Connection | None:
        return self._connections.get(connection_id)

    def join(self, connection_id: str, room_id: str) -> None:
        connection = self._connections[connection_id]
        connection.rooms.add(room_id)
        self._room_members[room_id].add(connection_id)

    def leave(self, connection_id: str, room_id: str) -> None:
        connection = self._connections.get(connection_id)
        if connection is not None:
            connection.rooms.discard(room_id)
        self._room_members[room_id].discard(connection_id)

    def is_online(self, user_id: str) -> bool:
        return bool(self._by_user.get(user_id))

    async def send(self, connection_id: str, event: OutgoingEvent) -> bool:
        connection = self._connections.get(connection_id)
        if connection is None:
            return False
        try:
            await connection.transport.send(encode_frame(event))
        except (ConnectionError, asyncio.TimeoutError):
            logger.info("dropping unreachable connection %s", connection_id)
            self.unregister(connection_id)
            return False
        return True

    async def broadcast(self, room_id: str, event: OutgoingEvent, exclude: str | None = None) -> int:
        """Send ``event`` to every connection in the room; return how many got it."""
        targets = [cid for cid in self._room_members.get(room_id, set()) if cid != exclude]
        results = await asyncio.gather(*(self.send(cid, event) for cid in targets))
        return sum(1 for delivered in results if delivered)

    async def reap_idle(self, timeout: float) -> int:
        """Close connections that have not sent anything (not even a ping) for ``timeout`` s."""
        now = time.monotonic()
        stale = [c for c in self._connections.values() if c.idle_for(now) > timeout]
        for connection in stale:
            self.unregister(connection.id)
            await self._force_close(connection)
        return len(stale)

    async def _force_close(self, connection: Connection) -> None:
        # Not every server's transport has abort(); fall back to a normal close.
        transport = typing.cast(typing.Any, connection.transport)
        abort = getattr(transport, "abort", None)
        if callable(abort):
            abort()
        else:
            await transport.close(code=1011)


connection_manager = ConnectionManager()
