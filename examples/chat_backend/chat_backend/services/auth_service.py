"""User registration, login and HS256 bearer tokens."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Final
from urllib.parse import parse_qs

from chat_backend.config.settings import Settings
from chat_backend.core.errors import NotFoundError, PermissionDeniedError, TokenError
from chat_backend.models.user import TokenClaims, User
from chat_backend.utils.text import b64url_decode, b64url_encode

logger = logging.getLogger(__name__)

_HEADER_SEGMENT: Final = b64url_encode(b'{"alg":"HS256","typ":"JWT"}')
_DEFAULT_SCOPES: Final = ("chat",)


class AuthService:
    """Owns user accounts and issues and verifies their tokens."""

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.secret_bytes
        self._ttl = settings.token_ttl_seconds
        self._users: dict[str, User] = {}
        self._ids_by_username: dict[str, str] = {}

    def register(self, username: str, display_name: str, password: str) -> User:
        key = username.casefold()
        if key in self._ids_by_username:
            raise PermissionDeniedError(f"username {username!r} is taken")
        if len(password) < 10:
            raise PermissionDeniedError("password must have at least 10 characters")
        user = User(username=username, display_name=display_name or username)
        user.set_password(password)
        self._users[user.id] = user
        self._ids_by_username[key] = user.id
        logger.info("registered user %s", user.id)
        return user

    def login(self, username: str, password: str) -> str:
        user_id = self._ids_by_username.get(username.casefold())
        user = self._users.get(user_id) if user_id is not None else None
        if user is None or not user.check_password(password):
            raise TokenError("unknown username or wrong password")
        return self.issue_token(user)

    def issue_token(self, user: User, scopes: tuple[str, ...] = _DEFAULT_SCOPES) -> str:
        now = int(time.time())
        payload = {"sub": user.id, "iat": now, "exp": now + self._ttl, "scope": " ".join(scopes)}
        payload_segment = b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
        signing_input = f"{_HEADER_SEGMENT}.{payload_segment}".encode("ascii")
        signature = hmac.new(self._secret, signing_input, hashlib.sha256).digest()
        return f"{_HEADER_SEGMENT}.{payload_segment}.{b64url_encode(signature)}"

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

    def get_user(self, user_id: str) -> User:
        try:
            return self._users[user_id]
        except KeyError:
            raise NotFoundError(f"no user {user_id}") from None

    def find_by_username(self, username: str) -> User | None:
        user_id = self._ids_by_username.get(username.casefold())
        return None if user_id is None else self._users[user_id]


class WebSocketAuthenticator:
    """Authenticates a WebSocket upgrade from its ``?token=`` query parameter."""

    def __init__(self, auth_service: AuthService, required_scope: str = "chat") -> None:
        self._auth = auth_service
        self._required_scope = required_scope

    def authenticate(self, query_string: str) -> User:
        tokens = parse_qs(query_string).get("token")
        if not tokens:
            raise TokenError("missing token")
        claims = self._auth.validate_token(tokens[0])
        if not claims.allows(self._required_scope):
            raise PermissionDeniedError(f"token lacks the {self._required_scope!r} scope")
        return self._auth.get_user(claims.user_id)
