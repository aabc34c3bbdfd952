"""The auditor's read side: search every work order by any criterion, and audit reads of sealed values.

Auditors read everything and change nothing: they belong to no lane, so every write service
(which checks lane membership) refuses them. Reading a sealed identity is itself evidence,
so :func:`record_sealed_read` leaves a ``sealed.read`` event in the hash chain.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.confidentiality import sealed_fields
from engine.directory import get_user
from engine.errors import PermissionDenied
from engine.models import HumanTask, ProcessVersion, WorkOrder
from engine.queries import may_view

SHANGHAI = ZoneInfo("Asia/Shanghai")
AUDITORS = "auditor"


@dataclass(frozen=True)
class Criteria:
    """What an auditor searches by; empty fields do not filter. Dates are Shanghai calendar days."""

    number: str = ""
    phone: str = ""
    flow: str = ""
    department: str = ""
    opened_from: date | None = None
    opened_to: date | None = None
    breached: bool | None = None


def require_auditor(session: Session, username: str) -> None:
    """Refuse anyone outside the auditor group (chain checks, replays, re-execution)."""
    if AUDITORS not in get_user(session, username).group_names:
        raise PermissionDenied("仅审计员可用 / only auditors may do this")


def day_start(day: date) -> datetime:
    """Midnight in Shanghai at the start of ``day``, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def search(session: Session, criteria: Criteria, username: str, *, limit: int = 200) -> list[WorkOrder]:
    """Work orders matching every given criterion, newest first, limited to flows the viewer may see."""
    groups = get_user(session, username).group_names
    flows = sorted({v.process_id for v in session.scalars(select(ProcessVersion)) if may_view(v, groups)})
    query = select(WorkOrder).where(WorkOrder.flow_type.in_(flows))
    if criteria.number.strip():
        query = query.where(WorkOrder.number.startswith(criteria.number.strip().upper()))
    if criteria.phone.strip():
        digits = criteria.phone.replace(" ", "").replace("-", "")
        stored = func.replace(func.replace(WorkOrder.customer_phone, " ", ""), "-", "")
        query = query.where(stored == digits)
    if criteria.flow:
        query = query.where(WorkOrder.flow_type == criteria.flow)
    if criteria.department:
        query = query.where(exists().where(HumanTask.work_order_id == WorkOrder.id,
                                           HumanTask.group_name == criteria.department))
    if criteria.opened_from:
        query = query.where(WorkOrder.opened_at >= day_start(criteria.opened_from))
    if criteria.opened_to:
        query = query.where(WorkOrder.opened_at < day_start(criteria.opened_to + timedelta(days=1)))
    if criteria.breached is True:
        query = query.where(WorkOrder.breached_at.is_not(None))
    elif criteria.breached is False:
        query = query.where(WorkOrder.breached_at.is_(None))
    return list(session.scalars(query.order_by(WorkOrder.opened_at.desc(), WorkOrder.id.desc()).limit(limit)))


def record_sealed_read(session: Session, work_order: WorkOrder, username: str, *, purpose: str) -> bool:
    """Record that an auditor saw a work order's sealed fields; True when an event was recorded.

    Discipline inspection handles tip-offs, so their reads are their work; an auditor's read is
    an oversight act and must be traceable. Nothing is recorded when the flow has no sealed field.
    """
    if AUDITORS not in get_user(session, username).group_names:
        return False
    sealed = sealed_fields(work_order.process_version)
    if not sealed:
        return False
    audit.record(session, "sealed.read", actor=username, work_order_id=work_order.id, data={
        "number": work_order.number, "fields": sorted(sealed), "purpose": purpose,
    })
    return True
