"""The exact bytes an event's hash covers; writer and verifier must agree on them forever."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone
from decimal import Decimal

GENESIS_HASH = "0" * 64


def _json_default(value: object) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"audit data cannot hold a {type(value).__name__}: {value!r}")


def canonical_json(obj: object) -> str:
    """Serialise ``obj`` one way only (sorted keys, no spaces), so equal data hashes equally."""
    return json.dumps(
        obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    )


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive value is taken to be UTC already (SQLite returns those)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def event_hash(
    prev_hash: str,
    *,
    seq: int,
    at: datetime,
    kind: str,
    work_order_id: int | None,
    actor: str,
    data: str,
) -> str:
    """SHA-256 hex of the previous hash followed by the event's canonical contents."""
    contents = canonical_json(
        {
            "seq": seq,
            "at": as_utc(at).isoformat(timespec="microseconds"),
            "kind": kind,
            "work_order_id": work_order_id,
            "actor": actor,
            "data": data,
        }
    )
    return hashlib.sha256((prev_hash + contents).encode("utf-8")).hexdigest()
