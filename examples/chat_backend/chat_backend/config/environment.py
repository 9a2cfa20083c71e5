"""The single place that reads process environment variables.

Every other module asks this one (``get_env`` and the typed helpers below)
instead of touching ``os.environ`` directly, so defaults, parsing and test
overrides live in one spot.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Final

from chat_backend.core.errors import ConfigurationError

_TRUE_VALUES: Final = frozenset({"1", "true", "yes", "on"})
_FALSE_VALUES: Final = frozenset({"0", "false", "no", "off"})


def get_env(name: str, default: str | None = None) -> str | None:
    """Return the variable ``name``, or ``default`` when it is unset or blank."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip()


def require_env(name: str) -> str:
    """Return the variable ``name`` or fail loudly at startup."""
    value = get_env(name)
    if value is None:
        raise ConfigurationError(f"required environment variable {name} is not set")
    return value


def get_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Parse ``name`` as an integer, optionally enforcing a lower bound."""
    raw = get_env(name)
    if raw is None:
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ConfigurationError(f"{name} must be >= {minimum}, got {value}")
    return value


def get_bool(name: str, default: bool) -> bool:
    """Parse ``name`` as a boolean flag (``1/0``, ``true/false``, ``yes/no``, ``on/off``)."""
    raw = get_env(name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in _TRUE_VALUES:
        return True
    if lowered in _FALSE_VALUES:
        return False
    raise ConfigurationError(f"{name} must be a boolean flag, got {raw!r}")


def get_list(name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Parse ``name`` as a comma-separated list; empty items are dropped."""
    raw = get_env(name)
    if raw is None:
        return default
    return tuple(item.strip() for item in raw.split(",") if item.strip())


@contextmanager
def override_env(values: Mapping[str, str]) -> Iterator[None]:
    """Temporarily set environment variables (tests and one-off scripts)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, previous in saved.items():
            if previous is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = previous
