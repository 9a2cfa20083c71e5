"""Error types shared by every layer.

Each error carries a stable ``code`` that is sent to clients and a ``status``
that the HTTP layer maps to a response status.
"""

from __future__ import annotations


class ChatError(Exception):
    """Base class for errors that are reported back to the client."""

    code: str = "chat_error"
    status: int = 400


class ConfigurationError(ChatError):
    """The process environment or the settings are invalid."""

    code = "configuration_error"
    status = 500


class TokenError(ChatError):
    """A bearer token is missing, malformed, forged or expired."""

    code = "invalid_token"
    status = 401


class PermissionDeniedError(ChatError):
    """The caller is authenticated but not allowed to do this."""

    code = "forbidden"
    status = 403


class NotFoundError(ChatError):
    """A user, room or message does not exist (or is not visible to the caller)."""

    code = "not_found"
    status = 404


class RateLimitedError(ChatError):
    """The caller sent too many events; ``retry_after`` is in seconds."""

    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry in {retry_after:.1f}s")
        self.retry_after = retry_after
