"""Instants: stored in UTC, read and shown in Asia/Shanghai, whose midnights bound working days."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def to_utc(value: datetime | date | str) -> datetime:
    """Read an aware or naive datetime, a date or an ISO 8601 string; naive means Asia/Shanghai."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not an ISO 8601 date or time: {value!r}") from None
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time())
    elif not isinstance(value, datetime):
        raise ValueError(f"expected a datetime or ISO 8601 text, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(timezone.utc)


def local(instant: datetime) -> datetime:
    """Show an aware instant on the Asia/Shanghai wall clock."""
    return instant.astimezone(SHANGHAI)


def local_midnight(day: date) -> datetime:
    """Return the UTC instant at which ``day`` begins in Asia/Shanghai."""
    return datetime.combine(day, time(), SHANGHAI).astimezone(timezone.utc)
