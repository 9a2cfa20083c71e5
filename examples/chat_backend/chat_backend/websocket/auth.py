"""Handshake authentication for WebSocket connections.

The bearer token may arrive in the ``Authorization`` header (native clients),
in the ``chat_token`` cookie (browsers) or as a ``?token=`` query parameter.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs

from chat_backend.config.settings import Settings
from chat_backend.core.errors import TokenError
from chat_backend.models.user import TokenClaims
from chat_backend.utils.text import b64url_decode

logger = logging.getLogger(__name__)


class WebSocketAuthenticator:
    """Extracts and verifies the bearer token sent with a WebSocket upgrade request."""

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.secret_bytes
        self._allowed_origins = frozenset(settings.allowed_origins)
        self._enforce_origin = settings.is_production

    def check_origin(self, headers: Mapping[str, str]) -> bool:
        origin = headers.get("origin")
        if origin is None:
            return not self._enforce_origin
        return origin in self._allowed_origins

    def extract_token(self, headers: Mapping[str, str], query_string: str) -> str | None:
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            return authorization[len("bearer ") :].strip() or None
        try:
            cookie = SimpleCookie(headers.get("cookie", ""))
        except CookieError:
            cookie = SimpleCookie()
        if "chat_token" in cookie:
            return cookie["chat_token"].value
        values = parse_qs(query_string).get("token")
        return values[0] if values else None

    def validate_token(self, token: str, now: float | None = None) -> TokenClaims:
        """Check the signature and expiry of an HS256 token and return its claims."""
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("malformed token")
        header_b64, payload_b64, signature_b64 = parts
        signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
        expected = hmac.new(self._secret, signing_input, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, b64url_decode(signature_b64)):
            raise TokenError("signature mismatch")
        claims = json.loads(b64url_decode(payload_b64))
        expires_at = float(claims.get("exp", 0))
        current = time.time() if now is None else now
        if expires_at <= current:
            raise TokenError("token expired")
        return TokenClaims(
            user_id=str(claims["sub"]),
            expires_at=expires_at,
            scopes=tuple(str(claims.get("scope", "")).split()),
        )

    def authenticate(self, headers: Mapping[str, str], query_string: str) -> TokenClaims:
        """Verify the upgrade request; raise :class:`TokenError` to reject it."""
        if not self.check_origin(headers):
            logger.warning("rejected WebSocket upgrade from origin %r", headers.get("origin"))
            raise TokenError("origin not allowed")
        token = self.extract_token(headers, query_string)
        if token is None:
            raise TokenError("missing token")
        return self.validate_token(token)
