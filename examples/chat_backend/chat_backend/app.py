"""Application wiring: builds every service once and exposes the connection hooks.

A server adapter (websockets, an ASGI framework, ...) calls ``on_connect``,
``on_frame`` and ``on_close``; everything else lives in the services.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chat_backend.config.settings import Settings, get_settings
from chat_backend.core.errors import TokenError
from chat_backend.services.auth_service import AuthService
from chat_backend.services.message_service import MessageService
from chat_backend.services.room_service import RoomService, create_room_service
from chat_backend.websocket.auth import WebSocketAuthenticator
from chat_backend.websocket.connection_manager import Connection, ConnectionManager, Transport
from chat_backend.websocket.handlers import EventRouter

if TYPE_CHECKING:
    from chat_backend.services.notification_service import NotificationService

logger = logging.getLogger(__name__)

_POLICY_VIOLATION = 1008


@dataclass
class ChatApplication:
    settings: Settings
    auth: AuthService
    authenticator: WebSocketAuthenticator
    rooms: RoomService
    messages: MessageService
    connections: ConnectionManager
    router: EventRouter
    notifier: NotificationService | None = None

    async def on_connect(
        self, transport: Transport, headers: Mapping[str, str], query_string: str
    ) -> Connection | None:
        try:
            claims = self.authenticator.authenticate(headers, query_string)
        except TokenError as exc:
            logger.info("rejected WebSocket handshake: %s", exc)
            await transport.close(code=_POLICY_VIOLATION)
            return None
        return self.connections.register(claims.user_id, transport)

    async def on_frame(self, connection: Connection, raw: str | bytes) -> None:
        await self.router.dispatch(connection, raw)

    async def on_close(self, connection: Connection) -> None:
        await self.router.on_disconnect(connection)

    async def run_housekeeping(self, stop: asyncio.Event) -> None:
        """Close idle connections every ping interval until ``stop`` is set."""
        interval = self.connections.ping_interval
        while not stop.is_set():
            closed = await self.connections.reap_idle(timeout=interval * 3)
            if closed:
                logger.info("closed %d idle connections", closed)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)


def _build_notifier(settings: Settings) -> NotificationService | None:
    if not settings.notifications_enabled:
        return None
    from chat_backend.services.notification_service import NotificationService

    return NotificationService()


def create_app(settings: Settings | None = None, manager: ConnectionManager | None = None) -> ChatApplication:
    """Build a new, fully wired application; every call returns fresh services."""
    resolved = settings if settings is not None else get_settings()
    connections = manager if manager is not None else ConnectionManager(resolved.max_connections)
    rooms = create_room_service(resolved.max_rooms_per_user)
    messages = MessageService()
    return ChatApplication(
        settings=resolved,
        auth=AuthService(resolved),
        authenticator=WebSocketAuthenticator(resolved),
        rooms=rooms,
        messages=messages,
        connections=connections,
        router=EventRouter(rooms, messages, connections),
        notifier=_build_notifier(resolved),
    )


def main() -> None:
    """Console entry point: run the housekeeping loop until interrupted."""
    app = create_app()
    logging.basicConfig(level=app.settings.log_level)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(app.run_housekeeping(asyncio.Event()))


if __name__ == "__main__":
    logging.basicConfig(level=logging.DEBUG)
    local_manager = ConnectionManager(max_connections=100)
    demo = create_app(manager=local_manager)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(demo.run_housekeeping(asyncio.Event()))
