"""Exports for a period: work orders and audit events as CSV or XLSX, redacted for the person exporting.

Sealed fields (a tip-off reporter's identity) stay masked unless the exporter is in discipline
inspection or audit; an auditor's export that contains sealed values is recorded as a
``sealed.read`` per work order, like any other read of them.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.canonical import canonical_json
from engine.audit.models import AuditEvent
from engine.directory import get_user
from engine.dossier import Redactor, redactor_for
from engine.errors import PermissionDenied
from engine.kpi import period_window
from engine.models import WorkOrder
from engine.oversight import record_sealed_read
from engine.queries import OVERSEERS, may_view

WORK_ORDER_COLUMNS = ("number", "flow", "version", "status", "opened_at", "opened_by", "due_at", "breached_at",
                      "closed_at", "customer_name", "customer_phone", "customer_address", "summary")
EVENT_COLUMNS = ("seq", "at", "kind", "work_order", "actor", "data", "hash")
_FROM_INTAKE = ("customer_name", "customer_phone", "customer_address", "summary")


def _require_exporter(session: Session, username: str) -> set[str]:
    groups = get_user(session, username).group_names
    if not groups & OVERSEERS:
        raise PermissionDenied("仅值班长与审计员可导出 / only shift leads and auditors may export")
    return groups


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _intake(session: Session, work_order: WorkOrder) -> dict:
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.work_order_id == work_order.id, AuditEvent.kind == "work_order.opened")).first()
    return dict(event.payload.get("intake") or {}) if event is not None else {}


def work_order_rows(session: Session, first_day: date, last_day: date, username: str) -> list[list[str]]:
    """Header and one row per work order opened in the period that the exporter may see."""
    groups = _require_exporter(session, username)
    start, end = period_window(first_day, last_day)
    rows = [list(WORK_ORDER_COLUMNS)]
    for order in session.scalars(select(WorkOrder).where(
            WorkOrder.opened_at >= start, WorkOrder.opened_at < end).order_by(WorkOrder.id)):
        if not may_view(order.process_version, groups):
            continue
        redacted = redactor_for(session, order, groups)
        intake = redacted(_intake(session, order))
        if redacted.allowed and redacted.sealed:
            record_sealed_read(session, order, username, purpose="export")
        customer = {c: str(intake.get(c, getattr(order, c)) or "") for c in _FROM_INTAKE}
        rows.append([order.number, order.flow_type, str(order.process_version.version), order.status,
                     _iso(order.opened_at), order.opened_by, _iso(order.due_at), _iso(order.breached_at),
                     _iso(order.closed_at), *(customer[c] for c in _FROM_INTAKE[:3]), redacted(customer["summary"])])
    return rows


def audit_event_rows(session: Session, first_day: date, last_day: date, username: str) -> list[list[str]]:
    """Header and every audit event of the period the exporter may see, data redacted for them."""
    groups = _require_exporter(session, username)
    start, end = period_window(first_day, last_day)
    rows = [list(EVENT_COLUMNS)]
    orders: dict[int, tuple[WorkOrder | None, Redactor | None]] = {}
    for event in session.scalars(select(AuditEvent).where(
            AuditEvent.at >= start, AuditEvent.at < end).order_by(AuditEvent.seq)):
        number, redacted = "", None
        if event.work_order_id is not None:
            if event.work_order_id not in orders:
                order = session.get(WorkOrder, event.work_order_id)
                visible = order is not None and may_view(order.process_version, groups)
                orders[event.work_order_id] = (order, redactor_for(session, order, groups)) if visible else (None, None)
                if visible and orders[event.work_order_id][1].allowed and orders[event.work_order_id][1].sealed:
                    record_sealed_read(session, order, username, purpose="export")
            order, redacted = orders[event.work_order_id]
            if order is None:
                continue
            number = order.number
        elif "auditor" not in groups:
            continue
        data = redacted(event.payload) if redacted is not None else event.payload
        rows.append([str(event.seq), _iso(event.at), event.kind, number, event.actor, canonical_json(data), event.hash])
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(rows: list[list[str]], title: str) -> bytes:
    """One worksheet with a bold, frozen header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
