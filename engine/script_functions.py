"""Functions BPMN scripts and expressions may call besides the calendar's deadline functions.

They are bound per service call (see :class:`engine.runtime.Step`) so their side effects —
an SMS, a notice — land in the same transaction as the step that caused them.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.models import WorkOrder

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _instant(value) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def local_hour(value) -> int:
    """The Asia/Shanghai hour (0–23) of an instant, e.g. to test "finished after 22:00"."""
    return _instant(value).astimezone(SHANGHAI).hour


def next_day_at(value, clock: str = "08:00") -> str:
    """The next calendar day at ``clock`` Asia/Shanghai time, as UTC ISO text (timer-ready)."""
    local = _instant(value).astimezone(SHANGHAI)
    hour, minute = (int(part) for part in clock.split(":"))
    moment = datetime.combine(local.date() + timedelta(days=1), time(hour, minute), SHANGHAI)
    return moment.astimezone(timezone.utc).isoformat()


def callers_of(session: Session, work_order: WorkOrder) -> list[dict]:
    """The work order's caller plus every call linked to it (many callers, one outage)."""
    rows = session.scalars(
        select(WorkOrder).where(or_(WorkOrder.id == work_order.id, WorkOrder.parent_id == work_order.id)).order_by(WorkOrder.id)
    )
    return [
        {"number": w.number, "name": w.customer_name, "phone": w.customer_phone, "address": w.customer_address}
        for w in rows
    ]
