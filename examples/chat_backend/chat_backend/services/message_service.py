"""Posting, editing, deleting and paging through chat messages."""

from __future__ import annotations

import html
import logging
import re
import time
import unicodedata
from collections.abc import Mapping
from typing import Final

from chat_backend.config.settings import DEFAULT_HISTORY_PAGE, MAX_MESSAGE_LENGTH
from chat_backend.core.errors import ChatError, NotFoundError, PermissionDeniedError
from chat_backend.models.message import Message, MessageCursor, MessageKind
from chat_backend.models.room import Room
from chat_backend.utils.text import extract_mentions

logger = logging.getLogger(__name__)

EDIT_WINDOW_SECONDS: Final = 15 * 60
_CONTROL_CHARS_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZERO_WIDTH_RE: Final = re.compile("[\u200b-\u200d\u2060\ufeff]")
_BLANK_LINES_RE: Final = re.compile(r"\n{3,}")


class HistoryQuery(object):
    """Parameters of a history request, filled in from the query string."""

    room_id: str
    limit: int = DEFAULT_HISTORY_PAGE
    before: MessageCursor | None = None
    include_system: bool = True


def _sanitize_body(text: str, max_length: int = MAX_MESSAGE_LENGTH) -> str:
    """Normalise user-supplied message text before it is stored or broadcast."""
    normalized = unicodedata.normalize("NFC", text)
    normalized = _CONTROL_CHARS_RE.sub("", normalized)
    normalized = _ZERO_WIDTH_RE.sub("", normalized)
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


class MessageService:
    """Stores messages per room, newest last, and enforces who may change them."""

    def __init__(self) -> None:
        self._by_room: dict[str, list[Message]] = {}
        self._by_id: dict[str, Message] = {}

    def post(self, room: Room, author_id: str, body: str, reply_to: str | None = None) -> Message:
        if not room.is_member(author_id):
            raise PermissionDeniedError(f"{author_id} is not a member of {room.name}")
        clean = _sanitize_body(body, room.limits.max_message_length)
        if not clean:
            raise ChatError("message is empty")
        if reply_to is not None and reply_to not in self._by_id:
            raise NotFoundError(f"cannot reply to unknown message {reply_to}")
        message = Message(
            room_id=room.id,
            author_id=author_id,
            body=clean,
            reply_to=reply_to,
            mentions=extract_mentions(clean),
        )
        self._store(message)
        return message

    def post_system(self, room_id: str, text: str) -> Message:
        message = Message(room_id=room_id, author_id="system", body=text, kind=MessageKind.SYSTEM)
        self._store(message)
        return message

    def _store(self, message: Message) -> None:
        self._by_room.setdefault(message.room_id, []).append(message)
        self._by_id[message.id] = message

    def get(self, message_id: str) -> Message:
        message = self._by_id.get(message_id)
        if message is None or message.deleted:
            raise NotFoundError(f"no message {message_id}")
        return message

    def edit(self, message_id: str, editor_id: str, body: str) -> Message:
        message = self.get(message_id)
        if message.author_id != editor_id:
            raise PermissionDeniedError("only the author may edit a message")
        now = time.time()
        if now - message.created_at > EDIT_WINDOW_SECONDS:
            raise PermissionDeniedError("messages can only be edited for 15 minutes")
        message.body = _sanitize_body(body)
        message.mentions = extract_mentions(message.body)
        message.edited_at = now
        return message

    def delete(self, room: Room, message_id: str, actor_id: str) -> None:
        message = self.get(message_id)
        if actor_id != message.author_id and not room.can_moderate(actor_id):
            raise PermissionDeniedError("only the author or a moderator may delete a message")
        message.deleted = True
        message.body = ""
        logger.info("message %s deleted by %s", message_id, actor_id)

    def history(self, query: HistoryQuery) -> list[Message]:
        """Up to ``query.limit`` visible messages before ``query.before``, oldest first."""
        page: list[Message] = []
        for message in reversed(self._by_room.get(query.room_id, [])):
            if message.deleted:
                continue
            if query.before is not None and not message.is_before(query.before):
                continue
            if message.kind is MessageKind.SYSTEM and not query.include_system:
                continue
            page.append(message)
            if len(page) >= query.limit:
                break
        page.reverse()
        return page

    def resolve_mentions(self, message: Message, directory: Mapping[str, object]) -> list[str]:
        """IDs of the users mentioned in ``message`` that exist and do not block the author."""
        from ..models.user import User as UserModel

        resolved: list[str] = []
        for username in message.mentions:
            candidate = directory.get(username)
            if isinstance(candidate, UserModel) and not candidate.blocks(message.author_id):
                resolved.append(candidate.id)
        return resolved
