"""Typed application settings, assembled from the environment."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from chat_backend.config.environment import (
    get_bool,
    get_env,
    get_int,
    get_list,
    override_env,
)
from chat_backend.core.errors import ConfigurationError

MAX_MESSAGE_LENGTH: Final = 4000
DEFAULT_HISTORY_PAGE: Final = 50
_DEV_SECRET: Final = "dev-only-secret-change-me"

LogLevel: TypeAlias = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
_LOG_LEVELS: Final[tuple[LogLevel, ...]] = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the application reads from its environment, parsed and typed."""

    environment: str = "development"
    debug: bool = False
    jwt_secret: str = _DEV_SECRET
    token_ttl_seconds: int = 3600
    max_connections: int = 10_000
    max_rooms_per_user: int = 50
    allowed_origins: tuple[str, ...] = ("http://localhost:3000",)
    log_level: LogLevel = "INFO"
    notifications_enabled: bool = False

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def secret_bytes(self) -> bytes:
        return self.jwt_secret.encode("utf-8")

    def validate(self) -> None:
        """Refuse to start production with development defaults."""
        if self.is_production and self.jwt_secret == _DEV_SECRET:
            raise ConfigurationError("CHAT_JWT_SECRET must be set in production")
        if self.is_production and self.debug:
            raise ConfigurationError("CHAT_DEBUG must be off in production")

    @classmethod
    def from_env(cls) -> Settings:
        level = (get_env("CHAT_LOG_LEVEL", "INFO") or "INFO").upper()
        if level not in _LOG_LEVELS:
            raise ConfigurationError(f"CHAT_LOG_LEVEL must be one of {_LOG_LEVELS}")
        return cls(
            environment=get_env("CHAT_ENV", "development") or "development",
            debug=get_bool("CHAT_DEBUG", False),
            jwt_secret=get_env("CHAT_JWT_SECRET", _DEV_SECRET) or _DEV_SECRET,
            token_ttl_seconds=get_int("CHAT_TOKEN_TTL", 3600, minimum=60),
            max_connections=get_int("CHAT_MAX_CONNECTIONS", 10_000, minimum=1),
            max_rooms_per_user=get_int("CHAT_MAX_ROOMS_PER_USER", 50, minimum=1),
            allowed_origins=get_list("CHAT_ALLOWED_ORIGINS", ("http://localhost:3000",)),
            log_level=_LOG_LEVELS[_LOG_LEVELS.index(level)],
            notifications_enabled=get_bool("CHAT_NOTIFICATIONS", False),
        )


@functools.lru_cache(maxsize=None)
def get_settings() -> Settings:
    """Return the process-wide settings, read once and then cached."""
    settings = Settings.from_env()
    settings.validate()
    return settings


def load_settings(overrides: Mapping[str, str] | None = None) -> Settings:
    """Build a fresh ``Settings`` on every call, optionally with overridden variables."""
    if not overrides:
        return Settings.from_env()
    with override_env(overrides):
        return Settings.from_env()
