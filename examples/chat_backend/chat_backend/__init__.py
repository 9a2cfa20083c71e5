"""chat_backend: a small real-time chat service (rooms, messages, presence)."""

__version__ = "0.4.2"
