"""Users, their roles and presence, and the claims carried by their tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Final

from chat_backend.core.ids import new_user_id
from chat_backend.utils.time import utc_now

_PBKDF2_ROUNDS: Final = 200_000


class UserRole(Enum):
    """Service-wide permission level; higher values include the lower ones."""

    MEMBER: int = 1
    MODERATOR: int = 2
    ADMIN: int = 3


class Presence(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """The verified content of a bearer token."""

    user_id: str
    expires_at: float
    scopes: tuple[str, ...] = ()

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass
class User:
    username: str
    display_name: str
    email: str | None = None
    password_hash: str = ""
    role: UserRole = UserRole.MEMBER
    presence: Presence = Presence.OFFLINE
    id: str = field(default_factory=new_user_id)
    created_at: datetime = field(default_factory=utc_now)
    blocked_user_ids: set[str] = field(default_factory=set)

    @property
    def is_moderator(self) -> bool:
        return self.role.value >= UserRole.MODERATOR.value

    def set_password(self, password: str) -> None:
        salt = secrets.token_bytes(16)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _PBKDF2_ROUNDS)
        self.password_hash = f"{salt.hex()}${digest.hex()}"

    def check_password(self, password: str) -> bool:
        salt_hex, separator, digest_hex = self.password_hash.partition("$")
        if not separator:
            return False
        candidate = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), bytes.fromhex(salt_hex), _PBKDF2_ROUNDS
        )
        return hmac.compare_digest(candidate.hex(), digest_hex)

    def blocks(self, other_id: str) -> bool:
        return other_id in self.blocked_user_ids

    def public_profile(self) -> dict[str, str]:
        """The fields other users may see."""
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "presence": self.presence.value,
        }
