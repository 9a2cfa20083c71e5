"""Mention notifications: push for online users, e-mail digests for the others.

Only imported by :func:`chat_backend.app.create_app` when notifications are
enabled in the settings.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from enum import StrEnum

from chat_backend.models.message import Message
from chat_backend.utils.text import truncate

logger = logging.getLogger(__name__)


class NotificationChannel(StrEnum):
    PUSH = "push"
    EMAIL = "email"


@dataclass
class Notification:
    user_id: str
    room_id: str
    message_id: str
    text: str
    channel: NotificationChannel = NotificationChannel.PUSH
    attempts: int = 0
    not_before: float = 0.0
    created_at: float = field(default_factory=time.time)


@dataclass
class DigestBatch:
    """Notifications collected for one offline user until the next digest e-mail."""

    user_id: str
    email: str
    notifications: list[Notification] = []
    by_room: dict[str, list[Notification]] = defaultdict(list)

    def add(self, notification: Notification) -> None:
        self.notifications.append(notification)
        self.by_room[notification.room_id].append(notification)

    def render(self, sender: str) -> EmailMessage:
        email = EmailMessage()
        email["From"] = sender
        email["To"] = self.email
        email["Subject"] = f"{len(self.notifications)} new mentions"
        lines = [f"- {truncate(item.text, 120)}" for item in self.notifications]
        email.set_content("\n".join(lines))
        return email


class NotificationService:
    """Queues mention notifications and retries failed deliveries with backoff."""

    def __init__(
        self,
        sender: str = "noreply@chat.example",
        retry_base: float = 1.0,
        retry_cap: float = 120.0,
        max_attempts: int = 6,
    ) -> None:
        self._sender = sender
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._retry_factor = 2.0
        self._retry_jitter = 0.2
        self._max_attempts = max_attempts
        self._queue: deque[Notification] = deque()
        self._digests: dict[str, DigestBatch] = {}
        self._muted_rooms: dict[str, set[str]] = {}

    def smtp_host(self) -> str:
        return os.getenv("CHAT_SMTP_HOST", "localhost")

    def mute(self, user_id: str, room_id: str) -> None:
        self._muted_rooms.setdefault(user_id, set()).add(room_id)

    def is_muted(self, user_id: str, room_id: str) -> bool:
        return room_id in self._muted_rooms.get(user_id, set())

    def notify_mentions(self, message: Message, recipient_ids: Iterable[str]) -> int:
        """Queue one push notification per mentioned, un-muted recipient."""
        queued = 0
        for user_id in recipient_ids:
            if user_id == message.author_id or self.is_muted(user_id, message.room_id):
                continue
            notification = Notification(
                user_id=user_id,
                room_id=message.room_id,
                message_id=message.id,
                text=message.body,
            )
            self._queue.append(notification)
            queued += 1
        return queued

    def add_to_digest(self, notification: Notification, email: str) -> None:
        batch = self._digests.get(notification.user_id)
        if batch is None:
            batch = DigestBatch(user_id=notification.user_id, email=email)
            self._digests[notification.user_id] = batch
        notification.channel = NotificationChannel.EMAIL
        batch.add(notification)

    def due(self, now: float | None = None) -> list[Notification]:
        """Pop every queued notification whose retry time has come."""
        current = time.time() if now is None else now
        ready = [item for item in self._queue if item.not_before <= current]
        self._queue = deque(item for item in self._queue if item.not_before > current)
        return ready

    def mark_failed(self, notification: Notification) -> bool:
        """Reschedule a failed delivery; return False once it is given up."""
        notification.attempts += 1
        if notification.attempts >= self._max_attempts:
            logger.warning(
                "dropping notification %s after %d attempts",
                notification.message_id,
                notification.attempts,
            )
            return False
        notification.not_before = time.time() + self._retry_delay(notification.attempts)
        self._queue.append(notification)
        return True

    def _retry_delay(self, retry: int) -> float:
        if retry <= 0:
            return 0.0
        power = min(retry - 1, 16)
        wait = self._retry_base * (self._retry_factor**power)
        wait = min(wait, self._retry_cap)
        span = wait * self._retry_jitter
        shift = random.uniform(-span, span)
        return max(0.0, wait + shift)
