"""Wire format of WebSocket frames.

Every frame is a JSON object with a ``type``; client frames also carry a
``room_id`` and a flat ``payload`` of strings.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypedDict

from chat_backend.models.message import Message
from chat_backend.models.user import Presence


class EventType(StrEnum):
    JOIN = "join"
    LEAVE = "leave"
    MESSAGE = "message"
    TYPING = "typing"
    PRESENCE = "presence"
    PING = "ping"
    PONG = "pong"
    ERROR = "error"


class EventEnvelope(TypedDict):
    """A validated frame received from a client."""

    type: EventType
    room_id: str
    payload: dict[str, str]


class OutgoingEvent(TypedDict, total=False):
    type: str
    room_id: str
    data: dict[str, object]
    ts: float


def decode_frame(raw: str | bytes) -> Any:
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return json.loads(text)


def encode_frame(event: Mapping[str, Any]) -> str:  # ssot: ignore[any-usage]  -- json.dumps takes arbitrary JSON values
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


def parse_envelope(raw: str | bytes) -> EventEnvelope:
    """Validate a client frame; raise ``ValueError`` with a client-safe message."""
    data = decode_frame(raw)
    if not isinstance(data, dict):
        raise ValueError("a frame must be a JSON object")
    try:
        event_type = EventType(data.get("type"))
    except ValueError:
        raise ValueError(f"unknown event type {data.get('type')!r}") from None
    room_id = data.get("room_id", "")
    payload = data.get("payload") or {}
    if not isinstance(room_id, str) or not isinstance(payload, dict):
        raise ValueError("room_id must be a string and payload an object")
    return EventEnvelope(
        type=event_type,
        room_id=room_id,
        payload={str(key): str(value) for key, value in payload.items()},
    )


def message_event(message: Message) -> OutgoingEvent:
    return OutgoingEvent(
        type=EventType.MESSAGE.value,
        room_id=message.room_id,
        data={
            "id": message.id,
            "author_id": message.author_id,
            "body": message.body,
            "kind": message.kind.value,
            "reply_to": message.reply_to,
        },
        ts=message.created_at,
    )


def presence_event(user_id: str, presence: Presence) -> OutgoingEvent:
    return OutgoingEvent(
        type=EventType.PRESENCE.value,
        data={"user_id": user_id, "presence": presence.value},
        ts=time.time(),
    )


def error_event(code: str, detail: str) -> OutgoingEvent:
    return OutgoingEvent(type=EventType.ERROR.value, data={"code": code, "detail": detail}, ts=time.time())
