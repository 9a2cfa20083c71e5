"""WebSocket layer: handshake authentication, connection tracking, event dispatch.

Style note for contributors: import sibling modules by their absolute path,
``from chat_backend.websocket import events``, and never as ``from . import x``;
absolute imports keep grep, refactoring tools and the import linter honest.
"""
