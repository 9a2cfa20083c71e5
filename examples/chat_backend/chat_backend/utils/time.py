"""Time helpers: timezone-aware timestamps, formatting and a token bucket."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


def utc_now() -> datetime:
    """The current time as an aware UTC datetime (never a naive one)."""
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """Format ``moment`` as ISO 8601 in UTC with millisecond precision."""
    if moment.tzinfo is None:
        raise ValueError("refusing to format a naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def from_timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def humanize_delta(delta: timedelta) -> str:
    """Render a duration the way the chat UI shows it: ``just now``, ``5 min``, ``3 h``, ``2 d``."""
    seconds = int(delta.total_seconds())
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 86_400:
        return f"{round(seconds / 3600)} h"
    return f"{seconds // 86_400} d"


@dataclass
class TokenBucket:
    """Classic token bucket used to rate-limit events per connection."""

    capacity: float
    refill_per_second: float
    tokens: float = field(init=False)
    updated_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated_at)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.refill_per_second)
        self.updated_at = now

    def consume(self, amount: float = 1.0) -> bool:
        """Take ``amount`` tokens if available; return whether the event may proceed."""
        self._refill(time.monotonic())
        if self.tokens < amount:
            return False
        self.tokens -= amount
        return True

    def retry_after(self, amount: float = 1.0) -> float:
        """Seconds until ``amount`` tokens will be available again."""
        missing = amount - self.tokens
        return 0.0 if missing <= 0 else missing / self.refill_per_second
